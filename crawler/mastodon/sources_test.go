package mastodon

// The platforms whose profile URLs verified fields name (ParseProfileURL
// asks their registered parsers).
import (
	_ "github.com/creatorscout/scout/crawler/bluesky"
	_ "github.com/creatorscout/scout/crawler/instagram"
	_ "github.com/creatorscout/scout/crawler/twitch"
	_ "github.com/creatorscout/scout/crawler/youtube"
)
