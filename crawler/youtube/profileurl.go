package youtube

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
)

// ProfileHosts are YouTube's web hosts.
var ProfileHosts = []string{"youtube.com", "www.youtube.com", "m.youtube.com"}

func init() {
	crawler.RegisterNaming(creator.YouTube, crawler.Naming{
		Hint:  "a handle (@name, 3 to 30 of letters, digits, . _ -) or a channel id (UC + 22 characters)",
		Valid: validRef,
		Hosts: ProfileHosts,
		Parse: ParseProfileURL,
	})
}

// validRef: an id is a channel id; a handle is an @handle or a channel id.
func validRef(field, v string) bool {
	if field == "id" {
		return channelIDRE.MatchString(v)
	}
	return ytHandleRE.MatchString(strings.TrimPrefix(v, "@")) || channelIDRE.MatchString(v)
}

// Forms of a channel's names.
var (
	channelIDRE = regexp.MustCompile(`^UC[A-Za-z0-9_-]{22}$`)
	ytHandleRE  = regexp.MustCompile(`^[A-Za-z0-9._-]{3,30}$`)
)

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
	if ref.ID != "" {
		return ref, validRef("id", ref.ID)
	}
	return ref, validRef("handle", ref.Handle)
}
