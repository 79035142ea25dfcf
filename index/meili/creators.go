package meili

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
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

// snapDocJSON returns the document of one snapshot in the snapshots
// index, {"id":id,"ckey":ckey,"seq":seq,"data":data}, where data is the
// snapshot's JSON text already encoded as a JSON string (snapData), so
// that it is copied, not encoded again. id, ckey and seq are written as
// they are: snapID, fkey and seqKey make them of key characters and hex
// digits, which JSON does not escape.
func snapDocJSON(id, ckey, seq string, data []byte) json.RawMessage {
	b := make([]byte, 0, snapDocLen(id, ckey, data))
	b = append(b, `{"id":"`...)
	b = append(b, id...)
	b = append(b, `","ckey":"`...)
	b = append(b, ckey...)
	b = append(b, `","seq":"`...)
	b = append(b, seq...)
	b = append(b, `","data":`...)
	b = append(b, data...)
	return append(b, '}')
}

// snapDocLen is the length of snapDocJSON(id, ckey, seq, data) for any
// seqKey seq.
func snapDocLen(id, ckey string, data []byte) int {
	return len(`{"id":"","ckey":"","seq":"","data":}`) + len(id) + len(ckey) + seqLen + len(data)
}

// snapData returns snap's JSON text encoded as a JSON string, the data of
// its document.
func snapData(snap *creator.Snapshot) ([]byte, error) {
	text, err := json.Marshal(snap)
	if err != nil {
		return nil, err
	}
	data, _ := json.Marshal(string(text)) // a string always encodes
	return data, nil
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
// that cannot be encoded, or is too large to send, fails only its own
// call.
type prepared struct {
	key  string
	ckey string // fkey(key)
	at   time.Time
	data []byte          // the snapshot's data (snapData)
	doc  json.RawMessage // the creators document
}

// seqLen is the length of every seqKey.
const seqLen = 40

// UpsertMany implements index.Creators. The writes join the batcher like
// Upsert's; a large slice is sent in requests of at most Config.BatchSize
// documents and Config.MaxBatchBytes bytes. A record or snapshot too
// large for one request is an error wrapping creator.ErrInvalid, and
// nothing of the call is written. It is not one transaction: see the
// package documentation.
func (s *Store) UpsertMany(ctx context.Context, ws []index.Write) error {
	if len(ws) == 0 {
		return nil
	}
	ps := make([]prepared, len(ws))
	for i, w := range ws {
		if w.Record == nil {
			return fmt.Errorf("upserting creators: %w: nil record", creator.ErrInvalid)
		}
		key := w.Record.Key
		if !creator.ValidKey(key) {
			return fmt.Errorf("upserting creators: %w: key %q", creator.ErrInvalid, key)
		}
		m, err := creatorDoc(w.Record)
		if err != nil {
			return fmt.Errorf("upserting creators: %w: %w", creator.ErrInvalid, err)
		}
		doc, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("upserting creators: %w: encoding record %s: %w", creator.ErrInvalid, key, err)
		}
		data, err := snapData(&w.Snapshot)
		if err != nil {
			return fmt.Errorf("upserting creators: %w: encoding snapshot of %s: %w", creator.ErrInvalid, key, err)
		}
		ckey := fkey(key)
		if err := s.fits(len(doc)); err != nil {
			return fmt.Errorf("upserting creators: record %s: %w", key, err)
		}
		// The size of the snapshot's document as flush will make it: a
		// seqKey has a fixed length.
		if err := s.fits(snapDocLen(snapID(key, strings.Repeat("0", seqLen)), ckey, data)); err != nil {
			return fmt.Errorf("upserting creators: snapshot of %s: %w", key, err)
		}
		ps[i] = prepared{key: key, ckey: ckey, at: w.Snapshot.At, data: data, doc: doc}
	}
	if err := s.batch.submit(ctx, ps); err != nil {
		return fmt.Errorf("upserting creators: %w", err)
	}
	return nil
}

