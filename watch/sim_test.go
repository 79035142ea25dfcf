package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/bluesky"
	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
	"github.com/creatorscout/scout/internal/testredis"
	"github.com/creatorscout/scout/scoring"
	"github.com/creatorscout/scout/sim"
)

// rescanQueue is a recording Enqueuer: it keeps the refs to rescan, once
// each while pending, as the real rescan queue does.
type rescanQueue struct {
	mu      sync.Mutex
	pending []creator.Ref
	total   int
}

func (q *rescanQueue) EnqueueRescan(ctx context.Context, ref creator.Ref, watchlistID string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, p := range q.pending {
		if p == ref {
			return nil
		}
	}
	q.pending = append(q.pending, ref)
	q.total++
	return nil
}

func (q *rescanQueue) take() []creator.Ref {
	q.mu.Lock()
	defer q.mu.Unlock()
	p := q.pending
	q.pending = nil
	return p
}

// simEnv is the crawl pipeline's pieces over the simulator: the real
// Bluesky source through the real fetch client, scoring and a real SQLite
// store, with AfterWrite called after each write as crawler.Pipeline does.
type simEnv struct {
	world *sim.World
	src   *bluesky.Source
	store *sqlite.Store
	svc   *Service
}

func newSimEnv(t *testing.T, opts ...Option) *simEnv {
	t.Helper()
	w := sim.New(sim.Config{Seed: 1, Creators: 20})
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(srv.Close)
	fc, err := fetch.New(fetch.WithAllowNets(netip.MustParsePrefix("127.0.0.0/8")), fetch.WithRobots(false),
		fetch.WithDefaultHostPolicy(fetch.HostPolicy{}), fetch.WithClock(w.Now))
	if err != nil {
		t.Fatal(err)
	}
	src, err := bluesky.New(crawler.Config{HTTP: fc, BaseURL: srv.URL, Now: w.Now})
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "scout.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &simEnv{world: w, src: src, store: st, svc: New(st, append([]Option{WithClock(w.Now), WithProfileURLs(parseProfileURL)}, opts...)...)}
}

// crawl is crawler.Pipeline's crawl step: fetch, score against the stored
// history, write the record and its snapshot, then run the hook.
func (e *simEnv) crawl(ctx context.Context, ref creator.Ref, reason string) error {
	prof, err := e.src.Fetch(ctx, ref)
	if err != nil {
		return fmt.Errorf("fetching %s: %w", ref, err)
	}
	key := creator.Key(prof.Ref)
	now := e.world.Now().UTC()
	prev, err := e.store.Get(ctx, key)
	if errors.Is(err, creator.ErrNotFound) {
		prev, err = nil, nil
	}
	if err != nil {
		return err
	}
	hist, err := e.store.History(ctx, key, 0)
	if err != nil {
		return err
	}
	scores := scoring.Score(prof, hist, scoring.Options{Now: now})
	rec := &creator.Record{Key: key, Profile: *prof, Scores: scores, FirstSeen: now, UpdatedAt: now}
	if prev != nil {
		rec.FirstSeen = prev.FirstSeen
	}
	snap := scoring.Snapshot(prof, scores)
	snap.At = now
	if err := e.store.Upsert(ctx, rec, snap); err != nil {
		return err
	}
	return e.svc.AfterWrite(ctx, prev, rec, append(hist, snap), reason)
}

