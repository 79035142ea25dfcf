package watch

import (
	"github.com/creatorscout/scout/crawler"
	_ "github.com/creatorscout/scout/crawler/sources" // every platform's profile URLs
)

// parseProfileURL is the parser the command wires: every source's own.
var parseProfileURL ProfileURLParser = crawler.ParseProfileURL
