package jetstream

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creatorscout/scout/compliance"
	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/bluesky"
	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index/sqlite"
	"github.com/creatorscout/scout/internal/testredis"
	"github.com/creatorscout/scout/sim"
)

// quiet is the tests' logger: warnings and errors only.
var quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

// redisDB is this package's database on a real Redis.
const redisDB = 12

// fixture is the real parts: the simulator (AppView and Jetstream) on a
// loopback server, the Bluesky source through the real outbound client, a
// SQLite store in a temporary folder, and the crawl pipeline on Redis
// (real when SCOUT_TEST_REDIS_URL is set).
type fixture struct {
	world   *sim.World
	srv     *httptest.Server
	store   *sqlite.Store
	src     *bluesky.Source
	pipe    *crawler.Pipeline
	rs      *testredis.Server
	crawls  *countingCrawler
	lookups atomic.Int64 // getProfiles requests the simulator answered
	feeds   sync.Map     // DID -> *atomic.Int64: getAuthorFeed requests (full crawls)
	now     atomic.Pointer[time.Time]
}

func newFixture(t *testing.T, creators int) *fixture { return newBenchFixture(t, creators) }

// newBenchFixture is newFixture for tests and benchmarks.
func newBenchFixture(t testing.TB, creators int) *fixture {
	t.Helper()
	f := &fixture{world: sim.New(sim.Config{Seed: 7, Creators: creators})}
	h := f.world.Handler()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/xrpc/app.bsky.actor.getProfiles":
			f.lookups.Add(1)
		case "/xrpc/app.bsky.feed.getAuthorFeed":
			n, _ := f.feeds.LoadOrStore(r.URL.Query().Get("actor"), new(atomic.Int64))
			n.(*atomic.Int64).Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	loopback, err := fetch.ParseNets("127.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	hc, err := fetch.New(fetch.WithAllowNets(loopback...), fetch.WithRetries(0, 0),
		fetch.WithHost(strings.TrimPrefix(f.srv.URL, "http://"), fetch.HostPolicy{Rate: 10000, Burst: 1000}))
	if err != nil {
		t.Fatal(err)
	}
	if f.src, err = bluesky.New(crawler.Config{HTTP: hc, BaseURL: f.srv.URL}); err != nil {
		t.Fatal(err)
	}
	if f.store, err = sqlite.Open(t.TempDir() + "/scout.db"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.store.Close() })
	f.rs = testredis.New(t, redisDB)
	now := f.world.Now()
	f.now.Store(&now)
	comp, err := compliance.New(compliance.Config{Store: f.store, Now: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	f.pipe, err = crawler.NewPipeline(crawler.PipelineConfig{
		Store: f.store, Erasure: comp, Sources: map[string]crawler.Source{creator.Bluesky: f.src}, Redis: f.rs.Client,
		Now: f.clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.pipe.Close() })
	f.crawls = &countingCrawler{Crawler: f.pipe, n: map[string]int{}}
	return f
}

// clock is the tracker's and the pipeline's clock (setClock moves it).
func (f *fixture) clock() time.Time { return *f.now.Load() }

// setClock moves the tracker's, the pipeline's and the world's clocks.
func (f *fixture) setClock(t time.Time) {
	f.now.Store(&t)
	f.world.SetNow(t)
}

func (f *fixture) tracker(t *testing.T, cfg TrackerConfig) *Tracker {
	t.Helper()
	cfg.Lookup, cfg.Store, cfg.Crawler, cfg.Now, cfg.Logger = f.src, f.store, f.crawls, f.clock, quiet
	tr, err := NewTracker(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// countingCrawler counts the crawls queued per DID and passes them to
// the real pipeline.
type countingCrawler struct {
	Crawler
	mu sync.Mutex
	n  map[string]int
}

func (c *countingCrawler) EnqueueStream(ctx context.Context, ref creator.Ref) error {
	if err := c.Crawler.EnqueueStream(ctx, ref); err != nil {
		return err
	}
	c.mu.Lock()
	c.n[ref.ID]++
	c.mu.Unlock()
	return nil
}

func (c *countingCrawler) count(did string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[did]
}

func (c *countingCrawler) max() (int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := 0
	for _, v := range c.n {
		m = max(m, v)
	}
	return m, len(c.n)
}

// postBy is a post event by did with text.
func postBy(did, text string, us int64) *Event {
	return &Event{DID: did, TimeUS: us, Kind: KindCommit, Commit: &Commit{Operation: OpCreate, Collection: CollectionPost,
		RKey: "3k", Record: &Record{Type: CollectionPost, Text: text}}}
}

// recorder is a Handler that remembers the time of every event and
// passes them on (to a Tracker, or nowhere).
type recorder struct {
	next Handler
	mu   sync.Mutex
	seen map[int64]int
	max  int64
	n    int64
}

func newRecorder(next Handler) *recorder { return &recorder{next: next, seen: map[int64]int{}} }

func (r *recorder) HandleEvent(ctx context.Context, ev *Event) error {
	r.mu.Lock()
	r.seen[ev.TimeUS]++
	r.n++
	r.max = max(r.max, ev.TimeUS)
	r.mu.Unlock()
	if r.next != nil {
		return r.next.HandleEvent(ctx, ev)
	}
	return nil
}

func (r *recorder) Flush(ctx context.Context) error {
	if r.next != nil {
		return r.next.Flush(ctx)
	}
	return nil
}

func (r *recorder) events() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

func (r *recorder) newest() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.max
}

// waitFor polls cond every 10ms for up to d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
