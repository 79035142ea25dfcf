package jetstream

import (
	"context"
	"errors"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/internal/lease"
	"github.com/creatorscout/scout/sim"
)

// killableStore is the store of a process that can die: once killed it
// saves no cursor, as a process killed between two saves would not.
type killableStore struct {
	CursorStore
	dead atomic.Bool
}

func (s *killableStore) PutStreamCursor(ctx context.Context, name string, c int64) error {
	if s.dead.Load() {
		return errors.New("killed")
	}
	return s.CursorStore.PutStreamCursor(ctx, name, c)
}

func (f *fixture) consumer(t *testing.T, h Handler, st CursorStore) *Consumer {
	t.Helper()
	c, err := New(Config{Endpoints: []string{f.srv.URL}, Handler: h, Store: st, SaveEvery: 100 * time.Millisecond,
		Overlap: 200 * time.Millisecond, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, ProgressEvery: -1,
		Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// expected is the set of times of the stream's events in [from, to] that
// pass the default collection filter.
func expected(t *testing.T, js *sim.Jetstream, start time.Time, rate float64, from, to int64) map[int64]bool {
	t.Helper()
	out := map[int64]bool{}
	first := int64(math.Ceil(float64(from-start.UnixMicro()) * rate / 1e6))
	for i := max(first, 0); ; i++ {
		frame, us, col := js.Frame(i)
		if us > to {
			return out
		}
		if us < from || frame == nil {
			continue
		}
		if col == "" || col == CollectionPost || col == CollectionFollow || col == CollectionRepost {
			out[us] = true
		}
	}
}

// TestResumeAfterKill: a consumer reads from a saved cursor, loses its
// connection once (and reconnects), and is killed; a second process
// resumes from the cursor the first saved. Every event after the first
// cursor reached a handler before a save covered it (none lost), the
// overlap was delivered twice, and the duplicates changed nothing: each
// creator tracked once, no crawl queued twice.
func TestResumeAfterKill(t *testing.T) {
	f := newFixture(t, 40)
	js := f.world.Jetstream()
	const rate = 400.0
	start := time.Now().Add(-time.Hour)
	js.Configure(sim.JetstreamConfig{Rate: rate, Start: start})
	ctx := context.Background()
	first := time.Now().Add(-10 * time.Second).UnixMicro()
	if err := f.store.PutStreamCursor(ctx, "jetstream", first); err != nil {
		t.Fatal(err)
	}
	st1 := &killableStore{CursorStore: f.store}
	rec1 := newRecorder(f.tracker(t, TrackerConfig{FollowerFloor: 5000}))
	c1 := f.consumer(t, rec1, st1)
	ctx1, kill := context.WithCancel(ctx)
	done1 := make(chan error, 1)
	go func() { done1 <- c1.Run(ctx1) }()
	waitFor(t, 10*time.Second, "the first process to read the replay", func() bool { return rec1.events() > 400 })
	js.DropConnections()
	waitFor(t, 10*time.Second, "a reconnection", func() bool { return js.Connections() >= 2 && rec1.events() > 900 })
	st1.dead.Store(true) // killed: no save from here on
	kill()
	<-done1
	saved, err := f.store.StreamCursor(ctx, "jetstream")
	if err != nil || saved <= first {
		t.Fatalf("saved cursor %d, %v; want one past the first %d", saved, err, first)
	}
	killedAt := rec1.newest()

	rec2 := newRecorder(f.tracker(t, TrackerConfig{FollowerFloor: 5000}))
	c2 := f.consumer(t, rec2, f.store)
	ctx2, stop := context.WithCancel(ctx)
	done2 := make(chan error, 1)
	go func() { done2 <- c2.Run(ctx2) }()
	waitFor(t, 10*time.Second, "the second process to pass the first's last event", func() bool { return rec2.newest() > killedAt+500_000 })
	stop()
	<-done2

	want := expected(t, js, start, rate, first, killedAt+500_000)
	lost, dups := 0, 0
	for us := range want {
		in1 := us <= saved && rec1.seen[us] > 0
		in2 := rec2.seen[us] > 0
		if !in1 && !in2 {
			lost++
		}
		if rec1.seen[us] > 0 && in2 {
			dups++
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d events lost across the reconnection and the kill", lost, len(want))
	}
	if dups == 0 {
		t.Error("no event was delivered twice: the resumed stream did not overlap the saved cursor")
	}
	if m, n := f.crawls.max(); m != 1 || n == 0 {
		t.Errorf("crawls queued: %d creators, at most %d each; want some, once each", n, m)
	}
	tracked, err := f.store.CountTracked(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, n := f.crawls.max(); tracked.Tracked != n {
		t.Errorf("tracked %d creators, queued crawls of %d: want one each", tracked.Tracked, n)
	}
	t.Logf("%d events expected, %d delivered twice, %d creators tracked, %d getProfiles calls", len(want), dups, tracked.Tracked, f.lookups.Load())
}

// TestTwoProcessesOneConsumer: two processes run the consumer under one
// lease; only one reads the stream. When it dies (stops renewing), the
// other takes over from the saved cursor.
func TestTwoProcessesOneConsumer(t *testing.T) {
	f := newFixture(t, 20)
	f.world.Jetstream().Configure(sim.JetstreamConfig{Rate: 200})
	ctx := context.Background()
	type proc struct {
		rec   *recorder
		stats *Stats
		stop  context.CancelFunc
		done  chan error
	}
	start := func() *proc {
		p := &proc{rec: newRecorder(nil), stats: new(Stats), done: make(chan error, 1)}
		c := f.consumer(t, p.rec, f.store)
		l := lease.New(f.rs.Client, "scout:jetstream:lease", 600*time.Millisecond)
		var pctx context.Context
		pctx, p.stop = context.WithCancel(ctx)
		go func() { p.done <- RunLeased(pctx, l, quiet, p.stats, c.Run) }()
		return p
	}
	a, b := start(), start()
	defer func() { a.stop(); b.stop(); <-b.done; <-a.done }()
	waitFor(t, 10*time.Second, "one process to read events", func() bool { return a.rec.events()+b.rec.events() > 100 })
	time.Sleep(300 * time.Millisecond)
	leader, other := a, b
	if b.rec.events() > 0 {
		leader, other = b, a
	}
	if other.rec.events() != 0 || other.stats.Snapshot().Leader || !leader.stats.Snapshot().Leader {
		t.Fatalf("both processes consumed: %d and %d events", leader.rec.events(), other.rec.events())
	}
	leader.stop()
	<-leader.done
	leader.done <- nil // for the deferred wait
	saved, err := f.store.StreamCursor(ctx, "jetstream")
	if err != nil || saved == 0 {
		t.Fatalf("the first consumer saved no cursor: %d, %v", saved, err)
	}
	waitFor(t, 10*time.Second, "the other process to take over", func() bool { return other.rec.events() > 50 })
	other.rec.mu.Lock()
	firstTaken := int64(math.MaxInt64)
	for us := range other.rec.seen {
		firstTaken = min(firstTaken, us)
	}
	other.rec.mu.Unlock()
	if firstTaken > saved {
		t.Errorf("the second consumer started at %d, after the saved cursor %d: a gap", firstTaken, saved)
	}
}

// TestAccountDeletionErases: a crawled, tracked creator whose account is
// deleted (an #account event with active false) is erased: its record,
// history and tracked row are gone, and its job items no longer name it.
func TestAccountDeletionErases(t *testing.T) {
	f := newFixture(t, 20)
	js := f.world.Jetstream()
	js.Configure(sim.JetstreamConfig{Rate: 200})
	ctx := context.Background()
	sam, _ := f.world.Creator(sim.HandleSteady)
	ref := creator.Ref{Platform: creator.Bluesky, ID: sam.DID}
	key := creator.Key(ref)
	job, err := f.pipe.SubmitCrawl(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	task, _ := crawler.NewCrawlTask(crawler.CrawlPayload{Ref: ref, Reason: crawler.ReasonRequest, JobID: job.ID}, 1)
	if err := f.pipe.HandleCrawl(ctx, task); err != nil {
		t.Fatal(err)
	}
	if err := f.store.PutTracked(ctx, []index.Tracked{{Key: key, Ref: ref, Reason: ReasonFloor, Since: f.clock(), CheckedAt: f.clock()}}); err != nil {
		t.Fatal(err)
	}
	ended := time.Now().Add(-2 * time.Second)
	f.world.EndAccount(sam.DID, ended)
	if err := f.store.PutStreamCursor(ctx, "jetstream", ended.Add(-3*time.Second).UnixMicro()); err != nil {
		t.Fatal(err)
	}
	tr := f.tracker(t, TrackerConfig{})
	c := f.consumer(t, tr, f.store)
	cctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(cctx) }()
	waitFor(t, 10*time.Second, "the erasure", func() bool { return tr.Stats().Snapshot().Erased > 0 })
	stop()
	<-done
	if _, err := f.store.Get(ctx, key); !errors.Is(err, creator.ErrNotFound) {
		t.Errorf("record after the account's deletion: %v", err)
	}
	if h, _ := f.store.History(ctx, key, 0); len(h) != 0 {
		t.Errorf("%d snapshots kept", len(h))
	}
	if got, _ := f.store.GetTracked(ctx, []string{key}); len(got) != 0 {
		t.Errorf("still tracked: %v", got)
	}
	items, err := f.store.JobItems(ctx, job.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Ref.ID == sam.DID || it.Key == key {
			t.Errorf("job item still names the creator: %+v", it)
		}
	}
}
