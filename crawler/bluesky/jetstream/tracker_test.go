package jetstream

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
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
	tr := f.tracker(t, TrackerConfig{FollowerFloor: floor, Recheck: time.Hour})
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
	tr2 := f.tracker(t, TrackerConfig{FollowerFloor: floor, Recheck: time.Hour}) // a restarted process
	for i := 0; i < 3; i++ {
		tr2.HandleEvent(ctx, postBy(rita.DID, "rest day", f.clock().UnixMicro()))
	}
	if err := tr2.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.crawls.count(rita.DID); n != 1 {
		t.Errorf("queued %d crawls in all, want 1", n)
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
