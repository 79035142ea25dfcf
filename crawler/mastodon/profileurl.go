package mastodon

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
)

func init() {
	// Any host may be an instance: asked after the platforms that name
	// their hosts.
	crawler.RegisterNaming(creator.Mastodon, crawler.Naming{
		Hint: "user@instance (alice@mastodon.example)",
		Valid: func(_, v string) bool {
			return len(v) <= 320 && acctRE.MatchString(strings.TrimPrefix(v, "@"))
		},
		Parse: ParseProfileURL,
	})
}

// acctRE is an account's acct, user@instance.
var acctRE = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$`)

// ParseProfileURL reads https://<instance>/@user (a local account) and
// https://<instance>/@user@other.host (a remote one) into a Ref whose
// Handle is the acct, lower-cased.
func ParseProfileURL(u *url.URL) (creator.Ref, bool) {
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 1 || !strings.HasPrefix(parts[0], "@") || len(parts[0]) < 2 || u.Hostname() == "" {
		return creator.Ref{}, false
	}
	acct := parts[0][1:]
	if !strings.Contains(acct, "@") {
		acct += "@" + u.Hostname()
	}
	return creator.Ref{Platform: creator.Mastodon, Handle: strings.ToLower(acct)}, true
}
