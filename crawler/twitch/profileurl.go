package twitch

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
)

// ProfileHosts are Twitch's web hosts.
var ProfileHosts = []string{"twitch.tv", "www.twitch.tv", "m.twitch.tv"}

// sitePages are first path segments of Twitch's own pages, which are not
// channels.
var sitePages = map[string]bool{"videos": true, "directory": true, "p": true, "settings": true, "downloads": true,
	"jobs": true, "search": true, "subscriptions": true, "inventory": true, "wallet": true, "turbo": true}

func init() {
	crawler.RegisterNaming(creator.Twitch, crawler.Naming{
		Hint:  "a login (1 to 25 of letters, digits and _) or a numeric user id",
		Valid: validRef,
		Hosts: ProfileHosts,
		Parse: ParseProfileURL,
	})
}

// validRef: an id is numeric; a handle is a login or the numeric id.
func validRef(field, v string) bool {
	return numericIDRE.MatchString(v) || field == "handle" && loginRE.MatchString(v)
}

// Forms of a channel's names.
var (
	numericIDRE = regexp.MustCompile(`^[0-9]{1,32}$`)
	loginRE     = regexp.MustCompile(`^[A-Za-z0-9_]{1,25}$`)
)

// ParseProfileURL reads https://www.twitch.tv/<login> into a Ref with the
// login, lower-cased; the site's own pages (/videos/..., /directory) are
// not channels.
func ParseProfileURL(u *url.URL) (creator.Ref, bool) {
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 1 || sitePages[strings.ToLower(parts[0])] {
		return creator.Ref{}, false
	}
	ref := creator.Ref{Platform: creator.Twitch, Handle: strings.ToLower(parts[0])}
	if !validRef("handle", ref.Handle) {
		return creator.Ref{}, false
	}
	return ref, true
}