// fits returns nil if a document of n bytes of JSON can be sent in a
// documents request of Config.MaxBatchBytes, else an error wrapping
// creator.ErrInvalid.
func (s *Store) fits(n int) error {
	if n+2 > s.cfg.MaxBatchBytes {
		return fmt.Errorf("%w: %d bytes as JSON, more than one documents request may hold (Config.MaxBatchBytes is %d)",
			creator.ErrInvalid, n, s.cfg.MaxBatchBytes)
	}
	return nil
}

// flush writes one batch and returns each write's error, one per write
// of ps (nil where it succeeded): snapshots first, then records (the last
// write of a key wins), then it trims the touched histories to
// Config.HistoryCap. A key whose snapshots were not all written gets no
// record; a key whose record was not written has the snapshots of this
// batch that were written deleted again; the writes of such keys fail,
// the others succeed.
func (s *Store) flush(ctx context.Context, ps []prepared) []error {
	snaps := make([]json.RawMessage, len(ps))
	ids := make([]string, len(ps))
	var keys []string
	last := map[string]int{}
	for i, p := range ps {
		seq := seqKey(p.at, s.seq.Add(1))
		ids[i] = snapID(p.key, seq)
		snaps[i] = snapDocJSON(ids[i], p.ckey, seq, p.data)
		if _, ok := last[p.key]; !ok {
			keys = append(keys, p.key)
		}
		last[p.key] = i
	}
	errs := make([]error, len(ps))

	// Snapshots; a key with any snapshot not written gets no record.
	snapDone := make([]bool, len(ps))
	keyErr := map[string]error{}
	for _, c := range s.addDocs(ctx, s.names.snapshots, attrID, snaps) {
		if c.err == nil {
			for i := c.lo; i < c.hi; i++ {
				snapDone[i] = true
			}
			continue
		}
		err := fmt.Errorf("writing snapshots: %w", c.err)
		for i := c.lo; i < c.hi; i++ {
			errs[i] = err
			if keyErr[ps[i].key] == nil {
				keyErr[ps[i].key] = err
			}
		}
	}

	// Records of the keys whose snapshots are all written.
	var recKeys []string
	var recs []json.RawMessage
	for _, k := range keys {
		if keyErr[k] == nil {
			recKeys = append(recKeys, k)
			recs = append(recs, ps[last[k]].doc)
		}
	}
	for _, c := range s.addDocs(ctx, s.names.creators, attrKey, recs) {
		if c.err != nil {
			err := fmt.Errorf("writing records: %w", c.err)
			for _, k := range recKeys[c.lo:c.hi] {
				keyErr[k] = err
			}
		}
	}

	// Undo the snapshots of keys without their record, and trim the
	// histories of the others.
	var undo, written []string
	var undoIdx []int
	for i, p := range ps {
		err := keyErr[p.key]
		switch {
		case err != nil:
			if errs[i] == nil {
				errs[i] = err
			}
			if snapDone[i] {
				undo = append(undo, ids[i])
				undoIdx = append(undoIdx, i)
			}
		case last[p.key] == i:
			written = append(written, p.key)
		}
	}
	if len(undo) > 0 {
		var ts tasks
		ts.add(s.ms.Index(s.names.snapshots).DeleteDocumentsWithContext(ctx, undo, nil))
		if err := s.waitAll(ctx, &ts); err != nil {
			for _, i := range undoIdx {
				errs[i] = fmt.Errorf("%w; deleting its snapshot again: %w", errs[i], err)
			}
		}
	}
	if err := s.trim(ctx, written); err != nil {
		err = fmt.Errorf("trimming history: %w", err)
		for i, p := range ps {
			if keyErr[p.key] == nil {
				errs[i] = err
			}
		}
	}
	return errs
}

// sent is the outcome of one documents request: docs[lo:hi] were written
// if err is nil. ti is its task, nil if none was enqueued.
type sent struct {
	lo, hi int
	err    error
	ti     *meilisearch.TaskInfo
}

