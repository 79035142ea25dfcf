package crawler

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/creatorscout/scout/creator"
)

// ProfileURLs is a source's one parser of its platform's profile URLs,
// which opt-outs, watchlists, link evidence and the API all use through
// ParseProfileURL.
type ProfileURLs struct {
	// Hosts are the lower-case host names whose URLs Parse reads. Empty
	// means any host (Mastodon instances); such a parser is asked only
	// when no platform names the URL's host.
	Hosts []string
	// Parse returns the creator u names, with a lower-cased handle or an
	// id; ok is false when u is not a profile URL of the platform (a post,
	// a site page). It must not do I/O.
	Parse func(u *url.URL) (ref creator.Ref, ok bool)
}

var (
	urlMu      sync.RWMutex
	urlParsers = map[string]ProfileURLs{}
)

// RegisterProfileURLs makes a platform's profile URL parser available to
// ParseProfileURL. It panics when the platform has one already or a host
// is claimed twice. Call it from init, beside Register.
func RegisterProfileURLs(platform string, p ProfileURLs) {
	urlMu.Lock()
	defer urlMu.Unlock()
	if _, dup := urlParsers[platform]; dup {
		panic("crawler: profile URLs of " + platform + " registered twice")
	}
	for other, q := range urlParsers {
		for _, h := range p.Hosts {
			if slices.Contains(q.Hosts, h) {
				panic("crawler: host " + h + " claimed by " + platform + " and " + other)
			}
		}
	}
	urlParsers[platform] = p
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
	urlMu.RLock()
	defer urlMu.RUnlock()
	var anyHost []string
	for name, p := range urlParsers {
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
		if ref, ok := urlParsers[name].Parse(u); ok {
			return ref, nil
		}
	}
	return creator.Ref{}, fmt.Errorf("parsing profile url: %w: url: not a profile URL this crawler knows", creator.ErrInvalid)
}
