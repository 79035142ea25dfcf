package crawler

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
)

// Source collects creators from one platform. Implementations are safe for
// concurrent use.
type Source interface {
	// Name is the platform name the source registers under (creator.Bluesky, ...).
	Name() string
	// Policy declares what the source may do; the crawler enforces it.
	Policy() Policy
	// Discover returns up to q.Limit creator refs matching q.Query. Refs of
	// accounts that opted out through a platform signal are left out.
	Discover(ctx context.Context, q DiscoverQuery) ([]creator.Ref, error)
	// Fetch returns the creator's profile, posts, comments and audience
	// sample. An unknown creator gives an error wrapping creator.ErrNotFound;
	// one that opted out through a platform signal, creator.ErrOptedOut; a
	// response that cannot be decoded, creator.ErrMalformed. On error nothing
	// partial is returned.
	Fetch(ctx context.Context, ref creator.Ref) (*creator.Profile, error)
}

// DiscoverQuery asks a source for creators.
type DiscoverQuery struct {
	Query string `json:"query"`
	Limit int    `json:"limit"`
}

// Policy is what a source declares about itself, in code, so the crawler
// can enforce it.
type Policy struct {
	// RatePerSecond and Burst bound requests per host (per credential where
	// the platform counts per key).
	RatePerSecond float64
	Burst         int
	// DailyQuota, when > 0, caps requests (or units) per day.
	DailyQuota int
	// NeedsCredentials says the source cannot run without operator credentials.
	NeedsCredentials bool
	// OptOutSignals names the platform signals honoured ("label:!no-unauthenticated").
	OptOutSignals []string
	// Retention is how long fetched data may be kept; 0 means no limit.
	Retention time.Duration
	// ScoringAllowed says whether derived scores may be computed from this
	// source's data.
	ScoringAllowed bool
	// Terms is where the platform's terms are.
	Terms string
}

// Host returns the politeness policy of the source's hosts for the
// outbound client. A policy that declares no rate gets no rate limit, so
// sources must declare one.
func (p Policy) Host() fetch.HostPolicy {
	return fetch.HostPolicy{Rate: p.RatePerSecond, Burst: p.Burst, DailyQuota: p.DailyQuota}
}

// Config is what a source factory is given. Sources never read flags or
// the environment.
type Config struct {
	// HTTP is the one outbound client; sources make every request through it.
	HTTP Doer
	// BaseURL overrides the platform's API base URL; empty means the default.
	BaseURL string
	// Options holds source-specific settings ("posts": "30", ...).
	Options map[string]string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Doer is the part of the outbound client a source uses. *fetch.Client
// implements it.
type Doer interface {
	// GetJSON fetches u and decodes its JSON body into v. Errors wrap
	// creator.ErrNotFound (404), creator.ErrRateLimited (429 after
	// retries), creator.ErrMalformed (undecodable body), creator.ErrTooLarge
	// or creator.ErrForbidden.
	GetJSON(ctx context.Context, u *url.URL, v any) error
}

var _ Doer = (*fetch.Client)(nil)

// Factory builds a source from its config.
type Factory func(cfg Config) (Source, error)

var (
	regMu    sync.RWMutex
	registry = map[string]Factory{}
)

// Register makes a source factory available by name. It panics when the
// name is taken, so a duplicate fails at start-up. Call it from init.
func Register(name string, f Factory) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("crawler: source " + name + " registered twice")
	}
	registry[name] = f
}

// New builds the source registered under name.
func New(name string, cfg Config) (Source, error) {
	regMu.RLock()
	f, ok := registry[name]
	regMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("building source %q: %w: unknown source", name, creator.ErrInvalid)
	}
	return f(cfg)
}

// Names lists the registered sources, sorted.
func Names() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// IntOptions reads the named options as non-negative integers into their
// destinations, leaving a destination as it is when its option is unset.
// Its error wraps creator.ErrInvalid and names the option.
func (c Config) IntOptions(dst map[string]*int) error {
	for name, p := range dst {
		v, ok := c.Options[name]
		if !ok || v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("%w: option %s=%q is not a non-negative integer", creator.ErrInvalid, name, v)
		}
		*p = n
	}
	return nil
}

// PageRefs collects up to limit distinct refs (def when limit is 0 or
// less) from a cursor-paged search: page is called with the cursor (""
// first) and how many refs are still wanted, and returns a page's refs and
// the next cursor ("" when the results end). It stops after maxPages pages,
// at the limit, or when a cursor repeats. A ref seen on an earlier page is
// kept once. The error is page's, unwrapped.
func PageRefs(limit, def, maxPages int, page func(cursor string, want int) ([]creator.Ref, string, error)) ([]creator.Ref, error) {
	if limit <= 0 {
		limit = def
	}
	refs := []creator.Ref{}
	seen := map[string]bool{}
	cursor := ""
	for range maxPages {
		if len(refs) >= limit {
			break
		}
		got, next, err := page(cursor, limit-len(refs))
		if err != nil {
			return nil, err
		}
		for _, ref := range got {
			if !seen[ref.ID] && len(refs) < limit {
				seen[ref.ID] = true
				refs = append(refs, ref)
			}
		}
		if next == "" || next == cursor {
			break
		}
		cursor = next
	}
	return refs, nil
}
