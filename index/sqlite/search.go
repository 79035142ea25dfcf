package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/memsearch"
	lru "github.com/hashicorp/golang-lru/v2"
)

// maxStaleTries bounds how many times a search restarts its transaction
// because other searches brought the in-memory index past it.
const maxStaleTries = 8

// Search answers q from the in-memory index (index/memsearch), brought to
// the state of the data its read transaction sees; only the page of hits
// is read from SQLite. An invalid query gives an error wrapping
// creator.ErrInvalid that names the offending field. It is safe for
// concurrent use.
func (s *Store) Search(ctx context.Context, q index.Query) (*index.Result, error) {
	res, sums, _, err := s.searchStored(ctx, &q, false)
	if err != nil {
		return nil, fmt.Errorf("searching creators: %w", err)
	}
	res.Hits = make([]creator.Record, len(sums))
	for i, sum := range sums {
		if err := json.Unmarshal(sum, &res.Hits[i]); err != nil {
			return nil, fmt.Errorf("searching creators: decoding hit %d: %w", i, err)
		}
	}
	return res, nil
}

// SearchJSON answers q as Search does, as the JSON of its index.Result
// (as json.Marshal gives it, followed by a newline), with each hit's
// summary as stored rather than decoded and encoded again. Answers are
// cached by the normalised query and the generation of the data: a write
// by any process makes the next search compute afresh. The bytes may be
// shared with other callers and must not be modified. It is safe for
// concurrent use.
func (s *Store) SearchJSON(ctx context.Context, q index.Query) ([]byte, error) {
	res, sums, cached, err := s.searchStored(ctx, &q, true)
	if err != nil {
		return nil, fmt.Errorf("searching creators: %w", err)
	}
	if cached != nil {
		return cached, nil
	}
	out, err := encodeResult(res, sums)
	if err != nil {
		return nil, fmt.Errorf("searching creators: %w", err)
	}
	return out, nil
}

// encodeResult is the JSON of res (without hits) with the hits' summaries
// spliced in, in index.Result's field order, and a newline: as
// json.Marshal writes it, the facet counts written directly (json.Marshal
// takes longer over their maps than the rest of the answer), the stats by
// json.Marshal.
func encodeResult(res *index.Result, sums [][]byte) ([]byte, error) {
	var stats []byte
	if len(res.Stats) > 0 {
		var err error
		if stats, err = json.Marshal(res.Stats); err != nil {
			return nil, err
		}
	}
	n := 64 + len(stats)
	for _, sum := range sums {
		n += len(sum) + 1
	}
	for f, counts := range res.Facets {
		n += len(f) + 8 + len(counts)*24
	}
	out := make([]byte, 0, n)
	out = append(out, `{"hits":[`...)
	for i, sum := range sums {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, sum...)
	}
	out = append(out, `],"total":`...)
	out = strconv.AppendInt(out, int64(res.Total), 10)
	out = append(out, `,"page":`...)
	out = strconv.AppendInt(out, int64(res.Page), 10)
	out = append(out, `,"per_page":`...)
	out = strconv.AppendInt(out, int64(res.PerPage), 10)
	if len(res.Facets) > 0 {
		out = append(out, `,"facets":{`...)
		fields := slices.Sorted(maps.Keys(res.Facets))
		for i, f := range fields {
			if i > 0 {
				out = append(out, ',')
			}
			out = appendJSONString(out, f)
			out = append(out, ':')
			counts := res.Facets[f]
			if counts == nil {
				out = append(out, "null"...)
				continue
			}
			out = append(out, '{')
			for j, v := range slices.Sorted(maps.Keys(counts)) {
				if j > 0 {
					out = append(out, ',')
				}
				out = appendJSONString(out, v)
				out = append(out, ':')
				out = strconv.AppendInt(out, int64(counts[v]), 10)
			}
			out = append(out, '}')
		}
		out = append(out, '}')
	}
	if stats != nil {
		out = append(out, `,"stats":`...)
		out = append(out, stats...)
	}
	return append(out, "}\n"...), nil
}

