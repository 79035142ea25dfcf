package jetstream

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
	"github.com/creatorscout/scout/sim"
)

// TestCrossingFloorCrawledOnce: a creator found below the follower floor
// is not crawled; looked up again after Recheck, once it has crossed the
// floor, it is tracked and queued for exactly one crawl, however often it
// posts after, also after its crawl finished and the cache forgot it.
func TestCrossingFloorCrawledOnce(t *testing.T) {
	f := newFixture(t, 20)
	ctx := context.Background()
	rita, _ := f.world.Creator(sim.HandleRising)
	start := f.world.Now()
	before, _ := f.world.Followers(rita.DID, start)
	after, _ := f.world.Followers(rita.DID, start.Add(3*24*time.Hour))
	if after <= before {
		t.Fatalf("the rising creator did not rise: %d then %d", before, after)
	}
	floor := before + 1 // crossed within three days
	var found []string  // what the tracker says it discovered
	note := func(_ context.Context, rows []index.Tracked) {
		for _, r := range rows {
			found = append(found, r.Ref.Handle)
		}
	}
	tr := f.tracker(t, TrackerConfig{FollowerFloor: floor, Recheck: time.Hour, Found: note})
	post := func(n int) {
		for i := 0; i < n; i++ {
			if err := tr.HandleEvent(ctx, postBy(rita.DID, "leg day again", f.clock().UnixMicro())); err != nil {
				t.Fatal(err)
			}
		}
		if err := tr.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	post(5)
	if n := f.crawls.count(rita.DID); n != 0 {
		t.Fatalf("queued %d crawls of a creator below the floor (%d < %d)", n, before, floor)
	}
	lookups := f.lookups.Load()
	if lookups != 1 {
		t.Errorf("5 posts by one account cost %d lookups, want 1", lookups)
	}
	f.setClock(start.Add(3 * 24 * time.Hour)) // past Recheck, and past the floor
	post(5)
	if n := f.crawls.count(rita.DID); n != 1 {
		t.Fatalf("queued %d crawls of a creator that crossed the floor, want 1", n)
	}
	// The crawl runs (as a worker would run the queued task) and stores
	// the creator; later posts, a day on (the cache forgot it), queue
	// nothing more.
	task, err := crawler.NewCrawlTask(crawler.CrawlPayload{Ref: creator.Ref{Platform: creator.Bluesky, ID: rita.DID}, Reason: crawler.ReasonStream}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.pipe.HandleCrawl(ctx, task); err != nil {
		t.Fatal(err)
	}
	f.setClock(start.Add(4 * 24 * time.Hour))
	post(5)
	tr2 := f.tracker(t, TrackerConfig{FollowerFloor: floor, Recheck: time.Hour, Found: note}) // a restarted process
	for i := 0; i < 3; i++ {
		tr2.HandleEvent(ctx, postBy(rita.DID, "rest day", f.clock().UnixMicro()))
	}
	if err := tr2.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.crawls.count(rita.DID); n != 1 {
		t.Errorf("queued %d crawls in all, want 1", n)
	}
	if len(found) != 1 || found[0] != sim.HandleRising {
		t.Errorf("told of discoveries %v, want %s once", found, sim.HandleRising)
	}
	tasks, err := asynq.NewInspectorFromRedisClient(f.rs.Client).ListPendingTasks(crawler.QueueRescan)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 1 || tasks[0].ID != "stream-"+creator.Key(creator.Ref{Platform: creator.Bluesky, ID: rita.DID}) {
		t.Errorf("pending crawl tasks: %v, want the one stream crawl", tasks)
	}
	got, err := f.store.GetTracked(ctx, []string{creator.Key(creator.Ref{Platform: creator.Bluesky, ID: rita.DID})})
	if err != nil || len(got) != 1 {
		t.Fatalf("tracked rows = %v, %v; want rita's", got, err)
	}
	for _, row := range got {
		if row.Reason != ReasonFloor || row.Followers < floor || row.Ref.Handle != sim.HandleRising {
			t.Errorf("tracked row %+v", row)
		}
	}
}

// TestOptedOutNeverStored: an account labelled !no-unauthenticated, and
// one on the store's opt-out list, are above the floor and post, yet
// nothing of them is tracked or queued.
func TestOptedOutNeverStored(t *testing.T) {
	f := newFixture(t, 20)
	ctx := context.Background()
	labelled, _ := f.world.Creator(sim.HandleOptedOut)
	listed, _ := f.world.Creator(sim.HandleSteady)
	if err := f.store.AddOptOut(ctx, &index.OptOut{Platform: creator.Bluesky, Handle: listed.Handle, CreatedAt: f.clock()}); err != nil {
		t.Fatal(err)
	}
	tr := f.tracker(t, TrackerConfig{FollowerFloor: 1})
	for _, did := range []string{labelled.DID, listed.DID} {
		tr.HandleEvent(ctx, postBy(did, "hello", f.clock().UnixMicro()))
	}
	if err := tr.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if m, n := f.crawls.max(); n != 0 {
		t.Errorf("queued crawls of %d opted-out accounts (at most %d each)", n, m)
	}
	if c, _ := f.store.CountTracked(ctx); c.Tracked != 0 {
		t.Errorf("tracked %d opted-out accounts", c.Tracked)
	}
}

// TestSnapshotsBatchAndSpike: tracked creators get one count-only snapshot
// a day, 25 to a getProfiles call; a creator buying followers on day 12
// gets a full crawl queued for the spike.
func TestSnapshotsBatchAndSpike(t *testing.T) {
	f := newFixture(t, 120)
	ctx := context.Background()
	buyer, _ := f.world.Creator(sim.HandleBuyer)
	// The buyer was crawled once, on day 0; 99 more creators are tracked
	// without a crawl yet (their snapshots wait for one).
	task, _ := crawler.NewCrawlTask(crawler.CrawlPayload{Ref: creator.Ref{Platform: creator.Bluesky, ID: buyer.DID}, Reason: crawler.ReasonStream}, 1)
	if err := f.pipe.HandleCrawl(ctx, task); err != nil {
		t.Fatal(err)
	}
	var rows []index.Tracked
	for _, c := range f.world.Creators() {
		if len(rows) == 100 {
			break
		}
		if c.OptedOut {
			continue
		}
		ref := creator.Ref{Platform: creator.Bluesky, ID: c.DID, Handle: c.Handle}
		rows = append(rows, index.Tracked{Key: creator.Key(ref), Ref: ref, Reason: ReasonFloor, Since: f.clock(), CheckedAt: f.clock(), CrawlQueuedAt: f.clock()})
	}
	if err := f.store.PutTracked(ctx, rows); err != nil {
		t.Fatal(err)
	}
	tr := f.tracker(t, TrackerConfig{})
	start := f.clock()
	for d := 1; d <= 14; d++ {
		// Passes run every minute: a day and a minute apart.
		f.setClock(start.Add(time.Duration(d) * (24*time.Hour + time.Minute)))
		before := f.lookups.Load()
		n, err := tr.SnapshotDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if calls := f.lookups.Load() - before; n != 100 || calls != 4 {
			t.Fatalf("day %d: checked %d creators in %d getProfiles calls, want 100 in 4", d, n, calls)
		}
		if n, _ := tr.SnapshotDue(ctx); n != 0 {
			t.Fatalf("day %d: a second pass checked %d more", d, n)
		}
	}
	hist, err := f.store.History(ctx, creator.Key(creator.Ref{Platform: creator.Bluesky, ID: buyer.DID}), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 15 { // the crawl's and 14 count-only ones
		t.Fatalf("buyer has %d snapshots, want 15", len(hist))
	}
	if f.crawls.count(buyer.DID) != 1 {
		t.Errorf("queued %d crawls of the buyer for its spike, want 1", f.crawls.count(buyer.DID))
	}
	rec, err := f.store.Get(ctx, creator.Key(creator.Ref{Platform: creator.Bluesky, ID: buyer.DID}))
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := f.world.Followers(buyer.DID, f.clock()); rec.Profile.Followers != want || hist[14].Followers != want {
		t.Errorf("record followers %d, last snapshot %d, want today's %d", rec.Profile.Followers, hist[14].Followers, want)
	}
	// 99 creators without a crawl have no record, hence no snapshots.
	if _, err := f.store.Get(ctx, rows[5].Key); !errors.Is(err, creator.ErrNotFound) && rows[5].Ref.ID != buyer.DID {
		t.Errorf("an uncrawled tracked creator has a record: %v", err)
	}
	if p := tr.Stats().Snapshot(); p.Snapshots != 14 || p.SpikeCrawls != 1 {
		t.Errorf("stats: %d snapshots, %d spike crawls; want 14 and 1", p.Snapshots, p.SpikeCrawls)
	}
}

// TestIdentityRefreshesHandle: an #identity event for a tracked creator
// whose stored handle is stale reads its counts and handle at once; the
// record and the tracked row take the new handle.
func TestIdentityRefreshesHandle(t *testing.T) {
	f := newFixture(t, 20)
	ctx := context.Background()
	sam, _ := f.world.Creator(sim.HandleSteady)
	old := creator.Ref{Platform: creator.Bluesky, ID: sam.DID, Handle: "old-name.bsky.social"}
	key := creator.Key(old)
	rec := &creator.Record{Key: key, Profile: creator.Profile{Ref: old, Followers: 1}, FirstSeen: f.clock(), UpdatedAt: f.clock()}
	if err := f.store.Upsert(ctx, rec, creator.Snapshot{At: f.clock().Add(-time.Hour), Followers: 1}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.PutTracked(ctx, []index.Tracked{{Key: key, Ref: old, Reason: ReasonFloor, Since: f.clock(), CheckedAt: f.clock()}}); err != nil {
		t.Fatal(err)
	}
	tr := f.tracker(t, TrackerConfig{})
	ev := &Event{DID: sam.DID, TimeUS: f.clock().UnixMicro(), Kind: KindIdentity, Identity: &Identity{DID: sam.DID, Handle: sam.Handle}}
	if err := tr.HandleEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if err := tr.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if got.Profile.Ref.Handle != sam.Handle || got.Profile.Followers <= 1 {
		t.Errorf("record after #identity: handle %q, followers %d; want %q and today's count", got.Profile.Ref.Handle, got.Profile.Followers, sam.Handle)
	}
	rows, _ := f.store.GetTracked(ctx, []string{key})
	if rows[key].Ref.Handle != sam.Handle {
		t.Errorf("tracked row handle %q, want %q", rows[key].Ref.Handle, sam.Handle)
	}
	if p := tr.Stats().Snapshot(); p.Handles != 1 {
		t.Errorf("stats: %d handle changes, want 1", p.Handles)
	}
}

// TestNicheDiscoveryAndChange: an account below the floor posting about a
// configured niche is tracked for it; a tracked creator whose stored
// niche is another gets one full crawl for the change, not one a post.
func TestNicheDiscoveryAndChange(t *testing.T) {
	f := newFixture(t, 20)
	ctx := context.Background()
	nicheOf := TermNiche(nil, []string{"fitness"}, 2)
	text := "Leg day: squats, deadlifts and a long stretch after the workout at the gym"
	if nicheOf(text) != "fitness" || nicheOf("good morning everyone") != "" {
		t.Fatalf("TermNiche: %q / %q", nicheOf(text), nicheOf("good morning everyone"))
	}
	small := f.world.Creators()[len(f.world.Creators())-1]
	tr := f.tracker(t, TrackerConfig{FollowerFloor: 1 << 40, NicheOf: nicheOf})
	tr.HandleEvent(ctx, postBy(small.DID, "good morning everyone", f.clock().UnixMicro()))
	if err := tr.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if f.crawls.count(small.DID) != 0 {
		t.Fatal("an off-niche post below the floor queued a crawl")
	}
	tr.HandleEvent(ctx, postBy(small.DID, text, f.clock().UnixMicro()))
	if err := tr.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if f.crawls.count(small.DID) != 1 {
		t.Fatalf("a niche post queued %d crawls, want 1", f.crawls.count(small.DID))
	}
	key := creator.Key(creator.Ref{Platform: creator.Bluesky, ID: small.DID})
	rows, _ := f.store.GetTracked(ctx, []string{key})
	if rows[key].Reason != ReasonNiche {
		t.Errorf("tracked for %q, want %q", rows[key].Reason, ReasonNiche)
	}
	// Its crawl stored it as a food creator; a week later it posts about
	// fitness, twice.
	rec := &creator.Record{Key: key, Profile: creator.Profile{Ref: rows[key].Ref, Followers: 10}, FirstSeen: f.clock(), UpdatedAt: f.clock()}
	rec.Scores.PrimaryNiche = "food"
	if err := f.store.Upsert(ctx, rec, creator.Snapshot{At: f.clock(), Followers: 10}); err != nil {
		t.Fatal(err)
	}
	f.setClock(f.clock().Add(8 * 24 * time.Hour))
	for i := 0; i < 2; i++ {
		tr.HandleEvent(ctx, postBy(small.DID, text, f.clock().UnixMicro()))
		if err := tr.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.crawls.count(small.DID); n != 2 {
		t.Errorf("queued %d crawls in all, want 2: the discovery and one for the niche change", n)
	}
}

// TestFailover: the first endpoint refuses connections; the consumer
// moves to the next and reads.
func TestFailover(t *testing.T) {
	f := newFixture(t, 20)
	f.world.Jetstream().Configure(sim.JetstreamConfig{Rate: 500})
	rec := newRecorder(nil)
	c, err := New(Config{Endpoints: []string{"ws://127.0.0.1:1/subscribe", f.srv.URL}, Handler: rec, Store: f.store,
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, Logger: quiet, ProgressEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	waitFor(t, 10*time.Second, "events from the second endpoint", func() bool { return rec.events() > 20 })
	stop()
	<-done
	if p := c.Stats().Snapshot(); p.Reconnects < 1 || !strings.HasPrefix(p.Endpoint, "ws://127.0.0.1:") || strings.HasSuffix(p.Endpoint, ":1/subscribe") {
		t.Errorf("stats after fail-over: %+v", p)
	}
	for _, bad := range []string{"", "ftp://x/subscribe", "not a url"} {
		if _, err := New(Config{Endpoints: []string{bad}, Handler: rec, Store: f.store}); !errors.Is(err, creator.ErrInvalid) {
			t.Errorf("endpoint %q: %v, want an invalid-configuration error", bad, err)
		}
	}
}

// hookStore runs afterGet once, after the store answered a Get of key.
type hookStore struct {
	*sqlite.Store
	key      string
	afterGet func()
}

func (s *hookStore) Get(ctx context.Context, key string) (*creator.Record, error) {
	rec, err := s.Store.Get(ctx, key)
	if h := s.afterGet; h != nil && key == s.key {
		s.afterGet = nil
		h()
	}
	return rec, err
}

// TestCountWriteAndCrawlInterleaved: a crawl of a tracked creator that
// runs between the count-only snapshot's read of the record and its
// write is not overwritten by the older record with new counts: the
// crawl waits for the snapshot's write (its retry stores it after), and
// both the count-only snapshot and the crawl's record and snapshot are
// kept. While a crawl holds the creator, the snapshot pass skips it, and
// the next pass takes it.
func TestCountWriteAndCrawlInterleaved(t *testing.T) {
	f := newFixture(t, 20)
	ctx := context.Background()
	sam, _ := f.world.Creator(sim.HandleSteady)
	ref := creator.Ref{Platform: creator.Bluesky, ID: sam.DID}
	key := creator.Key(ref)
	crawl := func() error {
		task, err := crawler.NewCrawlTask(crawler.CrawlPayload{Ref: ref, Reason: crawler.ReasonStream}, 1)
		if err != nil {
			t.Fatal(err)
		}
		return f.pipe.HandleCrawl(ctx, task)
	}
	t0 := f.clock()
	if err := crawl(); err != nil {
		t.Fatal(err)
	}
	ref.Handle = sam.Handle
	if err := f.store.PutTracked(ctx, []index.Tracked{{Key: key, Ref: ref, Reason: ReasonFloor, Since: t0, CheckedAt: t0, CrawlQueuedAt: t0}}); err != nil {
		t.Fatal(err)
	}
	hs := &hookStore{Store: f.store, key: key}
	tr := f.tracker(t, TrackerConfig{})
	tr.cfg.Store = hs
	t1 := t0.Add(24*time.Hour + time.Minute) // the count-only snapshot's time
	t2 := t1.Add(time.Minute)                // the crawl's
	f.setClock(t1)
	var first error
	hs.afterGet = func() {
		f.setClock(t2)
		first = crawl()
	}
	if n, err := tr.SnapshotDue(ctx); err != nil || n != 1 {
		t.Fatalf("snapshot pass: %d creators, %v; want 1", n, err)
	}
	if first != nil {
		// The crawl found the creator locked: a busy creator, retried.
		var busy *creator.RetryAfter
		if !errors.As(first, &busy) {
			t.Fatalf("the crawl during the count write failed: %v", first)
		}
		if err := crawl(); err != nil {
			t.Fatalf("the crawl's retry: %v", err)
		}
	}
	rec, err := f.store.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.UpdatedAt.Equal(t2) || !rec.Scores.ComputedAt.Equal(t2) {
		t.Errorf("record updated %v, scored %v; want the crawl's %v for both (the count write overwrote the crawl)", rec.UpdatedAt, rec.Scores.ComputedAt, t2)
	}
	hist, err := f.store.History(ctx, key, 0)
	if err != nil {
		t.Fatal(err)
	}
	var at []time.Time
	for _, s := range hist {
		at = append(at, s.At)
	}
	if len(at) != 3 || !at[0].Equal(t0) || !at[1].Equal(t1) || !at[2].Equal(t2) {
		t.Errorf("snapshots at %v; want the first crawl's, the count-only one and the second crawl's (%v, %v, %v)", at, t0, t1, t2)
	}
	rows, _ := f.store.GetTracked(ctx, []string{key})
	if !rows[key].CheckedAt.Equal(t1) {
		t.Errorf("tracked row checked at %v, want %v", rows[key].CheckedAt, t1)
	}

	// A crawl holds the creator a day later: the pass skips it, and ends.
	t3 := t1.Add(24*time.Hour + time.Minute)
	f.setClock(t3)
	_, release, ok, err := f.pipe.LockCreator(ctx, key)
	if err != nil || !ok {
		t.Fatalf("locking as a crawl would: %v, %v", ok, err)
	}
	if n, err := tr.SnapshotDue(ctx); err != nil || n != 0 {
		t.Fatalf("pass while a crawl holds the creator: %d checked, %v; want 0", n, err)
	}
	if h, _ := f.store.History(ctx, key, 0); len(h) != 3 {
		t.Errorf("%d snapshots after a skipped pass, want 3", len(h))
	}
	release()
	if n, err := tr.SnapshotDue(ctx); err != nil || n != 1 {
		t.Fatalf("pass after the crawl: %d checked, %v; want 1", n, err)
	}
	if h, _ := f.store.History(ctx, key, 0); len(h) != 4 || !h[3].At.Equal(t3) {
		t.Errorf("snapshots after the next pass: %d, want 4, the last at %v", len(h), t3)
	}
}
