package sqlite

import (
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/creatorscout/scout/index"
)

// Filter tags. Every creator's filterable values are also written to the
// text index, as one word each in its tags column, so that a query can
// narrow its candidates there: FTS5 intersects word lists far faster than
// SQL looks rows up one by one. A keyword value becomes one word; a number
// becomes the word of its bucket (one per power of two), and a range the
// words of the buckets it spans. Tags only narrow: the full filter is still
// applied to the matching rows in SQL, so a tag that matches too much (a
// hash collision, a partly covered bucket) changes no answer.

// maxTagWords bounds how many words one filter operand may become; an
// operand that would need more is left to SQL alone.
const maxTagWords = 32

// fieldCode is a short word-safe code for a field name.
func fieldCode(name string) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	return "x" + strconv.FormatUint(uint64(h.Sum32()), 36)
}

// keywordTag is the tag of a keyword value; values equal but for case
// share it.
func keywordTag(field, value string) string {
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(value)))
	return fieldCode(field) + "k" + strconv.FormatUint(h.Sum64(), 16)
}

// bucket maps v to its bucket: the sign and exponent of v, in the order of
// the numbers (-0 and +0 share one).
func bucket(v float64) uint64 {
	if v == 0 {
		v = 0
	}
	b := math.Float64bits(v)
	if b>>63 == 1 {
		b = ^b
	} else {
		b |= 1 << 63
	}
	return b >> 52
}

func numberTag(field string, b uint64) string {
	return fieldCode(field) + "n" + strconv.FormatUint(b, 16)
}

// tagsOf returns the tags of a creator's field values (in schema order).
func tagsOf(sch *schema, vals []any) string {
	var b strings.Builder
	for i, c := range sch.cols {
		if !c.Filterable || vals[i] == nil {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if c.Kind == index.Keyword {
			b.WriteString(keywordTag(c.Name, vals[i].(string)))
		} else {
			b.WriteString(numberTag(c.Name, bucket(vals[i].(float64))))
		}
	}
	return b.String()
}

// narrowing is what a query knows about the data when choosing tags: the
// number of creators, the counts of keyword values and of numeric values
// by bucket.
type narrowing struct {
	total   int
	counts  map[string]map[string]int // keyword field -> lower-cased value -> count
	buckets map[string]map[uint64]int // numeric field -> bucket -> count
}

// maxTagShare is the largest share of all creators an operand may match
// and still be worth narrowing by: intersecting long word lists costs more
// than it saves.
const maxTagShare = 0.3

// tagQuery returns the FTS5 expression that narrows f's candidates, ""
// when none of its operands is worth it. Only the operands of a top-level
// AND (or f itself) are used: equality, membership and ranges.
func (s *Store) tagQuery(f *index.Filter, nw *narrowing) string {
	var parts []string
	var walk func(f *index.Filter)
	walk = func(f *index.Filter) {
		if f.Op == index.OpAnd {
			for i := range f.Sub {
				walk(&f.Sub[i])
			}
			return
		}
		if words := s.tagWords(f, nw); len(words) > 0 {
			parts = append(parts, "tags : ("+strings.Join(words, " OR ")+")")
		}
	}
	walk(f)
	return strings.Join(parts, " AND ")
}

func (s *Store) tagWords(f *index.Filter, nw *narrowing) []string {
	c := s.schema.byName[f.Field]
	if c == nil || !c.Filterable {
		return nil
	}
	quote := func(w string) string { return `"` + w + `"` }
	switch {
	case f.Op == index.OpEq && c.Kind == index.Keyword, f.Op == index.OpIn && c.Kind == index.Keyword:
		if len(f.Values) > maxTagWords {
			return nil
		}
		n := 0
		var words []string
		seen := map[string]bool{}
		for _, v := range f.Values {
			lv := strings.ToLower(v)
			if seen[lv] {
				continue
			}
			seen[lv] = true
			n += nw.counts[c.Name][lv]
			words = append(words, quote(keywordTag(c.Name, v)))
		}
		if nw.total > 0 && float64(n) > maxTagShare*float64(nw.total) {
			return nil
		}
		return words
	case f.Op == index.OpEq && c.Kind == index.Numeric:
		b := bucket(*f.Min)
		if nw.total > 0 && float64(nw.buckets[c.Name][b]) > maxTagShare*float64(nw.total) {
			return nil
		}
		return []string{quote(numberTag(c.Name, b))}
	case f.Op == index.OpRange && c.Kind == index.Numeric:
		blo, bhi := uint64(0), uint64(math.MaxUint64)
		if f.Min != nil {
			blo = bucket(*f.Min)
		}
		if f.Max != nil {
			bhi = bucket(*f.Max)
		}
		// The buckets that hold values, in order.
		var bs []uint64
		n := 0
		for b, k := range nw.buckets[c.Name] {
			if b >= blo && b <= bhi && k > 0 {
				bs = append(bs, b)
				n += k
			}
		}
		if len(bs) > maxTagWords || nw.total > 0 && float64(n) > maxTagShare*float64(nw.total) {
			return nil
		}
		if len(bs) == 0 { // no value in range: a word no creator has
			return []string{quote(numberTag(c.Name, blo))}
		}
		slices.Sort(bs)
		words := make([]string, len(bs))
		for i, b := range bs {
			words[i] = quote(numberTag(c.Name, b))
		}
		return words
	}
	return nil
}
