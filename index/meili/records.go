package meili

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/meilisearch/meilisearch-go"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// docID derives a valid Meilisearch document id from any string, with
// creator.KeyOf's injective escaping under a kind prefix.
func docID(kind, id string) string { return creator.KeyOf(kind, id) }

// fetchAll pages through the documents of uid matching filter ("" for
// all) with the documents API, which, unlike search, is not capped by
// maxTotalHits, and calls fn with each page.
func (s *Store) fetchAll(ctx context.Context, uid, filter string, fields []string, fn func(meilisearch.Hits) error) error {
	const page = 1000
	for off := int64(0); ; off += page {
		q := &meilisearch.DocumentsQuery{Offset: off, Limit: page, Fields: fields}
		if filter != "" {
			q.Filter = filter
		}
		var res meilisearch.DocumentsResult
		if err := s.ms.Index(uid).GetDocumentsWithContext(ctx, q, &res); err != nil {
			return mapErr(err)
		}
		if err := fn(res.Results); err != nil {
			return err
		}
		if len(res.Results) < page {
			return nil
		}
	}
}

// fetchData is fetchAll decoding each document's data attribute into a T.
func fetchData[T any](ctx context.Context, s *Store, uid, filter string) ([]T, error) {
	var out []T
	err := s.fetchAll(ctx, uid, filter, []string{attrData}, func(h meilisearch.Hits) error {
		vs, err := hitData[T](h, attrData)
		out = append(out, vs...)
		return err
	})
	return out, err
}

// put adds one document and waits for it.
func (s *Store) put(ctx context.Context, uid string, doc map[string]any) error {
	raw, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encoding document: %w", err)
	}
	return docsErr(s.addDocs(ctx, uid, attrID, []json.RawMessage{raw}))
}

// getData reads one document's data attribute into v.
func (s *Store) getData(ctx context.Context, uid, id string, v any) error {
	var doc map[string]json.RawMessage
	err := s.ms.Index(uid).GetDocumentWithContext(ctx, id, &meilisearch.DocumentQuery{Fields: []string{attrData}}, &doc)
	if err != nil {
		return mapErr(err)
	}
	return decodeText(doc[attrData], v)
}

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// PutJob implements index.Jobs.
func (s *Store) PutJob(ctx context.Context, j *index.Job) error {
	if j == nil || j.ID == "" {
		return fmt.Errorf("putting job: %w: job has no id", creator.ErrInvalid)
	}
	h := *j
	h.Counts = index.JobCounts{}
	data, err := jsonText(&h)
	if err != nil {
		return fmt.Errorf("putting job %s: %w", j.ID, err)
	}
	doc := map[string]any{attrID: docID("job", j.ID), attrState: fkey(j.State), attrData: data}
	if err := s.put(ctx, s.names.jobs, doc); err != nil {
		return fmt.Errorf("putting job %s: %w", j.ID, err)
	}
	return nil
}

// GetJob implements index.Jobs. Counts come from one facet query on the
// job's items.
func (s *Store) GetJob(ctx context.Context, id string) (*index.Job, error) {
	j := new(index.Job)
	if err := s.getData(ctx, s.names.jobs, docID("job", id), j); err != nil {
		return nil, fmt.Errorf("getting job %s: %w", id, err)
	}
	if err := s.countItems(ctx, j); err != nil {
		return nil, fmt.Errorf("getting job %s: %w", id, err)
	}
	return j, nil
}

func (s *Store) countItems(ctx context.Context, j *index.Job) error {
	var zero int64
	resp, err := s.ms.Index(s.names.jobItems).SearchWithContext(ctx, "", &meilisearch.SearchRequest{
		Filter: filterText(eqVal(attrJob, j.ID)), Facets: []string{attrState}, HitsPerPage: &zero,
	})
	if err != nil {
		return mapErr(err)
	}
	counts, err := decodeCounts(resp.FacetDistribution)
	if err != nil {
		return err
	}
	j.Counts = index.JobCounts{}
	for v, n := range counts[attrState] {
		switch v {
		case fkey(index.ItemPending):
			j.Counts.Pending += n
		case fkey(index.ItemDone):
			j.Counts.Done += n
		case fkey(index.ItemFailed):
			j.Counts.Failed += n
		case fkey(index.ItemSkipped):
			j.Counts.Skipped += n
		}
	}
	return nil
}

func itemID(jobID, key string) string { return docID("item", jobID+"\x00"+key) }

