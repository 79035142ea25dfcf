package memsearch

import (
	"encoding/binary"
	"math"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/creatorscout/scout/index"
)

// Filter bitmaps: for each keyword facet field, the document numbers (as the
// postings number them) of the creators having each value, and for every
// field those having any value. A filter over keyword values, existence
// and their AND, OR and NOT is then a few bitmap operations, intersected
// with the text's matches before they are read out, instead of a test of
// each match; numeric comparisons, and the values of keyword fields that
// are not facets (a handle, a profile URL: one creator each, which would
// take a bitmap per creator), stay tests of each row, made only on what
// the bitmaps let through.
//
// The bitmaps are only ever added to: a row set again gets a new document
// number, and the old one leaves the postings' live set, which every use
// intersects with (the text's matches are live; NOT and missing are taken
// from the live set). They are emptied with the postings on a full load.

// filterBitmaps are the filter bitmaps of an Index.
type filterBitmaps struct {
	vals [][]*roaring.Bitmap // by field, by keyword code (from 1); nil but for keyword facet fields
	has  []*roaring.Bitmap   // by field: documents having a value
	// ranges are, by numeric field, bitmaps narrowing a range filter
	// (rangeBits); built when a search first filters the field by range,
	// nil before.
	ranges  []atomic.Pointer[rangeBits]
	rangeMu *sync.Mutex // held while building one (searches hold only the read lock)
	unions  *unionCache // joins of keyword values' bitmaps, until the next load
}

// Range bitmaps: for a numeric field, the documents whose value is at
// least each of a few bounds (quantiles of the values when built). A range
// filter's matches are within the bitmap of the largest bound at or below
// its minimum, less that of the smallest bound above its maximum: the
// text's matches are narrowed to that before they are read out, and the
// row test, kept for exactness, then runs on the few let through (a
// follower floor, the API's commonest filter, otherwise tested every
// match of the text). The narrowing is applied after the text's words are
// intersected, not joined to the filter's set before: intersecting a
// word's list with a set of sparse documents costs more than with a dense
// one, and the text's matches are fewer than the range's.

// rangeBounds is how many evenly spaced quantiles of a numeric field's
// values are bounds of its range bitmaps: a range then lets through at
// most about 1/rangeBounds of all creators more than it matches. Values
// such as follower counts have long tails, where floors are set (10,000
// followers is the top 1% here): bounds at the top and bottom 1/2^j
// (rangeTail of them each side, from 1/32) keep a filter on a tail as
// narrow, relative to what it matches.
const (
	rangeBounds = 16
	rangeTail   = 8
)

// rangeBits are the range bitmaps of one numeric field.
type rangeBits struct {
	bounds []float64         // increasing
	ge     []*roaring.Bitmap // ge[k]: documents with a value >= bounds[k]
}

func newFilterBitmaps(n int) filterBitmaps {
	b := filterBitmaps{vals: make([][]*roaring.Bitmap, n), has: make([]*roaring.Bitmap, n), ranges: make([]atomic.Pointer[rangeBits], n), rangeMu: new(sync.Mutex), unions: &unionCache{}}
	b.reset()
	return b
}

func (b *filterBitmaps) reset() {
	for i := range b.has {
		b.has[i] = roaring.New()
		b.vals[i] = b.vals[i][:0]
		b.ranges[i].Store(nil)
	}
}

// rangeOf returns the range bitmaps of numeric field i, building them
// from the columns the first time. The Index must be locked (for reading
// at least).
func (b *filterBitmaps) rangeOf(c *columns, docOf []uint32, i int) *rangeBits {
	if r := b.ranges[i].Load(); r != nil {
		return r
	}
	b.rangeMu.Lock()
	defer b.rangeMu.Unlock()
	if r := b.ranges[i].Load(); r != nil {
		return r
	}
	vals := c.nums[i]
	var sorted []float64
	for id := 1; id < len(c.keys); id++ {
		if v := vals[id]; c.keys[id] != "" && v == v {
			sorted = append(sorted, v)
		}
	}
	slices.Sort(sorted)
	r := &rangeBits{}
	if n := len(sorted); n > 0 {
		var at []int // ranks in sorted
		for k := range rangeBounds {
			at = append(at, k*n/rangeBounds)
		}
		for j := 5; j < 5+rangeTail; j++ {
			at = append(at, n>>j, n-1-n>>j)
		}
		slices.Sort(at)
		for _, k := range at {
			if v := sorted[k]; len(r.bounds) == 0 || v > r.bounds[len(r.bounds)-1] {
				r.bounds = append(r.bounds, v)
			}
		}
	}
	lists := make([][]uint32, len(r.bounds))
	for id := 1; id < len(c.keys); id++ {
		if v := vals[id]; c.keys[id] != "" && v == v {
			for k := 0; k < len(r.bounds) && r.bounds[k] <= v; k++ {
				lists[k] = append(lists[k], docOf[id])
			}
		}
	}
	r.ge = make([]*roaring.Bitmap, len(r.bounds))
	for k, l := range lists {
		r.ge[k] = roaring.New()
		r.ge[k].AddMany(l)
	}
	b.ranges[i].Store(r)
	return r
}

