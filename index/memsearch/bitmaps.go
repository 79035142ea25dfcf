package memsearch

import (
	"slices"

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
}

func newFilterBitmaps(n int) filterBitmaps {
	b := filterBitmaps{vals: make([][]*roaring.Bitmap, n), has: make([]*roaring.Bitmap, n)}
	b.reset()
	return b
}

func (b *filterBitmaps) reset() {
	for i := range b.has {
		b.has[i] = roaring.New()
		b.vals[i] = b.vals[i][:0]
	}
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
}

// splitFilter splits f (checked by checkFilter) into the part bitmaps can
// answer and the rest. The set it returns may be one of the Index's own
// bitmaps: it must not be changed.
func (x *Index) splitFilter(f *index.Filter) docFilter {
	if set, ok := x.filterSet(f); ok {
		return docFilter{set: set}
	}
	if f.Op != index.OpAnd {
		return docFilter{pred: x.compile(f)}
	}
	var sets []*roaring.Bitmap
	var rest []index.Filter
	for i := range f.Sub {
		if set, ok := x.filterSet(&f.Sub[i]); ok {
			sets = append(sets, set)
		} else {
			rest = append(rest, f.Sub[i])
		}
	}
	var out docFilter
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
	return roaring.FastOr(sets...), true
}
