package instagram

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
)

// ProfileHosts are Instagram's web hosts.
var ProfileHosts = []string{"instagram.com", "www.instagram.com"}

// sitePages are first path segments of Instagram's own pages, which are
// not accounts.
var sitePages = map[string]bool{"p": true, "reel": true, "reels": true, "explore": true, "stories": true,
	"accounts": true, "direct": true, "about": true, "legal": true, "developer": true, "tv": true}

func init() {
	crawler.RegisterNaming(creator.Instagram, crawler.Naming{
		Hint:  "a username (1 to 30 of letters, digits, . and _) or a numeric id",
		Valid: validRef,
		Hosts: ProfileHosts,
		Parse: ParseProfileURL,
	})
}

// validRef: an id is numeric; a handle is a username or the numeric id.
func validRef(field, v string) bool {
	return numericIDRE.MatchString(v) || field == "handle" && usernameRE.MatchString(v)
}

// Forms of an account's names.
var (
	numericIDRE = regexp.MustCompile(`^[0-9]{1,32}$`)
	usernameRE  = regexp.MustCompile(`^[A-Za-z0-9._]{1,30}$`)
)

// ParseProfileURL reads https://www.instagram.com/<username>/ into a Ref
// with the username, lower-cased; the site's own pages (/p/..., /explore)
// are not profiles.
func ParseProfileURL(u *url.URL) (creator.Ref, bool) {
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 1 || sitePages[strings.ToLower(parts[0])] {
		return creator.Ref{}, false
	}
	ref := creator.Ref{Platform: creator.Instagram, Handle: strings.ToLower(parts[0])}
	if !validRef("handle", ref.Handle) {
		return creator.Ref{}, false
	}
	return ref, true
}
