package crawler_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/compliance"
	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/fetch"
	_ "github.com/creatorscout/scout/crawler/sources"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
	"github.com/creatorscout/scout/internal/testredis"
	"github.com/creatorscout/scout/sim"
)

// redisDB is this package's database on a shared real Redis.
const redisDB = 1

// retained decorates a real source with a retention period, as a source
// like Twitch declares one.
type retained struct {
	crawler.Source
	keep time.Duration
}

func (r retained) Policy() crawler.Policy {
	p := r.Source.Policy()
	p.Retention = r.keep
	return p
}

type fixture struct {
	pipe   *crawler.Pipeline
	comp   *compliance.Service
	store  *sqlite.Store
	world  *sim.World
	hits   map[string]*atomic.Int32 // requests per actor/q parameter
	now    time.Time
	source crawler.Source
	// override, when set, may answer a request instead of the simulator.
	override func(w http.ResponseWriter, r *http.Request, sim http.Handler) bool
	// failItemWrites makes that many of the pipeline's next PutJobItems
	// fail, as a full disk would.
	failItemWrites atomic.Int32
}

// flakyItems is the fixture's store as the pipeline sees it: PutJobItems
// fails while failItemWrites says so.
type flakyItems struct {
	*sqlite.Store
	f *fixture
}

func (s flakyItems) PutJobItems(ctx context.Context, items ...*index.JobItem) error {
	if s.f.failItemWrites.Add(-1) >= 0 {
		return errors.New("disk full")
	}
	return s.Store.PutJobItems(ctx, items...)
}

