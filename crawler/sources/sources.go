package sources

import (
	_ "github.com/creatorscout/scout/crawler/bluesky"   // registers creator.Bluesky
	_ "github.com/creatorscout/scout/crawler/instagram" // registers creator.Instagram (needs the operator's token)
	_ "github.com/creatorscout/scout/crawler/mastodon"  // registers creator.Mastodon
	_ "github.com/creatorscout/scout/crawler/twitch"    // registers creator.Twitch (needs the operator's app credentials)
	_ "github.com/creatorscout/scout/crawler/web"       // registers creator.Web
	_ "github.com/creatorscout/scout/crawler/youtube"   // registers creator.YouTube (needs an API key)
)
