package memsearch

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// Plan is a query checked against the Index's fields, ready to run on any
// View of it. It is safe for concurrent use.
type Plan struct {
	words         []string // the folded words of the text
	ranked        bool     // ordered by relevance
	filter        *index.Filter
	facets        []int // positions of the facet fields, each once
	sorts         []sortKey
	limit, offset int
}

type sortKey struct {
	pos  int
	desc bool
}

// Plan checks q (normalised by q.Normalize) against x's fields: an unknown
// field, or one that does not take the facet, sort or filter asked of it,
// is an error wrapping creator.ErrInvalid that names it.
func (x *Index) Plan(q *index.Query) (*Plan, error) {
	p := &Plan{filter: q.Filter, limit: q.PerPage, offset: (q.Page - 1) * q.PerPage}
	seen := map[int]bool{}
	for _, name := range q.Facets {
		i, ok := x.pos[name]
		if !ok || !x.fields[i].Facet {
			return nil, fmt.Errorf("%w: facets: %q is not a facet field", creator.ErrInvalid, name)
		}
		if !seen[i] {
			seen[i] = true
			p.facets = append(p.facets, i)
		}
	}
	for _, so := range q.Sort {
		i, ok := x.pos[so.Field]
		if !ok || !x.fields[i].Sortable {
			return nil, fmt.Errorf("%w: sort: %q is not a sortable field", creator.ErrInvalid, so.Field)
		}
		p.sorts = append(p.sorts, sortKey{i, so.Desc})
	}
	if q.Filter != nil {
		if err := x.checkFilter(q.Filter); err != nil {
			return nil, err
		}
	}
	p.words = QueryWords(q.Text, index.MaxTextWords)
	p.ranked = len(p.words) > 0 && len(p.sorts) == 0
	return p, nil
}

// checkFilter checks every field and operator of f against the fields.
func (x *Index) checkFilter(f *index.Filter) error {
	switch f.Op {
	case index.OpAnd, index.OpOr, index.OpNot:
		for i := range f.Sub {
			if err := x.checkFilter(&f.Sub[i]); err != nil {
				return err
			}
		}
		return nil
	}
	i, ok := x.pos[f.Field]
	if !ok || !x.fields[i].Filterable {
		return fmt.Errorf("%w: %s: not a filterable field", creator.ErrInvalid, f.Field)
	}
	kind := x.fields[i].Kind
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

// Search runs p: the total, facet counts and stats of its matches (Hits
// left empty), and the row ids of its page in order. The page is nil when
// p has no text, filter or sort: the store then orders all creators by key
// itself, which its key index does without reading them all.
func (v *View) Search(p *Plan) (*index.Result, []int64) {
	x := v.x
	c := &x.cols
	res := &index.Result{}
	var filter docFilter
	switch {
	case p.filter == nil:
	case x.rowFilters:
		filter.pred = x.compile(p.filter)
	default:
		filter = x.splitFilter(p.filter)
	}
	pred := filter.pred
	everything := p.words == nil && p.filter == nil
	// The matches, with their ranks (lower is better) when ranked.
	var ids []int64
	var ranks []float64
	switch {
	case p.words != nil:
		text := x.text.intersect(p.words, p.ranked, filter.set, filter.narrow)
		ids = make([]int64, 0, len(text.docs))
		if p.ranked {
			ranks = make([]float64, 0, len(text.docs))
		}
		for i, d := range text.docs {
			id := x.text.rowOf[d]
			if pred != nil && !pred(id) {
				continue
			}
			ids = append(ids, id)
			if p.ranked {
				ranks = append(ranks, -float64(text.score[i]))
			}
		}
	case filter.set != nil || filter.narrow != nil:
		// The live documents of the set (and within the range bitmaps),
		// by document number.
		narrow := filter.narrow
		set := filter.set
		if set == nil {
			set, narrow = narrow[0], narrow[1:]
		}
		docs := roaring.And(x.text.live, set)
		for _, n := range narrow {
			docs.And(n)
		}
		ids = make([]int64, 0, docs.GetCardinality())
		it := docs.Iterator()
		for it.HasNext() {
			id := x.text.rowOf[it.Next()]
			if pred == nil || pred(id) {
				ids = append(ids, id)
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
		return res, nil
	}
	return res, c.order(p, ids, ranks)
}

// facets counts the keyword facets and computes the numeric stats of the
// matches (of all creators when everything).
func (c *columns) facets(res *index.Result, facets []int, ids []int64, everything bool) {
	for _, i := range facets {
		f := &c.fields[i]
		if f.Kind == index.Keyword {
			if res.Facets == nil {
				res.Facets = map[string]map[string]int{}
			}
			d := c.dicts[i]
			counts := d.n
			if !everything {
				counts = make([]int, len(d.vals))
				codes := c.codes[i]
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
			res.Facets[f.Name] = m
			continue
		}
		if res.Stats == nil {
			res.Stats = map[string]index.Stat{}
		}
		vals := c.nums[i]
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
			res.Stats[f.Name] = index.Stat{Min: lo, Max: hi}
		}
	}
}

// order returns the row ids of the page of p among ids (with ranks when
// ranked): by the sort fields (missing values last), or by relevance, then
// by key.
func (c *columns) order(p *Plan, ids []int64, ranks []float64) []int64 {
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
func (c *columns) compareField(sk sortKey, a, b int64) int {
	if c.fields[sk.pos].Kind == index.Keyword {
		codes, d := c.codes[sk.pos], c.dicts[sk.pos]
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
	vals := c.nums[sk.pos]
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

// compile turns f (checked by checkFilter) into a predicate over row ids.
// Every leaf is true or false, never unknown, so NOT is the complement: a
// creator missing the field matches NOT eq.
func (x *Index) compile(f *index.Filter) func(id int64) bool {
	c := &x.cols
	switch f.Op {
	case index.OpAnd, index.OpOr:
		subs := make([]func(int64) bool, len(f.Sub))
		for i := range f.Sub {
			subs[i] = x.compile(&f.Sub[i])
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
		sub := x.compile(&f.Sub[0])
		return func(id int64) bool { return !sub(id) }
	}
	i := x.pos[f.Field]
	if c.fields[i].Kind == index.Keyword {
		codes := c.codes[i]
		switch f.Op {
		case index.OpExists:
			return func(id int64) bool { return codes[id] != 0 }
		case index.OpMissing:
			return func(id int64) bool { return codes[id] == 0 }
		}
		// eq or in: the codes of the values some creator ever had.
		var want []uint32
		for _, v := range f.Values {
			if code, ok := c.dicts[i].lookup(v); ok && v != "" && !slices.Contains(want, code) {
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
		in := make([]bool, len(c.dicts[i].vals))
		for _, code := range want {
			in[code] = true
		}
		return func(id int64) bool { return in[codes[id]] }
	}
	vals := c.nums[i]
	switch f.Op {
	case index.OpExists:
		return func(id int64) bool { return vals[id] == vals[id] }
	case index.OpMissing:
		return func(id int64) bool { return vals[id] != vals[id] }
	case index.OpEq:
		v := *f.Min
		return func(id int64) bool { return vals[id] == v }
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

// bySelectivity orders predicates by the share of a sample of the
// creators they accept, fewest first.
func (c *columns) bySelectivity(preds []func(int64) bool) {
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