// newFixture wires a pipeline to the Bluesky source over the simulator, a
// SQLite file and Redis (real when SCOUT_TEST_REDIS_URL is set).
func newFixture(t *testing.T, keep time.Duration) *fixture {
	t.Helper()
	f := &fixture{world: sim.New(sim.Config{Seed: 11, Creators: 30}), hits: map[string]*atomic.Int32{}, now: time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)}
	for _, h := range []string{sim.HandleSteady, sim.HandleRising, sim.HandleQuiet} {
		f.hits[h] = &atomic.Int32{}
	}
	h := f.world.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := f.hits[r.URL.Query().Get("actor")]; ok {
			c.Add(1)
		}
		if f.override != nil && f.override(w, r, h) {
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	rs := testredis.New(t, redisDB)
	// The simulator is a local test server: no politeness limit needed.
	client, err := fetch.New(fetch.WithAllowNets(netip.MustParsePrefix("127.0.0.0/8")), fetch.WithRedis(rs.Client),
		fetch.WithRetries(0, 0), fetch.WithHost(strings.TrimPrefix(srv.URL, "http://"), fetch.HostPolicy{Rate: 1000, Burst: 100}))
	if err != nil {
		t.Fatal(err)
	}
	src, err := crawler.New(creator.Bluesky, crawler.Config{HTTP: client, BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	f.source = src
	if keep > 0 {
		f.source = retained{src, keep}
	}
	if f.store, err = sqlite.Open(t.TempDir() + "/scout.db"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.store.Close() })
	now := func() time.Time { return f.now }
	f.comp, err = compliance.New(compliance.Config{Store: f.store, ParseProfileURL: crawler.ParseProfileURL,
		Retention: map[string]time.Duration{creator.Bluesky: f.source.Policy().Retention}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	f.pipe, err = crawler.NewPipeline(crawler.PipelineConfig{
		Store: flakyItems{f.store, f}, Sources: map[string]crawler.Source{creator.Bluesky: f.source}, Redis: rs.Client,
		Erasure: f.comp, Now: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.pipe.Close() })
	return f
}

// testErasure is the compliance service a pipeline erases through.
func testErasure(t *testing.T, st *sqlite.Store) *compliance.Service {
	t.Helper()
	c, err := compliance.New(compliance.Config{Store: st, ParseProfileURL: crawler.ParseProfileURL})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// crawl runs one crawl task through the handler, as a worker would.
func (f *fixture) crawl(t *testing.T, ref creator.Ref, jobID string) error {
	t.Helper()
	task, err := crawler.NewCrawlTask(crawler.CrawlPayload{Ref: ref, Reason: crawler.ReasonRequest, JobID: jobID}, 3)
	if err != nil {
		t.Fatal(err)
	}
	return f.pipe.HandleCrawl(context.Background(), task)
}

func (f *fixture) total(t *testing.T) int {
	t.Helper()
	res, err := f.store.Search(context.Background(), index.Query{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Total
}

func TestOptOutErasesAndStopsCollection(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	steady, _ := f.world.Creator(sim.HandleSteady)
	if err := f.crawl(t, creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleSteady}, ""); err != nil {
		t.Fatalf("crawl: %v", err)
	}
	key := creator.Key(creator.Ref{Platform: creator.Bluesky, ID: steady.DID})
	if _, err := f.store.Get(ctx, key); err != nil {
		t.Fatalf("creator not stored before the opt-out: %v", err)
	}

	res, err := f.comp.OptOut(ctx, compliance.OptOutRequest{URL: "https://bsky.app/profile/" + sim.HandleSteady, Reason: "asked by email"})
	if err != nil {
		t.Fatalf("OptOut: %v", err)
	}
	if diff := cmp.Diff([]string{key}, res.Erased); diff != "" {
		t.Errorf("erased (-want +got):\n%s", diff)
	}
	if res.OptOut.ID != steady.DID {
		t.Errorf("opt-out id %q, want the DID learned from the stored record %q", res.OptOut.ID, steady.DID)
	}
	if _, err := f.store.Get(ctx, key); !errors.Is(err, creator.ErrNotFound) {
		t.Errorf("Get after opt-out: %v, want not found", err)
	}
	if h, _ := f.store.History(ctx, key, 0); len(h) != 0 {
		t.Errorf("%d snapshots left after opt-out", len(h))
	}
	list, err := f.store.ListOptOuts(ctx)
	if err != nil || len(list) != 1 || list[0].Handle != sim.HandleSteady {
		t.Errorf("ListOptOuts = %+v, %v", list, err)
	}

	// A crawl asked for by DID and one by handle are not fetched at all.
	before := f.hits[sim.HandleSteady].Load()
	for _, ref := range []creator.Ref{{Platform: creator.Bluesky, Handle: sim.HandleSteady}, {Platform: creator.Bluesky, ID: steady.DID}} {
		if err := f.crawl(t, ref, ""); err != nil {
			t.Errorf("crawl of opted-out %v: %v, want a quiet skip", ref, err)
		}
	}
	if got := f.hits[sim.HandleSteady].Load(); got != before {
		t.Errorf("opted-out creator fetched %d more times", got-before)
	}
	if n := f.total(t); n != 0 {
		t.Errorf("%d creators stored after crawling an opted-out one", n)
	}

	// Found again by discovery: recorded as skipped, never queued.
	job, err := f.pipe.SubmitDiscover(ctx, creator.Bluesky, "vegan recipes", 50)
	if err != nil {
		t.Fatal(err)
	}
	task, _ := crawler.NewDiscoverTask(crawler.DiscoverPayload{JobID: job.ID, Source: creator.Bluesky, Query: "vegan recipes", Limit: 50}, 3)
	if err := f.pipe.HandleDiscover(ctx, task); err != nil {
		t.Fatalf("discover: %v", err)
	}
	items, err := f.store.JobItems(ctx, job.ID, index.ItemSkipped)
	if err != nil {
		t.Fatal(err)
	}
	// Skipped as opted out, and counted, under a key that names it not.
	found := false
	for _, it := range items {
		if it.Ref.ID == steady.DID || strings.Contains(it.Key, strings.ReplaceAll(steady.DID, ":", "_3A")) {
			t.Errorf("discovery's item names the opted-out creator: %+v", it)
		}
		if it.Error == "opted out" && strings.HasPrefix(it.Key, "optedout-") && it.Ref == (creator.Ref{}) {
			found = true
		}
	}
	if !found {
		t.Errorf("discovery did not skip the opted-out creator as opted out: %+v", items)
	}
}

func TestOptOutInvalid(t *testing.T) {
	f := newFixture(t, 0)
	for name, req := range map[string]compliance.OptOutRequest{
		"nothing":            {},
		"no platform":        {Handle: "a.bsky.social"},
		"no handle":          {Platform: creator.Bluesky},
		"not a url":          {URL: "bsky.app/profile"},
		"unknown url":        {URL: "https://example.com/about"},
		"platform mismatch":  {Platform: creator.Mastodon, URL: "https://bsky.app/profile/a.bsky.social"},
		"handle far too big": {Platform: creator.Bluesky, Handle: strings.Repeat("a", 300)},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := f.comp.OptOut(context.Background(), req); !errors.Is(err, creator.ErrInvalid) {
				t.Errorf("OptOut(%+v) = %v, want invalid input", req, err)
			}
		})
	}
	if list, _ := f.store.ListOptOuts(context.Background()); len(list) != 0 {
		t.Errorf("invalid requests recorded %d opt-outs", len(list))
	}
}

func TestPurgeDeletesPastRetention(t *testing.T) {
	f := newFixture(t, 24*time.Hour)
	ctx := context.Background()
	if err := f.crawl(t, creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleSteady}, ""); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(20 * time.Hour)
	if err := f.crawl(t, creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleRising}, ""); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(5 * time.Hour) // steady is 25h old, rising 5h
	n, err := f.comp.Purge(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Purge = %d, %v; want 1", n, err)
	}
	res, _ := f.store.Search(ctx, index.Query{})
	if res.Total != 1 || res.Hits[0].Profile.Ref.Handle != sim.HandleRising {
		t.Errorf("after purge: %d creators %+v, want only %s", res.Total, res.Hits, sim.HandleRising)
	}
}

func TestNoRetentionNoPurge(t *testing.T) {
	f := newFixture(t, 0)
	if err := f.crawl(t, creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleSteady}, ""); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(400 * 24 * time.Hour)
	if n, err := f.comp.Purge(context.Background()); err != nil || n != 0 {
		t.Errorf("Purge = %d, %v; want nothing purged for a source without retention", n, err)
	}
}

