package meili

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// creatorDoc returns the document of rec in the creators index: the
// index.Fields as flat attributes (keyword values as they are, absent when
// empty; numbers absent when the field has no value), the text fields, the
// whole record for Get and its summary for search hits.
func creatorDoc(rec *creator.Record) (map[string]any, error) {
	full, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("encoding record %s: %w", rec.Key, err)
	}
	sum := index.Summary(rec)
	summary, err := json.Marshal(&sum)
	if err != nil {
		return nil, fmt.Errorf("encoding record %s: %w", rec.Key, err)
	}
	name, handle, bio, posts := index.TextOf(rec)
	head, rest := keySort(rec.Key)
	d := map[string]any{
		attrKey:     rec.Key,
		attrKeySort: head,
		attrAll:     "1",
		attrName:    name,
		attrHandle:  handle,
		attrBio:     bio,
		attrPosts:   posts,
		attrRecord:  string(full),
		attrSummary: string(summary),
	}
	if rest != "" {
		d[attrKeyRest] = rest
	}
	for _, f := range index.Fields {
		switch f.Kind {
		case index.Keyword:
			if v := f.Keyword(rec); v != "" {
				d[f.Name] = v
			}
		case index.Numeric:
			if v, ok := f.Number(rec); ok {
				d[f.Name] = v
			}
		}
	}
	return d, nil
}

// snapDoc is one snapshot in the snapshots index.
type snapDoc struct {
	ID   string `json:"id"`
	CKey string `json:"ckey"`
	Seq  string `json:"seq"`
	Data string `json:"data"`
}

// seqKey returns a string that sorts like (t, n): the seconds with the
// sign bit flipped, the nanoseconds, and n, all fixed-width hex. Hex is
// unchanged by Meilisearch's facet normalisation.
func seqKey(t time.Time, n uint64) string {
	var b [20]byte
	binary.BigEndian.PutUint64(b[0:], uint64(t.Unix())^(1<<63))
	binary.BigEndian.PutUint32(b[8:], uint32(t.Nanosecond()))
	binary.BigEndian.PutUint64(b[12:], n)
	return hex.EncodeToString(b[:])
}

// snapID is the document id of a snapshot: the creator key (or a hash of a
// key too long to fit) and its seqKey.
func snapID(key, seq string) string {
	if len(key)+1+len(seq) > creator.MaxKeyLen {
		sum := sha256.Sum256([]byte(key))
		key = "h" + hex.EncodeToString(sum[:])
	}
	return key + "-" + seq
}

// Upsert implements index.Creators. Concurrent calls are coalesced into
// one batch; it returns once the batch's tasks have succeeded.
func (s *Store) Upsert(ctx context.Context, rec *creator.Record, snap creator.Snapshot) error {
	return s.UpsertMany(ctx, []index.Write{{Record: rec, Snapshot: snap}})
}

// prepared is one creator write, encoded by its caller so that a record
// that cannot be encoded fails only its own call.
type prepared struct {
	key  string
	at   time.Time
	snap string         // the snapshot as JSON text
	doc  map[string]any // the creators document
}

// UpsertMany implements index.Creators. The writes join the batcher like
// Upsert's; a large slice is sent in requests of Config.BatchSize. It is
// not one transaction: see the package documentation.
func (s *Store) UpsertMany(ctx context.Context, ws []index.Write) error {
	if len(ws) == 0 {
		return nil
	}
	ps := make([]prepared, len(ws))
	for i, w := range ws {
		if w.Record == nil {
			return fmt.Errorf("upserting creators: %w: nil record", creator.ErrInvalid)
		}
		if !creator.ValidKey(w.Record.Key) {
			return fmt.Errorf("upserting creators: %w: key %q", creator.ErrInvalid, w.Record.Key)
		}
		doc, err := creatorDoc(w.Record)
		if err != nil {
			return fmt.Errorf("upserting creators: %w: %w", creator.ErrInvalid, err)
		}
		snap, err := json.Marshal(&w.Snapshot)
		if err != nil {
			return fmt.Errorf("upserting creators: %w: encoding snapshot of %s: %w", creator.ErrInvalid, w.Record.Key, err)
		}
		ps[i] = prepared{key: w.Record.Key, at: w.Snapshot.At, snap: string(snap), doc: doc}
	}
	if err := s.batch.submit(ctx, ps); err != nil {
		return fmt.Errorf("upserting creators: %w", err)
	}
	return nil
}