// appendJSONString appends s as encoding/json writes a string: as it is
// between quotes when it is printable ASCII that needs no escape (facet
// values mostly are), else as json.Marshal escapes it.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // a string always encodes
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// answers caches SearchJSON's answers of one generation of the data.
type answers struct {
	mu  sync.Mutex
	gen int64 // the generation the cached answers are of
	lru *lru.Cache[string, []byte]
}

// answerCacheSize is how many answers are cached: about 30 KB each with
// 20 hits.
const answerCacheSize = 512

func newAnswers() *answers {
	c, err := lru.New[string, []byte](answerCacheSize)
	if err != nil {
		panic(err) // only for a size <= 0
	}
	return &answers{lru: c}
}

// get returns the cached answer to key at gen, nil when there is none.
func (a *answers) get(gen int64, key string) []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gen != gen {
		return nil
	}
	b, _ := a.lru.Get(key)
	return b
}

// put caches the answer to key at gen, dropping every answer of an
// earlier generation; an answer of an earlier one than cached is dropped.
func (a *answers) put(gen int64, key string, b []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case gen < a.gen:
		return
	case gen > a.gen:
		a.lru.Purge()
		a.gen = gen
	}
	a.lru.Add(key, b)
}

// searchStored runs q in one read transaction: the result without hits
// and the page's summaries as stored. With cache, an answer SearchJSON
// cached at the transaction's generation comes back as cached instead,
// and a new answer is cached (its bytes also returned as cached).
func (s *Store) searchStored(ctx context.Context, q *index.Query, cache bool) (*index.Result, [][]byte, []byte, error) {
	if err := q.Normalize(); err != nil {
		return nil, nil, nil, err
	}
	p, err := s.mem.Plan(q)
	if err != nil {
		return nil, nil, nil, err
	}
	var key string
	if cache {
		k, err := json.Marshal(q)
		if err != nil {
			return nil, nil, nil, err
		}
		key = string(k)
	}
	for try := 1; ; try++ {
		res, sums, cached, err := s.search(ctx, p, q, key)
		if errors.Is(err, memsearch.ErrStale) && try < maxStaleTries {
			continue
		}
		return res, sums, cached, err
	}
}