func TestHandleCrawlUndecodablePayloadSkipsRetry(t *testing.T) {
	f := newFixture(t, 0)
	for name, payload := range map[string]string{"not json": "{", "no ref": `{"reason":"request"}`} {
		err := f.pipe.HandleCrawl(context.Background(), asynq.NewTask(crawler.TypeCrawl, []byte(payload)))
		if !errors.Is(err, asynq.SkipRetry) {
			t.Errorf("%s: HandleCrawl = %v, want SkipRetry", name, err)
		}
		err = f.pipe.HandleDiscover(context.Background(), asynq.NewTask(crawler.TypeDiscover, []byte(payload)))
		if !errors.Is(err, asynq.SkipRetry) {
			t.Errorf("%s: HandleDiscover = %v, want SkipRetry", name, err)
		}
	}
}

// TestDiscoveryRetryAfterFailedItemWrite: a discovery that claimed its
// creators but failed to store their items claims them again on retry
// (the claims are its job's own), so none is lost as "crawled lately".
func TestDiscoveryRetryAfterFailedItemWrite(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	job, err := f.pipe.SubmitDiscover(ctx, creator.Bluesky, "fitness", 10)
	if err != nil {
		t.Fatal(err)
	}
	task, _ := crawler.NewDiscoverTask(crawler.DiscoverPayload{JobID: job.ID, Source: creator.Bluesky, Query: "fitness", Limit: 10}, 3)
	f.failItemWrites.Store(1)
	if err := f.pipe.HandleDiscover(ctx, task); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("discovery with a failing item write: %v, want the write's error", err)
	}
	if items, _ := f.store.JobItems(ctx, job.ID, ""); len(items) != 0 {
		t.Fatalf("a failed batch stored %d items", len(items))
	}
	if err := f.pipe.HandleDiscover(ctx, task); err != nil {
		t.Fatal(err)
	}
	j, err := f.store.GetJob(ctx, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if j.Discovered == 0 || j.Counts.Pending != j.Discovered || j.Counts.Skipped != 0 {
		t.Errorf("retried discovery: %+v, want every ref pending a crawl and none skipped", j)
	}
}

func TestDiscoveryUniquenessWindow(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	run := func() *index.Job {
		job, err := f.pipe.SubmitDiscover(ctx, creator.Bluesky, "fitness", 10)
		if err != nil {
			t.Fatal(err)
		}
		task, _ := crawler.NewDiscoverTask(crawler.DiscoverPayload{JobID: job.ID, Source: creator.Bluesky, Query: "fitness", Limit: 10}, 3)
		if err := f.pipe.HandleDiscover(ctx, task); err != nil {
			t.Fatal(err)
		}
		j, err := f.store.GetJob(ctx, job.ID)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	first := run()
	if first.Discovered == 0 || first.Counts.Pending != first.Discovered {
		t.Fatalf("first discovery: %+v, want every ref pending a crawl", first)
	}
	second := run()
	if second.Counts.Skipped != second.Discovered || second.State != index.JobDone {
		t.Errorf("repeated discovery within the window: %+v, want every ref skipped and the job done", second)
	}
}

func TestRetryDelayHonoursRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	delay := crawler.RetryDelay(time.Second, func() time.Time { return now })
	err := &creator.RetryAfter{Until: now.Add(90 * time.Second)}
	if got := delay(0, err, nil); got != 90*time.Second {
		t.Errorf("delay with RetryAfter = %v, want 1m30s", got)
	}
	for n := 0; n < 30; n++ {
		d := delay(n, errors.New("boom"), nil)
		want := time.Second << min(n, 20)
		if want > 10*time.Minute {
			want = 10 * time.Minute
		}
		if d < want/2 || d > want {
			t.Errorf("delay(%d) = %v, want between %v and %v", n, d, want/2, want)
		}
	}
}

