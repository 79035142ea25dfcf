package memsearch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/index"
)

var testFields = []index.Field{
	{Name: "country", Kind: index.Keyword, Filterable: true, Facet: true},
	{Name: "niche", Kind: index.Keyword, Filterable: true, Facet: true, Sortable: true},
	{Name: "followers", Kind: index.Numeric, Filterable: true, Facet: true, Sortable: true},
}

// store is a Source kept in memory: rows stamped with the generation that
// wrote them, erasures with the one that erased them.
type store struct {
	gen    int64
	rows   map[int64]stored
	erased map[int64]int64 // row id -> generation
	loads  int             // full loads asked for
	fail   error           // returned by the next Rows
}

type stored struct {
	row Row
	gen int64
}

func newStore() *store { return &store{rows: map[int64]stored{}, erased: map[int64]int64{}} }

// write stores rows in one new generation.
func (s *store) write(rows ...Row) {
	s.gen++
	for _, r := range rows {
		delete(s.erased, r.ID)
		s.rows[r.ID] = stored{r, s.gen}
	}
}

func (s *store) erase(ids ...int64) {
	s.gen++
	for _, id := range ids {
		delete(s.rows, id)
		s.erased[id] = s.gen
	}
}

func (s *store) Erased(_ context.Context, since int64, fn func(int64)) error {
	for id, g := range s.erased {
		if g > since {
			fn(id)
		}
	}
	return nil
}

func (s *store) Rows(_ context.Context, since int64, fn func(*Row) error) error {
	if err := s.fail; err != nil {
		s.fail = nil
		return err
	}
	if since < 0 {
		s.loads++
	}
	ids := make([]int64, 0, len(s.rows))
	for id := range s.rows {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if r := s.rows[id]; r.gen > since {
			if err := fn(&r.row); err != nil {
				return err
			}
		}
	}
	return nil
}

func row(id int64, name, bio, posts, country, niche string, followers any) Row {
	var c, n any
	if country != "" {
		c = country
	}
	if niche != "" {
		n = []byte(niche)
	}
	return Row{ID: id, Key: fmt.Sprintf("k%03d", id), Text: Text{Name: name, Handle: fmt.Sprintf("h%d.example", id), Bio: bio, Posts: posts},
		Values: []any{c, n, followers}}
}

// search acquires x at the store's generation and runs q.
func search(t *testing.T, x *Index, s *store, q index.Query) (*index.Result, []string) {
	t.Helper()
	return searchFrom(t, x, s, s, q)
}