// search runs p in one read transaction; see searchStored.
func (s *Store) search(ctx context.Context, p *memsearch.Plan, q *index.Query, key string) (*index.Result, [][]byte, []byte, error) {
	// The transaction and the index's load run to the end even when ctx
	// is cancelled: a load cut off would leave the index to be read
	// whole by the next search, which at a million creators takes most
	// of a minute. ctx still bounds the rest.
	bg := context.WithoutCancel(ctx)
	tx, err := s.r.BeginTx(bg, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	defer tx.Rollback()
	gen, err := s.readGen(bg, tx)
	if err != nil {
		return nil, nil, nil, err
	}
	if key != "" {
		if b := s.answers.get(gen, key); b != nil {
			return nil, nil, b, nil
		}
	}
	view, err := s.mem.Acquire(bg, gen, txSource{tx: tx, sch: s.schema, snapshots: s.cfg.snapshots})
	if err != nil {
		return nil, nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		view.Release()
		s.afterLoad()
		return nil, nil, nil, err
	}
	res, page := view.Search(p)
	var docs []uint32
	epoch := view.Epoch()
	if page != nil {
		docs = view.Docs(page)
	}
	view.Release()
	s.afterLoad()
	res.Page, res.PerPage = q.Page, q.PerPage
	if page == nil { // no text, no filter, no sort: the key index orders
		if page, err = s.pageByKey(ctx, tx, q.PerPage, (q.Page-1)*q.PerPage); err != nil {
			return nil, nil, nil, err
		}
	}
	sums, err := s.cachedSummaries(ctx, tx, page, docs, epoch)
	if err != nil {
		return nil, nil, nil, err
	}
	if key == "" {
		return res, sums, nil, nil
	}
	b, err := encodeResult(res, sums)
	if err != nil {
		return nil, nil, nil, err
	}
	s.answers.put(gen, key, b)
	return res, sums, b, nil
}

const (
	genSQL    = `SELECT value FROM store_meta WHERE name = 'gen'`
	erasedSQL = `SELECT id FROM erased WHERE seq > ?`
)

// readGen returns the generation of the data tx sees: store_meta's "gen",
// which every write transaction that changes creators increments, stamping
// the rows it writes with it (creators.seq) and recording the row ids it
// erases in erased.
func readGen(ctx context.Context, tx *sql.Tx) (int64, error) {
	var gen int64
	if err := tx.QueryRowContext(ctx, genSQL).Scan(&gen); err != nil {
		return 0, fmt.Errorf("reading generation: %w", err)
	}
	return gen, nil
}

// readGen is readGen by the statement prepared when s was opened.
func (s *Store) readGen(ctx context.Context, tx *sql.Tx) (int64, error) {
	if s.genStmt == nil {
		return readGen(ctx, tx)
	}
	var gen int64
	if err := tx.StmtContext(ctx, s.genStmt).QueryRowContext(ctx).Scan(&gen); err != nil {
		return 0, fmt.Errorf("reading generation: %w", err)
	}
	return gen, nil
}

// rowsSQL reads the words and field columns of every creator, or with
// since of those written after a generation.
func rowsSQL(sch *schema, since bool) string {
	idents := make([]string, len(sch.cols))
	for i, col := range sch.cols {
		idents[i] = col.ident
	}
	q := `SELECT id, key, words, ` + strings.Join(idents, ", ") + ` FROM creators`
	if since {
		q += ` WHERE seq > ?`
	}
	return q
}

// txSource is the data one read transaction sees, as the in-memory index
// reads it.
type txSource struct {
	tx        *sql.Tx
	sch       *schema
	snapshots bool // offer the file's snapshot of the index
}

var _ memsearch.SnapshotSource = txSource{}

func (src txSource) Erased(ctx context.Context, since int64, fn func(id int64)) error {
	rows, err := src.tx.QueryContext(ctx, erasedSQL, since)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		fn(id)
	}
	return rows.Err()
}

