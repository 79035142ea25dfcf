package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/api"
	"github.com/creatorscout/scout/crawler/bluesky"
	"github.com/creatorscout/scout/crawler/bluesky/jetstream"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/internal/lease"
	"github.com/creatorscout/scout/scoring"
)

// jetstreamConfig is the Jetstream consumer's part of the config.
type jetstreamConfig struct {
	// Endpoints are the /subscribe URLs, tried in order
	// (SCOUT_JETSTREAM_URL, comma-separated; empty: no consumer).
	Endpoints []string
	// Floor is the follower count from which an account is tracked
	// (SCOUT_JETSTREAM_FOLLOWER_FLOOR, default 1000).
	Floor int64
	// Niches are taxonomy niches whose posts make their author tracked
	// whatever its followers (SCOUT_JETSTREAM_NICHES, comma-separated).
	Niches []string
	// Collections are the wantedCollections (SCOUT_JETSTREAM_COLLECTIONS,
	// comma-separated; default posts, follows and reposts).
	Collections []string
	// SaveEvery is how often the cursor is saved and the progress tallied
	// (SCOUT_JETSTREAM_SAVE_EVERY; default 5s): after a crash, at most
	// this much of the stream is read again.
	SaveEvery time.Duration
}

// jetstreamFromEnv reads SCOUT_JETSTREAM_*.
func jetstreamFromEnv() (jetstreamConfig, error) {
	var c jetstreamConfig
	split := func(s string) []string {
		var out []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	c.Endpoints = split(os.Getenv("SCOUT_JETSTREAM_URL"))
	c.Niches = split(os.Getenv("SCOUT_JETSTREAM_NICHES"))
	c.Collections = split(os.Getenv("SCOUT_JETSTREAM_COLLECTIONS"))
	if v := os.Getenv("SCOUT_JETSTREAM_SAVE_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond || d > time.Hour {
			return c, fmt.Errorf("SCOUT_JETSTREAM_SAVE_EVERY: want a duration from 100ms to 1h, like 5s, got %q", v)
		}
		c.SaveEvery = d
	}
	if v := os.Getenv("SCOUT_JETSTREAM_FOLLOWER_FLOOR"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return c, fmt.Errorf("SCOUT_JETSTREAM_FOLLOWER_FLOOR: want a whole number of followers, 1 or more, got %q", v)
		}
		c.Floor = n
	}
	return c, nil
}

// Redis keys of the consumer: its lease, the progress its holder
// publishes for the status page of any process, and the newest creators
// it discovered (a sorted set of store keys scored by when, kept to
// recentKept; only keys, so an erased creator's name is not kept there).
const (
	jetstreamLeaseKey    = "scout:jetstream:lease"
	jetstreamProgressKey = "scout:jetstream:progress"
	jetstreamRecentKey   = "scout:jetstream:recent"
)

// recentKept is how many of the newest discovered creators Redis keeps;
// recentShown how many /jetstream/recent lists.
const (
	recentKept  = 200
	recentShown = 20
)

// trackStore is the store as the tracker uses it: writes timed like the
// pipeline's, the cursor and tracked creators from the backend.
type trackStore struct {
	index.Store
	index.Tracking
}

// tracking reports whether this process is configured to consume the
// stream.
func (a *app) tracking() bool { return len(a.cfg.Jetstream.Endpoints) > 0 }

// jetstreamStats is this process's consumer progress.
func (a *app) jetstreamStats() *jetstream.Stats {
	a.jsOnce.Do(func() { a.jsStats = new(jetstream.Stats) })
	return a.jsStats
}

