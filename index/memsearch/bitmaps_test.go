package memsearch

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/index"
)

// TestBitmapFiltersMatchRows runs varied queries (keyword, existence and
// numeric filters nested in AND, OR and NOT, with and without text, sorts
// and facets) on an Index filtering with bitmaps and on one testing each
// row, over creators written, rewritten and erased across generations, and
// wants the same answers from both.
func TestBitmapFiltersMatchRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	countries := []string{"US", "us", "DE", "FR", "", "JP"}
	niches := []string{"food", "Travel", "travel", "music", "", "art"}
	words := []string{"vegan", "travel", "music", "vinyl", "yoga", "cats", "retro"}
	text := func(k int) string {
		s := ""
		for range k {
			s += words[rng.IntN(len(words))] + " "
		}
		return s
	}
	// handle is a keyword field that is not a facet: tested row by row.
	fields := append(slices.Clone(testFields), index.Field{Name: "handle", Kind: index.Keyword, Filterable: true})
	tags := []string{"a", "B", "b", "", "c"}
	mk := func(id int64) Row {
		var followers any
		if rng.IntN(5) > 0 {
			followers = float64(rng.IntN(1000))
		}
		r := row(id, text(1), text(3), text(8), countries[rng.IntN(len(countries))], niches[rng.IntN(len(niches))], followers)
		var tag any
		if t := tags[rng.IntN(len(tags))]; t != "" {
			tag = t
		}
		r.Values = append(r.Values, tag)
		return r
	}
	leaf := func() index.Filter {
		switch rng.IntN(11) {
		case 9:
			return index.Filter{Op: index.OpIn, Field: "handle", Values: []string{tags[rng.IntN(len(tags))], tags[rng.IntN(len(tags))]}}
		case 10:
			return index.Filter{Op: []string{index.OpExists, index.OpMissing}[rng.IntN(2)], Field: "handle"}
		case 0:
			return index.Filter{Op: index.OpEq, Field: "country", Values: []string{countries[rng.IntN(len(countries)-2)]}}
		case 1:
			return index.Filter{Op: index.OpIn, Field: "niche", Values: []string{niches[rng.IntN(len(niches))], niches[rng.IntN(len(niches))], "nosuch"}}
		case 2:
			return index.Filter{Op: index.OpExists, Field: []string{"country", "niche", "followers"}[rng.IntN(3)]}
		case 3:
			return index.Filter{Op: index.OpMissing, Field: []string{"country", "niche", "followers"}[rng.IntN(3)]}
		case 4:
			v := float64(rng.IntN(1000))
			return index.Filter{Op: index.OpEq, Field: "followers", Min: &v}
		case 5:
			return index.Filter{Op: index.OpIn, Field: "country", Values: []string{"nosuch"}}
		default:
			lo, hi := float64(rng.IntN(500)), float64(500+rng.IntN(500))
			f := index.Filter{Op: index.OpRange, Field: "followers", Min: &lo, Max: &hi}
			if rng.IntN(2) == 0 {
				f.Max = nil
			}
			return f
		}
	}
	var filter func(depth int) *index.Filter
	filter = func(depth int) *index.Filter {
		if depth == 0 || rng.IntN(3) == 0 {
			f := leaf()
			return &f
		}
		switch rng.IntN(3) {
		case 0:
			return &index.Filter{Op: index.OpNot, Sub: []index.Filter{*filter(depth - 1)}}
		case 1:
			return &index.Filter{Op: index.OpOr, Sub: []index.Filter{*filter(depth - 1), *filter(depth - 1)}}
		}
		return &index.Filter{Op: index.OpAnd, Sub: []index.Filter{*filter(depth - 1), *filter(depth - 1), *filter(depth - 1)}}
	}
	s := newStore()
	var rows []Row
	for id := int64(1); id <= 400; id++ {
		rows = append(rows, mk(id))
	}
	s.write(rows...)
	// bits loads on several goroutines, serial on one (the two ways the
	// filter bitmaps are built on a full load).
	bits, serial, byRow := New(fields, WithLoadWorkers(2)), New(fields, WithLoadWorkers(1)), New(fields)
	byRow.rowFilters = true
	texts := []string{"", "", "vegan", "travel mu", "v", "cats yoga", "nosuchword"}
	matched := 0
	for round := range 4 {
		if round > 0 {
			// Rewrite some creators (new document numbers, the old ones
			// dead), erase some, add some.
			var again []Row
			for range 60 {
				again = append(again, mk(1+rng.Int64N(450)))
			}
			s.write(again...)
			s.erase(1+rng.Int64N(400), 1+rng.Int64N(400), 1+rng.Int64N(400))
		}
		for i := range 150 {
			q := index.Query{Text: texts[rng.IntN(len(texts))], Filter: filter(3), Facets: []string{"country", "niche", "followers"}, PerPage: 20, Page: 1 + rng.IntN(2)}
			if rng.IntN(3) == 0 {
				q.Sort = []index.Sort{{Field: "followers", Desc: rng.IntN(2) == 0}}
			}
			want, wantKeys := search(t, byRow, s, q)
			got, gotKeys := search(t, bits, s, q)
			name := fmt.Sprintf("round %d query %d (%q, %+v)", round, i, q.Text, q.Filter)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%s: results differ (-rows +bitmaps):\n%s", name, diff)
			}
			if diff := cmp.Diff(wantKeys, gotKeys); diff != "" {
				t.Fatalf("%s: pages differ (-rows +bitmaps):\n%s", name, diff)
			}
			if got, gotKeys := search(t, serial, s, q); !cmp.Equal(want, got) || !cmp.Equal(wantKeys, gotKeys) {
				t.Fatalf("%s: loaded on one goroutine, the answer differs", name)
			}
			if want.Total > 0 {
				matched++
			}
		}
	}
	if matched < 100 {
		t.Fatalf("only %d of 600 queries matched anything: the test compares too little", matched)
	}
}

// TestBitmapFilterSetIsLive checks that NOT and missing, taken from the
// live documents, leave out creators rewritten or erased since the load.
func TestBitmapFilterSetIsLive(t *testing.T) {
	s := newStore()
	s.write(row(1, "a", "", "", "US", "food", 1.0), row(2, "b", "", "", "DE", "", nil), row(3, "c", "", "", "", "art", 2.0))
	x := New(testFields)
	search(t, x, s, index.Query{})
	s.write(row(1, "a", "", "", "FR", "food", 1.0)) // was US: its old document must not match
	s.erase(3)
	for _, c := range []struct {
		f    index.Filter
		want []string
	}{
		{index.Filter{Op: index.OpNot, Sub: []index.Filter{{Op: index.OpEq, Field: "country", Values: []string{"DE"}}}}, []string{"k001"}},
		{index.Filter{Op: index.OpEq, Field: "country", Values: []string{"us"}}, nil},
		{index.Filter{Op: index.OpMissing, Field: "niche"}, []string{"k002"}},
		{index.Filter{Op: index.OpExists, Field: "followers"}, []string{"k001"}},
	} {
		res, keys := search(t, x, s, index.Query{Filter: &c.f})
		if res.Total != len(c.want) || !slices.Equal(keys, c.want) {
			t.Errorf("%+v: total %d, keys %v; want %v", c.f, res.Total, keys, c.want)
		}
	}
}
