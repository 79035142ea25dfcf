package watch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// Limits on what a watchlist may hold.
const (
	MaxNameLen  = 200
	MaxWebhooks = 10
	MaxMembers  = 10000
	// MinInterval is the shortest cadence given as a duration.
	MinInterval = time.Minute
)

// URLCheck validates a webhook URL before it is saved and before each
// delivery; it returns an error wrapping creator.ErrForbidden (or
// creator.ErrInvalid) for a URL that must not be called, such as one
// resolving to a private address. The command wires crawler/fetch's SSRF
// validator.
type URLCheck func(ctx context.Context, rawURL string) error

// Doer sends an HTTP request. *http.Client implements it; the command wires
// crawler/fetch's SSRF-guarded client so that every webhook delivery passes
// the guard at dial time too.
type Doer interface {
	Do(req *http.Request) (*http.Response, error)
}

// TaskEnqueuer enqueues asynq tasks. *asynq.Client implements it.
type TaskEnqueuer interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

// Service manages watchlists, their members and alert events over an
// index.Store, detects changes after crawls (AfterWrite) and delivers
// webhooks (HandleDeliver). It is safe for concurrent use.
type Service struct {
	store    index.Store
	now      func() time.Time
	checkURL URLCheck
	parseURL ProfileURLParser
	lookup   HandleLookup
	tasks    TaskEnqueuer
	http     Doer
	queue    string
	// resolveQueue is the queue of member resolutions; "" means queue.
	resolveQueue string
	attempts     int
	log          *slog.Logger

	// mu serializes read-modify-write of watchlists within this process.
	mu sync.Mutex
	// alertMu serializes updates of one alert event's delivery history.
	alertMu [64]sync.Mutex
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock; the default is time.Now.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithURLCheck sets the webhook URL validator (crawler/fetch's SSRF guard).
// The default accepts only http and https URLs whose host is a public IP
// literal or a name that is not localhost-like; it does not resolve names,
// so production must wire the real guard.
func WithURLCheck(f URLCheck) Option { return func(s *Service) { s.checkURL = f } }

// WithProfileURLs sets how a member given by profile URL is read (the
// command wires crawler.ParseProfileURL, every source's one parser).
// Without it only URLs that a stored creator has exactly are members.
func WithProfileURLs(p ProfileURLParser) Option { return func(s *Service) { s.parseURL = p } }

// WithHandleLookup sets how a handle-only Ref from a profile URL is
// completed; the default searches the creators already in the store.
func WithHandleLookup(f HandleLookup) Option { return func(s *Service) { s.lookup = f } }

// WithTaskEnqueuer sets where webhook delivery tasks are enqueued. Without
// one, AfterWrite stores alert events but enqueues no deliveries.
func WithTaskEnqueuer(e TaskEnqueuer) Option { return func(s *Service) { s.tasks = e } }

// WithHTTPClient sets the client webhooks are sent with (the command wires
// crawler/fetch's Client.HTTPClient(), guarded at dial time); the default
// is an *http.Client with a 15 second timeout that follows no redirects and
// has no guard at dial time.
func WithHTTPClient(d Doer) Option { return func(s *Service) { s.http = d } }

// WithDeliveryQueue sets the asynq queue of webhook tasks; the default is
// DefaultDeliveryQueue.
func WithDeliveryQueue(q string) Option { return func(s *Service) { s.queue = q } }

// WithMaxAttempts sets how many times a webhook delivery is tried before it
// is marked failed; the default is DefaultMaxAttempts.
func WithMaxAttempts(n int) Option { return func(s *Service) { s.attempts = n } }

// WithLogger sets the logger; the default is slog.Default().
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// New returns a Service over store.
func New(store index.Store, opts ...Option) *Service {
	s := &Service{
		store:    store,
		now:      time.Now,
		checkURL: basicURLCheck,
		http: &http.Client{Timeout: 15 * time.Second,
			// A redirect could lead past the URL check: it counts as a
			// failed attempt instead.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		queue:    DefaultDeliveryQueue,
		attempts: DefaultMaxAttempts,
		log:      slog.Default(),
	}
	for _, o := range opts {
		o(s)
	}
	if s.lookup == nil {
		s.lookup = storeHandleLookup(store)
	}
	if s.attempts < 1 {
		s.attempts = 1
	}
	return s
}

// Spec is what a caller gives to create a watchlist.
type Spec struct {
	// ID is optional; empty means a generated one.
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
	// Members are store keys or profile URLs (see AddMembers).
	Members []string `json:"members,omitempty"`
	// SavedSearch is re-run on each rescan and its matches added.
	SavedSearch *index.Query `json:"saved_search,omitempty"`
	// Cadence is a cron expression ("0 6 * * *", "@daily"), a Go duration
	// ("24h", at least a minute), or "hourly", "daily", "weekly"; empty
	// means daily.
	Cadence string           `json:"cadence,omitempty"`
	Rules   index.AlertRules `json:"rules"`
	// Webhooks get the list's alert events; an empty Secret is generated.
	Webhooks []index.Webhook `json:"webhooks,omitempty"`
}

// Patch changes some fields of a watchlist; nil fields are left alone.
type Patch struct {
	Name        *string           `json:"name,omitempty"`
	Cadence     *string           `json:"cadence,omitempty"`
	Rules       *index.AlertRules `json:"rules,omitempty"`
	SavedSearch *index.Query      `json:"saved_search,omitempty"`
	// ClearSavedSearch removes the saved search.
	ClearSavedSearch bool `json:"clear_saved_search,omitempty"`
	// Webhooks replaces the targets. A target whose URL was already there
	// and whose Secret is empty keeps its secret; other empty secrets are
	// generated.
	Webhooks *[]index.Webhook `json:"webhooks,omitempty"`
}

// Create validates spec and stores a new watchlist, due for its first
// rescan at once. Errors wrap creator.ErrInvalid naming the field
// ("name", "cadence", "rules.quiet_days", "webhooks[0].url",
// "members[2]", ...), creator.ErrForbidden from the URL check, or
// creator.ErrNotFound for a member key that is not stored.
func (s *Service) Create(ctx context.Context, spec Spec) (_ *index.Watchlist, err error) {
	defer func() { err = creator.Unavailable(err) }() // the store failed: retry
	now := s.now().UTC()
	w := &index.Watchlist{
		ID:          spec.ID,
		Name:        strings.TrimSpace(spec.Name),
		Cadence:     strings.TrimSpace(spec.Cadence),
		Rules:       spec.Rules,
		SavedSearch: spec.SavedSearch,
		CreatedAt:   now,
		UpdatedAt:   now,
		NextRunAt:   now,
		CreatedBy:   index.ActorFrom(ctx),
		UpdatedBy:   index.ActorFrom(ctx),
	}
	if w.ID == "" {
		w.ID = "wl-" + randomHex(8)
	} else if !creator.ValidKey(w.ID) || len(w.ID) > 64 {
		return nil, fmt.Errorf("creating watchlist: %w: id: want 1 to 64 of [A-Za-z0-9_-]", creator.ErrInvalid)
	}
	if err := s.validate(ctx, w); err != nil {
		return nil, fmt.Errorf("creating watchlist: %w", err)
	}
	hooks, err := s.checkWebhooks(ctx, spec.Webhooks, nil)
	if err != nil {
		return nil, fmt.Errorf("creating watchlist: %w", err)
	}
	w.Webhooks = hooks
	members, err := s.resolveMembers(ctx, spec.Members, now)
	if err != nil {
		return nil, fmt.Errorf("creating watchlist: %w", err)
	}
	w.Members = addMembers(nil, members)

	s.mu.Lock()
	defer s.mu.Unlock()
	if spec.ID != "" {
		if _, err := s.store.GetWatchlist(ctx, w.ID); err == nil {
			return nil, fmt.Errorf("creating watchlist: %w: id: %s %w", creator.ErrInvalid, w.ID, ErrExists)
		} else if !errors.Is(err, creator.ErrNotFound) {
			return nil, fmt.Errorf("creating watchlist: %w", err)
		}
	}
	if err := s.store.PutWatchlist(ctx, w); err != nil {
		return nil, fmt.Errorf("creating watchlist: %w", err)
	}
	s.enqueueResolves(ctx, w)
	return w, nil
}

// List returns all watchlists ordered by id.
func (s *Service) List(ctx context.Context) ([]index.Watchlist, error) {
	ws, err := s.store.ListWatchlists(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing watchlists: %w", err)
	}
	return ws, nil
}

// Get returns one watchlist or an error wrapping creator.ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (*index.Watchlist, error) {
	w, err := s.store.GetWatchlist(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("getting watchlist %s: %w", id, err)
	}
	return w, nil
}

// Update applies p to the watchlist id and returns the result. A changed
// cadence reschedules the next rescan from the last one. Errors are as for
// Create, or wrap creator.ErrNotFound.
func (s *Service) Update(ctx context.Context, id string, p Patch) (_ *index.Watchlist, err error) {
	defer func() { err = creator.Unavailable(err) }() // the store failed: retry
	return s.modify(ctx, "updating", id, func(w *index.Watchlist) error {
		if p.Name != nil {
			w.Name = strings.TrimSpace(*p.Name)
		}
		if p.Rules != nil {
			w.Rules = *p.Rules
		}
		if p.ClearSavedSearch {
			w.SavedSearch = nil
		}
		if p.SavedSearch != nil {
			q := *p.SavedSearch
			w.SavedSearch = &q
		}
		rescheduled := false
		if p.Cadence != nil && strings.TrimSpace(*p.Cadence) != w.Cadence {
			w.Cadence = strings.TrimSpace(*p.Cadence)
			rescheduled = true
		}
		if err := s.validate(ctx, w); err != nil {
			return err
		}
		if rescheduled {
			from := w.LastRunAt
			if from.IsZero() {
				from = w.CreatedAt
			}
			c, _ := ParseCadence(w.Cadence)
			w.NextRunAt = c.Next(from, from)
		}
		if p.Webhooks != nil {
			hooks, err := s.checkWebhooks(ctx, *p.Webhooks, w.Webhooks)
			if err != nil {
				return err
			}
			w.Webhooks = hooks
		}
		return nil
	})
}

// Delete removes the watchlist id and its alert events, or returns an
// error wrapping creator.ErrNotFound.
func (s *Service) Delete(ctx context.Context, id string) (err error) {
	defer func() { err = creator.Unavailable(err) }() // the store failed: retry
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.store.GetWatchlist(ctx, id); err != nil {
		return fmt.Errorf("deleting watchlist %s: %w", id, err)
	}
	if err := s.store.DeleteWatchlist(ctx, id); err != nil {
		return fmt.Errorf("deleting watchlist %s: %w", id, err)
	}
	return nil
}

// AddMembers adds creators to the watchlist id and returns it. Each item is
// a store key of a stored creator ("bluesky-did_3Aplc_3Aabc") or a profile
// URL ("https://bsky.app/profile/alice.bsky.social") that the ProfileURLParser
// recognises; a URL naming a handle is completed by the HandleLookup.
// Creators already on the list are left as they are. Either all items are
// added or none: errors wrap creator.ErrInvalid naming the item
// ("members[1]") or creator.ErrNotFound.
func (s *Service) AddMembers(ctx context.Context, id string, items ...string) (_ *index.Watchlist, err error) {
	defer func() { err = creator.Unavailable(err) }() // the store failed: retry
	members, err := s.resolveMembers(ctx, items, s.now().UTC())
	if err != nil {
		return nil, fmt.Errorf("adding members to %s: %w", id, err)
	}
	w, err := s.modify(ctx, "adding members to", id, func(w *index.Watchlist) error {
		w.Members = addMembers(w.Members, members)
		if len(w.Members) > MaxMembers {
			return fmt.Errorf("%w: members: more than %d", creator.ErrInvalid, MaxMembers)
		}
		return nil
	})
	if err == nil {
		s.enqueueResolves(ctx, w)
	}
	return w, err
}

// RemoveMember removes the creator key from the watchlist id and returns
// it; a key that is not a member gives an error wrapping
// creator.ErrNotFound.
func (s *Service) RemoveMember(ctx context.Context, id, key string) (_ *index.Watchlist, err error) {
	defer func() { err = creator.Unavailable(err) }() // the store failed: retry
	return s.modify(ctx, "removing member from", id, func(w *index.Watchlist) error {
		i := slices.IndexFunc(w.Members, func(m index.WatchMember) bool { return m.Key == key })
		if i < 0 {
			return fmt.Errorf("member %s: %w", key, creator.ErrNotFound)
		}
		w.Members = slices.Delete(w.Members, i, i+1)
		return nil
	})
}

// Alerts returns the alert events of the watchlist id matching the other
// fields of f, newest first (f.Limit 0 means 100). An unknown watchlist
// gives an error wrapping creator.ErrNotFound.
func (s *Service) Alerts(ctx context.Context, id string, f index.AlertFilter) ([]index.AlertEvent, error) {
	if _, err := s.store.GetWatchlist(ctx, id); err != nil {
		return nil, fmt.Errorf("listing alerts of %s: %w", id, err)
	}
	f.WatchlistID = id
	evs, err := s.store.ListAlerts(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("listing alerts of %s: %w", id, err)
	}
	return evs, nil
}

// Alert returns one alert event with its delivery history, or an error
// wrapping creator.ErrNotFound.
func (s *Service) Alert(ctx context.Context, alertID string) (*index.AlertEvent, error) {
	e, err := s.store.GetAlert(ctx, alertID)
	if err != nil {
		return nil, fmt.Errorf("getting alert %s: %w", alertID, err)
	}
	return e, nil
}

// modify reads the watchlist id, applies f and writes it back with a new
// UpdatedAt, under the process-wide watchlist lock.
func (s *Service) modify(ctx context.Context, verb, id string, f func(w *index.Watchlist) error) (*index.Watchlist, error) {
	return s.modifyWatchlist(ctx, verb, id, true, f)
}

// modifyQuiet is modify for the scheduler's own changes, which leave
// UpdatedAt alone.
func (s *Service) modifyQuiet(ctx context.Context, verb, id string, f func(w *index.Watchlist) error) (*index.Watchlist, error) {
	return s.modifyWatchlist(ctx, verb, id, false, f)
}

// modifyWatchlist reads the watchlist id, applies f and writes it back
// under the process-wide watchlist lock; touch sets a new UpdatedAt.
func (s *Service) modifyWatchlist(ctx context.Context, verb, id string, touch bool, f func(w *index.Watchlist) error) (*index.Watchlist, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, err := s.store.GetWatchlist(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("%s watchlist %s: %w", verb, id, err)
	}
	if err := f(w); err != nil {
		return nil, fmt.Errorf("%s watchlist %s: %w", verb, id, err)
	}
	if touch {
		w.UpdatedAt = s.now().UTC()
		if a := index.ActorFrom(ctx); a != "" {
			w.UpdatedBy = a
		}
	}
	if err := s.store.PutWatchlist(ctx, w); err != nil {
		return nil, fmt.Errorf("%s watchlist %s: %w", verb, id, err)
	}
	return w, nil
}

// validate checks a watchlist's name, cadence, rules and saved search.
func (s *Service) validate(ctx context.Context, w *index.Watchlist) error {
	if w.Name == "" {
		return fmt.Errorf("%w: name: required", creator.ErrInvalid)
	}
	if len(w.Name) > MaxNameLen {
		return fmt.Errorf("%w: name: longer than %d bytes", creator.ErrInvalid, MaxNameLen)
	}
	if _, err := ParseCadence(w.Cadence); err != nil {
		return err
	}
	r := w.Rules
	for _, c := range []struct {
		name string
		v    float64
		max  float64
	}{
		{"rules.authenticity_below", r.AuthenticityBelow, 100},
		{"rules.authenticity_drop", r.AuthenticityDrop, 100},
		{"rules.engagement_drop_pct", r.EngagementDropPct, 100},
		{"rules.quiet_days", r.QuietDays, 3650},
	} {
		if !(c.v >= 0 && c.v <= c.max) {
			return fmt.Errorf("%w: %s: must be between 0 and %g", creator.ErrInvalid, c.name, c.max)
		}
	}
	if w.SavedSearch != nil {
		q := *w.SavedSearch
		if err := q.Normalize(); err != nil {
			return fmt.Errorf("saved_search: %w", err)
		}
	}
	return nil
}

// checkWebhooks validates targets, keeping the secrets of old targets with
// the same URL and generating missing ones.
func (s *Service) checkWebhooks(ctx context.Context, hooks, old []index.Webhook) ([]index.Webhook, error) {
	if len(hooks) > MaxWebhooks {
		return nil, fmt.Errorf("%w: webhooks: more than %d", creator.ErrInvalid, MaxWebhooks)
	}
	out := make([]index.Webhook, 0, len(hooks))
	for i, h := range hooks {
		h.URL = strings.TrimSpace(h.URL)
		if err := basicURLShape(h.URL); err != nil {
			return nil, fmt.Errorf("webhooks[%d].url: %w", i, err)
		}
		if err := s.checkURL(ctx, h.URL); err != nil {
			return nil, fmt.Errorf("webhooks[%d].url: %w", i, webhookCheckError(err))
		}
		if h.Secret == "" {
			for _, o := range old {
				if o.URL == h.URL {
					h.Secret = o.Secret
				}
			}
		}
		if h.Secret == "" {
			h.Secret = "whsec_" + randomHex(24)
		}
		out = append(out, h)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// resolveMembers turns store keys and profile URLs into members.
func (s *Service) resolveMembers(ctx context.Context, items []string, now time.Time) ([]index.WatchMember, error) {
	var out []index.WatchMember
	for i, item := range items {
		item = strings.TrimSpace(item)
		if strings.Contains(item, "://") {
			ref, err := s.resolveURL(ctx, item)
			if errors.Is(err, errNeedsLookup) {
				// Resolved later by a worker (TypeResolve).
				out = append(out, pendingMember(ref, now))
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("members[%d]: %w", i, err)
			}
			if err := s.refuseOptedOut(ctx, ref); err != nil {
				return nil, fmt.Errorf("members[%d]: %w", i, err)
			}
			out = append(out, index.WatchMember{Key: creator.Key(ref), Ref: ref, AddedAt: now, Source: "url"})
			continue
		}
		if !creator.ValidKey(item) {
			return nil, fmt.Errorf("%w: members[%d]: %q is neither a store key nor a profile URL", creator.ErrInvalid, i, item)
		}
		rec, err := s.store.Get(ctx, item)
		if err != nil {
			return nil, fmt.Errorf("members[%d]: %w", i, err)
		}
		if err := s.refuseOptedOut(ctx, rec.Profile.Ref); err != nil {
			return nil, fmt.Errorf("members[%d]: %w", i, err)
		}
		out = append(out, index.WatchMember{Key: item, Ref: rec.Profile.Ref, AddedAt: now, Source: "key"})
	}
	return out, nil
}

// ErrExists is wrapped (with creator.ErrInvalid) by Create when a
// watchlist with the given id exists.
var ErrExists = errors.New("already exists")

// errNeedsLookup says a profile URL names a handle the store does not
// hold: the member waits for a worker to resolve it.
var errNeedsLookup = errors.New("the handle needs a lookup")

// refuseOptedOut returns an error wrapping creator.ErrOptedOut when the
// opt-out list names ref by its id or handle.
func (s *Service) refuseOptedOut(ctx context.Context, ref creator.Ref) error {
	out, err := s.store.IsOptedOut(ctx, ref.Platform, ref.ID, ref.Handle)
	if err != nil {
		return fmt.Errorf("checking opt-out: %w", err)
	}
	if out {
		return fmt.Errorf("%s: %w", ref, creator.ErrOptedOut)
	}
	return nil
}

// resolveURL finds the creator a profile URL names: a stored creator with
// exactly this profile URL or the handle it holds (exact store lookups),
// else through the HandleLookup (which may fetch from the platform). A
// creator on the opt-out list is refused before the HandleLookup is asked.
func (s *Service) resolveURL(ctx context.Context, raw string) (creator.Ref, error) {
	if hits, err := index.ByProfileURL(ctx, s.store, raw); err == nil {
		for _, h := range hits {
			if h.Profile.Ref.ID != "" {
				return h.Profile.Ref, nil
			}
		}
	}
	if s.parseURL == nil {
		return creator.Ref{}, fmt.Errorf("%w: %s is not a known profile url", creator.ErrInvalid, raw)
	}
	ref, perr := s.parseURL(raw)
	if perr != nil {
		return creator.Ref{}, fmt.Errorf("%w: %s is not a known profile url", creator.ErrInvalid, raw)
	}
	if err := s.refuseOptedOut(ctx, ref); err != nil {
		return creator.Ref{}, err
	}
	if ref.ID == "" {
		stored, err := storeHandleLookup(s.store)(ctx, ref)
		if err == nil {
			ref = stored
		} else if s.tasks != nil {
			return ref, errNeedsLookup
		} else if ref, err = s.lookup(ctx, ref); err != nil {
			return creator.Ref{}, err
		}
	}
	if ref.Platform == "" || ref.ID == "" {
		return creator.Ref{}, fmt.Errorf("%w: resolving %s: no platform id", creator.ErrInvalid, raw)
	}
	return ref, nil
}

// addMembers appends the members not already present (by key).
func addMembers(have, add []index.WatchMember) []index.WatchMember {
	for _, m := range add {
		if !slices.ContainsFunc(have, func(h index.WatchMember) bool { return h.Key == m.Key }) {
			have = append(have, m)
		}
	}
	return have
}

// webhookCheckError classifies a URL check's error for the caller: a host
// that does not resolve, or that the guard refuses, is the caller's to fix
// (creator.ErrInvalid, with ErrForbidden kept for a refusal); a name
// server that failed for now is creator.ErrUnavailable.
func webhookCheckError(err error) error {
	if errors.Is(err, creator.ErrInvalid) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if errors.Is(err, creator.ErrForbidden) {
		return fmt.Errorf("%w: %w", creator.ErrInvalid, err)
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsNotFound || !dns.IsTemporary && !dns.IsTimeout {
			return fmt.Errorf("%w: host %s does not resolve", creator.ErrInvalid, dns.Name)
		}
		return fmt.Errorf("%w: resolving %s: %v", creator.ErrUnavailable, dns.Name, dns.Err)
	}
	// Anything else the check could not decide: the URL is not usable.
	return fmt.Errorf("%w: %v", creator.ErrInvalid, err)
}

// basicURLShape requires an absolute http(s) URL with a host and no
// credentials.
func basicURLShape(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: %v", creator.ErrInvalid, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: scheme must be http or https", creator.ErrInvalid)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%w: no host", creator.ErrInvalid)
	}
	if u.User != nil {
		return fmt.Errorf("%w: credentials in url", creator.ErrInvalid)
	}
	return nil
}

// basicURLCheck is the URLCheck used when none is configured: it refuses
// localhost-like names and non-public IP literals without resolving names.
func basicURLCheck(_ context.Context, raw string) error {
	if err := basicURLShape(raw); err != nil {
		return err
	}
	u, _ := url.Parse(raw)
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".local") || strings.HasSuffix(host, ".internal") {
		return fmt.Errorf("checking %s: %w: local host name", raw, creator.ErrForbidden)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		ip = ip.Unmap()
		if !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() ||
			netip.MustParsePrefix("100.64.0.0/10").Contains(ip) {
			return fmt.Errorf("checking %s: %w: non-public address %s", raw, creator.ErrForbidden, ip)
		}
	}
	return nil
}

// Redacted returns a copy of w whose webhook secrets are masked to their
// last four characters, for listing watchlists to users who need not see
// them (the secret is shown in full when Create or Update returns it).
func Redacted(w index.Watchlist) index.Watchlist {
	if len(w.Webhooks) > 0 {
		hooks := make([]index.Webhook, len(w.Webhooks))
		for i, h := range w.Webhooks {
			if n := len(h.Secret); n > 8 {
				h.Secret = "…" + h.Secret[n-4:]
			} else if n > 0 {
				h.Secret = "…"
			}
			hooks[i] = h
		}
		w.Webhooks = hooks
	}
	return w
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// lockAlert locks the delivery history of one alert event in this process.
func (s *Service) lockAlert(id string) func() {
	h := fnv.New32a()
	h.Write([]byte(id))
	m := &s.alertMu[h.Sum32()%uint32(len(s.alertMu))]
	m.Lock()
	return m.Unlock
}