// addDocs adds or replaces docs in requests of at most Config.BatchSize
// documents and Config.MaxBatchBytes bytes, waits for every task that was
// enqueued, and returns each request's outcome in order, covering all of
// docs. When a request cannot be sent, the later ones are not sent
// either (they fail with the same error), but the tasks already enqueued
// are still waited for and checked, so every outcome is known.
func (s *Store) addDocs(ctx context.Context, uid, pk string, docs []json.RawMessage) []sent {
	idx := s.ms.Index(uid)
	var out []sent
	var sendErr error
	for lo := 0; lo < len(docs); {
		if err := s.fits(len(docs[lo])); err != nil {
			out = append(out, sent{lo: lo, hi: lo + 1, err: fmt.Errorf("document %d of %d: %w", lo+1, len(docs), err)})
			lo++
			continue
		}
		hi, size := lo, 1
		for hi < len(docs) && hi-lo < s.cfg.BatchSize && size+len(docs[hi])+1 <= s.cfg.MaxBatchBytes {
			size += len(docs[hi]) + 1
			hi++
		}
		c := sent{lo: lo, hi: hi}
		lo = hi
		if sendErr != nil {
			c.err = sendErr
			out = append(out, c)
			continue
		}
		body := make([]byte, 0, size+1)
		body = append(body, '[')
		for i, d := range docs[c.lo:c.hi] {
			if i > 0 {
				body = append(body, ',')
			}
			body = append(body, d...)
		}
		body = append(body, ']')
		ti, err := idx.AddDocumentsWithContext(ctx, body, &meilisearch.DocumentOptions{PrimaryKey: &pk})
		if err != nil {
			sendErr = fmt.Errorf("sending documents %d to %d of %d: %w", c.lo+1, c.hi, len(docs), mapErr(err))
			c.err = sendErr
		} else {
			c.ti = ti
		}
		out = append(out, c)
	}
	for i := range out {
		if out[i].ti != nil {
			out[i].err = s.wait(ctx, out[i].ti)
		}
	}
	return out
}

// docsErr is the first error of outs, noting how many requests failed.
func docsErr(outs []sent) error {
	var first error
	n := 0
	for _, o := range outs {
		if o.err != nil {
			n++
			if first == nil {
				first = o.err
			}
		}
	}
	if n > 1 {
		return fmt.Errorf("%w (and %d more documents requests failed)", first, n-1)
	}
	return first
}

// trim deletes the oldest snapshots of keys beyond Config.HistoryCap. One
// facet query per 100 keys finds which keys are over the cap.
func (s *Store) trim(ctx context.Context, keys []string) error {
	idx := s.ms.Index(s.names.snapshots)
	var zero int64
	for lo := 0; lo < len(keys); lo += 100 {
		part := keys[lo:min(lo+100, len(keys))]
		resp, err := idx.SearchWithContext(ctx, "", &meilisearch.SearchRequest{
			Filter: filterText(inVals(attrCKey, part...)), Facets: []string{attrCKey}, HitsPerPage: &zero,
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
					Filter: filterText(eqStored(attrCKey, ck)), Sort: []string{attrSeq + ":desc"},
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
				var ts tasks
				ts.add(idx.DeleteDocumentsWithContext(ctx, ids, nil))
				if err := s.waitAll(ctx, &ts); err != nil {
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
		Filter: filterText(eqVal(attrCKey, key)), Sort: []string{attrSeq + ":desc"}, Limit: int64(limit),
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
// watchlist, waiting for each task. It runs between the batches of
// Upserts (batcher.do), so it never interleaves with a batch writing the
// same creator, which could leave a record without its history.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.batch.do(ctx, func() error { return s.deleteNow(ctx, key) }); err != nil {
		return fmt.Errorf("deleting creator %s: %w", key, err)
	}
	return nil
}

// deleteNow does Delete's work. A request that fails does not stop the
// others, and every task enqueued is waited for and checked.
func (s *Store) deleteNow(ctx context.Context, key string) error {
	var ts tasks
	if creator.ValidKey(key) {
		ts.add(s.ms.Index(s.names.creators).DeleteDocumentWithContext(ctx, key, nil))
	}
	for _, uid := range []string{s.names.snapshots, s.names.jobItems, s.names.alerts, s.names.tracking} {
		ts.add(s.ms.Index(uid).DeleteDocumentsByFilterWithContext(ctx, filterText(eqVal(attrCKey, key)), nil))
	}
	return errors.Join(s.waitAll(ctx, &ts), s.dropMember(ctx, key))
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