// flush writes one batch: snapshots first, then records (the last write of
// a key wins), then trims the touched histories to Config.HistoryCap. If
// the records fail, the batch's snapshots are deleted again.
func (s *Store) flush(ctx context.Context, ps []prepared) error {
	snaps := make([]snapDoc, len(ps))
	var keys []string
	last := map[string]int{}
	for i, p := range ps {
		seq := seqKey(p.at, s.seq.Add(1))
		snaps[i] = snapDoc{ID: snapID(p.key, seq), CKey: fkey(p.key), Seq: seq, Data: p.snap}
		if _, ok := last[p.key]; !ok {
			keys = append(keys, p.key)
		}
		last[p.key] = i
	}
	recs := make([]map[string]any, 0, len(keys))
	for _, k := range keys {
		recs = append(recs, ps[last[k]].doc)
	}
	if err := s.addDocs(ctx, s.names.snapshots, attrID, snaps, len(snaps)); err != nil {
		return fmt.Errorf("writing snapshots: %w", err)
	}
	if err := s.addDocs(ctx, s.names.creators, attrKey, recs, len(recs)); err != nil {
		ids := make([]string, len(snaps))
		for i := range snaps {
			ids[i] = snaps[i].ID
		}
		if ti, derr := s.ms.Index(s.names.snapshots).DeleteDocumentsWithContext(ctx, ids, nil); derr == nil {
			_ = s.wait(ctx, ti)
		}
		return fmt.Errorf("writing records: %w", err)
	}
	if err := s.trim(ctx, keys); err != nil {
		return fmt.Errorf("trimming history: %w", err)
	}
	return nil
}

// addDocs adds or replaces docs (a slice of n documents) in requests of at
// most Config.BatchSize and waits for every task.
func (s *Store) addDocs(ctx context.Context, uid, pk string, docs any, n int) error {
	idx := s.ms.Index(uid)
	var tis []*meilisearch.TaskInfo
	for lo := 0; lo < n; lo += s.cfg.BatchSize {
		hi := min(lo+s.cfg.BatchSize, n)
		var part any
		switch d := docs.(type) {
		case []snapDoc:
			part = d[lo:hi]
		case []map[string]any:
			part = d[lo:hi]
		default:
			part = docs
			hi = n
		}
		ti, err := idx.AddDocumentsWithContext(ctx, part, &meilisearch.DocumentOptions{PrimaryKey: &pk})
		if err != nil {
			return mapErr(err)
		}
		tis = append(tis, ti)
		if hi == n {
			break
		}
	}
	return s.waitAll(ctx, tis)
}

// trim deletes the oldest snapshots of keys beyond Config.HistoryCap. One
// facet query per 100 keys finds which keys are over the cap.
func (s *Store) trim(ctx context.Context, keys []string) error {
	idx := s.ms.Index(s.names.snapshots)
	var zero int64
	for lo := 0; lo < len(keys); lo += 100 {
		part := keys[lo:min(lo+100, len(keys))]
		resp, err := idx.SearchWithContext(ctx, "", &meilisearch.SearchRequest{
			Filter: filterText(inVals(attrCKey, part...), true), Facets: []string{attrCKey}, HitsPerPage: &zero,
		})
		if err != nil {
			return mapErr(err)
		}
		counts, err := decodeCounts(resp.FacetDistribution)
		if err != nil {
			return err
		}
		for ck, n := range counts[attrCKey] {
			for excess := n - s.cfg.HistoryCap; excess > 0; {
				page, err := idx.SearchWithContext(ctx, "", &meilisearch.SearchRequest{
					Filter: filterText(eqStored(attrCKey, ck), true), Sort: []string{attrSeq + ":desc"},
					Offset: int64(s.cfg.HistoryCap), Limit: int64(min(excess, 1000)),
					AttributesToRetrieve: []string{attrID},
				})
				if err != nil {
					return mapErr(err)
				}
				ids, err := hitIDs(page.Hits)
				if err != nil {
					return err
				}
				if len(ids) == 0 {
					break
				}
				ti, err := idx.DeleteDocumentsWithContext(ctx, ids, nil)
				if err != nil {
					return mapErr(err)
				}
				if err := s.wait(ctx, ti); err != nil {
					return err
				}
				excess -= len(ids)
			}
		}
	}
	return nil
}