func (src txSource) Rows(ctx context.Context, since int64, fn func(*memsearch.Row) error) error {
	var rows *sql.Rows
	var err error
	if since < 0 {
		rows, err = src.tx.QueryContext(ctx, rowsSQL(src.sch, false))
	} else {
		rows, err = src.tx.QueryContext(ctx, rowsSQL(src.sch, true), since)
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	var r memsearch.Row
	var words []byte
	r.Values = make([]any, len(src.sch.cols))
	dest := make([]any, 0, len(r.Values)+3)
	dest = append(dest, &r.ID, &r.Key, &words)
	for i := range r.Values {
		dest = append(dest, &r.Values[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if r.Text, err = unpackText(words); err != nil {
			return fmt.Errorf("creator %s: %w", r.Key, err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

const pageByKeySQL = `SELECT id FROM creators ORDER BY key LIMIT ? OFFSET ?`

// summariesSQL reads the summaries of creators by row id, given as a JSON
// array (one statement for any number of them).
const summariesSQL = `SELECT id, summary FROM creators WHERE id IN (SELECT value FROM json_each(?))`

// pageByKey returns the row ids of a page of all creators by key, walking
// the key index.
func (s *Store) pageByKey(ctx context.Context, tx *sql.Tx, limit, offset int) ([]int64, error) {
	rows, err := query(ctx, tx, s.pageStmt, pageByKeySQL, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("reading page: %w", err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("reading page: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// sumKey names one version of a creator's summary: its row id and its
// document number in the in-memory index (a new one for each write).
type sumKey struct {
	id  int64
	doc uint32
}

// summaryCache keeps the summaries of recent hits by version, for one
// epoch of the in-memory index (memsearch.View.Epoch: a full load or an
// erasure empties it). The hits of different searches overlap (the best
// matches of a word under other filters), and reading a summary costs
// more than the rest of a search but for intersecting words: a lookup in
// the creators table walks pages a search otherwise rarely touches.
type summaryCache struct {
	mu    sync.Mutex
	epoch int64
	lru   *lru.Cache[sumKey, []byte]
}

// summaryCacheSize is how many summaries are cached: about 1.5 KB each.
const summaryCacheSize = 8192

func newSummaryCache() *summaryCache {
	c, err := lru.New[sumKey, []byte](summaryCacheSize)
	if err != nil {
		panic(err) // only for a size <= 0
	}
	return &summaryCache{lru: c}
}

// get fills sums[i] with the cached summary of (ids[i], docs[i]) at epoch
// where there is one, and returns how many it filled.
func (c *summaryCache) get(epoch int64, ids []int64, docs []uint32, sums [][]byte) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != epoch {
		return 0
	}
	n := 0
	for i, id := range ids {
		if b, ok := c.lru.Get(sumKey{id, docs[i]}); ok {
			sums[i] = b
			n++
		}
	}
	return n
}

// put caches summaries read at epoch; a later epoch empties the cache
// first, an earlier one is dropped.
func (c *summaryCache) put(epoch int64, ids []int64, docs []uint32, sums [][]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case epoch < c.epoch:
		return
	case epoch > c.epoch:
		c.lru.Purge()
		c.epoch = epoch
	}
	for i, id := range ids {
		if docs[i] != 0 && sums[i] != nil {
			c.lru.Add(sumKey{id, docs[i]}, sums[i])
		}
	}
}

// cachedSummaries is summaries, taking what it can from s.sums when docs
// (the document numbers of ids at epoch) are given.
func (s *Store) cachedSummaries(ctx context.Context, tx *sql.Tx, ids []int64, docs []uint32, epoch int64) ([][]byte, error) {
	if docs == nil || len(ids) == 0 {
		return s.summaries(ctx, tx, ids)
	}
	sums := make([][]byte, len(ids))
	if s.sums.get(epoch, ids, docs, sums) == len(ids) {
		return sums, nil
	}
	var missing []int64
	var at []int
	for i, b := range sums {
		if b == nil {
			missing = append(missing, ids[i])
			at = append(at, i)
		}
	}
	read, err := s.summaries(ctx, tx, missing)
	if err != nil {
		return nil, err
	}
	mdocs := make([]uint32, len(missing))
	for j, i := range at {
		sums[i] = read[j]
		mdocs[j] = docs[i]
	}
	s.sums.put(epoch, missing, mdocs, read)
	return sums, nil
}

// summaries reads the search summaries of ids as stored (JSON), in order.
func (s *Store) summaries(ctx context.Context, tx *sql.Tx, ids []int64) ([][]byte, error) {
	hits := make([][]byte, len(ids))
	if len(ids) == 0 {
		return hits, nil
	}
	at := make(map[int64]int, len(ids))
	list := make([]byte, 0, 8*len(ids))
	list = append(list, '[')
	for i, id := range ids {
		at[id] = i
		if i > 0 {
			list = append(list, ',')
		}
		list = strconv.AppendInt(list, id, 10)
	}
	list = append(list, ']')
	rows, err := query(ctx, tx, s.sumStmt, summariesSQL, string(list))
	if err != nil {
		return nil, fmt.Errorf("reading hits: %w", err)
	}
	defer rows.Close()
	found := 0
	for rows.Next() {
		var id int64
		var doc []byte
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, fmt.Errorf("reading hits: %w", err)
		}
		hits[at[id]] = doc
		found++
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading hits: %w", err)
	}
	if found != len(ids) {
		return nil, fmt.Errorf("reading hits: %d of %d summaries missing", len(ids)-found, len(ids))
	}
	return hits, nil
}