// track consumes the Jetstream until ctx ends, while this process holds
// the consumer's lease (any other process with SCOUT_JETSTREAM_URL takes
// over when it dies), and takes the daily count-only snapshots under the
// same lease.
func (a *app) track(ctx context.Context) error {
	if !a.tracking() {
		return errors.New("SCOUT_JETSTREAM_URL is not set: name the Jetstream /subscribe URL(s) to read")
	}
	ts, ok := a.store.(index.Tracking)
	if !ok {
		return errors.New("this store cannot keep the stream's cursor and tracked creators")
	}
	src, ok := a.sources[creator.Bluesky].(*bluesky.Source)
	if !ok {
		return errors.New("the Bluesky source is not available, so accounts cannot be looked up")
	}
	jc := a.cfg.Jetstream
	tax := a.taxonomy
	if tax == nil {
		tax = scoring.DefaultTaxonomy()
	}
	for _, n := range jc.Niches {
		if !slices.Contains(tax.Niches(), n) {
			return fmt.Errorf("SCOUT_JETSTREAM_NICHES: no niche is called %q; the niches are %s", n, strings.Join(tax.Niches(), ", "))
		}
	}
	stats := a.jetstreamStats()
	tr, err := jetstream.NewTracker(jetstream.TrackerConfig{
		Lookup: src, Store: trackStore{timedStore{a.store, a.writes}, ts}, Crawler: a.pipe,
		FollowerFloor: jc.Floor, NicheOf: jetstream.TermNiche(tax, jc.Niches, 2),
		Found: a.noteFound, Stats: stats, Now: a.now, Logger: a.log,
	})
	if err != nil {
		return err
	}
	c, err := jetstream.New(jetstream.Config{Endpoints: jc.Endpoints, Collections: jc.Collections, Handler: tr,
		Store: ts, Stats: stats, Logger: a.log, SaveEvery: jc.SaveEvery})
	if err != nil {
		return err
	}
	l := lease.New(a.rdb, jetstreamLeaseKey, 30*time.Second)
	return jetstream.RunLeased(ctx, l, a.log, stats, func(ctx context.Context) error {
		done := make(chan struct{}, 2)
		go func() { tr.RunSnapshots(ctx, time.Minute); done <- struct{}{} }()
		go func() { a.publishProgress(ctx, stats); done <- struct{}{} }()
		err := c.Run(ctx)
		<-done
		<-done
		return err
	})
}

// publishProgress writes the consumer's progress to Redis every second
// while it runs (kept for 15 seconds: a stopped consumer's vanishes),
// stamped with the wall clock (the demo runs the app on the simulator's).
func (a *app) publishProgress(ctx context.Context, stats *jetstream.Stats) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		b, _ := json.Marshal(progressDoc{Progress: stats.Snapshot(), UpdatedAt: time.Now().UTC()})
		a.rdb.Set(ctx, jetstreamProgressKey, b, 15*time.Second)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// progressDoc is what /jetstream/status answers.