// superset returns documents including every one with a value in
// [lo, hi] (nil: unbounded), and only documents having a value: nil when
// that is all of has.
func (r *rangeBits) superset(has *roaring.Bitmap, lo, hi *float64) *roaring.Bitmap {
	var set *roaring.Bitmap
	if lo != nil {
		// The largest bound at or below lo.
		if k := sort.SearchFloat64s(r.bounds, math.Nextafter(*lo, math.Inf(1))) - 1; k >= 0 {
			set = r.ge[k]
		}
	}
	if hi != nil {
		// The smallest bound above hi.
		if k := sort.SearchFloat64s(r.bounds, math.Nextafter(*hi, math.Inf(1))); k < len(r.bounds) {
			if set == nil {
				set = has
			}
			return roaring.AndNot(set, r.ge[k])
		}
	}
	return set
}

// mark adds document d, the current one of row id, to the bitmaps of the
// row's values in c.
func (b *filterBitmaps) mark(c *columns, d uint32, id int64) {
	for i, f := range c.fields {
		if f.Kind == index.Keyword {
			code := c.codes[i][id]
			if code == 0 {
				continue
			}
			if !f.Facet {
				b.has[i].Add(d)
				continue
			}
			for int(code) >= len(b.vals[i]) {
				b.vals[i] = append(b.vals[i], nil)
			}
			if b.vals[i][code] == nil {
				b.vals[i][code] = roaring.New()
			}
			b.vals[i][code].Add(d)
		} else if v := c.nums[i][id]; v != v {
			continue
		} else if r := b.ranges[i].Load(); r != nil {
			for k := 0; k < len(r.bounds) && r.bounds[k] <= v; k++ {
				r.ge[k].Add(d)
			}
		}
		b.has[i].Add(d)
	}
}

// markAll adds the current document of every row in c (after a full load,
// all of them new) to the bitmaps of its values, a field at a time, many
// documents per bitmap at once.
func (b *filterBitmaps) markAll(c *columns, docOf []uint32) {
	for i, f := range c.fields {
		var per [][]uint32 // by keyword code
		if f.Kind == index.Keyword && f.Facet {
			per = make([][]uint32, len(c.dicts[i].vals))
		}
		var has []uint32
		for id := 1; id < len(c.keys); id++ {
			if c.keys[id] == "" {
				continue
			}
			d := docOf[id]
			if f.Kind == index.Keyword {
				code := c.codes[i][id]
				if code == 0 {
					continue
				}
				if per != nil {
					per[code] = append(per[code], d)
				}
			} else if v := c.nums[i][id]; v != v {
				continue
			}
			has = append(has, d)
		}
		b.has[i].AddMany(has)
		for code, docs := range per {
			if len(docs) == 0 {
				continue
			}
			for code >= len(b.vals[i]) {
				b.vals[i] = append(b.vals[i], nil)
			}
			if b.vals[i][code] == nil {
				b.vals[i][code] = roaring.New()
			}
			b.vals[i][code].AddMany(docs)
		}
	}
}

// bytes is about how much memory the bitmaps take.
func (b *filterBitmaps) bytes() int {
	n := 0
	for i, h := range b.has {
		n += int(h.GetSizeInBytes())
		for _, v := range b.vals[i] {
			if v != nil {
				n += 48 + int(v.GetSizeInBytes())
			}
		}
	}
	return n
}

// docFilter is a filter split for running: a set of document numbers the
// matches must be in (nil: no such restriction) and a test of each
// remaining row (nil: none).
type docFilter struct {
	set  *roaring.Bitmap
	pred func(id int64) bool
	// narrow are supersets of the matches of pred's range tests (range
	// bitmaps), to intersect the matches with before pred tests them.
	narrow []*roaring.Bitmap
}