func TestCrawlPageBudget(t *testing.T) {
	f := newFixture(t, 0)
	rs := testredis.New(t, redisDB)
	pipe, err := crawler.NewPipeline(crawler.PipelineConfig{
		Store: f.store, Erasure: f.comp, Sources: map[string]crawler.Source{creator.Bluesky: f.source}, Redis: rs.Client,
		CrawlLimits: fetch.Limits{Pages: 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close()
	task, _ := crawler.NewCrawlTask(crawler.CrawlPayload{Ref: creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleSteady}, Reason: crawler.ReasonRequest}, 3)
	err = pipe.HandleCrawl(context.Background(), task)
	if !errors.Is(err, asynq.SkipRetry) || !errors.Is(err, creator.ErrForbidden) {
		t.Errorf("crawl over a 2-page budget = %v, want a forbidden error that is not retried", err)
	}
	if n := f.total(t); n != 0 {
		t.Errorf("%d creators stored from a crawl cut short", n)
	}
}

// noDerived decorates a real source as one whose terms forbid derived
// metrics (YouTube without an approved API project).
type noDerived struct{ crawler.Source }

func (n noDerived) Policy() crawler.Policy {
	p := n.Source.Policy()
	p.ScoringAllowed = false
	return p
}

func TestNoDerivedMetricsWhenSourceForbids(t *testing.T) {
	f := newFixture(t, 0)
	rs := testredis.New(t, redisDB)
	pipe, err := crawler.NewPipeline(crawler.PipelineConfig{
		Store: f.store, Erasure: f.comp, Sources: map[string]crawler.Source{creator.Bluesky: noDerived{f.source}}, Redis: rs.Client,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close()
	task, _ := crawler.NewCrawlTask(crawler.CrawlPayload{Ref: creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleFake}, Reason: crawler.ReasonRequest}, 3)
	if err := pipe.HandleCrawl(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	res, err := f.store.Search(context.Background(), index.Query{})
	if err != nil || res.Total != 1 {
		t.Fatalf("search: %v %+v", err, res)
	}
	s := res.Hits[0].Scores
	if s.Tier == "" || s.EngagementRate == 0 {
		t.Errorf("raw figures missing: tier %q, engagement %v", s.Tier, s.EngagementRate)
	}
	if s.Authenticity != 0 || s.Overall != 0 || s.PrimaryNiche != "" || s.FakeFollowerShare != 0 {
		t.Errorf("derived scores computed for a source that forbids them: %+v", s)
	}
}

func TestOptOutNormalises(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	if _, err := f.comp.OptOut(ctx, compliance.OptOutRequest{Platform: "myspace", Handle: "x"}); !errors.Is(err, creator.ErrInvalid) {
		t.Errorf("unknown platform: %v, want invalid", err)
	}
	res, err := f.comp.OptOut(ctx, compliance.OptOutRequest{Platform: creator.Mastodon, ID: "Alice@Example.Social"})
	if err != nil || res.OptOut.ID != "alice@example.social" {
		t.Fatalf("mastodon opt-out = %+v, %v; want the acct lower-cased", res, err)
	}
	if out, _ := f.store.IsOptedOut(ctx, creator.Mastodon, "alice@example.social", ""); !out {
		t.Error("the lower-cased acct a source returns is not opted out")
	}
	ref, err := crawler.ParseProfileURL("https://example.social/@bob@other.host")
	if err != nil || ref.Handle != "bob@other.host" {
		t.Errorf("remote profile URL = %+v, %v; want bob@other.host", ref, err)
	}
}

// TestArchivedCrawlCanRunAgain checks that a crawl whose task was archived
// (a permanent failure) does not block the same task id forever: the next
// enqueue replaces it.
func TestArchivedCrawlCanRunAgain(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	rs := testredis.New(t, redisDB)
	pipe, err := crawler.NewPipeline(crawler.PipelineConfig{Store: f.store, Erasure: f.comp, Sources: map[string]crawler.Source{creator.Bluesky: f.source}, Redis: rs.Client})
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close()
	ref := creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleSteady}
	if err := pipe.EnqueueRescan(ctx, ref, "wl"); err != nil {
		t.Fatal(err)
	}
	insp := asynq.NewInspectorFromRedisClient(rs.Client)
	tasks, err := insp.ListPendingTasks(crawler.QueueRescan)
	if err != nil || len(tasks) != 1 {
		t.Fatalf("pending rescans: %v %v", tasks, err)
	}
	if err := insp.ArchiveTask(crawler.QueueRescan, tasks[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := pipe.EnqueueRescan(ctx, ref, "wl"); err != nil {
		t.Fatalf("enqueue after archive: %v", err)
	}
	if tasks, _ := insp.ListPendingTasks(crawler.QueueRescan); len(tasks) != 1 {
		t.Errorf("%d pending rescans after the archived one was replaced, want 1", len(tasks))
	}
	// A pending one is left as it is, not doubled.
	if err := pipe.EnqueueRescan(ctx, ref, "wl"); err != nil {
		t.Fatal(err)
	}
	if tasks, _ := insp.ListPendingTasks(crawler.QueueRescan); len(tasks) != 1 {
		t.Errorf("%d pending rescans, want still 1", len(tasks))
	}
}

func TestCreatorLockSerialisesWrites(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	c, _ := f.world.Creator(sim.HandleSteady)
	key := creator.Key(creator.Ref{Platform: creator.Bluesky, ID: c.DID})
	rs := testredis.New(t, redisDB)
	pipe, err := crawler.NewPipeline(crawler.PipelineConfig{Store: f.store, Erasure: f.comp, Sources: map[string]crawler.Source{creator.Bluesky: f.source}, Redis: rs.Client})
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close()
	// Another worker holds the creator.
	if err := rs.Client.Set(ctx, "scout:lock:creator:"+key, "other", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	task, _ := crawler.NewCrawlTask(crawler.CrawlPayload{Ref: creator.Ref{Platform: creator.Bluesky, ID: c.DID}, Reason: crawler.ReasonRescan}, 3)
	err = pipe.HandleCrawl(ctx, task)
	var ra *creator.RetryAfter
	if !errors.As(err, &ra) || !errors.Is(err, creator.ErrRateLimited) {
		t.Fatalf("crawl of a locked creator = %v, want a RetryAfter (not a failure)", err)
	}
	if n := f.total(t); n != 0 {
		t.Errorf("%d creators stored while locked", n)
	}
	rs.Client.Del(ctx, "scout:lock:creator:"+key)
	if err := pipe.HandleCrawl(ctx, task); err != nil {
		t.Fatalf("crawl after the lock was released: %v", err)
	}
	if n := f.total(t); n != 1 {
		t.Errorf("%d creators stored, want 1", n)
	}
	if v, _ := rs.Client.Exists(ctx, "scout:lock:creator:"+key).Result(); v != 0 {
		t.Error("the crawl left its lock behind")
	}
}

// TestOptOutLongHandle erases a creator whose handle has more words than
// a search query takes: the store is searched for its first words and
// the hits are matched against the whole handle.
func TestOptOutLongHandle(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	handle := "a1.b2.c3.d4.e5.f6.g7.h8.i9.j10.k11.example.social"
	if n := index.TextWords(handle); n <= index.MaxTextWords {
		t.Fatalf("handle has %d words; the test needs more than %d", n, index.MaxTextWords)
	}
	ref := creator.Ref{Platform: creator.Bluesky, ID: "did:plc:longhandle", Handle: handle}
	rec := &creator.Record{Key: creator.Key(ref), Profile: creator.Profile{Ref: ref, Followers: 10}, UpdatedAt: time.Now()}
	// A creator whose handle shares the first ten words is left alone.
	near := creator.Ref{Platform: creator.Bluesky, ID: "did:plc:near", Handle: "a1.b2.c3.d4.e5.f6.g7.h8.i9.j10.other.social"}
	other := &creator.Record{Key: creator.Key(near), Profile: creator.Profile{Ref: near, Followers: 10}, UpdatedAt: time.Now()}
	for _, r := range []*creator.Record{rec, other} {
		if err := f.store.Upsert(ctx, r, creator.Snapshot{At: r.UpdatedAt}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := f.comp.OptOut(ctx, compliance.OptOutRequest{Platform: creator.Bluesky, Handle: handle})
	if err != nil {
		t.Fatalf("OptOut: %v", err)
	}
	if diff := cmp.Diff([]string{rec.Key}, res.Erased); diff != "" {
		t.Errorf("erased (-want +got):\n%s", diff)
	}
	if _, err := f.store.Get(ctx, rec.Key); !errors.Is(err, creator.ErrNotFound) {
		t.Errorf("Get after opt-out: %v, want not found", err)
	}
	if _, err := f.store.Get(ctx, other.Key); err != nil {
		t.Errorf("the other creator: %v", err)
	}
}

// TestCrawlStoresCreatorWithDeletedPostInThread: the AppView answers
// getPostThread for a post deleted since the feed listed it with 400
// {"error":"NotFound"}; the crawl stores the creator all the same.
func TestCrawlStoresCreatorWithDeletedPostInThread(t *testing.T) {
	f := newFixture(t, 0)
	var deleted atomic.Int32
	f.override = func(w http.ResponseWriter, r *http.Request, _ http.Handler) bool {
		if !strings.HasSuffix(r.URL.Path, "/app.bsky.feed.getPostThread") || deleted.Load() > 0 {
			return false
		}
		deleted.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":"NotFound","message":"Post not found: ` + r.URL.Query().Get("uri") + `"}`))
		return true
	}
	if err := f.crawl(t, creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleSteady}, ""); err != nil {
		t.Fatalf("crawl: %v", err)
	}
	if deleted.Load() != 1 {
		t.Fatalf("the crawl asked for %d deleted threads, want 1", deleted.Load())
	}
	steady, _ := f.world.Creator(sim.HandleSteady)
	rec, err := f.store.Get(context.Background(), creator.Key(creator.Ref{Platform: creator.Bluesky, ID: steady.DID}))
	if err != nil {
		t.Fatalf("creator not stored: %v", err)
	}
	if len(rec.Profile.Posts) == 0 {
		t.Errorf("stored creator has no posts")
	}
}

// TestCrawlCarriesUnknownCounts: a profile sent without followersCount
// keeps the previous crawl's figure instead of falling to 0.
func TestCrawlCarriesUnknownCounts(t *testing.T) {
	f := newFixture(t, 0)
	ref := creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleSteady}
	if err := f.crawl(t, ref, ""); err != nil {
		t.Fatalf("first crawl: %v", err)
	}
	steady, _ := f.world.Creator(sim.HandleSteady)
	key := creator.Key(creator.Ref{Platform: creator.Bluesky, ID: steady.DID})
	first, err := f.store.Get(context.Background(), key)
	if err != nil || first.Profile.Followers == 0 {
		t.Fatalf("first crawl stored %+v, %v; want a follower count", first, err)
	}
	f.override = func(w http.ResponseWriter, r *http.Request, h http.Handler) bool {
		if !strings.HasSuffix(r.URL.Path, "/app.bsky.actor.getProfile") {
			return false
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var v map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Error(err)
		}
		delete(v, "followersCount")
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
		return true
	}
	f.now = f.now.Add(time.Hour)
	if err := f.crawl(t, ref, ""); err != nil {
		t.Fatalf("second crawl: %v", err)
	}
	second, err := f.store.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if second.Profile.Followers != first.Profile.Followers {
		t.Errorf("followers after a profile without followersCount: %d, want the previous %d", second.Profile.Followers, first.Profile.Followers)
	}
	if diff := cmp.Diff([]string{creator.CountFollowers}, second.Profile.UnknownCounts); diff != "" {
		t.Errorf("unknown counts (-want +got):\n%s", diff)
	}
}

// TestCrawlLinksMutualClaims: the simulated creator with a site is crawled
// on the web before and after its Bluesky account. Before, nothing is
// stored to link back, so the site has no linked account; after, the
// site's rel="me" names the Bluesky account, whose stored profile names
// the site as its website: the two are linked both ways, by evidence, and
// the Bluesky record is linked by its domain handle.
func TestCrawlLinksMutualClaims(t *testing.T) {
	world := sim.New(sim.Config{Seed: 5, Creators: 10})
	srv := httptest.NewServer(world.Handler())
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "http://")
	site, ok := world.SiteURL(sim.HandleSite, addr)
	if !ok {
		t.Fatal("the simulator has no site")
	}
	rs := testredis.New(t, redisDB)
	client, err := fetch.New(fetch.WithAllowNets(netip.MustParsePrefix("127.0.0.0/8")), fetch.WithRedis(rs.Client),
		fetch.WithResolver(world.Resolver()), fetch.WithRetries(0, 0),
		fetch.WithDefaultHostPolicy(fetch.HostPolicy{Rate: 1000, Burst: 100}))
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]crawler.Source{}
	for name, base := range map[string]string{creator.Bluesky: srv.URL, creator.Web: ""} {
		if sources[name], err = crawler.New(name, crawler.Config{HTTP: client, BaseURL: base}); err != nil {
			t.Fatal(err)
		}
	}
	store, err := sqlite.Open(t.TempDir() + "/scout.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	pipe, err := crawler.NewPipeline(crawler.PipelineConfig{Store: store, Erasure: testErasure(t, store), Sources: sources, Redis: rs.Client,
		Now: func() time.Time { return world.Now() }, FollowLinks: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pipe.Close() })
	ctx := context.Background()
	crawl := func(ref creator.Ref) *creator.Record {
		t.Helper()
		task, err := crawler.NewCrawlTask(crawler.CrawlPayload{Ref: ref, Reason: crawler.ReasonRequest}, 3)
		if err != nil {
			t.Fatal(err)
		}
		if err := pipe.HandleCrawl(ctx, task); err != nil {
			t.Fatalf("crawl %s: %v", ref, err)
		}
		id := ref.ID
		if ref.Platform == creator.Bluesky {
			c, _ := world.Creator(sim.HandleSite)
			id = c.DID
		}
		rec, err := store.Get(ctx, creator.Key(creator.Ref{Platform: ref.Platform, ID: id}))
		if err != nil {
			t.Fatalf("%s not stored: %v", ref, err)
		}
		return rec
	}
	web := creator.Ref{Platform: creator.Web, ID: site}
	if rec := crawl(web); len(rec.Profile.Linked) != 0 {
		t.Errorf("site crawled before its Bluesky account: linked %+v, want none", rec.Profile.Linked)
	}
	world.Advance(2 * time.Hour) // past the uniqueness window: the site may be crawled again
	bsky := crawl(creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleSite})
	if len(bsky.Profile.Linked) != 1 || bsky.Profile.Linked[0].Platform != creator.Web || bsky.Profile.Linked[0].Evidence[0].Kind != creator.EvidenceDomainHandle {
		t.Errorf("Bluesky record linked %+v, want the site by its domain handle", bsky.Profile.Linked)
	}
	// FollowLinks queued a crawl of the linked site, once.
	insp := asynq.NewInspectorFromRedisClient(rs.Client)
	tasks, err := insp.ListPendingTasks(crawler.QueueRescan)
	if err != nil {
		t.Fatal(err)
	}
	var linked []string
	for _, task := range tasks {
		var cp crawler.CrawlPayload
		if json.Unmarshal(task.Payload, &cp) == nil && cp.Reason == crawler.ReasonLinked {
			linked = append(linked, cp.Ref.String())
		}
	}
	if diff := cmp.Diff([]string{"web:" + site}, linked); diff != "" {
		t.Errorf("linked crawls queued (-want +got):\n%s", diff)
	}
	world.Advance(time.Hour)
	rec := crawl(web)
	if len(rec.Profile.Linked) != 1 {
		t.Fatalf("site linked %+v, want its Bluesky account", rec.Profile.Linked)
	}
	l := rec.Profile.Linked[0]
	if l.Platform != creator.Bluesky || l.ID != bsky.Profile.Ref.ID || l.Evidence[0].Kind != creator.EvidenceMutualLinks ||
		!strings.Contains(l.Evidence[0].Back, site) {
		t.Errorf("site's link %+v, want the Bluesky account by mutual links naming the site", l)
	}
}

// TestSubmitToUnavailableSource: a registered source that could not be
// built (no credentials) is named with the reason, not called unknown.
func TestSubmitToUnavailableSource(t *testing.T) {
	f := newFixture(t, 0)
	rs := testredis.New(t, redisDB)
	pipe, err := crawler.NewPipeline(crawler.PipelineConfig{
		Store: f.store, Erasure: f.comp, Sources: map[string]crawler.Source{creator.Bluesky: f.source}, Redis: rs.Client,
		Unavailable: map[string]string{creator.Twitch: "needs the operator's app client id and secret (SCOUT_TWITCH_CLIENT_ID, SCOUT_TWITCH_CLIENT_SECRET)"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pipe.Close() })
	ctx := context.Background()
	_, err = pipe.SubmitCrawl(ctx, creator.Ref{Platform: creator.Twitch, Handle: "someone"})
	if !errors.Is(err, creator.ErrInvalid) || !strings.Contains(err.Error(), `"twitch" is not set up: needs`) {
		t.Errorf("SubmitCrawl to an unavailable source: %v", err)
	}
	_, err = pipe.SubmitDiscover(ctx, "nosuch", "q", 1)
	if !errors.Is(err, creator.ErrInvalid) || !strings.Contains(err.Error(), `unknown source "nosuch"`) {
		t.Errorf("SubmitDiscover to an unknown source: %v", err)
	}
}

// TestReconcileEnqueuesOnlyLostWork checks that Reconcile queues again a
// pending crawl whose task is gone (deleted, archived, or Redis emptied),
// leaves a queued one alone, and closes a job whose last item finished
// without its task being there any more.
func TestReconcileEnqueuesOnlyLostWork(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	rs := testredis.New(t, redisDB)
	pipe, err := crawler.NewPipeline(crawler.PipelineConfig{Store: f.store, Erasure: f.comp, Sources: map[string]crawler.Source{creator.Bluesky: f.source}, Redis: rs.Client})
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close()
	insp := asynq.NewInspectorFromRedisClient(rs.Client)
	lost, err := pipe.SubmitCrawl(ctx, creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleSteady})
	if err != nil {
		t.Fatal(err)
	}
	finished, err := pipe.SubmitCrawl(ctx, creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleRising})
	if err != nil {
		t.Fatal(err)
	}
	taskOf := func(job string) string {
		t.Helper()
		tasks, err := insp.ListPendingTasks(crawler.QueueInteractive)
		if err != nil {
			t.Fatal(err)
		}
		for _, ti := range tasks {
			if strings.Contains(ti.ID, job) {
				return ti.ID
			}
		}
		return ""
	}
	pending := func() int {
		t.Helper()
		tasks, err := insp.ListPendingTasks(crawler.QueueInteractive)
		if err != nil {
			t.Fatal(err)
		}
		return len(tasks)
	}
	reconcile := func(step string, want int) {
		t.Helper()
		if n, err := pipe.Reconcile(ctx); err != nil || n != want {
			t.Errorf("%s: Reconcile = %d, %v; want %d", step, n, err, want)
		}
	}
	reconcile("all queued", 0)

	// The worker of the second job recorded its item, then its task left
	// the queue: nothing to queue, and the job is closed.
	items, err := f.store.JobItems(ctx, finished.ID, index.ItemPending)
	if err != nil || len(items) != 1 {
		t.Fatalf("items of %s: %v %v", finished.ID, items, err)
	}
	items[0].State = index.ItemDone
	if err := f.store.PutJobItems(ctx, &items[0]); err != nil {
		t.Fatal(err)
	}
	if err := insp.DeleteTask(crawler.QueueInteractive, taskOf(finished.ID)); err != nil {
		t.Fatal(err)
	}
	// The first job's task is lost.
	if err := insp.DeleteTask(crawler.QueueInteractive, taskOf(lost.ID)); err != nil {
		t.Fatal(err)
	}
	reconcile("one task deleted", 1)
	if j, err := f.store.GetJob(ctx, finished.ID); err != nil || j.State != index.JobDone {
		t.Errorf("finished job: %+v, %v; want done", j, err)
	}
	if got := pending(); got != 1 || taskOf(lost.ID) == "" {
		t.Errorf("%d pending tasks, want the lost crawl's one", got)
	}
	reconcile("queued again", 0)

	if err := insp.ArchiveTask(crawler.QueueInteractive, taskOf(lost.ID)); err != nil {
		t.Fatal(err)
	}
	reconcile("archived", 1)

	if err := rs.Client.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	reconcile("redis emptied", 1)
	if got := pending(); got != 1 {
		t.Errorf("%d pending tasks after Redis was emptied and reconciled, want 1", got)
	}
}

// loseFirstReply runs the first command naming key and then reports it
// failed, as a read timeout does when the reply comes too late: the
// command took effect but its caller does not know.
type loseFirstReply struct {
	key  string
	lost atomic.Bool
}

func (h *loseFirstReply) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *loseFirstReply) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *loseFirstReply) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		for _, a := range cmd.Args() {
			if s, ok := a.(string); ok && s == h.key && err == nil && h.lost.CompareAndSwap(false, true) {
				return errors.New("i/o timeout (reply lost by the test)")
			}
		}
		return err
	}
}