// PutJobItems implements index.Jobs: the items go in one documents task.
func (s *Store) PutJobItems(ctx context.Context, items ...*index.JobItem) error {
	raws := make([]json.RawMessage, 0, len(items))
	for _, it := range items {
		if it == nil || it.JobID == "" || it.Key == "" {
			return fmt.Errorf("putting job item: %w: item needs a job id and a key", creator.ErrInvalid)
		}
		data, err := jsonText(it)
		if err != nil {
			return fmt.Errorf("putting item %s of job %s: %w", it.Key, it.JobID, err)
		}
		raw, err := json.Marshal(map[string]any{
			attrID: itemID(it.JobID, it.Key), attrJob: fkey(it.JobID), attrCKey: fkey(it.Key),
			attrState: fkey(it.State), attrData: data,
		})
		if err != nil {
			return fmt.Errorf("putting item %s of job %s: encoding: %w", it.Key, it.JobID, err)
		}
		raws = append(raws, raw)
	}
	if len(raws) == 0 {
		return nil
	}
	if err := docsErr(s.addDocs(ctx, s.names.jobItems, attrID, raws)); err != nil {
		if len(items) == 1 {
			return fmt.Errorf("putting item %s of job %s: %w", items[0].Key, items[0].JobID, err)
		}
		return fmt.Errorf("putting %d job items: %w", len(items), err)
	}
	return nil
}

// JobItems implements index.Jobs.
func (s *Store) JobItems(ctx context.Context, jobID, state string) ([]index.JobItem, error) {
	f := eqVal(attrJob, jobID)
	if state != "" {
		f = allOf(f, eqVal(attrState, state))
	}
	items, err := fetchData[index.JobItem](ctx, s, s.names.jobItems, filterText(f))
	if err != nil {
		return nil, fmt.Errorf("listing items of job %s: %w", jobID, err)
	}
	slices.SortFunc(items, func(a, b index.JobItem) int { return strings.Compare(a.Key, b.Key) })
	return items, nil
}