func TestSearch(t *testing.T) {
	s := newStore()
	s.write(
		row(1, "Vegan Chef", "cooking", "pasta tonight", "DE", "food", int64(500)),
		row(2, "Maria", "vegan recipes and more", "", "de", "food", 1200.0),
		row(3, "Bob", "travel", "vegetables are vegan", "FR", "travel", nil),
		row(4, "Zoë Café", "", "", "", "", int64(10)),
	)
	x := New(testFields)
	ten := 10.0
	for _, tt := range []struct {
		name     string
		q        index.Query
		total    int
		page     []string
		facets   map[string]map[string]int
		noFacets bool
		stats    map[string]index.Stat
	}{
		{name: "text ranks name over bio over posts", q: index.Query{Text: "vegan"}, total: 3, page: []string{"k001", "k002", "k003"}},
		{name: "last word is a prefix", q: index.Query{Text: "veg"}, total: 3, page: []string{"k001", "k002", "k003"}},
		{name: "folded", q: index.Query{Text: "ZOE cafe"}, total: 1, page: []string{"k004"}},
		{name: "every word must match", q: index.Query{Text: "vegan travel"}, total: 1, page: []string{"k003"}},
		{name: "handle words", q: index.Query{Text: "h2 example"}, total: 1, page: []string{"k002"}},
		{name: "filter folds ASCII case", q: index.Query{Filter: &index.Filter{Op: index.OpEq, Field: "country", Values: []string{"de"}}, Facets: []string{"country"}},
			total: 2, page: []string{"k001", "k002"}, facets: map[string]map[string]int{"country": {"DE": 2}}},
		{name: "not matches the missing", q: index.Query{Filter: &index.Filter{Op: index.OpNot, Sub: []index.Filter{{Op: index.OpEq, Field: "niche", Values: []string{"food"}}}}},
			total: 2, page: []string{"k003", "k004"}},
		{name: "range and stats", q: index.Query{Filter: &index.Filter{Op: index.OpRange, Field: "followers", Min: &ten}, Facets: []string{"followers", "niche"}},
			total: 3, page: []string{"k001", "k002", "k004"}, facets: map[string]map[string]int{"niche": {"food": 2}},
			stats: map[string]index.Stat{"followers": {Min: 10, Max: 1200}}},
		{name: "sort desc, missing last", q: index.Query{Sort: []index.Sort{{Field: "followers", Desc: true}}}, total: 4, page: []string{"k002", "k001", "k004", "k003"}},
		{name: "everything: the store orders", q: index.Query{Facets: []string{"country"}}, total: 4,
			facets: map[string]map[string]int{"country": {"DE": 2, "FR": 1}}},
		{name: "second page", q: index.Query{Text: "vegan", PerPage: 2, Page: 2}, total: 3, page: []string{"k003"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, page := search(t, x, s, tt.q)
			if res.Total != tt.total || !slices.Equal(page, tt.page) {
				t.Errorf("total %d, page %q; want %d, %q", res.Total, page, tt.total, tt.page)
			}
			if diff := cmp.Diff(tt.facets, res.Facets); diff != "" {
				t.Errorf("facets (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.stats, res.Stats); diff != "" {
				t.Errorf("stats (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlanRejectsFields(t *testing.T) {
	x := New(testFields)
	for name, q := range map[string]index.Query{
		"unknown facet":    {Facets: []string{"nope"}},
		"not sortable":     {Sort: []index.Sort{{Field: "country"}}},
		"unknown filter":   {Filter: &index.Filter{Op: index.OpEq, Field: "nope", Values: []string{"x"}}},
		"range on keyword": {Filter: &index.Filter{Op: index.OpRange, Field: "country"}},
	} {
		if _, err := x.Plan(&q); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestAcquireFollowsGenerations checks that the index reads only what
// changed, answers at the generation asked for, and refuses an older one.
func TestAcquireFollowsGenerations(t *testing.T) {
	s := newStore()
	s.write(row(1, "alpha", "", "", "DE", "", nil), row(2, "beta", "", "", "DE", "", nil))
	x := New(testFields)
	de := &index.Filter{Op: index.OpEq, Field: "country", Values: []string{"DE"}}
	if res, _ := search(t, x, s, index.Query{Filter: de}); res.Total != 2 {
		t.Fatalf("total %d, want 2", res.Total)
	}
	old := s.gen
	s.write(row(2, "beta", "", "", "FR", "", nil), row(3, "gamma", "", "", "DE", "", nil))
	s.erase(1)
	if res, page := search(t, x, s, index.Query{Filter: de}); res.Total != 1 || page[0] != "k003" {
		t.Errorf("after changes: total %d, page %q; want k003 alone", res.Total, page)
	}
	if res, _ := search(t, x, s, index.Query{Text: "alpha"}); res.Total != 0 {
		t.Errorf("an erased row still matches its words")
	}
	if s.loads != 1 {
		t.Errorf("%d full loads, want 1: changes must be read alone", s.loads)
	}
	if x.Gen() != s.gen {
		t.Errorf("index at generation %d, want %d", x.Gen(), s.gen)
	}
	if _, err := x.Acquire(context.Background(), old, s); !errors.Is(err, ErrStale) {
		t.Errorf("Acquire at an older generation: %v, want ErrStale", err)
	}
}

// TestFailedLoadLoadsWhole checks that a load cut short leaves the index
// to be loaded whole, not half updated.
func TestFailedLoadLoadsWhole(t *testing.T) {
	s := newStore()
	s.write(row(1, "alpha", "", "", "", "", nil))
	x := New(testFields)
	search(t, x, s, index.Query{})
	s.write(row(2, "beta", "", "", "", "", nil))
	s.fail = errors.New("disk on fire")
	if _, err := x.Acquire(context.Background(), s.gen, s); err == nil {
		t.Fatal("no error from a failed load")
	}
	if res, _ := search(t, x, s, index.Query{Text: "beta"}); res.Total != 1 {
		t.Errorf("after a failed load, beta matches %d, want 1", res.Total)
	}
	if s.loads != 2 {
		t.Errorf("%d full loads, want 2", s.loads)
	}
}

// TestRewritesReload writes the same rows over and over, as rescans do,
// until dead document numbers outnumber live ones many times over: the
// index must load everything afresh and keep answering right.
func TestRewritesReload(t *testing.T) {
	defer func(was int) { minDead = was }(minDead)
	minDead = 3000
	s := newStore()
	x := New(testFields)
	const n = 500
	for round := range 30 {
		var rows []Row
		for i := range n {
			rows = append(rows, row(int64(i+1), "name", fmt.Sprintf("round%d word%d", round, i%7), "", "", "", nil))
		}
		s.write(rows...)
		if res, _ := search(t, x, s, index.Query{Text: fmt.Sprintf("round%d word3", round), PerPage: 1}); res.Total != (n+6-3)/7 {
			t.Fatalf("round %d: %d rows match, want %d", round, res.Total, (n+6-3)/7)
		}
		if res, _ := search(t, x, s, index.Query{Text: fmt.Sprintf("round%d", max(round-1, 0))}); round > 0 && res.Total != 0 {
			t.Fatalf("round %d: the previous round's words still match %d rows", round, res.Total)
		}
	}
	if docs := len(x.text.rowOf) - 1; docs > 3*n+minDead {
		t.Errorf("%d document numbers for %d rows: the index was never loaded afresh", docs, n)
	}
	if s.loads < 2 {
		t.Errorf("%d full loads, want more than one", s.loads)
	}
}

// TestParallelLoadMatchesSerial loads the same rows on one goroutine and on
// several: every query must get the same answer, and later changes must
// apply alike.
func TestParallelLoadMatchesSerial(t *testing.T) {
	s := benchRows(3000)
	serial, parallel := New(testFields, WithLoadWorkers(1)), New(testFields, WithLoadWorkers(3))
	queries := []index.Query{{Text: "vegan"}, {Text: "w1"}, {Text: "w12x w3"}, {Text: "travel music", PerPage: 100},
		{Facets: []string{"country", "niche", "followers"}, Filter: &index.Filter{Op: index.OpIn, Field: "country", Values: []string{"DE", "FR"}}},
		{Text: "w", Sort: []index.Sort{{Field: "followers", Desc: true}}, PerPage: 50}}
	compare := func(when string) {
		t.Helper()
		for _, q := range queries {
			r1, p1 := search(t, serial, s, q)
			r2, p2 := search(t, parallel, s, q)
			if diff := cmp.Diff(r1, r2); diff != "" {
				t.Errorf("%s, %+v: results differ (-serial +parallel):\n%s", when, q, diff)
			}
			if !slices.Equal(p1, p2) {
				t.Errorf("%s, %+v: pages differ: %q vs %q", when, q, p1, p2)
			}
		}
	}
	compare("first load")
	if serial.Bytes() == 0 || serial.text.live.GetCardinality() != 3000 || parallel.text.live.GetCardinality() != 3000 {
		t.Fatalf("live rows: %d serial, %d parallel; want 3000", serial.text.live.GetCardinality(), parallel.text.live.GetCardinality())
	}
	s.write(row(5, "vegan w1x newword", "", "", "JP", "", 1.0), row(5000, "another newword", "", "", "", "", nil))
	s.erase(7)
	compare("after changes")
	if r, _ := search(t, parallel, s, index.Query{Text: "newword"}); r.Total != 2 {
		t.Errorf("newword matches %d after changes, want 2", r.Total)
	}
}
