package watch

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// memStore is an in-memory index.Store for unit tests: watchlists, alerts,
// records and history; Search matches Text as a substring of the handle and
// honours and-ed keyword eq filters. It copies through JSON as a real backend
// does.
type memStore struct {
	mu      sync.Mutex
	recs    map[string]*creator.Record
	hist    map[string][]creator.Snapshot
	wls     map[string][]byte
	alerts  map[string][]byte
	putsWL  int
	failPut error
}

var _ index.Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{recs: map[string]*creator.Record{}, hist: map[string][]creator.Snapshot{},
		wls: map[string][]byte{}, alerts: map[string][]byte{}}
}

func jsonCopy[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func (m *memStore) Upsert(ctx context.Context, rec *creator.Record, snap creator.Snapshot) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := jsonCopy(*rec)
	m.recs[rec.Key] = &r
	m.hist[rec.Key] = append(m.hist[rec.Key], snap)
	return nil
}

func (m *memStore) UpsertMany(ctx context.Context, ws []index.Write) error {
	for _, w := range ws {
		if err := m.Upsert(ctx, w.Record, w.Snapshot); err != nil {
			return err
		}
	}
	return nil
}

func (m *memStore) Get(ctx context.Context, key string) (*creator.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[key]
	if !ok {
		return nil, fmt.Errorf("getting %s: %w", key, creator.ErrNotFound)
	}
	c := jsonCopy(*r)
	return &c, nil
}

func (m *memStore) History(ctx context.Context, key string, limit int) ([]creator.Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.hist[key]
	if limit > 0 && len(h) > limit {
		h = h[len(h)-limit:]
	}
	return jsonCopy(h), nil
}

func (m *memStore) Delete(ctx context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.recs, key)
	delete(m.hist, key)
	return nil
}

func (m *memStore) Search(ctx context.Context, q index.Query) (*index.Result, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var keys []string
	for k, r := range m.recs {
		if q.Text != "" && !strings.Contains(strings.ToLower(r.Profile.Ref.Handle), strings.ToLower(q.Text)) {
			continue
		}
		if q.Filter != nil && !matchKeywords(q.Filter, r) {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	res := &index.Result{Total: len(keys), Page: q.Page, PerPage: q.PerPage}
	lo := (q.Page - 1) * q.PerPage
	for i := lo; i < len(keys) && i < lo+q.PerPage; i++ {
		res.Hits = append(res.Hits, index.Summary(m.recs[keys[i]]))
	}
	return res, nil
}

// matchKeywords honours and-ed keyword eq filters (platform, handle,
// profile_url), the ones the watch package's lookups send.
func matchKeywords(f *index.Filter, r *creator.Record) bool {
	switch f.Op {
	case index.OpAnd:
		for i := range f.Sub {
			if !matchKeywords(&f.Sub[i], r) {
				return false
			}
		}
		return true
	case index.OpEq:
		fd, ok := index.FieldByName(f.Field)
		return ok && fd.Kind == index.Keyword && strings.EqualFold(fd.Keyword(r), f.Values[0])
	}
	panic("memStore: unsupported filter " + f.Op)
}

func (m *memStore) PutJob(context.Context, *index.Job) error { return nil }
func (m *memStore) GetJob(context.Context, string) (*index.Job, error) {
	return nil, creator.ErrNotFound
}
func (m *memStore) PutJobItems(context.Context, ...*index.JobItem) error { return nil }
func (m *memStore) UnfinishedJobs(context.Context) ([]index.Job, error)  { return nil, nil }
func (m *memStore) AddOptOut(context.Context, *index.OptOut) error       { return nil }
func (m *memStore) ListOptOuts(context.Context) ([]index.OptOut, error)  { return nil, nil }
func (m *memStore) Close() error                                         { return nil }
func (m *memStore) JobItems(context.Context, string, string) ([]index.JobItem, error) {
	return nil, nil
}
func (m *memStore) IsOptedOut(context.Context, string, string, string) (bool, error) {
	return false, nil
}

func (m *memStore) PutWatchlist(ctx context.Context, w *index.Watchlist) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failPut != nil {
		return m.failPut
	}
	b, _ := json.Marshal(w)
	m.wls[w.ID] = b
	m.putsWL++
	return nil
}

func (m *memStore) GetWatchlist(ctx context.Context, id string) (*index.Watchlist, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.wls[id]
	if !ok {
		return nil, fmt.Errorf("getting watchlist %s: %w", id, creator.ErrNotFound)
	}
	var w index.Watchlist
	return &w, json.Unmarshal(b, &w)
}

func (m *memStore) ListWatchlists(ctx context.Context) ([]index.Watchlist, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []string
	for id := range m.wls {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]index.Watchlist, len(ids))
	for i, id := range ids {
		if err := json.Unmarshal(m.wls[id], &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (m *memStore) DeleteWatchlist(ctx context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.wls, id)
	for k, b := range m.alerts {
		var e index.AlertEvent
		_ = json.Unmarshal(b, &e)
		if e.WatchlistID == id {
			delete(m.alerts, k)
		}
	}
	return nil
}

func (m *memStore) PutAlert(ctx context.Context, e *index.AlertEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, _ := json.Marshal(e)
	m.alerts[e.ID] = b
	return nil
}

func (m *memStore) GetAlert(ctx context.Context, id string) (*index.AlertEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.alerts[id]
	if !ok {
		return nil, fmt.Errorf("getting alert %s: %w", id, creator.ErrNotFound)
	}
	var e index.AlertEvent
	return &e, json.Unmarshal(b, &e)
}

func (m *memStore) ListAlerts(ctx context.Context, f index.AlertFilter) ([]index.AlertEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []index.AlertEvent
	for _, b := range m.alerts {
		var e index.AlertEvent
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, err
		}
		if f.WatchlistID != "" && e.WatchlistID != f.WatchlistID || f.CreatorKey != "" && e.CreatorKey != f.CreatorKey || f.Kind != "" && e.Kind != f.Kind {
			continue
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.After(out[j].At)
		}
		return out[i].ID < out[j].ID
	})
	limit := f.Limit
	if limit == 0 {
		limit = 100
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
