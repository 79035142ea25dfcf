package crawler

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/creatorscout/scout/creator"
)

// Naming is how a platform names its creators, registered by its source
// (RegisterNaming): which ids and handles are well formed (ValidateRef, on
// every submission), which profile URLs name one (ParseProfileURL, which
// opt-outs, watchlists, link evidence and the API share), and the other
// addresses a creator is known by (link evidence).
type Naming struct {
	// Hint says what a valid id or handle looks like, for error messages
	// ("user@instance (alice@mastodon.example)").
	Hint string
	// Valid reports whether v is a well-formed value of field ("id" or
	// "handle"). Required; it must not do I/O.
	Valid func(field, v string) bool
	// Hosts are the lower-case host names whose URLs Parse reads. Empty
	// means any host (Mastodon instances); such a parser is asked only
	// when no platform names the URL's host.
	Hosts []string
	// Parse returns the creator a profile URL names, with a lower-cased
	// handle or an id; ok is false when u is not a profile URL of the
	// platform (a post, a site page). Nil when the platform has no
	// profile URLs (the web: a page is its own creator). It must not do
	// I/O.
	Parse func(u *url.URL) (ref creator.Ref, ok bool)
	// URLs lists the addresses a creator is known by besides its
	// profile's own URL (a site that links to one of them links to the
	// creator); nil when there are none.
	URLs func(ref creator.Ref) []string
}

var (
	namingMu sync.RWMutex
	namings  = map[string]Naming{}
)

// RegisterNaming makes a platform's Naming known. It panics when the
// platform has one already, n has no Valid, or a host is claimed twice.
// Call it from init, beside Register.
func RegisterNaming(platform string, n Naming) {
	namingMu.Lock()
	defer namingMu.Unlock()
	if _, dup := namings[platform]; dup {
		panic("crawler: naming of " + platform + " registered twice")
	}
	if n.Valid == nil {
		panic("crawler: naming of " + platform + " has no Valid")
	}
	for other, q := range namings {
		for _, h := range n.Hosts {
			if slices.Contains(q.Hosts, h) {
				panic("crawler: host " + h + " claimed by " + platform + " and " + other)
			}
		}
	}
	namings[platform] = n
}

func namingOf(platform string) (Naming, bool) {
	namingMu.RLock()
	defer namingMu.RUnlock()
	n, ok := namings[platform]
	return n, ok
}

// ValidateRef checks that ref's id and handle have the form its platform
// uses, so that a job is never created for a creator no source could
// fetch ("../../etc/passwd", "a b c"). An empty id or handle is not
// checked; a platform no source has registered is left to the caller.
// Errors wrap creator.ErrInvalid and name the field ("id" or "handle").
func ValidateRef(ref creator.Ref) error {
	n, known := namingOf(ref.Platform)
	if !known {
		return nil
	}
	for _, f := range []struct{ name, v string }{{"id", ref.ID}, {"handle", ref.Handle}} {
		if f.v == "" || n.Valid(f.name, f.v) {
			continue
		}
		return fmt.Errorf("%w: %s: %.80q is not a valid %s %s; want %s", creator.ErrInvalid, f.name, f.v, ref.Platform, f.name, n.Hint)
	}
	return nil
}

// ParseProfileURL returns the creator a profile URL names, by the parser
// of the platform that owns the URL's host (else of a platform on any
// host). Its error wraps creator.ErrInvalid when raw is not an http(s)
// URL or not a profile URL of a registered platform.
func ParseProfileURL(raw string) (creator.Ref, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return creator.Ref{}, fmt.Errorf("parsing profile url: %w: url: not an http(s) URL", creator.ErrInvalid)
	}
	host := strings.ToLower(u.Hostname())
	namingMu.RLock()
	defer namingMu.RUnlock()
	var anyHost []string
	for name, p := range namings {
		if p.Parse == nil {
			continue
		}
		if len(p.Hosts) == 0 {
			anyHost = append(anyHost, name)
			continue
		}
		if slices.Contains(p.Hosts, host) {
			if ref, ok := p.Parse(u); ok {
				return ref, nil
			}
			return creator.Ref{}, fmt.Errorf("parsing profile url: %w: url: not a %s profile URL", creator.ErrInvalid, name)
		}
	}
	slices.Sort(anyHost)
	for _, name := range anyHost {
		if ref, ok := namings[name].Parse(u); ok {
			return ref, nil
		}
	}
	return creator.Ref{}, fmt.Errorf("parsing profile url: %w: url: not a profile URL this crawler knows", creator.ErrInvalid)
}