// splitFilter splits f (checked by checkFilter) into the part bitmaps can
// answer and the rest. The set it returns may be one of the Index's own
// bitmaps: it must not be changed.
func (x *Index) splitFilter(f *index.Filter) docFilter {
	if set, ok := x.filterSet(f); ok {
		return docFilter{set: set}
	}
	if f.Op != index.OpAnd {
		out := docFilter{pred: x.compile(f)}
		if n := x.rangeSet(f); n != nil {
			out.narrow = append(out.narrow, n)
		}
		return out
	}
	var sets []*roaring.Bitmap
	var rest []index.Filter
	var out docFilter
	for i := range f.Sub {
		if set, ok := x.filterSet(&f.Sub[i]); ok {
			sets = append(sets, set)
		} else {
			if n := x.rangeSet(&f.Sub[i]); n != nil {
				out.narrow = append(out.narrow, n)
			}
			rest = append(rest, f.Sub[i])
		}
	}
	switch len(sets) {
	case 0:
	case 1:
		out.set = sets[0]
	default:
		out.set = roaring.FastAnd(sets...)
	}
	switch len(rest) {
	case 0:
	case 1:
		out.pred = x.compile(&rest[0])
	default:
		out.pred = x.compile(&index.Filter{Op: index.OpAnd, Sub: rest})
	}
	return out
}

// rangeSet returns a superset of the documents matching f (from the range
// bitmaps) when f is a range of a numeric field that narrows anything,
// else nil.
func (x *Index) rangeSet(f *index.Filter) *roaring.Bitmap {
	if f.Op != index.OpRange {
		return nil
	}
	i := x.pos[f.Field]
	if x.fields[i].Kind != index.Numeric {
		return nil
	}
	r := x.bits.rangeOf(&x.cols, x.text.docOf, i)
	return r.superset(x.bits.has[i], f.Min, f.Max)
}

// filterSet returns the documents matching f when bitmaps alone can tell
// (every leaf a keyword test or an existence test), else false. The set
// holds live documents only where it is taken from the live set (NOT,
// missing); callers intersect it with live matches.
func (x *Index) filterSet(f *index.Filter) (*roaring.Bitmap, bool) {
	b := &x.bits
	switch f.Op {
	case index.OpAnd, index.OpOr:
		sets := make([]*roaring.Bitmap, len(f.Sub))
		for i := range f.Sub {
			s, ok := x.filterSet(&f.Sub[i])
			if !ok {
				return nil, false
			}
			sets[i] = s
		}
		switch {
		case len(sets) == 1:
			return sets[0], true
		case f.Op == index.OpAnd:
			return roaring.FastAnd(sets...), true
		}
		return roaring.FastOr(sets...), true
	case index.OpNot:
		s, ok := x.filterSet(&f.Sub[0])
		if !ok {
			return nil, false
		}
		return roaring.AndNot(x.text.live, s), true
	}
	i := x.pos[f.Field]
	switch f.Op {
	case index.OpExists:
		return b.has[i], true
	case index.OpMissing:
		return roaring.AndNot(x.text.live, b.has[i]), true
	}
	if x.fields[i].Kind != index.Keyword || !x.fields[i].Facet {
		return nil, false
	}
	// eq or in: the bitmaps of the values some creator ever had.
	var want []uint32
	for _, v := range f.Values {
		if code, ok := x.cols.dicts[i].lookup(v); ok && v != "" && !slices.Contains(want, code) {
			want = append(want, code)
		}
	}
	var sets []*roaring.Bitmap
	for _, code := range want {
		if int(code) < len(b.vals[i]) && b.vals[i][code] != nil {
			sets = append(sets, b.vals[i][code])
		}
	}
	switch len(sets) {
	case 0:
		return roaring.New(), true
	case 1:
		return sets[0], true
	}
	slices.Sort(want)
	key := make([]byte, 0, 4*(len(want)+1))
	for _, v := range append([]uint32{uint32(i)}, want...) {
		key = binary.LittleEndian.AppendUint32(key, v)
	}
	return b.unions.get(string(key), func() *roaring.Bitmap { return roaring.FastOr(sets...) }), true
}

// unionCache keeps the joins of several values' bitmaps that In filters
// asked for (a platform filter of two platforms, say), until the next
// load: the same few joins come back in search after search.
type unionCache struct {
	mu sync.Mutex
	m  map[string]*roaring.Bitmap
}

// unionCacheSize is how many joins are kept; beyond it, none is added.
const unionCacheSize = 256

// get returns the join under key, making it with join when not kept.
func (c *unionCache) get(key string, join func() *roaring.Bitmap) *roaring.Bitmap {
	c.mu.Lock()
	u, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return u
	}
	u = join()
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]*roaring.Bitmap{}
	}
	if len(c.m) < unionCacheSize {
		c.m[key] = u
	}
	c.mu.Unlock()
	return u
}

// reset empties c. The Index must be locked for writing.
func (c *unionCache) reset() { c.m = nil }
