package watch

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/internal/testredis"
)

// redisDB is this package's database on a shared real Redis.
const redisDB = 3

// asynqRescans is an Enqueuer on real asynq, as crawler.Pipeline does it:
// a crawl task per creator with the task id "rescan-<key>", so a pending
// rescan is not queued twice. It records every call.
type asynqRescans struct {
	client *asynq.Client
	rc     redis.UniversalClient
	queue  string

	mu    sync.Mutex
	calls []string // creator keys
	// failAfter, when > 0, makes the call after that many fail, as if the
	// process died there.
	failAfter int
}

func newAsynqRescans(t *testing.T, rc redis.UniversalClient, queue string) *asynqRescans {
	t.Helper()
	return &asynqRescans{
		client: asynq.NewClientFromRedisClient(rc),
		rc:     rc,
		queue:  queue,
	}
}

var errKilled = errors.New("killed")

func (a *asynqRescans) EnqueueRescan(ctx context.Context, ref creator.Ref, watchlistID string) error {
	a.mu.Lock()
	if a.failAfter > 0 && len(a.calls) >= a.failAfter {
		a.mu.Unlock()
		return errKilled
	}
	a.calls = append(a.calls, creator.Key(ref))
	a.mu.Unlock()
	b, _ := json.Marshal(map[string]any{"ref": ref, "reason": "rescan", "watchlist_id": watchlistID})
	_, err := a.client.EnqueueContext(ctx, asynq.NewTask("crawl", b),
		asynq.TaskID("rescan-"+creator.Key(ref)), asynq.Queue(a.queue))
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	return err
}

func (a *asynqRescans) takeCalls() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.calls
	a.calls = nil
	sort.Strings(c)
	return c
}

// pending returns the creator keys of the queued rescans, sorted.
func (a *asynqRescans) pending(t *testing.T) []string {
	t.Helper()
	// Read asynq's pending list directly: after a FLUSHDB the inspector no
	// longer knows the queue, while workers still serve it.
	ids, err := a.rc.LRange(context.Background(), "asynq:{"+a.queue+"}:pending", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, id := range ids {
		out = append(out, strings.TrimPrefix(id, "rescan-"))
	}
	sort.Strings(out)
	return out
}

// remove deletes a pending task as a worker finishing it does.
func (a *asynqRescans) remove(t *testing.T, id string) {
	t.Helper()
	ctx := context.Background()
	if err := a.rc.LRem(ctx, "asynq:{"+a.queue+"}:pending", 0, id).Err(); err != nil {
		t.Fatal(err)
	}
	if err := a.rc.Del(ctx, "asynq:{"+a.queue+"}:t:"+id).Err(); err != nil {
		t.Fatal(err)
	}
}

// work plays the worker: each pending rescan is "crawled" (its record
// written at now) and removed from the queue.
func (a *asynqRescans) work(t *testing.T, st index.Store, now time.Time) []string {
	t.Helper()
	keys := a.pending(t)
	for _, k := range keys {
		r, err := st.Get(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		r.UpdatedAt = now
		if err := st.Upsert(context.Background(), r, creator.Snapshot{At: now, Followers: r.Profile.Followers}); err != nil {
			t.Fatal(err)
		}
		a.remove(t, "rescan-"+k)
	}
	return keys
}

func keysOf(rs ...*creator.Record) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Key)
	}
	sort.Strings(out)
	return out
}

