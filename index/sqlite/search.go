package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// maxTextWords bounds how many words of a query's text are matched.
const maxTextWords = index.MaxTextWords

// maxStaleTries bounds how many times a search restarts its transaction
// because other searches brought the column copy past it.
const maxStaleTries = 8

// Search answers q from the copy in memory of the words (text.go) and
// field columns (columns.go), brought to the state of the data its read
// transaction sees; only the page of hits is read from SQLite. An invalid query gives an error wrapping
// creator.ErrInvalid that names the offending field. It is safe for
// concurrent use.
func (s *Store) Search(ctx context.Context, q index.Query) (*index.Result, error) {
	if err := q.Normalize(); err != nil {
		return nil, fmt.Errorf("searching creators: %w", err)
	}
	p, err := s.plan(&q)
	if err != nil {
		return nil, fmt.Errorf("searching creators: %w", err)
	}
	for try := 1; ; try++ {
		res, err := s.search(ctx, p)
		if errors.Is(err, errStale) && try < maxStaleTries {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("searching creators: %w", err)
		}
		res.Page, res.PerPage = q.Page, q.PerPage
		return res, nil
	}
}

// searchPlan is a query checked against the schema.
type searchPlan struct {
	words         []string // the folded words of the text
	ranked        bool     // ordered by relevance
	filter        *index.Filter
	facets        []int // positions in the schema of the facet fields, each once
	sorts         []sortKey
	limit, offset int
}

type sortKey struct {
	pos  int
	desc bool
}

func (s *Store) plan(q *index.Query) (*searchPlan, error) {
	p := &searchPlan{filter: q.Filter, limit: q.PerPage, offset: (q.Page - 1) * q.PerPage}
	seen := map[int]bool{}
	for _, name := range q.Facets {
		i, ok := s.cols.pos[name]
		if !ok || !s.schema.cols[i].Facet {
			return nil, fmt.Errorf("%w: facets: %q is not a facet field", creator.ErrInvalid, name)
		}
		if !seen[i] {
			seen[i] = true
			p.facets = append(p.facets, i)
		}
	}
	for _, so := range q.Sort {
		i, ok := s.cols.pos[so.Field]
		if !ok || !s.schema.cols[i].Sortable {
			return nil, fmt.Errorf("%w: sort: %q is not a sortable field", creator.ErrInvalid, so.Field)
		}
		p.sorts = append(p.sorts, sortKey{i, so.Desc})
	}
	if q.Filter != nil {
		if err := s.checkFilter(q.Filter); err != nil {
			return nil, err
		}
	}
	p.words = queryWords(q.Text)
	p.ranked = len(p.words) > 0 && len(p.sorts) == 0
	return p, nil
}

// checkFilter checks every field and operator of f against the schema.
func (s *Store) checkFilter(f *index.Filter) error {
	switch f.Op {
	case index.OpAnd, index.OpOr, index.OpNot:
		for i := range f.Sub {
			if err := s.checkFilter(&f.Sub[i]); err != nil {
				return err
			}
		}
		return nil
	}
	i, ok := s.cols.pos[f.Field]
	if !ok || !s.schema.cols[i].Filterable {
		return fmt.Errorf("%w: %s: not a filterable field", creator.ErrInvalid, f.Field)
	}
	kind := s.schema.cols[i].Kind
	switch {
	case f.Op == index.OpEq && kind == index.Keyword && len(f.Values) == 1,
		f.Op == index.OpEq && kind == index.Numeric && f.Min != nil,
		f.Op == index.OpIn && kind == index.Keyword,
		f.Op == index.OpRange && kind == index.Numeric,
		f.Op == index.OpExists, f.Op == index.OpMissing:
		return nil
	}
	return fmt.Errorf("%w: %s: operator %q does not apply", creator.ErrInvalid, f.Field, f.Op)
}

// search runs p in one read transaction.
func (s *Store) search(ctx context.Context, p *searchPlan) (*index.Result, error) {
	// The transaction and the copy's refresh run to the end even when ctx
	// is cancelled: a refresh cut off would leave the copy to be read
	// whole by the next search, which at a million creators takes most
	// of a minute. ctx still bounds the rest.
	bg := context.WithoutCancel(ctx)
	tx, err := s.r.BeginTx(bg, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	gen, err := readGen(bg, tx)
	if err != nil {
		return nil, err
	}
	c := s.cols
	if err := c.acquire(bg, tx, gen); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		c.mu.RUnlock()
		return nil, err
	}
	res, page, err := func() (*index.Result, []int64, error) {
		defer c.mu.RUnlock()
		return c.answer(p)
	}()
	if err != nil {
		return nil, err
	}
	if page == nil { // no text, no filter, no sort: the key index orders
		if page, err = s.pageByKey(ctx, tx, p.limit, p.offset); err != nil {
			return nil, err
		}
	}
	if res.Hits, err = s.summaries(ctx, tx, page); err != nil {
		return nil, err
	}
	return res, nil
}

