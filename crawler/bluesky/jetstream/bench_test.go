package jetstream

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/bluesky"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
)

// frameServer serves the recorded frames over a websocket, n frames in
// all, round after round; in round k every DID is changed (its first
// characters spell k), so that each round brings accounts not seen
// before, as the live stream keeps doing.
func frameServer(b *testing.B, frames [][]byte, n int) *httptest.Server {
	b.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := r.Context()
		sent := 0
		for round := 0; sent < n; round++ {
			tag := []byte(fmt.Sprintf("did:plc:%06d", round%1000000))
			for _, f := range frames {
				if sent == n {
					break
				}
				g := bytes.ReplaceAll(f, []byte("did:plc:"), tag)
				if err := c.Write(ctx, websocket.MessageText, g); err != nil {
					return
				}
				sent++
			}
		}
		c.Close(websocket.StatusNormalClosure, "")
	}))
}

// BenchmarkReadDecode is the raw rate: read each frame from the websocket
// and JSON-decode it into the consumer's Event, nothing more.
func BenchmarkReadDecode(b *testing.B) {
	frames := recordedFrames(b)
	srv := frameServer(b, frames, b.N)
	defer srv.Close()
	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseNow()
	c.SetReadLimit(2 << 20)
	var buf bytes.Buffer
	var ev Event
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		_, r, err := c.Reader(ctx)
		if err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		buf.ReadFrom(r)
		if err := json.Unmarshal(buf.Bytes(), &ev); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

// stubLookup answers getProfiles at once: 3% of accounts at 5,000
// followers, the rest at 100 (the share above a 1,000 floor is a guess
// for the live network; the lookups' own cost is measured on the
// simulator, not here).
type stubLookup struct{}

func (stubLookup) Counts(_ context.Context, actors []string) ([]bluesky.Counts, error) {
	out := make([]bluesky.Counts, len(actors))
	for i, a := range actors {
		h := fnv.New32a()
		h.Write([]byte(a))
		f := int64(100)
		if h.Sum32()%100 < 3 {
			f = 5000
		}
		out[i] = bluesky.Counts{Ref: creator.Ref{Platform: creator.Bluesky, ID: a}, Followers: f, Following: 10, Posts: 10, Known: true}
	}
	return out, nil
}

type nopCrawler struct{}

func (nopCrawler) EnqueueStream(context.Context, creator.Ref) error { return nil }
func (nopCrawler) Erase(context.Context, creator.Ref) error         { return nil }
func (nopCrawler) LockCreator(ctx context.Context, _ string) (context.Context, func(), bool, error) {
	return ctx, func() {}, true, nil
}

// stopAfter passes events to next and ends the run after n.
type stopAfter struct {
	Handler
	n, seen int
	stop    context.CancelFunc
}

func (s *stopAfter) HandleEvent(ctx context.Context, ev *Event) error {
	if err := s.Handler.HandleEvent(ctx, ev); err != nil {
		return err
	}
	if s.seen++; s.seen == s.n {
		s.stop()
	}
	return nil
}

// BenchmarkConsumer is the consumer at work on the same frames: Consumer
// reading the websocket and the Tracker deciding on every event, batching
// new accounts into lookups (answered by stubLookup), tracking those over
// the floor in a SQLite store and saving the cursor. Run it beside
// BenchmarkReadDecode, with -cpu 1 for one core; peak-RSS-MB is the
// process's high-water mark (VmHWM) after the run, SQLite's memory-mapped
// file and page cache included; go-sys-MB is what the Go runtime holds
// (the consumer, its caches and buffers, without SQLite's own memory).
func BenchmarkConsumer(b *testing.B) {
	frames := recordedFrames(b)
	srv := frameServer(b, frames, b.N+1)
	defer srv.Close()
	st, err := sqlite.Open(b.TempDir() + "/scout.db")
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	stats := new(Stats)
	tr, err := NewTracker(TrackerConfig{Lookup: stubLookup{}, Store: st, Crawler: nopCrawler{}, Stats: stats, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := &stopAfter{Handler: tr, n: b.N, stop: cancel}
	c, err := New(Config{Endpoints: []string{srv.URL}, Handler: h, Store: st, Stats: stats, Logger: quiet, ProgressEvery: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	c.Run(ctx)
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	if rss := peakRSS(); rss > 0 {
		b.ReportMetric(rss, "peak-RSS-MB")
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys)/(1<<20), "go-sys-MB")
	p := stats.Snapshot()
	b.ReportMetric(float64(p.Lookups)/float64(b.N)*1000, "lookups/1k-events")
}

// peakRSS is the process's peak resident set in MB (Linux), or 0.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkTrackingPass is the daily tracking path on the simulator: a
// pass over 500 tracked, stored creators (getProfiles batches of 25
// through the real client, a count-only snapshot each, the spike check)
// a day apart. It reports creators checked a second and getProfiles calls
// per 1,000 creators (40 is 25 to a call: 1,000,000 creators a day is
// 40,000 calls). locks=redis takes each creator's write lock from the
// crawl pipeline (Redis: real when SCOUT_TEST_REDIS_URL is set), as
// scout track does; locks=none leaves it out, for the ratio.
func BenchmarkTrackingPass(b *testing.B) {
	b.Run("locks=redis", func(b *testing.B) { benchTrackingPass(b, true) })
	b.Run("locks=none", func(b *testing.B) { benchTrackingPass(b, false) })
}

// pipeLocks is nopCrawler with the pipeline's real write locks.
type pipeLocks struct {
	nopCrawler
	pipe *crawler.Pipeline
}

func (l pipeLocks) LockCreator(ctx context.Context, key string) (context.Context, func(), bool, error) {
	return l.pipe.LockCreator(ctx, key)
}

func benchTrackingPass(b *testing.B, locks bool) {
	f := newBenchFixture(b, 520)
	ctx := context.Background()
	var rows []index.Tracked
	for _, c := range f.world.Creators() {
		if len(rows) == 500 {
			break
		}
		if c.OptedOut {
			continue
		}
		ref := creator.Ref{Platform: creator.Bluesky, ID: c.DID, Handle: c.Handle}
		key := creator.Key(ref)
		rec := &creator.Record{Key: key, Profile: creator.Profile{Ref: ref, Followers: 1}, FirstSeen: f.clock(), UpdatedAt: f.clock()}
		if err := f.store.Upsert(ctx, rec, creator.Snapshot{At: f.clock(), Followers: 1}); err != nil {
			b.Fatal(err)
		}
		rows = append(rows, index.Tracked{Key: key, Ref: ref, Reason: ReasonFloor, Since: f.clock(), CheckedAt: f.clock(), CrawlQueuedAt: f.clock()})
	}
	if err := f.store.PutTracked(ctx, rows); err != nil {
		b.Fatal(err)
	}
	var cr Crawler = nopCrawler{}
	if locks {
		cr = pipeLocks{pipe: f.pipe}
	}
	tr, err := NewTracker(TrackerConfig{Lookup: f.src, Store: f.store, Crawler: cr, Now: f.clock, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	start := f.clock()
	calls0 := f.lookups.Load()
	checked := 0
	b.ResetTimer()
	began := time.Now()
	for i := 0; i < b.N; i++ {
		f.setClock(start.Add(time.Duration(i+1) * (24*time.Hour + time.Minute)))
		n, err := tr.SnapshotDue(ctx)
		if err != nil {
			b.Fatal(err)
		}
		checked += n
	}
	elapsed := time.Since(began)
	b.StopTimer()
	b.ReportMetric(float64(checked)/elapsed.Seconds(), "creators/s")
	b.ReportMetric(float64(f.lookups.Load()-calls0)/float64(checked)*1000, "calls/1k-creators")
}
