package jetstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
)

// Handler receives the consumer's events in stream order, one at a time.
// HandleEvent may keep work back (a batch of profile lookups); Flush must
// finish everything handed to it so far, durably, before it returns: the
// consumer saves the cursor past an event only after a Flush. Every effect
// must be idempotent, since events after the saved cursor are delivered
// again after a restart.
type Handler interface {
	HandleEvent(ctx context.Context, ev *Event) error
	Flush(ctx context.Context) error
}

// CursorStore keeps the consumer's cursor (index.Tracking has it).
type CursorStore interface {
	StreamCursor(ctx context.Context, name string) (int64, error)
	PutStreamCursor(ctx context.Context, name string, cursor int64) error
}

// Config configures a Consumer. Zero values take the defaults given.
type Config struct {
	// Endpoints are the /subscribe URLs (ws:// or wss://, or http(s)://),
	// tried in order; a failed connection moves to the next (required).
	Endpoints []string
	// Collections are the wantedCollections; nil means
	// DefaultCollections. #identity and #account events come regardless.
	Collections []string
	// Handler receives the events (required).
	Handler Handler
	// Store keeps the cursor (required); CursorName names it, "" means
	// "jetstream".
	Store      CursorStore
	CursorName string
	// SaveEvery is how often the cursor is saved (after a Flush); 0 means
	// 5 seconds.
	SaveEvery time.Duration
	// Overlap is how far before the saved cursor a resumed stream starts,
	// for events delivered out of time order and for another endpoint's
	// clock; 0 means 3 seconds.
	Overlap time.Duration
	// MinBackoff and MaxBackoff bound the wait before a reconnection, on
	// the shared jittered backoff (fetch.Backoff); 0 means 250ms and 30s.
	MinBackoff, MaxBackoff time.Duration
	// ReadLimit is the largest frame read; 0 means 2 MiB.
	ReadLimit int64
	// HTTPClient dials the websockets; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Stats receives progress; nil means a private one (see Consumer.Stats).
	Stats *Stats
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger logs connections and progress; nil means slog.Default().
	Logger *slog.Logger
	// ProgressEvery is how often progress is logged; 0 means a minute,
	// negative never.
	ProgressEvery time.Duration
}

// Consumer reads the Jetstream v1 /subscribe wire: it connects to the
// first endpoint that answers, resumes from the cursor in the store
// (less Config.Overlap), hands each event to the Handler, saves the cursor
// every Config.SaveEvery after a Flush, and reconnects with jittered
// exponential backoff, moving to the next endpoint, when a connection
// fails. Delivery is at least once. A Consumer is run by one goroutine.
type Consumer struct {
	cfg   Config
	log   *slog.Logger
	stats *Stats
	eps   []string

	// cursor is where to resume (0: the live tip); saved the cursor last
	// written to the store; newest the newest time_us handed to the
	// handler since the last save.
	cursor, saved, newest int64
	lastSave              time.Time
	lastLog               time.Time
}