func newScheduler(t *testing.T, svc *Service, rc redis.UniversalClient, enq Enqueuer, prefix string, ttl time.Duration) *Scheduler {
	t.Helper()
	s, err := NewScheduler(SchedulerConfig{Service: svc, Enqueuer: enq, Redis: rc, KeyPrefix: prefix, LeaseTTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// creators stores n Bluesky creators last written the day before t0.
func creators(t *testing.T, st index.Store, names ...string) []*creator.Record {
	var out []*creator.Record
	for _, n := range names {
		out = append(out, storeCreator(t, st, "did:plc:"+n, n+".bsky.social", day(-1)))
	}
	return out
}

func TestTwoSchedulersEnqueueEachDueRescanOnce(t *testing.T) {
	ctx := context.Background()
	srv := testredis.New(t, redisDB)
	st := newMemStore()
	clk := newClock(day(0))
	c := creators(t, st, "c1", "c2", "c3", "c4")
	// Two processes: their own Service, Redis client and enqueuer over
	// the same store, Redis and queue.
	rc2 := redis.NewClient(srv.Opts)
	t.Cleanup(func() { rc2.Close() })
	queue := "rescan-two"
	enqs := []*asynqRescans{newAsynqRescans(t, srv.Client, queue), newAsynqRescans(t, rc2, queue)}
	svcs := []*Service{New(st, WithProfileURLs(parseProfileURL), WithClock(clk.Now)), New(st, WithProfileURLs(parseProfileURL), WithClock(clk.Now))}
	scheds := []*Scheduler{
		newScheduler(t, svcs[0], srv.Client, enqs[0], "t-two", 30*time.Second),
		newScheduler(t, svcs[1], rc2, enqs[1], "t-two", 30*time.Second),
	}
	if _, err := svcs[0].Create(ctx, Spec{ID: "daily", Name: "daily", Members: []string{c[0].Key, c[1].Key, c[2].Key}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svcs[0].Create(ctx, Spec{ID: "sixhourly", Name: "6h", Cadence: "6h", Members: []string{c[2].Key, c[3].Key}}); err != nil {
		t.Fatal(err)
	}

	for step := range 9 { // two days in steps of six hours
		var wg sync.WaitGroup
		results := make([]TickResult, 2)
		errs := make([]error, 2)
		for i := range scheds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = scheds[i].Tick(ctx)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("step %d: scheduler %d: %v", step, i, err)
			}
		}
		if results[0].Leader == results[1].Leader {
			t.Fatalf("step %d: leaders %v and %v, want exactly one", step, results[0].Leader, results[1].Leader)
		}
		want := keysOf(c[2], c[3])
		wantCalls := keysOf(c[2], c[3])
		if step%4 == 0 {
			want = keysOf(c...)
			wantCalls = append(keysOf(c[0], c[1], c[2]), wantCalls...)
			sort.Strings(wantCalls)
		}
		var calls []string
		for i, e := range enqs {
			got := e.takeCalls()
			if !results[i].Leader && len(got) > 0 {
				t.Errorf("step %d: scheduler %d without the lease enqueued %v", step, i, got)
			}
			calls = append(calls, got...)
		}
		sort.Strings(calls)
		if diff := cmp.Diff(wantCalls, calls); diff != "" {
			t.Errorf("step %d: EnqueueRescan calls (-want +got):\n%s", step, diff)
		}
		if diff := cmp.Diff(want, enqs[0].pending(t)); diff != "" {
			t.Errorf("step %d: queued rescans (-want +got):\n%s", step, diff)
		}
		enqs[0].work(t, st, clk.Now())
		clk.Add(6 * time.Hour)
	}
	w, err := svcs[1].Get(ctx, "daily")
	if err != nil {
		t.Fatal(err)
	}
	if !w.LastRunAt.Equal(day(2)) || !w.NextRunAt.Equal(day(3)) {
		t.Errorf("daily: last run %s, next %s; want %s and %s", w.LastRunAt, w.NextRunAt, day(2), day(3))
	}
}

// expireLease makes a dead scheduler's lease run out.
func expireLease(t *testing.T, srv *testredis.Server, s *Scheduler, ttl time.Duration) {
	t.Helper()
	if srv.Mini != nil {
		srv.Mini.FastForward(2 * ttl)
		return
	}
	// On a real Redis a lease that ran out is a lease key that is gone
	// (internal/lease's tests wait out a real expiry).
	if err := srv.Client.Del(context.Background(), s.lease.Key()).Err(); err != nil {
		t.Fatal(err)
	}
}

func TestSchedulerKilledMidCycle(t *testing.T) {
	tests := []struct {
		name string
		// killAfter is how many rescans the dying scheduler enqueues;
		// failPersist makes it die after enqueueing all, before NextRunAt
		// is advanced.
		killAfter   int
		failPersist bool
	}{
		{name: "after the first enqueue", killAfter: 1},
		{name: "half way", killAfter: 3},
		{name: "after the last enqueue, before persisting", killAfter: 0, failPersist: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			srv := testredis.New(t, redisDB)
			st := newMemStore()
			clk := newClock(day(0))
			c := creators(t, st, "k1", "k2", "k3", "k4", "k5", "k6")
			svc := New(st, WithProfileURLs(parseProfileURL), WithClock(clk.Now))
			if _, err := svc.Create(ctx, Spec{ID: "l", Name: "l", Members: keysOf(c...)}); err != nil {
				t.Fatal(err)
			}
			const ttl = 300 * time.Millisecond
			queue := "rescan-killed"

			enq1 := newAsynqRescans(t, srv.Client, queue)
			enq1.failAfter = tc.killAfter
			errPersist := errors.New("disk gone")
			if tc.failPersist {
				st.failPut = errPersist
			}
			s1 := newScheduler(t, svc, srv.Client, enq1, "t-killed", ttl)
			if _, err := s1.Tick(ctx); !errors.Is(err, errKilled) && !errors.Is(err, errPersist) {
				t.Fatalf("first tick: got %v, want the kill", err)
			}
			st.failPut = nil
			first := enq1.takeCalls()
			if w, _ := svc.Get(ctx, "l"); !w.NextRunAt.Equal(day(0)) {
				t.Fatalf("NextRunAt advanced by a cut-short run: %s", w.NextRunAt)
			}
			// Meanwhile a worker rescans the first one queued and the
			// clock moves on.
			clk.Add(10 * time.Minute)
			r, _ := st.Get(ctx, first[0])
			r.UpdatedAt = clk.Now()
			if err := st.Upsert(ctx, r, creator.Snapshot{At: clk.Now()}); err != nil {
				t.Fatal(err)
			}
			enq1.remove(t, "rescan-"+first[0])

			// A restarted scheduler waits for the dead one's lease, then
			// finishes the run: the rescanned creator is skipped, the
			// pending ones are not doubled, the rest are queued.
			svc2 := New(st, WithProfileURLs(parseProfileURL), WithClock(clk.Now))
			enq2 := newAsynqRescans(t, srv.Client, queue)
			s2 := newScheduler(t, svc2, srv.Client, enq2, "t-killed", ttl)
			if res, err := s2.Tick(ctx); err != nil || res.Leader {
				t.Fatalf("restarted tick while the lease is held: %+v, %v; want no lead", res, err)
			}
			expireLease(t, srv, s1, ttl)
			res, err := s2.Tick(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Leader || res.Due != 1 {
				t.Fatalf("restarted tick: %+v, want the lead and one due list", res)
			}
			var rest []string
			for _, k := range keysOf(c...) {
				if k != first[0] {
					rest = append(rest, k)
				}
			}
			if diff := cmp.Diff(rest, enq2.pending(t)); diff != "" {
				t.Errorf("queued rescans (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(rest, enq2.takeCalls()); diff != "" {
				t.Errorf("restarted scheduler's EnqueueRescan calls (-want +got):\n%s", diff)
			}
			if w, _ := svc2.Get(ctx, "l"); !w.LastRunAt.Equal(day(0)) || !w.NextRunAt.Equal(day(1)) {
				t.Errorf("after the run: last %s, next %s; want %s and %s", w.LastRunAt, w.NextRunAt, day(0), day(1))
			}
			// Nothing more is due.
			if res, err := s2.Tick(ctx); err != nil || res.Due != 0 || len(enq2.takeCalls()) != 0 {
				t.Errorf("tick after the run: %+v, %v; want nothing due", res, err)
			}
		})
	}
}

func TestSchedulerAfterRedisLosesData(t *testing.T) {
	ctx := context.Background()
	srv := testredis.New(t, redisDB)
	st := newMemStore()
	clk := newClock(day(0))
	c := creators(t, st, "r1", "r2", "r3")
	tasks := &taskRecorder{}
	svc := New(st, WithProfileURLs(parseProfileURL), WithClock(clk.Now), WithURLCheck(allowAll), WithTaskEnqueuer(tasks))
	if _, err := svc.Create(ctx, Spec{ID: "l", Name: "l", Members: keysOf(c...), Webhooks: []index.Webhook{{URL: "https://h.example.com/"}}}); err != nil {
		t.Fatal(err)
	}
	queue := "rescan-lost"
	enq := newAsynqRescans(t, srv.Client, queue)
	s := newScheduler(t, svc, srv.Client, enq, "t-lost", 30*time.Second)
	if _, err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	// One rescan runs (and raises an alert whose delivery is queued), then
	// Redis loses everything.
	clk.Add(time.Minute)
	r, _ := st.Get(ctx, c[0].Key)
	prev := *r
	r.UpdatedAt = clk.Now()
	if err := st.Upsert(ctx, r, creator.Snapshot{At: clk.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := svc.AfterWrite(ctx, &prev, r, []creator.Snapshot{snap(-1, nil), snap(0, func(s *creator.Snapshot) { s.At = clk.Now(); s.PrimaryNiche = "food" })}, "rescan"); err != nil {
		t.Fatal(err)
	}
	if len(tasks.tasks) != 1 {
		t.Fatalf("delivery tasks: %d, want 1", len(tasks.tasks))
	}
	enq.remove(t, "rescan-"+c[0].Key)
	if err := srv.Client.FlushDB(ctx).Err(); err != nil { // database 3 only
		t.Fatal(err)
	}
	tasks.ids = nil

	res, err := s.Tick(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Due != 0 || res.Reconciled != 2 {
		t.Errorf("tick after the loss: %+v, want 0 due and 2 reconciled", res)
	}
	if diff := cmp.Diff(keysOf(c[1], c[2]), enq.pending(t)); diff != "" {
		t.Errorf("queued rescans (-want +got):\n%s", diff)
	}
	if len(tasks.tasks) != 2 {
		t.Errorf("pending webhook delivery not re-enqueued: %d tasks, want 2", len(tasks.tasks))
	}
	if res, err := s.Tick(ctx); err != nil || res.Reconciled != 0 {
		t.Errorf("next tick: %+v, %v; want no reconciliation", res, err)
	}
}

func TestSchedulerSavedSearchAddsMatches(t *testing.T) {
	ctx := context.Background()
	srv := testredis.New(t, redisDB)
	st := newMemStore()
	clk := newClock(day(0))
	c := creators(t, st, "fitann", "fitbob", "cook")
	svc := New(st, WithProfileURLs(parseProfileURL), WithClock(clk.Now))
	f := index.Eq("platform", creator.Bluesky)
	if _, err := svc.Create(ctx, Spec{ID: "l", Name: "l", SavedSearch: &index.Query{Text: "fit", Filter: &f}}); err != nil {
		t.Fatal(err)
	}
	enq := newAsynqRescans(t, srv.Client, "rescan-search")
	s := newScheduler(t, svc, srv.Client, enq, "t-search", 30*time.Second)
	res, err := s.Tick(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 2 || res.Enqueued != 2 {
		t.Errorf("first run: %+v, want 2 added and enqueued", res)
	}
	enq.work(t, st, clk.Now())
	d := storeCreator(t, st, "did:plc:fitcat", "fitcat.bsky.social", clk.Now())
	clk.Set(day(1))
	if _, err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	w, _ := svc.Get(ctx, "l")
	var got []string
	for _, m := range w.Members {
		if m.Source != "search" {
			t.Errorf("member %s source %q, want search", m.Key, m.Source)
		}
		got = append(got, m.Key)
	}
	if diff := cmp.Diff([]string{c[0].Key, c[1].Key, d.Key}, got); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	if slices.Contains(got, c[2].Key) {
		t.Error("non-match added")
	}
}

func TestSchedulerReleaseHandsOver(t *testing.T) {
	ctx := context.Background()
	srv := testredis.New(t, redisDB)
	st := newMemStore()
	svc := New(st, WithProfileURLs(parseProfileURL), WithClock(newClock(day(0)).Now))
	enq := newAsynqRescans(t, srv.Client, "rescan-release")
	a := newScheduler(t, svc, srv.Client, enq, "t-release", time.Minute)
	b := newScheduler(t, svc, srv.Client, enq, "t-release", time.Minute)
	for i, want := range []struct{ a, b bool }{{true, false}, {true, false}} {
		ra, _ := a.Tick(ctx)
		rb, _ := b.Tick(ctx)
		if ra.Leader != want.a || rb.Leader != want.b {
			t.Fatalf("round %d: leaders %v/%v, want %v/%v", i, ra.Leader, rb.Leader, want.a, want.b)
		}
	}
	if err := b.Release(ctx); err != nil { // not the holder: no effect
		t.Fatal(err)
	}
	if ra, _ := a.Tick(ctx); !ra.Leader {
		t.Fatal("lease lost to a non-holder's release")
	}
	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if rb, _ := b.Tick(ctx); !rb.Leader {
		t.Error("lease not handed over after release")
	}
}

func TestSchedulerRunReleasesOnExit(t *testing.T) {
	srv := testredis.New(t, redisDB)
	st := newMemStore()
	c := creators(t, st, "u1")
	svc := New(st, WithProfileURLs(parseProfileURL), WithClock(newClock(day(0)).Now))
	if _, err := svc.Create(context.Background(), Spec{ID: "l", Name: "l", Members: keysOf(c...)}); err != nil {
		t.Fatal(err)
	}
	enq := newAsynqRescans(t, srv.Client, "rescan-run")
	s, err := NewScheduler(SchedulerConfig{Service: svc, Enqueuer: enq, Redis: srv.Client, KeyPrefix: "t-run", Interval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	for i := 0; len(enq.pending(t)) == 0; i++ {
		if i > 1000 {
			t.Fatal("Run enqueued nothing")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v, want context.Canceled", err)
	}
	if n, _ := srv.Client.Exists(context.Background(), s.lease.Key()).Result(); n != 0 {
		t.Error("lease still held after Run returned")
	}
	if diff := cmp.Diff(keysOf(c...), enq.pending(t)); diff != "" {
		t.Errorf("queued (-want +got):\n%s", diff)
	}
}

func TestNewSchedulerNeedsItsParts(t *testing.T) {
	if _, err := NewScheduler(SchedulerConfig{}); !errors.Is(err, creator.ErrInvalid) {
		t.Errorf("NewScheduler with nothing: %v, want ErrInvalid", err)
	}
}

// TestSchedulerLongSavedSearch runs a watchlist whose saved search has more
// words than a query now takes (saved before the limit): it runs on its
// first words instead of stopping the watchlist, whose members are still
// rescanned.
func TestSchedulerLongSavedSearch(t *testing.T) {
	ctx := context.Background()
	srv := testredis.New(t, redisDB)
	st := newMemStore()
	clk := newClock(day(0))
	c := creators(t, st, "fitann")
	svc := New(st, WithProfileURLs(parseProfileURL), WithClock(clk.Now))
	if _, err := svc.Create(ctx, Spec{ID: "l", Name: "l", Members: []string{c[0].Key}}); err != nil {
		t.Fatal(err)
	}
	// Saved straight into the store, as an older version could.
	w, err := st.GetWatchlist(ctx, "l")
	if err != nil {
		t.Fatal(err)
	}
	w.SavedSearch = &index.Query{Text: "fit one two three four five six seven eight nine ten"}
	if err := st.PutWatchlist(ctx, w); err != nil {
		t.Fatal(err)
	}
	enq := newAsynqRescans(t, srv.Client, "rescan-long")
	s := newScheduler(t, svc, srv.Client, enq, "t-long", 30*time.Second)
	res, err := s.Tick(ctx)
	if err != nil {
		t.Fatalf("Tick: %v", err)
	}
	if res.Enqueued != 1 {
		t.Errorf("run: %+v, want the member rescanned", res)
	}
	after, _ := svc.Get(ctx, "l")
	if !after.NextRunAt.After(clk.Now()) {
		t.Errorf("next run %v, want it moved past now %v", after.NextRunAt, clk.Now())
	}
}

// TestSchedulerReconcilesJobs checks when SchedulerConfig.Reconcile runs:
// only on the lease holder; on its first tick, then once per
// ReconcileInterval; at once when Redis lost its data; and on the next tick
// again when it failed.
func TestSchedulerReconcilesJobs(t *testing.T) {
	ctx := context.Background()
	srv := testredis.New(t, redisDB)
	svc := New(newMemStore(), WithProfileURLs(parseProfileURL), WithClock(newClock(day(0)).Now))
	enq := newAsynqRescans(t, srv.Client, "rescan-jobs")
	calls := map[string]int{}
	var fail error
	var mu sync.Mutex
	realNow := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return realNow }
	build := func(name string) *Scheduler {
		s, err := NewScheduler(SchedulerConfig{Service: svc, Enqueuer: enq, Redis: srv.Client, KeyPrefix: "t-jobs",
			ReconcileInterval: 200 * time.Millisecond, Now: now,
			Reconcile: func(context.Context) (int, error) {
				calls[name]++
				return 7, fail
			}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := build("a"), build("b")
	type step struct {
		name   string
		before func()
		want   map[string]int
		err    bool
	}
	for _, st := range []step{
		{name: "first tick", want: map[string]int{"a": 1}},
		{name: "within the interval", want: map[string]int{"a": 1}},
		{name: "after the interval", before: func() { mu.Lock(); realNow = realNow.Add(250 * time.Millisecond); mu.Unlock() }, want: map[string]int{"a": 2}},
		{name: "redis emptied", before: func() { srv.Client.FlushDB(ctx) }, want: map[string]int{"a": 3}},
		{name: "failing", before: func() { srv.Client.FlushDB(ctx); fail = errors.New("store down") }, want: map[string]int{"a": 4}, err: true},
		{name: "retried at once", before: func() { fail = nil }, want: map[string]int{"a": 5}},
		{name: "then not", want: map[string]int{"a": 5}},
	} {
		if st.before != nil {
			st.before()
		}
		ra, err := a.Tick(ctx)
		if (err != nil) != st.err {
			t.Errorf("%s: tick error %v, want error %v", st.name, err, st.err)
		}
		if rb, err := b.Tick(ctx); err != nil || rb.Leader {
			t.Errorf("%s: second scheduler %+v, %v; want it idle", st.name, rb, err)
		}
		if diff := cmp.Diff(st.want, calls); diff != "" {
			t.Errorf("%s: Reconcile calls (-want +got):\n%s", st.name, diff)
		}
		if ran := calls["a"] > 0 && ra.JobsReconciled; ran && ra.Jobs != 7 {
			t.Errorf("%s: result %+v, want Jobs 7", st.name, ra)
		}
	}
}