// TestCreatorLockTakenOverByRetry: an attempt whose lock was set but
// whose reply was lost ends without releasing it; the retry of the same
// task must take the lock over instead of waiting out its lifetime
// ("another worker is writing it" at every retry), while another task
// still finds the creator locked.
func TestCreatorLockTakenOverByRetry(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	c, _ := f.world.Creator(sim.HandleSteady)
	ref := creator.Ref{Platform: creator.Bluesky, ID: c.DID}
	lk := "scout:lock:creator:" + creator.Key(ref)
	rs := testredis.New(t, redisDB)
	hook := &loseFirstReply{key: lk}
	rs.Client.AddHook(hook)
	pipe, err := crawler.NewPipeline(crawler.PipelineConfig{Store: f.store, Erasure: f.comp, Sources: map[string]crawler.Source{creator.Bluesky: f.source}, Redis: rs.Client})
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close()
	task, _ := crawler.NewCrawlTask(crawler.CrawlPayload{Ref: ref, Reason: crawler.ReasonRescan}, 3)
	if err := pipe.HandleCrawl(ctx, task); err == nil {
		t.Fatal("first attempt succeeded although its lock reply was lost")
	}
	if v, _ := rs.Client.Exists(ctx, lk).Result(); v != 1 {
		t.Fatal("the lost lock is not held: the test does not reproduce the stall")
	}
	// Another task of the same creator still waits for the holder.
	other, _ := crawler.NewCrawlTask(crawler.CrawlPayload{Ref: ref, Reason: crawler.ReasonRequest, JobID: "j1"}, 3)
	var ra *creator.RetryAfter
	if err := pipe.HandleCrawl(ctx, other); !errors.As(err, &ra) {
		t.Fatalf("another task while the lock is held = %v, want a RetryAfter", err)
	}
	// The retry of the first task takes the lock over.
	if err := pipe.HandleCrawl(ctx, task); err != nil {
		t.Fatalf("retry of the attempt that lost its lock reply: %v", err)
	}
	if n := f.total(t); n != 1 {
		t.Errorf("%d creators stored, want 1", n)
	}
	if v, _ := rs.Client.Exists(ctx, lk).Result(); v != 0 {
		t.Error("the retry left the lock behind")
	}
}