// New returns a consumer for cfg. Errors wrap creator.ErrInvalid.
func New(cfg Config) (*Consumer, error) {
	if len(cfg.Endpoints) == 0 || cfg.Handler == nil || cfg.Store == nil {
		return nil, fmt.Errorf("building jetstream consumer: %w: endpoints, a handler and a store are required", creator.ErrInvalid)
	}
	eps := make([]string, 0, len(cfg.Endpoints))
	for _, e := range cfg.Endpoints {
		u, err := endpointURL(e)
		if err != nil {
			return nil, err
		}
		eps = append(eps, u)
	}
	if cfg.Collections == nil {
		cfg.Collections = DefaultCollections
	}
	if cfg.CursorName == "" {
		cfg.CursorName = "jetstream"
	}
	if cfg.SaveEvery <= 0 {
		cfg.SaveEvery = 5 * time.Second
	}
	if cfg.Overlap <= 0 {
		cfg.Overlap = 3 * time.Second
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 250 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.ReadLimit <= 0 {
		cfg.ReadLimit = 2 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ProgressEvery == 0 {
		cfg.ProgressEvery = time.Minute
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	st := cfg.Stats
	if st == nil {
		st = new(Stats)
	}
	return &Consumer{cfg: cfg, log: log, stats: st, eps: eps}, nil
}

// endpointURL checks one endpoint and gives it the websocket scheme.
func endpointURL(e string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(e))
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("building jetstream consumer: %w: endpoint %q is not a URL", creator.ErrInvalid, e)
	}
	switch u.Scheme {
	case "ws", "wss":
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("building jetstream consumer: %w: endpoint %q must be ws://, wss://, http:// or https://", creator.ErrInvalid, e)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/subscribe"
	}
	u.RawQuery = ""
	return u.String(), nil
}

// Stats returns the consumer's progress.
func (c *Consumer) Stats() *Stats { return c.stats }

// subscribeURL is endpoint i with the consumer's filters and cursor.
func (c *Consumer) subscribeURL(i int, cursor int64) string {
	q := url.Values{}
	for _, col := range c.cfg.Collections {
		q.Add("wantedCollections", col)
	}
	if cursor > 0 {
		q.Set("cursor", strconv.FormatInt(cursor, 10))
	}
	return c.eps[i] + "?" + q.Encode()
}

// Run consumes until ctx ends, then flushes the handler and saves the
// cursor, and returns ctx's error. Failures of a connection, the handler
// or the store are logged and retried: after a handler or store failure
// the stream resumes from the last saved cursor, so nothing is skipped.
func (c *Consumer) Run(ctx context.Context) error {
	saved, err := c.cfg.Store.StreamCursor(ctx, c.cfg.CursorName)
	for err != nil {
		c.log.Warn("reading the jetstream cursor", "err", err)
		if !sleep(ctx, c.cfg.MaxBackoff/4) {
			return ctx.Err()
		}
		saved, err = c.cfg.Store.StreamCursor(ctx, c.cfg.CursorName)
	}
	c.saved = saved
	c.stats.update(func(p *Progress) { p.Cursor = saved })
	if saved > 0 {
		c.cursor = saved - c.cfg.Overlap.Microseconds()
	}
	c.lastSave = c.cfg.Now()
	ep, fails := 0, 0
	for {
		got, err := c.session(ctx, ep)
		if ctx.Err() != nil {
			c.checkpoint(context.WithoutCancel(ctx))
			return ctx.Err()
		}
		if got > 0 {
			fails = 0
		}
		fails++
		c.stats.update(func(p *Progress) {
			p.Connected, p.Reconnects = false, p.Reconnects+1
			if err != nil {
				p.LastError = err.Error()
			}
		})
		var he *handlerError
		if errors.As(err, &he) {
			// The handler's work since the last save may be lost: replay
			// from there.
			c.cursor = c.saved - c.cfg.Overlap.Microseconds()
			c.newest = 0
		} else if c.checkpoint(ctx) == nil && c.saved > 0 {
			c.cursor = c.saved - c.cfg.Overlap.Microseconds()
		}
		if got == 0 || fails > 1 {
			ep = (ep + 1) % len(c.eps) // fail over
		}
		wait := fetch.BackoffDelay(c.cfg.MinBackoff, c.cfg.MaxBackoff, max(fails-1, 0))
		c.log.Warn("jetstream connection ended", "endpoint", c.eps[ep], "events", got, "retry_in", wait.Round(time.Millisecond), "err", err)
		if !sleep(ctx, wait) {
			c.checkpoint(context.WithoutCancel(ctx))
			return ctx.Err()
		}
	}
}

// handlerError marks a failure of the handler or the store, after which
// the stream resumes from the saved cursor.
type handlerError struct{ err error }

func (e *handlerError) Error() string { return e.err.Error() }
func (e *handlerError) Unwrap() error { return e.err }

// session runs one connection to endpoint ep and returns how many events
// it read and why it ended.
func (c *Consumer) session(ctx context.Context, ep int) (int64, error) {
	u := c.subscribeURL(ep, c.cursor)
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	conn, resp, err := websocket.Dial(dctx, u, &websocket.DialOptions{HTTPClient: c.cfg.HTTPClient})
	cancel()
	if err != nil {
		if resp != nil {
			return 0, fmt.Errorf("connecting to %s: status %d: %w", c.eps[ep], resp.StatusCode, err)
		}
		return 0, fmt.Errorf("connecting to %s: %w", c.eps[ep], err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(c.cfg.ReadLimit)
	c.stats.update(func(p *Progress) { p.Connected, p.Endpoint = true, c.eps[ep] })
	c.log.Info("jetstream connected", "endpoint", c.eps[ep], "cursor", c.cursor)
	var (
		buf     bytes.Buffer
		ev      Event
		n       int64
		pending int64 // events not yet counted in stats
		newest  int64
	)
	for {
		typ, r, err := conn.Reader(ctx)
		if err != nil {
			c.stats.read(pending, newest, c.cfg.Now())
			return n, fmt.Errorf("reading from %s: %w", c.eps[ep], err)
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			c.stats.read(pending, newest, c.cfg.Now())
			return n, fmt.Errorf("reading from %s: %w", c.eps[ep], err)
		}
		if typ != websocket.MessageText {
			continue // compression is never asked for: a binary frame is not ours
		}
		n++
		pending++
		if err := Decode(buf.Bytes(), &ev); err != nil {
			c.stats.update(func(p *Progress) { p.Malformed++ })
			continue
		}
		if err := c.cfg.Handler.HandleEvent(ctx, &ev); err != nil {
			c.stats.read(pending, newest, c.cfg.Now())
			return n, &handlerError{fmt.Errorf("handling event at %d: %w", ev.TimeUS, err)}
		}
		if ev.TimeUS > newest {
			newest = ev.TimeUS
		}
		if ev.TimeUS > c.newest {
			c.newest = ev.TimeUS
		}
		if pending >= 256 {
			c.stats.read(pending, newest, c.cfg.Now())
			pending = 0
		}
		if now := c.cfg.Now(); now.Sub(c.lastSave) >= c.cfg.SaveEvery {
			c.stats.read(pending, newest, now)
			pending = 0
			if err := c.checkpoint(ctx); err != nil {
				return n, &handlerError{err}
			}
			c.logProgress(now)
		}
	}
}

// checkpoint flushes the handler and saves the newest cursor handed to it.
func (c *Consumer) checkpoint(ctx context.Context) error {
	c.lastSave = c.cfg.Now()
	if err := c.cfg.Handler.Flush(ctx); err != nil {
		c.log.Warn("flushing jetstream work", "err", err)
		return fmt.Errorf("flushing: %w", err)
	}
	if c.newest <= c.saved {
		return nil
	}
	if err := c.cfg.Store.PutStreamCursor(ctx, c.cfg.CursorName, c.newest); err != nil {
		c.log.Warn("saving the jetstream cursor", "err", err)
		return fmt.Errorf("saving cursor: %w", err)
	}
	c.saved = c.newest
	c.stats.update(func(p *Progress) { p.Cursor = c.saved })
	return nil
}

func (c *Consumer) logProgress(now time.Time) {
	if c.cfg.ProgressEvery < 0 || now.Sub(c.lastLog) < c.cfg.ProgressEvery {
		return
	}
	c.lastLog = now
	p := c.stats.Snapshot()
	c.log.Info("jetstream progress", "events", p.Events, "events_per_s", int(p.EventsPerSecond),
		"behind_s", round1(p.LagSeconds), "discovered", p.Discovered, "tracked", p.Tracked,
		"lookups", p.Lookups, "snapshots", p.Snapshots)
}

func round1(x float64) float64 { return float64(int64(x*10)) / 10 }

// sleep waits d or until ctx ends, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
