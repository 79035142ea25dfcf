package index_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/scoring"
)

// memStore is a minimal in-memory index.Store for the copy tests. Its
// Search answers only queries without text, filter, sort or facets (by key),
// which is all a copy asks of a source. It is safe for concurrent use.
type memStore struct {
	mu         sync.Mutex
	recs       map[string]creator.Record
	hist       map[string][]creator.Snapshot
	jobs       map[string]index.Job
	items      map[string]map[string]index.JobItem
	optOuts    []index.OptOut
	watchlists map[string]index.Watchlist
	alerts     map[string]index.AlertEvent
}

func newMem() *memStore {
	return &memStore{
		recs: map[string]creator.Record{}, hist: map[string][]creator.Snapshot{},
		jobs: map[string]index.Job{}, items: map[string]map[string]index.JobItem{},
		watchlists: map[string]index.Watchlist{}, alerts: map[string]index.AlertEvent{},
	}
}

func (m *memStore) Close() error { return nil }

func (m *memStore) Upsert(ctx context.Context, rec *creator.Record, snap creator.Snapshot) error {
	return m.UpsertMany(ctx, []index.Write{{Record: rec, Snapshot: snap}})
}

func (m *memStore) UpsertMany(_ context.Context, ws []index.Write) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, w := range ws {
		m.recs[w.Record.Key] = *w.Record
		m.hist[w.Record.Key] = append(m.hist[w.Record.Key], w.Snapshot)
	}
	return nil
}

func (m *memStore) Get(_ context.Context, key string) (*creator.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[key]
	if !ok {
		return nil, creator.ErrNotFound
	}
	return &r, nil
}

func (m *memStore) History(_ context.Context, key string, _ int) ([]creator.Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.hist[key]), nil
}

func (m *memStore) Delete(context.Context, string) error { return errors.New("not in the test store") }

func (m *memStore) Search(_ context.Context, q index.Query) (*index.Result, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	if q.Text != "" || q.Filter != nil || len(q.Sort) > 0 || len(q.Facets) > 0 {
		return nil, errors.New("the test store searches only by key")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]string, 0, len(m.recs))
	for k := range m.recs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	res := &index.Result{Total: len(keys), Page: q.Page, PerPage: q.PerPage, Hits: []creator.Record{}}
	lo := min((q.Page-1)*q.PerPage, len(keys))
	for _, k := range keys[lo:min(lo+q.PerPage, len(keys))] {
		r := m.recs[k]
		res.Hits = append(res.Hits, index.Summary(&r))
	}
	return res, nil
}

func (m *memStore) PutJob(_ context.Context, j *index.Job) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := *j
	c.Counts = index.JobCounts{}
	m.jobs[j.ID] = c
	return nil
}

func (m *memStore) GetJob(_ context.Context, id string) (*index.Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[id]
	if !ok {
		return nil, creator.ErrNotFound
	}
	return &j, nil
}

func (m *memStore) PutJobItems(_ context.Context, items ...*index.JobItem) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, it := range items {
		if m.items[it.JobID] == nil {
			m.items[it.JobID] = map[string]index.JobItem{}
		}
		m.items[it.JobID][it.Key] = *it
	}
	return nil
}