// answer computes the total, facets, stats and the row ids of the page of
// p over the copy (read-locked). The page is nil when the copy leaves it
// to the key index (no text, filter or sort).
func (c *colCache) answer(p *searchPlan) (*index.Result, []int64, error) {
	res := &index.Result{}
	var pred func(id int64) bool
	if p.filter != nil {
		pred = c.compile(p.filter)
	}
	everything := p.words == nil && pred == nil
	// The matches, with their ranks (lower is better) when ranked.
	var ids []int64
	var ranks []float64
	switch {
	case p.words != nil:
		text := c.text.match(p.words, p.ranked)
		ids = make([]int64, 0, len(text.docs))
		if p.ranked {
			ranks = make([]float64, 0, len(text.docs))
		}
		for i, d := range text.docs {
			id := c.text.rowOf[d]
			if pred != nil && !pred(id) {
				continue
			}
			ids = append(ids, id)
			if p.ranked {
				ranks = append(ranks, -float64(text.score[i]))
			}
		}
	case pred != nil || len(p.sorts) > 0:
		for id := int64(1); id < int64(len(c.keys)); id++ {
			if c.keys[id] != "" && (pred == nil || pred(id)) {
				ids = append(ids, id)
			}
		}
	}
	if everything {
		res.Total = c.live
	} else {
		res.Total = len(ids)
	}
	c.facets(res, p.facets, ids, everything)
	if everything && len(p.sorts) == 0 {
		return res, nil, nil
	}
	return res, c.order(p, ids, ranks), nil
}

// facets counts the keyword facets and computes the numeric stats of the
// matches (of all creators when everything).
func (c *colCache) facets(res *index.Result, facets []int, ids []int64, everything bool) {
	for _, i := range facets {
		col := &c.sch.cols[i]
		if col.Kind == index.Keyword {
			if res.Facets == nil {
				res.Facets = map[string]map[string]int{}
			}
			d := c.dict[i]
			counts := d.n
			if !everything {
				counts = make([]int, len(d.vals))
				codes := c.kw[i]
				for _, id := range ids {
					counts[codes[id]]++
				}
			}
			m := map[string]int{}
			for code := 1; code < len(counts); code++ {
				if counts[code] > 0 {
					m[d.vals[code]] += counts[code]
				}
			}
			res.Facets[col.Name] = m
			continue
		}
		if res.Stats == nil {
			res.Stats = map[string]index.Stat{}
		}
		vals := c.num[i]
		lo, hi := math.Inf(1), math.Inf(-1)
		seen := false
		note := func(v float64) {
			if v == v { // not NaN: the creator has a value
				seen = true
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		if everything {
			for _, v := range vals {
				note(v)
			}
		} else {
			for _, id := range ids {
				note(vals[id])
			}
		}
		if seen {
			res.Stats[col.Name] = index.Stat{Min: lo, Max: hi}
		}
	}
}

// order returns the row ids of the page of p among ids (with ranks when
// ranked): by the sort fields (missing values last), or by relevance, then
// by key.
func (c *colCache) order(p *searchPlan, ids []int64, ranks []float64) []int64 {
	k := p.offset + p.limit
	if p.offset >= len(ids) {
		return []int64{}
	}
	type item struct {
		id   int64
		rank float64
	}
	items := make([]item, len(ids))
	for i, id := range ids {
		items[i].id = id
		if ranks != nil {
			items[i].rank = ranks[i]
		}
	}
	less := func(a, b item) int {
		for _, sk := range p.sorts {
			if r := c.compareField(sk, a.id, b.id); r != 0 {
				return r
			}
		}
		if p.ranked {
			if r := cmp.Compare(a.rank, b.rank); r != 0 {
				return r
			}
		}
		return strings.Compare(c.keys[a.id], c.keys[b.id])
	}
	if k < len(items)/8 {
		items = topK(items, k, less)
	} else {
		slices.SortFunc(items, less)
	}
	items = items[p.offset:min(k, len(items))]
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.id
	}
	return out
}

// compareField orders rows a and b by one sort field: missing values last
// in either direction.
func (c *colCache) compareField(sk sortKey, a, b int64) int {
	if c.sch.cols[sk.pos].Kind == index.Keyword {
		codes, d := c.kw[sk.pos], c.dict[sk.pos]
		ca, cb := codes[a], codes[b]
		switch {
		case ca == cb:
			return 0
		case ca == 0:
			return 1
		case cb == 0:
			return -1
		}
		r := strings.Compare(foldASCII(d.vals[ca]), foldASCII(d.vals[cb]))
		if sk.desc {
			r = -r
		}
		return r
	}
	vals := c.num[sk.pos]
	va, vb := vals[a], vals[b]
	switch na, nb := va != va, vb != vb; {
	case na && nb:
		return 0
	case na:
		return 1
	case nb:
		return -1
	}
	r := cmp.Compare(va, vb)
	if sk.desc {
		r = -r
	}
	return r
}

// topK returns the k smallest items by less, sorted.
func topK[T any](items []T, k int, less func(a, b T) int) []T {
	if k <= 0 {
		return nil
	}
	// h is a max-heap of the k smallest so far: h[0] is the largest.
	h := make([]T, 0, k)
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			j := l
			if r := l + 1; r < len(h) && less(h[r], h[l]) > 0 {
				j = r
			}
			if less(h[j], h[i]) <= 0 {
				return
			}
			h[i], h[j] = h[j], h[i]
			i = j
		}
	}
	for _, it := range items {
		if len(h) < k {
			h = append(h, it)
			for i := len(h) - 1; i > 0; {
				parent := (i - 1) / 2
				if less(h[i], h[parent]) <= 0 {
					break
				}
				h[i], h[parent] = h[parent], h[i]
				i = parent
			}
			continue
		}
		if less(it, h[0]) < 0 {
			h[0] = it
			down(0)
		}
	}
	slices.SortFunc(h, less)
	return h
}

