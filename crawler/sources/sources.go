// Package sources imports every source package, so that a program that
// imports it has every source registered and none can be forgotten:
// cmd/scout and the tests that need the whole set import this package
// instead of each source. TestEverySourceImported fails when a package
// under crawler/ registers a source this file does not import.
package sources

import (
	_ "github.com/creatorscout/scout/crawler/bluesky"   // registers creator.Bluesky
	_ "github.com/creatorscout/scout/crawler/instagram" // registers creator.Instagram (needs the operator's token)
	_ "github.com/creatorscout/scout/crawler/mastodon"  // registers creator.Mastodon
	_ "github.com/creatorscout/scout/crawler/twitch"    // registers creator.Twitch (needs the operator's app credentials)
	_ "github.com/creatorscout/scout/crawler/web"       // registers creator.Web
	_ "github.com/creatorscout/scout/crawler/youtube"   // registers creator.YouTube (needs an API key)
)
