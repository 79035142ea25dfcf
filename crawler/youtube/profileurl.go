package youtube

import (
	"net/url"
	"strings"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
)

// ProfileHosts are YouTube's web hosts.
var ProfileHosts = []string{"youtube.com", "www.youtube.com", "m.youtube.com"}

func init() {
	crawler.RegisterProfileURLs(creator.YouTube, crawler.ProfileURLs{Hosts: ProfileHosts, Parse: ParseProfileURL})
}

// ParseProfileURL reads https://www.youtube.com/@handle (a Ref with the
// handle, "@" kept, lower-cased) and https://www.youtube.com/channel/<id>
// (a Ref with the channel id), optionally followed by a tab (/videos).
func ParseProfileURL(u *url.URL) (creator.Ref, bool) {
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	var ref creator.Ref
	switch {
	case len(parts) >= 1 && strings.HasPrefix(parts[0], "@") && len(parts[0]) > 1:
		ref = creator.Ref{Platform: creator.YouTube, Handle: strings.ToLower(parts[0])}
	case len(parts) >= 2 && parts[0] == "channel":
		ref = creator.Ref{Platform: creator.YouTube, ID: parts[1]}
	default:
		return creator.Ref{}, false
	}
	return ref, crawler.ValidateRef(ref) == nil
}