// compile turns f (checked by checkFilter) into a predicate over row ids
// of the copy. Every leaf is true or false, never unknown, so NOT is the
// complement: a creator missing the field matches NOT eq.
func (c *colCache) compile(f *index.Filter) func(id int64) bool {
	switch f.Op {
	case index.OpAnd, index.OpOr:
		subs := make([]func(int64) bool, len(f.Sub))
		for i := range f.Sub {
			subs[i] = c.compile(&f.Sub[i])
		}
		if f.Op == index.OpAnd {
			// Most selective first: most creators are then turned away
			// by one test.
			c.bySelectivity(subs)
			return func(id int64) bool {
				for _, p := range subs {
					if !p(id) {
						return false
					}
				}
				return true
			}
		}
		return func(id int64) bool {
			for _, p := range subs {
				if p(id) {
					return true
				}
			}
			return false
		}
	case index.OpNot:
		sub := c.compile(&f.Sub[0])
		return func(id int64) bool { return !sub(id) }
	}
	i := c.pos[f.Field]
	if c.sch.cols[i].Kind == index.Keyword {
		codes := c.kw[i]
		switch f.Op {
		case index.OpExists:
			return func(id int64) bool { return codes[id] != 0 }
		case index.OpMissing:
			return func(id int64) bool { return codes[id] == 0 }
		}
		// eq or in: the codes of the values some creator ever had.
		var want []uint32
		for _, v := range f.Values {
			if code, ok := c.dict[i].lookup(v); ok && v != "" && !slices.Contains(want, code) {
				want = append(want, code)
			}
		}
		switch len(want) {
		case 0:
			return func(int64) bool { return false }
		case 1:
			w := want[0]
			return func(id int64) bool { return codes[id] == w }
		}
		in := make([]bool, len(c.dict[i].vals))
		for _, code := range want {
			in[code] = true
		}
		return func(id int64) bool { return in[codes[id]] }
	}
	vals := c.num[i]
	switch f.Op {
	case index.OpExists:
		return func(id int64) bool { return vals[id] == vals[id] }
	case index.OpMissing:
		return func(id int64) bool { return vals[id] != vals[id] }
	case index.OpEq:
		x := *f.Min
		return func(id int64) bool { return vals[id] == x }
	}
	// A range; NaN (missing) compares false with either bound.
	lo, hi := math.Inf(-1), math.Inf(1)
	if f.Min != nil {
		lo = *f.Min
	}
	if f.Max != nil {
		hi = *f.Max
	}
	return func(id int64) bool { v := vals[id]; return v >= lo && v <= hi }
}

const pageByKeySQL = `SELECT id FROM creators ORDER BY key LIMIT ? OFFSET ?`

// summariesSQL reads the summaries of creators by row id, given as a JSON
// array (one statement for any number of them).
const summariesSQL = `SELECT id, summary FROM creators WHERE id IN (SELECT value FROM json_each(?))`

// bySelectivity orders predicates by the share of a sample of the
// creators they accept, fewest first.
func (c *colCache) bySelectivity(preds []func(int64) bool) {
	if len(preds) < 2 || c.live == 0 {
		return
	}
	const samples = 256
	var ids []int64
	step := max(1, len(c.keys)/samples)
	for id := 1; id < len(c.keys) && len(ids) < samples; id += step {
		if c.keys[id] != "" {
			ids = append(ids, int64(id))
		}
	}
	counts := make([]int, len(preds))
	for i, p := range preds {
		for _, id := range ids {
			if p(id) {
				counts[i]++
			}
		}
	}
	idx := make([]int, len(preds))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return counts[a] - counts[b] })
	sorted := make([]func(int64) bool, len(preds))
	for i, j := range idx {
		sorted[i] = preds[j]
	}
	copy(preds, sorted)
}

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

// summaries reads and decodes the search summaries of ids, in order.
func (s *Store) summaries(ctx context.Context, tx *sql.Tx, ids []int64) ([]creator.Record, error) {
	hits := make([]creator.Record, len(ids))
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
		if err := json.Unmarshal(doc, &hits[at[id]]); err != nil {
			return nil, fmt.Errorf("decoding hit %d: %w", id, err)
		}
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

func asFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	case []byte:
		f, _ := strconv.ParseFloat(string(x), 64)
		return f
	case string:
		f, _ := strconv.ParseFloat(x, 64)
		return f
	}
	return 0
}

func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}
