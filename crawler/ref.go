package crawler

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/creatorscout/scout/creator"
)

// Forms of ids and handles per platform, as their sources read them.
var (
	didRE           = regexp.MustCompile(`^did:[a-z]+:[A-Za-z0-9._:%-]+$`)
	domainRE        = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
	acctRE          = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$`)
	channelIDRE     = regexp.MustCompile(`^UC[A-Za-z0-9_-]{22}$`)
	ytHandleRE      = regexp.MustCompile(`^[A-Za-z0-9._-]{3,30}$`)
	numericIDRE     = regexp.MustCompile(`^[0-9]{1,32}$`)
	instagramUserRE = regexp.MustCompile(`^[A-Za-z0-9._]{1,30}$`)
	twitchLoginRE   = regexp.MustCompile(`^[A-Za-z0-9_]{1,25}$`)
	refFormHints    = map[string]string{
		creator.Bluesky:   "a domain-style handle (alice.bsky.social) or a DID (did:plc:...)",
		creator.Mastodon:  "user@instance (alice@mastodon.example)",
		creator.YouTube:   "a handle (@name, 3 to 30 of letters, digits, . _ -) or a channel id (UC + 22 characters)",
		creator.Twitch:    "a login (1 to 25 of letters, digits and _) or a numeric user id",
		creator.Instagram: "a username (1 to 30 of letters, digits, . and _) or a numeric id",
		creator.Web:       "an http(s) URL (https://example.com/)",
	}
)

// ValidateRef checks that ref's id and handle have the form its platform
// uses, so that a job is never created for a creator no source could
// fetch ("../../etc/passwd", "a b c"). An empty id or handle is not
// checked; a platform this crawler does not know is left to the caller.
// Errors wrap creator.ErrInvalid and name the field ("id" or "handle").
func ValidateRef(ref creator.Ref) error {
	hint, known := refFormHints[ref.Platform]
	if !known {
		return nil
	}
	for _, f := range []struct{ name, v string }{{"id", ref.ID}, {"handle", ref.Handle}} {
		if f.v == "" || validRefPart(ref.Platform, f.name, f.v) {
			continue
		}
		return fmt.Errorf("%w: %s: %.80q is not a valid %s %s; want %s", creator.ErrInvalid, f.name, f.v, ref.Platform, f.name, hint)
	}
	return nil
}

func validRefPart(platform, field, v string) bool {
	switch platform {
	case creator.Bluesky:
		if len(v) > 2048 {
			return false
		}
		if field == "id" {
			return didRE.MatchString(v)
		}
		return len(v) <= 253 && domainRE.MatchString(v) || didRE.MatchString(v)
	case creator.Mastodon:
		return len(v) <= 320 && acctRE.MatchString(strings.TrimPrefix(v, "@"))
	case creator.YouTube:
		if field == "id" {
			return channelIDRE.MatchString(v)
		}
		return ytHandleRE.MatchString(strings.TrimPrefix(v, "@")) || channelIDRE.MatchString(v)
	case creator.Twitch:
		return numericIDRE.MatchString(v) || field == "handle" && twitchLoginRE.MatchString(v)
	case creator.Instagram:
		return numericIDRE.MatchString(v) || field == "handle" && instagramUserRE.MatchString(v)
	case creator.Web:
		if len(v) > 2048 {
			return false
		}
		if u, err := url.Parse(v); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil {
			return !strings.ContainsAny(v, " \t\r\n")
		}
		return false
	}
	return true
}