// UnfinishedJobs implements index.Jobs.
func (s *Store) UnfinishedJobs(ctx context.Context) ([]index.Job, error) {
	jobs, err := fetchData[index.Job](ctx, s, s.names.jobs, filterText(inVals(attrState, index.JobQueued, index.JobRunning)))
	if err != nil {
		return nil, fmt.Errorf("listing unfinished jobs: %w", err)
	}
	slices.SortFunc(jobs, func(a, b index.Job) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	for i := range jobs {
		if err := s.countItems(ctx, &jobs[i]); err != nil {
			return nil, fmt.Errorf("listing unfinished jobs: %w", err)
		}
	}
	return jobs, nil
}

// AddOptOut implements index.OptOuts. Every call adds an entry.
func (s *Store) AddOptOut(ctx context.Context, o *index.OptOut) error {
	if o == nil || o.Platform == "" || o.ID == "" && o.Handle == "" {
		return fmt.Errorf("adding opt-out: %w: needs a platform and an id or handle", creator.ErrInvalid)
	}
	data, err := jsonText(o)
	if err != nil {
		return fmt.Errorf("adding opt-out: %w", err)
	}
	seq := seqKey(o.CreatedAt, s.seq.Add(1))
	doc := map[string]any{attrID: "o" + seq, attrSeq: seq, attrPlatform: fkey(strings.ToLower(o.Platform)), attrData: data}
	if o.ID != "" {
		doc[attrOID] = fkey(o.ID)
	}
	if o.Handle != "" {
		doc[attrHandleLC] = fkey(strings.ToLower(o.Handle))
	}
	if err := s.put(ctx, s.names.optOuts, doc); err != nil {
		return fmt.Errorf("adding opt-out: %w", err)
	}
	return nil
}

// IsOptedOut implements index.OptOuts. Ids compare exactly, handles and
// platforms case-insensitively.
func (s *Store) IsOptedOut(ctx context.Context, platform, id, handle string) (bool, error) {
	var or []expr
	if id != "" {
		or = append(or, eqVal(attrOID, id))
	}
	if handle != "" {
		or = append(or, eqVal(attrHandleLC, strings.ToLower(handle)))
	}
	if len(or) == 0 {
		return false, nil
	}
	var one int64 = 1
	resp, err := s.ms.Index(s.names.optOuts).SearchWithContext(ctx, "", &meilisearch.SearchRequest{
		Filter:      filterText(allOf(eqVal(attrPlatform, strings.ToLower(platform)), anyOf(or...))),
		HitsPerPage: &one, AttributesToRetrieve: []string{attrID},
	})
	if err != nil {
		return false, fmt.Errorf("checking opt-out: %w", mapErr(err))
	}
	return resp.TotalHits > 0, nil
}

// ListOptOuts implements index.OptOuts.
func (s *Store) ListOptOuts(ctx context.Context) ([]index.OptOut, error) {
	type entry struct {
		seq string
		o   index.OptOut
	}
	var es []entry
	err := s.fetchAll(ctx, s.names.optOuts, "", []string{attrSeq, attrData}, func(hits meilisearch.Hits) error {
		for _, h := range hits {
			var e entry
			if err := json.Unmarshal(h[attrSeq], &e.seq); err != nil {
				return fmt.Errorf("decoding opt-out: %w", creator.ErrMalformed)
			}
			if err := decodeText(h[attrData], &e.o); err != nil {
				return err
			}
			es = append(es, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing opt-outs: %w", err)
	}
	slices.SortFunc(es, func(a, b entry) int { return strings.Compare(a.seq, b.seq) })
	out := make([]index.OptOut, len(es))
	for i := range es {
		out[i] = es[i].o
	}
	return out, nil
}

func watchDoc(w *index.Watchlist) (map[string]any, error) {
	data, err := jsonText(w)
	if err != nil {
		return nil, err
	}
	members := make([]string, len(w.Members))
	for i, m := range w.Members {
		members[i] = fkey(m.Key)
	}
	return map[string]any{attrID: docID("w", w.ID), attrMembers: members, attrData: data}, nil
}

// PutWatchlist implements index.Watchlists.
func (s *Store) PutWatchlist(ctx context.Context, w *index.Watchlist) error {
	if w == nil || w.ID == "" {
		return fmt.Errorf("putting watchlist: %w: watchlist has no id", creator.ErrInvalid)
	}
	doc, err := watchDoc(w)
	if err == nil {
		s.watchMu.Lock()
		err = s.put(ctx, s.names.watchlists, doc)
		s.watchMu.Unlock()
	}
	if err != nil {
		return fmt.Errorf("putting watchlist %s: %w", w.ID, err)
	}
	return nil
}

// GetWatchlist implements index.Watchlists.
func (s *Store) GetWatchlist(ctx context.Context, id string) (*index.Watchlist, error) {
	w := new(index.Watchlist)
	if err := s.getData(ctx, s.names.watchlists, docID("w", id), w); err != nil {
		return nil, fmt.Errorf("getting watchlist %s: %w", id, err)
	}
	return w, nil
}

// ListWatchlists implements index.Watchlists.
func (s *Store) ListWatchlists(ctx context.Context) ([]index.Watchlist, error) {
	ws, err := fetchData[index.Watchlist](ctx, s, s.names.watchlists, "")
	if err != nil {
		return nil, fmt.Errorf("listing watchlists: %w", err)
	}
	slices.SortFunc(ws, func(a, b index.Watchlist) int { return strings.Compare(a.ID, b.ID) })
	return ws, nil
}

// DeleteWatchlist implements index.Watchlists.
func (s *Store) DeleteWatchlist(ctx context.Context, id string) error {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	// The alerts are deleted only if the list's deletion was enqueued;
	// when they cannot be, the list's outcome is still waited for.
	var ts tasks
	ts.add(s.ms.Index(s.names.watchlists).DeleteDocumentWithContext(ctx, docID("w", id), nil))
	if len(ts.errs) == 0 {
		ts.add(s.ms.Index(s.names.alerts).DeleteDocumentsByFilterWithContext(ctx, filterText(eqVal(attrWatch, id)), nil))
	}
	if err := s.waitAll(ctx, &ts); err != nil {
		return fmt.Errorf("deleting watchlist %s: %w", id, err)
	}
	return nil
}

// dropMember removes key from every watchlist that has it: it reads the
// lists and writes them back, holding watchMu so that no PutWatchlist of
// this Store is lost in between.
func (s *Store) dropMember(ctx context.Context, key string) error {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	ws, err := fetchData[index.Watchlist](ctx, s, s.names.watchlists, filterText(eqVal(attrMembers, key)))
	if err != nil {
		return fmt.Errorf("finding watchlists of %s: %w", key, err)
	}
	if len(ws) == 0 {
		return nil
	}
	docs := make([]json.RawMessage, len(ws))
	for i := range ws {
		ws[i].Members = slices.DeleteFunc(ws[i].Members, func(m index.WatchMember) bool { return m.Key == key })
		d, err := watchDoc(&ws[i])
		if err == nil {
			docs[i], err = json.Marshal(d)
		}
		if err != nil {
			return fmt.Errorf("encoding watchlist %s: %w", ws[i].ID, err)
		}
	}
	if err := docsErr(s.addDocs(ctx, s.names.watchlists, attrID, docs)); err != nil {
		return fmt.Errorf("updating watchlists of %s: %w", key, err)
	}
	return nil
}

// PutAlert implements index.Watchlists.
func (s *Store) PutAlert(ctx context.Context, e *index.AlertEvent) error {
	if e == nil || e.ID == "" {
		return fmt.Errorf("putting alert: %w: alert has no id", creator.ErrInvalid)
	}
	data, err := jsonText(e)
	if err != nil {
		return fmt.Errorf("putting alert %s: %w", e.ID, err)
	}
	doc := map[string]any{
		attrID: docID("a", e.ID), attrWatch: fkey(e.WatchlistID), attrCKey: fkey(e.CreatorKey),
		attrKind: fkey(e.Kind), attrAt: seqKey(e.At, 0), attrAID: sortEnc(e.ID), attrData: data,
	}
	if err := s.put(ctx, s.names.alerts, doc); err != nil {
		return fmt.Errorf("putting alert %s: %w", e.ID, err)
	}
	return nil
}

// GetAlert implements index.Watchlists.
func (s *Store) GetAlert(ctx context.Context, id string) (*index.AlertEvent, error) {
	e := new(index.AlertEvent)
	if err := s.getData(ctx, s.names.alerts, docID("a", id), e); err != nil {
		return nil, fmt.Errorf("getting alert %s: %w", id, err)
	}
	return e, nil
}

// ListAlerts implements index.Watchlists: newest first, ties by id.
func (s *Store) ListAlerts(ctx context.Context, f index.AlertFilter) ([]index.AlertEvent, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, index.MaxTotalHits)
	var conds []expr
	if f.WatchlistID != "" {
		conds = append(conds, eqVal(attrWatch, f.WatchlistID))
	}
	if f.CreatorKey != "" {
		conds = append(conds, eqVal(attrCKey, f.CreatorKey))
	}
	if f.Kind != "" {
		conds = append(conds, eqVal(attrKind, f.Kind))
	}
	resp, err := s.ms.Index(s.names.alerts).SearchWithContext(ctx, "", &meilisearch.SearchRequest{
		Filter: filterOrNil(filterText(allOf(conds...))), Sort: []string{attrAt + ":desc", attrAID + ":asc"},
		Limit: int64(limit), AttributesToRetrieve: []string{attrData},
	})
	if err != nil {
		return nil, fmt.Errorf("listing alerts: %w", mapErr(err))
	}
	es, err := hitData[index.AlertEvent](resp.Hits, attrData)
	if err != nil {
		return nil, fmt.Errorf("listing alerts: %w", err)
	}
	return es, nil
}

// filterOrNil keeps an empty filter out of a request body.
func filterOrNil(f string) any {
	if f == "" {
		return nil
	}
	return f
}

// ForEachCreator implements index.Exporter, paging through the creators
// index with the documents API.
func (s *Store) ForEachCreator(ctx context.Context, fn func(*creator.Record, []creator.Snapshot) error) error {
	err := s.fetchAll(ctx, s.names.creators, "", []string{attrRecord}, func(hits meilisearch.Hits) error {
		recs, err := hitData[creator.Record](hits, attrRecord)
		if err != nil {
			return err
		}
		for i := range recs {
			h, err := s.History(ctx, recs[i].Key, 0)
			if err != nil {
				return err
			}
			if err := fn(&recs[i], h); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("exporting creators: %w", err)
	}
	return nil
}

// ForEachJob implements index.Exporter.
func (s *Store) ForEachJob(ctx context.Context, fn func(*index.Job, []index.JobItem) error) error {
	jobs, err := fetchData[index.Job](ctx, s, s.names.jobs, "")
	if err != nil {
		return fmt.Errorf("exporting jobs: %w", err)
	}
	for i := range jobs {
		if err := s.countItems(ctx, &jobs[i]); err != nil {
			return fmt.Errorf("exporting jobs: %w", err)
		}
		items, err := s.JobItems(ctx, jobs[i].ID, "")
		if err != nil {
			return fmt.Errorf("exporting jobs: %w", err)
		}
		if err := fn(&jobs[i], items); err != nil {
			return err
		}
	}
	return nil
}

// ForEachAlert implements index.Exporter.
func (s *Store) ForEachAlert(ctx context.Context, fn func(*index.AlertEvent) error) error {
	return s.fetchAll(ctx, s.names.alerts, "", []string{attrData}, func(hits meilisearch.Hits) error {
		es, err := hitData[index.AlertEvent](hits, attrData)
		if err != nil {
			return fmt.Errorf("exporting alerts: %w", err)
		}
		for i := range es {
			if err := fn(&es[i]); err != nil {
				return err
			}
		}
		return nil
	})
}
