package bluesky

// The wire parsers, for the external tests that feed them recorded bodies.
var (
	ParseProfile    = parseProfile
	ParseProfiles   = parseProfiles
	ParseAuthorFeed = parseAuthorFeed
)