func TestSimulatedThirtyDays(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls 150 simulated profiles")
	}
	ctx := context.Background()
	rv := &receiver{statuses: []int{200}}
	hook := httptest.NewServer(rv)
	defer hook.Close()
	tasks := &taskRecorder{}
	e := newSimEnv(t, WithURLCheck(allowAll), WithHTTPClient(hook.Client()), WithTaskEnqueuer(tasks))
	handles := []string{sim.HandleSteady, sim.HandleRising, sim.HandleQuiet, sim.HandleBuyer, sim.HandleViral}
	dids := map[string]string{}
	var urls []string
	for _, h := range handles {
		c, ok := e.world.Creator(h)
		if !ok {
			t.Fatalf("no simulated creator %s", h)
		}
		dids[h] = c.DID
		urls = append(urls, "https://bsky.app/profile/"+c.DID)
	}
	w, err := e.svc.Create(ctx, Spec{ID: "clients", Name: "Clients", Members: urls, Webhooks: []index.Webhook{{URL: hook.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	rdb := testredis.New(t, redisDB)
	q := &rescanQueue{}
	s := newScheduler(t, e.svc, rdb.Client, q, "t-sim", time.Minute)

	start := e.world.Now()
	for d := 0; d <= 30; d++ {
		if d > 0 {
			e.world.Advance(24 * time.Hour)
		}
		res, err := s.Tick(ctx)
		if err != nil {
			t.Fatalf("day %d: %v", d, err)
		}
		if res.Due != 1 || res.Enqueued != len(handles) {
			t.Fatalf("day %d: tick %+v, want the list due with %d rescans", d, res, len(handles))
		}
		for _, ref := range q.take() {
			if err := e.crawl(ctx, ref, "rescan"); err != nil {
				t.Fatalf("day %d: %v", d, err)
			}
		}
	}
	if q.total != 31*len(handles) {
		t.Errorf("rescans: %d, want %d", q.total, 31*len(handles))
	}

	type alert struct {
		Handle string
		Kind   string
		Day    int
	}
	byKey := map[string]string{}
	for h, did := range dids {
		byKey[creator.Key(creator.Ref{Platform: creator.Bluesky, ID: did})] = h
	}
	evs, err := e.svc.Alerts(ctx, w.ID, index.AlertFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var got []alert
	for _, ev := range evs {
		got = append(got, alert{byKey[ev.CreatorKey], ev.Kind, int(ev.At.Sub(start) / (24 * time.Hour))})
		t.Logf("%s %s day %d: %s", byKey[ev.CreatorKey], ev.Kind, int(ev.At.Sub(start)/(24*time.Hour)), ev.Message)
		if len(ev.Evidence) == 0 || ev.After == nil {
			t.Errorf("%s %s: no evidence or after values", byKey[ev.CreatorKey], ev.Kind)
		}
	}
	sort.Slice(got, func(i, j int) bool {
		if got[i].Day != got[j].Day {
			return got[i].Day < got[j].Day
		}
		return got[i].Handle+got[i].Kind < got[j].Handle+got[j].Kind
	})
	// The buyer's jump on day 12 is a suspicious spike, and the fake
	// followers sink its authenticity; the viral creator's jump, with
	// engagement to match, raises nothing; the quiet one's last post on day
	// 10 reaches 14 days of silence at the day 23 scan (its snapshots' last
	// post falls before noon, when the scans run).
	want := []alert{
		{sim.HandleBuyer, KindAuthenticityBelow, 12},
		{sim.HandleBuyer, KindAuthenticityDrop, 12},
		{sim.HandleBuyer, KindFollowerSpike, 12},
		{sim.HandleQuiet, KindQuiet, 23},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alerts (-want +got):\n%s", diff)
	}

	// Each alert went to the webhook once, signed.
	for _, tk := range tasks.tasks {
		if err := e.svc.HandleDeliver(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	var delivered []alert
	for _, r := range rv.received() {
		if err := Verify(w.Webhooks[0].Secret, r.header, r.body, e.world.Now(), 0); err != nil {
			t.Error(err)
		}
		var b WebhookBody
		if err := json.Unmarshal(r.body, &b); err != nil {
			t.Fatal(err)
		}
		delivered = append(delivered, alert{byKey[b.Event.CreatorKey], b.Event.Kind, int(b.Event.At.Sub(start) / (24 * time.Hour))})
	}
	sort.Slice(delivered, func(i, j int) bool {
		if delivered[i].Day != delivered[j].Day {
			return delivered[i].Day < delivered[j].Day
		}
		return delivered[i].Handle+delivered[i].Kind < delivered[j].Handle+delivered[j].Kind
	})
	if diff := cmp.Diff(want, delivered); diff != "" {
		t.Errorf("webhook deliveries (-want +got):\n%s", diff)
	}

	// Growth judged from the stored snapshots as the alert saw them (up to
	// day 13, the day after the jumps): the buyer's spike is suspicious,
	// the viral one is not. The stored records carry growth scores computed
	// from the same history.
	for _, h := range handles {
		key := creator.Key(creator.Ref{Platform: creator.Bluesky, ID: dids[h]})
		hist, err := e.store.History(ctx, key, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 31 {
			t.Fatalf("%s: %d snapshots stored, want 31", h, len(hist))
		}
		g := scoring.Growth(hist[:14], creator.Snapshot{}, hist[13].At)
		var kinds []string
		for _, sp := range g.Spikes {
			kinds = append(kinds, sp.Kind)
		}
		switch h {
		case sim.HandleBuyer:
			if g.Suspicious != 1 {
				t.Errorf("%s: spikes %v, want one suspicious", h, kinds)
			}
		case sim.HandleViral:
			if g.Suspicious != 0 || len(kinds) == 0 {
				t.Errorf("%s: spikes %v, want only viral ones", h, kinds)
			}
		default:
			if len(kinds) != 0 {
				t.Errorf("%s: spikes %v, want none", h, kinds)
			}
		}
		rec, err := e.store.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Scores.GrowthTrend == "" || rec.Scores.GrowthTrend == scoring.TrendNew {
			t.Errorf("%s: stored growth trend %q, want one judged from 31 snapshots", h, rec.Scores.GrowthTrend)
		}
	}
}