// TestCreatorLockLeaseRenewed: the lock lives one lease past its last
// renewal, renewed while its holder runs, so a holder that dies without
// releasing (kill -9) blocks the creator for one lease, not for a whole
// crawl's timeout.
func TestCreatorLockLeaseRenewed(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	c, _ := f.world.Creator(sim.HandleSteady)
	ref := creator.Ref{Platform: creator.Bluesky, ID: c.DID}
	lk := "scout:lock:creator:" + creator.Key(ref)
	rs := testredis.New(t, redisDB)
	var ttls []time.Duration
	// An after-write hook runs under the lock: make it outlast the lease.
	slow := func(ctx context.Context, _, _ *creator.Record, _ []creator.Snapshot, _ string) error {
		for range 4 {
			time.Sleep(300 * time.Millisecond)
			d, err := rs.Client.PTTL(ctx, lk).Result()
			if err != nil {
				return err
			}
			ttls = append(ttls, d)
		}
		return nil
	}
	pipe, err := crawler.NewPipeline(crawler.PipelineConfig{Store: f.store, Erasure: f.comp, Sources: map[string]crawler.Source{creator.Bluesky: f.source},
		Redis: rs.Client, LockLease: 600 * time.Millisecond, AfterWrite: []crawler.AfterWriteFunc{slow}})
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close()
	task, _ := crawler.NewCrawlTask(crawler.CrawlPayload{Ref: ref, Reason: crawler.ReasonRescan}, 3)
	if err := pipe.HandleCrawl(ctx, task); err != nil {
		t.Fatalf("a crawl longer than its lease: %v", err)
	}
	// 1.2 s under the lock with a 0.6 s lease: held throughout, and never
	// for longer than a lease.
	for i, d := range ttls {
		if d <= 0 || d > 600*time.Millisecond {
			t.Errorf("lock TTL %v at check %d, want held with at most a 600ms lease (all: %v)", d, i, ttls)
		}
	}
}