type progressDoc struct {
	jetstream.Progress
	Running   bool      `json:"running"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// alongsideTracking runs run, and the stream consumer beside it when
// SCOUT_JETSTREAM_URL is set (`scout worker`, `scout all`); either
// failing stops both.
func (a *app) alongsideTracking(ctx context.Context, run func(context.Context) error) error {
	if !a.tracking() {
		return run(ctx)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		err := a.track(ctx)
		if ctx.Err() == nil {
			cancel()
		}
		errc <- err
	}()
	err := run(ctx)
	cancel()
	if terr := <-errc; err == nil && ctx.Err() == nil {
		err = terr
	}
	return err
}

// cmdTrack runs `scout track`: the Jetstream consumer alone.
func cmdTrack(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return service(ctx, "track", args, stdout, stderr, true, false, func(a *app) error {
		if !a.tracking() {
			return errors.New("SCOUT_JETSTREAM_URL is required: the Jetstream /subscribe URL(s) to read, comma-separated")
		}
		fmt.Fprintf(stdout, "scout: tracking Bluesky from %s (one process of the cluster reads at a time)\n", strings.Join(a.cfg.Jetstream.Endpoints, ", "))
		return a.track(ctx)
	})
}

// withJetstreamStatus serves the consumer's progress beside the API:
// GET /jetstream/status (JSON, public: counts only), read from what the
// consumer's holder publishes in Redis, so any process answers for the
// cluster; and on the API (an API key of scope read, when the server asks
// for keys) GET /jetstream/recent, the newest creators the stream
// discovered.
// The page /jetstream is the web app's.
func (a *app) withJetstreamStatus(next *api.Server) http.Handler {
	next.HandleGet("/jetstream/recent", api.ScopeRead, func(w http.ResponseWriter, r *http.Request) {
		list, err := a.recentFound(r.Context(), recentShown)
		if err != nil {
			a.log.Error("jetstream: reading the newest creators", "err", err)
			api.WriteUnavailable(w, "the newest creators cannot be read right now; retry")
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		api.WriteJSON(w, http.StatusOK, recentDoc{Creators: list})
	})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /jetstream/status", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(a.readProgress(r.Context()))
	})
	mux.Handle("/", next)
	return mux
}

func (a *app) readProgress(ctx context.Context) progressDoc {
	var p progressDoc
	b, err := a.rdb.Get(ctx, jetstreamProgressKey).Bytes()
	if err != nil || json.Unmarshal(b, &p) != nil {
		return progressDoc{}
	}
	p.Running = true
	return p
}

// noteFound records creators the tracker discovered in the list of the
// newest (the tracker's Found), scored by the wall clock in
// microseconds (the demo runs the app on the simulator's clock, which
// stands still while it serves), a microsecond apart in the order given.
// A failure is logged: the list is a view, the tracking is stored.
func (a *app) noteFound(ctx context.Context, rows []index.Tracked) {
	now := time.Now().UnixMicro()
	zs := make([]redis.Z, len(rows))
	for i, r := range rows {
		zs[i] = redis.Z{Score: float64(now + int64(i)), Member: r.Key}
	}
	_, err := a.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, jetstreamRecentKey, zs...)
		p.ZRemRangeByRank(ctx, jetstreamRecentKey, 0, -recentKept-1)
		return nil
	})
	if err != nil {
		a.log.Warn("jetstream: noting the newest creators", "err", err)
	}
}

// recentDoc is what /jetstream/recent answers.
type recentDoc struct {
	// Creators are the newest creators the stream discovered (new to the
	// store when found), newest first.
	Creators []recentCreator `json:"creators"`
}

// recentCreator is one creator the stream found.
type recentCreator struct {
	Key         string `json:"key"`
	Handle      string `json:"handle"`
	DisplayName string `json:"display_name,omitempty"`
	Followers   int64  `json:"followers"`
	// PrimaryNiche is the crawl's; empty before the crawl.
	PrimaryNiche string    `json:"primary_niche,omitempty"`
	FoundAt      time.Time `json:"found_at"`
	// Crawled is whether the creator's crawl is stored (so its page
	// exists); false while the crawl is queued.
	Crawled bool `json:"crawled"`
}

// recentFound lists up to n of the newest creators the stream
// discovered, from the keys in Redis and the store's records; a creator no
// longer tracked (erased) is left out and dropped from the list.
func (a *app) recentFound(ctx context.Context, n int) ([]recentCreator, error) {
	ts, ok := a.store.(index.Tracking)
	if !ok {
		return []recentCreator{}, nil
	}
	zs, err := a.rdb.ZRevRangeWithScores(ctx, jetstreamRecentKey, 0, recentKept-1).Result()
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(zs))
	at := make([]time.Time, 0, len(zs))
	for _, z := range zs {
		if k, ok := z.Member.(string); ok {
			keys = append(keys, k)
			at = append(at, time.UnixMicro(int64(z.Score)).UTC())
		}
	}
	tracked, err := ts.GetTracked(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := []recentCreator{}
	var gone []any
	for i, k := range keys {
		row, ok := tracked[k]
		if !ok {
			gone = append(gone, k)
			continue
		}
		if len(out) == n {
			continue
		}
		c := recentCreator{Key: k, Handle: row.Ref.Handle, Followers: row.Followers, FoundAt: at[i]}
		rec, err := a.store.Get(ctx, k)
		switch {
		case err == nil:
			c.Crawled = true
			c.Handle, c.DisplayName = rec.Profile.Ref.Handle, rec.Profile.DisplayName
			c.Followers, c.PrimaryNiche = rec.Profile.Followers, rec.Scores.PrimaryNiche
		case !errors.Is(err, creator.ErrNotFound):
			return nil, err
		}
		out = append(out, c)
	}
	if len(gone) > 0 {
		a.rdb.ZRem(ctx, jetstreamRecentKey, gone...)
	}
	return out, nil
}

// jetstreamCollector exports this process's consumer progress.
type jetstreamCollector struct{ a *app }

var jetstreamDescs = map[string]*prometheus.Desc{}

func jsDesc(name, help string) *prometheus.Desc {
	if d, ok := jetstreamDescs[name]; ok {
		return d
	}
	d := prometheus.NewDesc(name, help, nil, nil)
	jetstreamDescs[name] = d
	return d
}

var jetstreamSeries = []struct {
	name, help string
	typ        prometheus.ValueType
	val        func(p *jetstream.Progress) float64
}{
	{"scout_jetstream_events_total", "Jetstream events this process read.", prometheus.CounterValue, func(p *jetstream.Progress) float64 { return float64(p.Events) }},
	{"scout_jetstream_events_per_second", "Jetstream events read a second, over the last few seconds.", prometheus.GaugeValue, func(p *jetstream.Progress) float64 { return p.EventsPerSecond }},
	{"scout_jetstream_lag_seconds", "How far behind the live stream the newest event read was.", prometheus.GaugeValue, func(p *jetstream.Progress) float64 { return p.LagSeconds }},
	{"scout_jetstream_discovered_total", "Creators the stream discovered (tracked and queued for a crawl).", prometheus.CounterValue, func(p *jetstream.Progress) float64 { return float64(p.Discovered) }},
	{"scout_jetstream_tracked", "Creators tracked (count-only snapshots daily).", prometheus.GaugeValue, func(p *jetstream.Progress) float64 { return float64(p.Tracked) }},
	{"scout_jetstream_lookups_total", "getProfiles calls made for discovery and tracking.", prometheus.CounterValue, func(p *jetstream.Progress) float64 { return float64(p.Lookups) }},
	{"scout_jetstream_snapshots_total", "Count-only snapshots written.", prometheus.CounterValue, func(p *jetstream.Progress) float64 { return float64(p.Snapshots) }},
	{"scout_jetstream_reconnects_total", "Jetstream connections lost or refused.", prometheus.CounterValue, func(p *jetstream.Progress) float64 { return float64(p.Reconnects) }},
	{"scout_jetstream_leader", "1 while this process holds the consumer's lease.", prometheus.GaugeValue, func(p *jetstream.Progress) float64 {
		if p.Leader {
			return 1
		}
		return 0
	}},
}

func (c jetstreamCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, s := range jetstreamSeries {
		ch <- jsDesc(s.name, s.help)
	}
}

func (c jetstreamCollector) Collect(ch chan<- prometheus.Metric) {
	if !c.a.tracking() {
		return
	}
	p := c.a.jetstreamStats().Snapshot()
	for _, s := range jetstreamSeries {
		ch <- prometheus.MustNewConstMetric(jsDesc(s.name, s.help), s.typ, s.val(&p))
	}
}

// registerJetstreamMetrics exports a's consumer progress on the default
// registry, replacing another app's (tests build several in a process).
func registerJetstreamMetrics(a *app) {
	c := jetstreamCollector{a}
	if err := prometheus.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			prometheus.Unregister(are.ExistingCollector)
			prometheus.Register(c)
		}
	}
}