func (m *memStore) JobItems(_ context.Context, jobID, state string) ([]index.JobItem, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []index.JobItem
	for _, it := range m.items[jobID] {
		if state == "" || it.State == state {
			out = append(out, it)
		}
	}
	slices.SortFunc(out, func(a, b index.JobItem) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

func (m *memStore) UnfinishedJobs(context.Context) ([]index.Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []index.Job
	for _, j := range m.jobs {
		if j.State == index.JobQueued || j.State == index.JobRunning {
			out = append(out, j)
		}
	}
	slices.SortFunc(out, func(a, b index.Job) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (m *memStore) AddOptOut(_ context.Context, o *index.OptOut) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.optOuts = append(m.optOuts, *o)
	return nil
}

func (m *memStore) IsOptedOut(context.Context, string, string, string) (bool, error) {
	return false, errors.New("not in the test store")
}

func (m *memStore) ListOptOuts(context.Context) ([]index.OptOut, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.optOuts), nil
}

func (m *memStore) PutWatchlist(_ context.Context, w *index.Watchlist) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.watchlists[w.ID] = *w
	return nil
}

func (m *memStore) GetWatchlist(_ context.Context, id string) (*index.Watchlist, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w, ok := m.watchlists[id]
	if !ok {
		return nil, creator.ErrNotFound
	}
	return &w, nil
}

func (m *memStore) ListWatchlists(context.Context) ([]index.Watchlist, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []index.Watchlist
	for _, w := range m.watchlists {
		out = append(out, w)
	}
	slices.SortFunc(out, func(a, b index.Watchlist) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (m *memStore) DeleteWatchlist(context.Context, string) error {
	return errors.New("not in the test store")
}

func (m *memStore) PutAlert(_ context.Context, e *index.AlertEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.alerts[e.ID] = *e
	return nil
}

func (m *memStore) GetAlert(_ context.Context, id string) (*index.AlertEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.alerts[id]
	if !ok {
		return nil, creator.ErrNotFound
	}
	return &e, nil
}

func (m *memStore) ListAlerts(_ context.Context, f index.AlertFilter) ([]index.AlertEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []index.AlertEvent
	for _, e := range m.alerts {
		if (f.WatchlistID == "" || e.WatchlistID == f.WatchlistID) && (f.CreatorKey == "" || e.CreatorKey == f.CreatorKey) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b index.AlertEvent) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// exportingMem is a memStore that also implements index.Exporter.
type exportingMem struct{ *memStore }

func (m exportingMem) ForEachCreator(ctx context.Context, fn func(*creator.Record, []creator.Snapshot) error) error {
	res, err := m.Search(ctx, index.Query{PerPage: index.MaxPerPage})
	if err != nil {
		return err
	}
	for _, h := range res.Hits {
		r, _ := m.Get(ctx, h.Key)
		hist, _ := m.History(ctx, h.Key, 0)
		if err := fn(r, hist); err != nil {
			return err
		}
	}
	return nil
}

func (m exportingMem) ForEachJob(ctx context.Context, fn func(*index.Job, []index.JobItem) error) error {
	m.mu.Lock()
	var ids []string
	for id := range m.jobs {
		ids = append(ids, id)
	}
	m.mu.Unlock()
	sort.Strings(ids)
	for _, id := range ids {
		j, _ := m.GetJob(ctx, id)
		items, _ := m.JobItems(ctx, id, "")
		if err := fn(j, items); err != nil {
			return err
		}
	}
	return nil
}

func (m exportingMem) ForEachAlert(ctx context.Context, fn func(*index.AlertEvent) error) error {
	es, _ := m.ListAlerts(ctx, index.AlertFilter{})
	for i := range es {
		if err := fn(&es[i]); err != nil {
			return err
		}
	}
	return nil
}

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// fixture fills a store with: three creators (one of them without
// history), a finished and a running job with items, two opt-outs, two
// watchlists and three alert events, one of them on no watchlist that
// still exists.
func fixture(t *testing.T, m *memStore) {
	t.Helper()
	ctx := context.Background()
	rec := func(key string) *creator.Record {
		return &creator.Record{Key: key, Profile: creator.Profile{Ref: creator.Ref{Platform: "bluesky", ID: key}, Followers: 100},
			Scores: creator.Scores{Tier: "nano"}, UpdatedAt: t0}
	}
	for _, w := range []index.Write{
		{Record: rec("bluesky-a"), Snapshot: creator.Snapshot{At: t0, Followers: 1}},
		{Record: rec("bluesky-a"), Snapshot: creator.Snapshot{At: t0.Add(time.Hour), Followers: 2}},
		{Record: rec("bluesky-b"), Snapshot: creator.Snapshot{At: t0, Followers: 3}},
	} {
		if err := m.Upsert(ctx, w.Record, w.Snapshot); err != nil {
			t.Fatal(err)
		}
	}
	m.recs["bluesky-c"] = *rec("bluesky-c") // no history
	for _, j := range []index.Job{{ID: "j1", Kind: "crawl", State: index.JobDone}, {ID: "j2", Kind: "discover", State: index.JobRunning}} {
		m.PutJob(ctx, &j)
		m.PutJobItems(ctx, &index.JobItem{JobID: j.ID, Key: "bluesky-a", State: index.ItemDone})
	}
	m.AddOptOut(ctx, &index.OptOut{Platform: "bluesky", ID: "did:x", CreatedAt: t0})
	m.AddOptOut(ctx, &index.OptOut{Platform: "mastodon", Handle: "a@b", CreatedAt: t0})
	m.PutWatchlist(ctx, &index.Watchlist{ID: "w1", Members: []index.WatchMember{{Key: "bluesky-a"}}})
	m.PutWatchlist(ctx, &index.Watchlist{ID: "w2"})
	m.PutAlert(ctx, &index.AlertEvent{ID: "e1", WatchlistID: "w1", CreatorKey: "bluesky-a", At: t0})
	m.PutAlert(ctx, &index.AlertEvent{ID: "e2", WatchlistID: "w2", CreatorKey: "bluesky-b", At: t0})
	m.PutAlert(ctx, &index.AlertEvent{ID: "e3", WatchlistID: "gone", CreatorKey: "bluesky-b", At: t0})
}

func TestCopy(t *testing.T) {
	src, dst := newMem(), newMem()
	fixture(t, src)
	var progress []int
	st, err := index.Copy(context.Background(), exportingMem{src}, dst, index.CopyConfig{Batch: 2, SnapshotOf: scoring.RecordSnapshot,
		Progress: func(n int) { progress = append(progress, n) }})
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	want := index.CopyStats{Creators: 3, Snapshots: 4, Synthesized: 1, Jobs: 2, Items: 2, OptOuts: 2, Watchlists: 2, Alerts: 3}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if len(progress) != 0 {
		t.Errorf("progress reported %v for 3 creators, want nothing before 1000", progress)
	}
	if diff := cmp.Diff(src.recs, dst.recs); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	wantHist := map[string][]creator.Snapshot{
		"bluesky-a": src.hist["bluesky-a"],
		"bluesky-b": src.hist["bluesky-b"],
		// What the record implies, at the time it was written.
		"bluesky-c": {{At: t0, Followers: 100}},
	}
	if diff := cmp.Diff(wantHist, dst.hist); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(src.optOuts, dst.optOuts); diff != "" {
		t.Errorf("opt-outs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(src.watchlists, dst.watchlists); diff != "" {
		t.Errorf("watchlists (-want +got):\n%s", diff)
	}
	var jobs, alerts []string
	for id := range dst.jobs {
		jobs = append(jobs, id)
		if diff := cmp.Diff(src.items[id], dst.items[id]); diff != "" {
			t.Errorf("items of %s (-want +got):\n%s", id, diff)
		}
	}
	for id := range dst.alerts {
		alerts = append(alerts, id)
	}
	sort.Strings(jobs)
	sort.Strings(alerts)
	if diff := cmp.Diff([]string{"j1", "j2"}, jobs); diff != "" {
		t.Errorf("jobs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"e1", "e2", "e3"}, alerts); diff != "" {
		t.Errorf("alerts (-want +got):\n%s", diff)
	}
	if _, err := index.Copy(context.Background(), exportingMem{src}, newMem(), index.CopyConfig{}); !errors.Is(err, creator.ErrInvalid) {
		t.Errorf("Copy without SnapshotOf = %v, want an invalid-input error", err)
	}
}

// failingWrites is a memStore whose UpsertMany fails from the n-th call.
type failingWrites struct {
	*memStore
	mu    sync.Mutex
	calls int
	n     int
}

func (f *failingWrites) UpsertMany(ctx context.Context, ws []index.Write) error {
	f.mu.Lock()
	f.calls++
	fail := f.calls >= f.n
	f.mu.Unlock()
	if fail {
		return errors.New("disk full")
	}
	return f.memStore.UpsertMany(ctx, ws)
}

// TestCopyWriteFails checks that a failed batch write, written while
// the next batch is read, stops the copy with its error and nothing after
// it is copied: no jobs or alert events.
func TestCopyWriteFails(t *testing.T) {
	src := newMem()
	fixture(t, src)
	dst := &failingWrites{memStore: newMem(), n: 2}
	_, err := index.Copy(context.Background(), exportingMem{src}, dst, index.CopyConfig{Batch: 1, SnapshotOf: scoring.RecordSnapshot})
	if err == nil || !strings.Contains(err.Error(), "writing creators: disk full") {
		t.Fatalf("Copy = %v, want the write's error", err)
	}
	if len(dst.jobs) != 0 || len(dst.alerts) != 0 {
		t.Errorf("copied %d jobs and %d alert events after a failed creator write", len(dst.jobs), len(dst.alerts))
	}
}