// TestOptOutDuringFetch: an opt-out recorded while the source is reading
// the creator (the task named it by DID and handle, as the fetch does, so
// the crawl does not check again before its write) still leaves nothing
// stored: the check after the write erases what it wrote.
func TestOptOutDuringFetch(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	steady, _ := f.world.Creator(sim.HandleSteady)
	ref := creator.Ref{Platform: creator.Bluesky, ID: steady.DID, Handle: sim.HandleSteady}
	var once sync.Once
	f.override = func(w http.ResponseWriter, r *http.Request, h http.Handler) bool {
		if strings.HasSuffix(r.URL.Path, "getAuthorFeed") {
			once.Do(func() {
				if _, err := f.comp.OptOut(ctx, compliance.OptOutRequest{Platform: creator.Bluesky, Handle: sim.HandleSteady}); err != nil {
					t.Errorf("OptOut: %v", err)
				}
			})
		}
		return false
	}
	if err := f.crawl(t, ref, ""); err != nil {
		t.Fatalf("crawl of a creator opted out mid-fetch: %v, want a quiet skip", err)
	}
	if _, err := f.store.Get(ctx, creator.Key(ref)); !errors.Is(err, creator.ErrNotFound) {
		t.Errorf("Get after an opt-out during the fetch: %v, want not found", err)
	}
	if h, _ := f.store.History(ctx, creator.Key(ref), 0); len(h) != 0 {
		t.Errorf("%d snapshots stored of a creator opted out during its crawl", len(h))
	}
}