// decodeCounts decodes a facetDistribution.
func decodeCounts(raw json.RawMessage) (map[string]map[string]int, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var m map[string]map[string]int
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decoding facet distribution: %w", creator.ErrMalformed)
	}
	return m, nil
}

func hitIDs(hits meilisearch.Hits) ([]string, error) {
	ids := make([]string, 0, len(hits))
	for _, h := range hits {
		var id string
		if err := json.Unmarshal(h[attrID], &id); err != nil {
			return nil, fmt.Errorf("decoding hit id: %w", creator.ErrMalformed)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// hitData decodes the JSON text held in attribute attr of each hit into a
// new T.
func hitData[T any](hits meilisearch.Hits, attr string) ([]T, error) {
	out := make([]T, len(hits))
	for i, h := range hits {
		if err := decodeText(h[attr], &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// decodeText decodes a JSON string holding JSON text into v.
func decodeText(raw json.RawMessage, v any) error {
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		return fmt.Errorf("decoding stored document: %w", creator.ErrMalformed)
	}
	if err := json.Unmarshal([]byte(text), v); err != nil {
		return fmt.Errorf("decoding stored document: %w", creator.ErrMalformed)
	}
	return nil
}

// Get implements index.Creators.
func (s *Store) Get(ctx context.Context, key string) (*creator.Record, error) {
	if !creator.ValidKey(key) {
		return nil, fmt.Errorf("getting creator %q: %w", key, creator.ErrNotFound)
	}
	var doc map[string]json.RawMessage
	err := s.ms.Index(s.names.creators).GetDocumentWithContext(ctx, key,
		&meilisearch.DocumentQuery{Fields: []string{attrRecord}}, &doc)
	if err != nil {
		return nil, fmt.Errorf("getting creator %s: %w", key, mapErr(err))
	}
	rec := new(creator.Record)
	if err := decodeText(doc[attrRecord], rec); err != nil {
		return nil, fmt.Errorf("getting creator %s: %w", key, err)
	}
	return rec, nil
}

// History implements index.Creators.
func (s *Store) History(ctx context.Context, key string, limit int) ([]creator.Snapshot, error) {
	if limit <= 0 || limit > s.cfg.HistoryCap {
		limit = s.cfg.HistoryCap
	}
	resp, err := s.ms.Index(s.names.snapshots).SearchWithContext(ctx, "", &meilisearch.SearchRequest{
		Filter: filterText(eqVal(attrCKey, key), true), Sort: []string{attrSeq + ":desc"}, Limit: int64(limit),
		AttributesToRetrieve: []string{attrData},
	})
	if err != nil {
		return nil, fmt.Errorf("reading history of %s: %w", key, mapErr(err))
	}
	snaps, err := hitData[creator.Snapshot](resp.Hits, attrData)
	if err != nil {
		return nil, fmt.Errorf("reading history of %s: %w", key, err)
	}
	slices.Reverse(snaps)
	return snaps, nil
}

// Delete implements index.Creators: it deletes the record, its history,
// the job items and alert events naming it, and removes it from every
// watchlist, waiting for each task.
func (s *Store) Delete(ctx context.Context, key string) error {
	var tis []*meilisearch.TaskInfo
	add := func(ti *meilisearch.TaskInfo, err error) error {
		if err != nil {
			return fmt.Errorf("deleting creator %s: %w", key, mapErr(err))
		}
		tis = append(tis, ti)
		return nil
	}
	if creator.ValidKey(key) {
		if err := add(s.ms.Index(s.names.creators).DeleteDocumentWithContext(ctx, key, nil)); err != nil {
			return err
		}
	}
	for _, uid := range []string{s.names.snapshots, s.names.jobItems, s.names.alerts} {
		if err := add(s.ms.Index(uid).DeleteDocumentsByFilterWithContext(ctx, filterText(eqVal(attrCKey, key), true), nil)); err != nil {
			return err
		}
	}
	if err := s.waitAll(ctx, tis); err != nil {
		return fmt.Errorf("deleting creator %s: %w", key, err)
	}
	if err := s.dropMember(ctx, key); err != nil {
		return fmt.Errorf("deleting creator %s: %w", key, err)
	}
	return nil
}

// Search implements index.Creators.
func (s *Store) Search(ctx context.Context, q index.Query) (*index.Result, error) {
	if err := q.Normalize(); err != nil {
		return nil, fmt.Errorf("searching creators: %w", err)
	}
	req, err := searchRequest(&q)
	if err != nil {
		return nil, fmt.Errorf("searching creators: %w", err)
	}
	resp, err := s.ms.Index(s.names.creators).SearchWithContext(ctx, req.Query, req)
	if err != nil {
		return nil, fmt.Errorf("searching creators: %w", mapErr(err))
	}
	res, err := decodeResult(&q, resp)
	if err != nil {
		return nil, fmt.Errorf("searching creators: %w", err)
	}
	return res, nil
}

// searchRequest builds the search body for a normalized query: page-based
// pagination (exact totals), matching strategy "all", the filter from
// filterExpr, the sort with the key tiebreak, the requested facets plus
// the "all" facet whose count is the exact total.
func searchRequest(q *index.Query) (*meilisearch.SearchRequest, error) {
	perPage := int64(q.PerPage)
	req := &meilisearch.SearchRequest{
		Query:                plainText(q.Text),
		Page:                 int64(q.Page),
		HitsPerPage:          &perPage,
		MatchingStrategy:     meilisearch.All,
		AttributesToRetrieve: []string{attrSummary},
		Facets:               append(slices.Clone(q.Facets), attrAll),
	}
	if q.Filter != nil {
		f, err := filterExpr(q.Filter)
		if err != nil {
			return nil, err
		}
		req.Filter = f
	}
	if len(q.Sort) > 0 || q.Text == "" {
		for _, srt := range q.Sort {
			dir := ":asc"
			if srt.Desc {
				dir = ":desc"
			}
			req.Sort = append(req.Sort, srt.Field+dir)
		}
		req.Sort = append(req.Sort, attrKeySort+":asc", attrKeyRest+":asc")
	}
	return req, nil
}

// plainText makes q plain words for Meilisearch, whose query syntax has
// phrases ("...") and negated words (-word): double quotes become spaces
// and the '-' that starts a word is dropped, so that text is only words, as
// in the SQLite backend. Runs of spaces become one and a trailing space is
// dropped, so the last word is always also a prefix.
func plainText(q string) string {
	ws := strings.Fields(strings.ReplaceAll(q, `"`, " "))
	for i, w := range ws {
		ws[i] = strings.TrimLeft(w, "-")
	}
	return strings.Join(ws, " ")
}

// decodeResult turns a search response into an index.Result: hits from
// their summaries, keyword facet counts, numeric facets
// as stats, and the total from the "all" facet.
func decodeResult(q *index.Query, resp *meilisearch.SearchResponse) (*index.Result, error) {
	hits, err := hitData[creator.Record](resp.Hits, attrSummary)
	if err != nil {
		return nil, err
	}
	counts, err := decodeCounts(resp.FacetDistribution)
	if err != nil {
		return nil, err
	}
	res := &index.Result{Hits: hits, Total: int(resp.TotalHits), Page: q.Page, PerPage: q.PerPage}
	if all, ok := counts[attrAll]; ok {
		res.Total = all["1"]
	}
	var stats map[string]index.Stat
	if len(resp.FacetStats) > 0 && string(resp.FacetStats) != "null" {
		if err := json.Unmarshal(resp.FacetStats, &stats); err != nil {
			return nil, fmt.Errorf("decoding facet stats: %w", creator.ErrMalformed)
		}
	}
	for _, name := range q.Facets {
		f, _ := index.FieldByName(name)
		switch f.Kind {
		case index.Keyword:
			m := map[string]int{}
			for v, n := range counts[name] {
				m[v] += n
			}
			if res.Facets == nil {
				res.Facets = map[string]map[string]int{}
			}
			res.Facets[name] = m
		case index.Numeric:
			if st, ok := stats[name]; ok {
				if res.Stats == nil {
					res.Stats = map[string]index.Stat{}
				}
				res.Stats[name] = st
			}
		}
	}
	if res.Hits == nil {
		res.Hits = []creator.Record{}
	}
	return res, nil
}
