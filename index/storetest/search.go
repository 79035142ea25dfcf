package storetest

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// catalog is the fixture of the filter and facet tests: eight creators
// with hand-picked values, some fields missing.
func catalog() map[string]*creator.Record {
	type row struct {
		id, platform, tier, niche, country, lang string
		followers                                int64
		er, overall                              float64
		noUpdated                                bool
	}
	rows := []row{
		{"k1", creator.Bluesky, creator.TierMicro, "vegan", "US", "en", 25000, 0.04, 70, false},
		{"k2", creator.Bluesky, creator.TierNano, "fitness", "GB", "en", 3000, 0.08, 55, false},
		{"k3", creator.Mastodon, creator.TierMicro, "vegan", "", "de", 40000, 0.02, 80, false},
		{"k4", creator.YouTube, creator.TierMega, "gaming", "US", "en", 2000000, 0.01, 90, false},
		{"k5", creator.YouTube, creator.TierMid, "fitness", "CA", "fr", 150000, 0.03, 60, true},
		{"k6", creator.Mastodon, creator.TierEmerging, "", "FR", "fr", 500, 0.12, 30, false},
		{"k7", creator.Twitch, creator.TierMacro, "gaming", "US", "", 700000, 0.015, 75, false},
		{"k8", creator.Bluesky, creator.TierMicro, "travel", "DE", "de", 10000, 0.05, 65, false},
	}
	out := map[string]*creator.Record{}
	for _, r := range rows {
		rec := newRecord(r.platform, r.id)
		rec.Scores.Tier, rec.Scores.PrimaryNiche = r.tier, r.niche
		rec.Profile.Country, rec.Profile.Language = r.country, r.lang
		rec.Profile.Followers, rec.Scores.EngagementRate, rec.Scores.Overall = r.followers, r.er, r.overall
		if r.noUpdated {
			rec.UpdatedAt = time.Time{}
		}
		out[r.id] = rec
	}
	return out
}

func loadCatalog(t *testing.T, st index.Store) map[string]*creator.Record {
	t.Helper()
	c := catalog()
	var recs []*creator.Record
	for _, id := range sorted(mapKeys(c)...) {
		recs = append(recs, c[id])
	}
	mustUpsert(t, st, recs...)
	return c
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// keysFor returns the sorted store keys of catalog ids.
func keysFor(c map[string]*creator.Record, ids ...string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = c[id].Key
	}
	slices.Sort(out)
	return out
}

func (s *suite) filters(t *testing.T) {
	st := s.open(t)
	c := loadCatalog(t, st)
	eq := index.Eq
	in := index.In
	rng := index.Range
	num := func(field string, v float64) index.Filter {
		return index.Filter{Op: index.OpEq, Field: field, Min: f64(v)}
	}
	exists := func(field string) index.Filter { return index.Filter{Op: index.OpExists, Field: field} }
	missing := func(field string) index.Filter { return index.Filter{Op: index.OpMissing, Field: field} }
	all := []string{"k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8"}
	tests := []struct {
		name   string
		filter index.Filter
		want   []string
	}{
		{"eq keyword", eq("platform", creator.Bluesky), []string{"k1", "k2", "k8"}},
		{"eq keyword no match", eq("platform", creator.Instagram), nil},
		{"eq numeric", num("followers", 10000), []string{"k8"}},
		{"eq numeric fraction", num("engagement_rate", 0.015), []string{"k7"}},
		{"in", in("tier", creator.TierMicro, creator.TierMid), []string{"k1", "k3", "k5", "k8"}},
		{"in one value", in("country", "CA"), []string{"k5"}},
		{"range both bounds inclusive", rng("followers", f64(10000), f64(150000)), []string{"k1", "k3", "k5", "k8"}},
		{"range min only", rng("followers", f64(700000), nil), []string{"k4", "k7"}},
		{"range max only", rng("followers", nil, f64(3000)), []string{"k2", "k6"}},
		{"range fractions", rng("engagement_rate", f64(0.03), f64(0.05)), []string{"k1", "k5", "k8"}},
		{"range empty", rng("overall", f64(91), f64(100)), nil},
		{"and", index.And(eq("platform", creator.Bluesky), rng("followers", f64(20000), nil)), []string{"k1"}},
		{"or", index.Or(eq("niche", "gaming"), eq("country", "CA")), []string{"k4", "k5", "k7"}},
		{"or of ranges", index.Or(rng("followers", f64(1000000), nil), rng("engagement_rate", f64(0.1), nil)), []string{"k4", "k6"}},
		{"not eq includes missing", index.Not(eq("country", "US")), []string{"k2", "k3", "k5", "k6", "k8"}},
		{"not in", index.Not(in("platform", creator.Bluesky, creator.YouTube)), []string{"k3", "k6", "k7"}},
		{"not range", index.Not(rng("followers", nil, f64(10000))), []string{"k1", "k3", "k4", "k5", "k7"}},
		{"not not", index.Not(index.Not(eq("platform", creator.Bluesky))), []string{"k1", "k2", "k8"}},
		{"not of no match is all", index.Not(eq("platform", "nowhere")), all},
		{"exists keyword", exists("country"), []string{"k1", "k2", "k4", "k5", "k6", "k7", "k8"}},
		{"missing keyword", missing("country"), []string{"k3"}},
		{"missing niche", missing("niche"), []string{"k6"}},
		{"exists numeric", exists("updated_at"), []string{"k1", "k2", "k3", "k4", "k6", "k7", "k8"}},
		{"missing numeric", missing("updated_at"), []string{"k5"}},
		{"not missing", index.Not(missing("language")), []string{"k1", "k2", "k3", "k4", "k5", "k6", "k8"}},
		{"not exists", index.Not(exists("language")), []string{"k7"}},
		{"nested and or not", index.And(
			index.Or(eq("platform", creator.Mastodon), eq("platform", creator.Twitch)),
			index.Not(eq("country", "FR"))), []string{"k3", "k7"}},
		{"and of in exists range", index.And(
			in("language", "en", "de"), exists("country"), rng("overall", f64(65), nil)), []string{"k1", "k4", "k8"}},
		{"or inside not", index.Not(index.Or(eq("tier", creator.TierMicro), missing("country"))), []string{"k2", "k4", "k5", "k6", "k7"}},
		{"and with one operand", index.And(eq("tier", creator.TierMega)), []string{"k4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.filter
			q := index.Query{Filter: &f, PerPage: 100}
			res := mustSearch(t, st, q)
			want := keysFor(c, tt.want...)
			if diff := gocmp.Diff(want, keysOf(res.Hits), cmpOpts...); diff != "" {
				t.Errorf("Search(%s) keys (-want +got):\n%s", describe(q), diff)
			}
			if res.Total != len(want) {
				t.Errorf("Search(%s) total = %d, want %d", describe(q), res.Total, len(want))
			}
		})
	}
}

// injectionValues look like the syntax of some query language; a backend
// must treat each as a plain value.
var injectionValues = []string{
	`"`, `\`, `OR`, `=`, `]`, `'`, `US" OR country = "GB`, `a\"b`, `x' OR '1'='1`,
	`[1, 2]`, `) OR (1=1`, `NOT`, `country EXISTS`, `%`, `_`,
}

func (s *suite) injection(t *testing.T) {
	st := s.open(t)
	byValue := map[string]string{}
	var recs []*creator.Record
	for i, v := range injectionValues {
		r := newRecord(creator.Bluesky, fmt.Sprintf("inj%02d", i))
		r.Profile.Country = v
		r.Scores.PrimaryNiche = v
		recs = append(recs, r)
		byValue[v] = r.Key
	}
	for _, v := range []string{"US", "GB", "1"} { // what an injection would match
		r := newRecord(creator.Bluesky, "plain"+strings.ToLower(v))
		r.Profile.Country = v
		r.Scores.PrimaryNiche = v
		recs = append(recs, r)
		byValue[v] = r.Key
	}
	mustUpsert(t, st, recs...)
	total := len(recs)
	for i, v := range injectionValues {
		t.Run(fmt.Sprintf("value%02d", i), func(t *testing.T) {
			for _, field := range []string{"country", "niche"} {
				f := index.Eq(field, v)
				res := mustSearch(t, st, index.Query{Filter: &f, PerPage: 100})
				if diff := gocmp.Diff([]string{byValue[v]}, keysOf(res.Hits)); diff != "" {
					t.Errorf("eq %s %q matched (-want +got):\n%s", field, v, diff)
				}
				f = index.In(field, v, "nothing-else")
				res = mustSearch(t, st, index.Query{Filter: &f, PerPage: 100})
				if diff := gocmp.Diff([]string{byValue[v]}, keysOf(res.Hits)); diff != "" {
					t.Errorf("in %s %q matched (-want +got):\n%s", field, v, diff)
				}
				f = index.Eq(field, v)
				res = mustSearch(t, st, index.Query{Text: "placeholder", Filter: &f, PerPage: 100})
				if diff := gocmp.Diff([]string{byValue[v]}, keysOf(res.Hits)); diff != "" {
					t.Errorf("text and eq %s %q matched (-want +got):\n%s", field, v, diff)
				}
				f = index.Not(index.Eq(field, v))
				res = mustSearch(t, st, index.Query{Filter: &f, PerPage: 100})
				if res.Total != total-1 || slices.Contains(keysOf(res.Hits), byValue[v]) {
					t.Errorf("not eq %s %q: total %d, want %d without the value's creator", field, v, res.Total, total-1)
				}
			}
		})
	}
	t.Run("FacetCounts", func(t *testing.T) {
		res := mustSearch(t, st, index.Query{Facets: []string{"country"}})
		want := map[string]int{}
		for v := range byValue {
			want[v] = 1
		}
		if diff := gocmp.Diff(want, res.Facets["country"]); diff != "" {
			t.Errorf("country facet (-want +got):\n%s", diff)
		}
	})
	t.Run("InAllOfThem", func(t *testing.T) {
		f := index.In("country", injectionValues...)
		res := mustSearch(t, st, index.Query{Filter: &f, PerPage: 100})
		if res.Total != len(injectionValues) {
			t.Errorf("in(all injection values) total = %d, want %d", res.Total, len(injectionValues))
		}
	})
	t.Run("Text", func(t *testing.T) {
		// Text is words, never query syntax: none of these may fail, and
		// none may match more than the whole collection.
		for _, q := range []string{`"`, `vegan"`, `"unclosed phrase`, `NEAR(a b)`, `a OR b`, `-x`, `col:x`,
			`*`, `^a`, `(`, `)`, `AND`, `NOT ordinary`, `placeholder AND`, `'`, `\`, `{}`, `a:b:c`, `ordinary*`} {
			res, err := st.Search(ctxFor(t), index.Query{Text: q})
			if err != nil {
				t.Errorf("Search(q=%q): %v", q, err)
				continue
			}
			if res.Total > total {
				t.Errorf("Search(q=%q) total %d is more than the %d stored", q, res.Total, total)
			}
		}
		// The words still match: "placeholder" is in every bio.
		res := mustSearch(t, st, index.Query{Text: `placeholder"`})
		if res.Total != total {
			t.Errorf(`Search(q="placeholder\"") total = %d, want %d`, res.Total, total)
		}
	})
}

func (s *suite) facets(t *testing.T) {
	st := s.open(t)
	c := loadCatalog(t, st)
	facets := []string{"platform", "tier", "country", "niche", "followers", "engagement_rate", "overall"}
	tests := []struct {
		name   string
		q      index.Query
		ids    []string // the matches
		facets map[string]map[string]int
		stats  map[string]index.Stat
	}{
		{
			name: "all",
			q:    index.Query{Facets: facets},
			ids:  []string{"k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8"},
			facets: map[string]map[string]int{
				"platform": {creator.Bluesky: 3, creator.Mastodon: 2, creator.YouTube: 2, creator.Twitch: 1},
				"tier":     {creator.TierMicro: 3, creator.TierNano: 1, creator.TierMega: 1, creator.TierMid: 1, creator.TierEmerging: 1, creator.TierMacro: 1},
				"country":  {"US": 3, "GB": 1, "CA": 1, "FR": 1, "DE": 1},
				"niche":    {"vegan": 2, "fitness": 2, "gaming": 2, "travel": 1},
			},
			stats: map[string]index.Stat{
				"followers":       {Min: 500, Max: 2000000},
				"engagement_rate": {Min: 0.01, Max: 0.12},
				"overall":         {Min: 30, Max: 90},
			},
		},
		{
			name: "filtered",
			q: index.Query{Facets: facets, Filter: &index.Filter{Op: index.OpIn, Field: "platform",
				Values: []string{creator.Bluesky, creator.YouTube, creator.Mastodon}}},
			ids: []string{"k1", "k2", "k3", "k4", "k5", "k6", "k8"},
			facets: map[string]map[string]int{
				"platform": {creator.Bluesky: 3, creator.Mastodon: 2, creator.YouTube: 2},
				"tier":     {creator.TierMicro: 3, creator.TierNano: 1, creator.TierMega: 1, creator.TierMid: 1, creator.TierEmerging: 1},
				"country":  {"US": 2, "GB": 1, "CA": 1, "FR": 1, "DE": 1},
				"niche":    {"vegan": 2, "fitness": 2, "gaming": 1, "travel": 1},
			},
			stats: map[string]index.Stat{
				"followers":       {Min: 500, Max: 2000000},
				"engagement_rate": {Min: 0.01, Max: 0.12},
				"overall":         {Min: 30, Max: 90},
			},
		},
		{
			name: "range filter",
			q:    index.Query{Facets: facets, Filter: f(index.Range("followers", f64(5000), f64(200000)))},
			ids:  []string{"k1", "k3", "k5", "k8"},
			facets: map[string]map[string]int{
				"platform": {creator.Bluesky: 2, creator.Mastodon: 1, creator.YouTube: 1},
				"tier":     {creator.TierMicro: 3, creator.TierMid: 1},
				"country":  {"US": 1, "CA": 1, "DE": 1},
				"niche":    {"vegan": 2, "fitness": 1, "travel": 1},
			},
			stats: map[string]index.Stat{
				"followers":       {Min: 10000, Max: 150000},
				"engagement_rate": {Min: 0.02, Max: 0.05},
				"overall":         {Min: 60, Max: 80},
			},
		},
		{
			name: "text and filter",
			q: index.Query{Text: "placeholder", Facets: facets,
				Filter: f(index.Not(index.Eq("country", "US")))},
			ids: []string{"k2", "k3", "k5", "k6", "k8"},
			facets: map[string]map[string]int{
				"platform": {creator.Bluesky: 2, creator.Mastodon: 2, creator.YouTube: 1},
				"tier":     {creator.TierMicro: 2, creator.TierNano: 1, creator.TierMid: 1, creator.TierEmerging: 1},
				"country":  {"GB": 1, "CA": 1, "FR": 1, "DE": 1},
				"niche":    {"vegan": 1, "fitness": 2, "travel": 1},
			},
			stats: map[string]index.Stat{
				"followers":       {Min: 500, Max: 150000},
				"engagement_rate": {Min: 0.02, Max: 0.12},
				"overall":         {Min: 30, Max: 80},
			},
		},
		{
			name:   "no matches",
			q:      index.Query{Facets: []string{"platform", "followers"}, Filter: f(index.Eq("platform", "nowhere"))},
			facets: map[string]map[string]int{"platform": {}},
		},
		{
			name: "only the first page of hits but facets over all",
			q:    index.Query{Facets: []string{"tier", "followers"}, PerPage: 1, Page: 2},
			ids:  []string{"k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8"},
			facets: map[string]map[string]int{
				"tier": {creator.TierMicro: 3, creator.TierNano: 1, creator.TierMega: 1, creator.TierMid: 1, creator.TierEmerging: 1, creator.TierMacro: 1},
			},
			stats: map[string]index.Stat{"followers": {Min: 500, Max: 2000000}},
		},
	}
	t.Run("after writes", s.facetsAfterWrites)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustSearch(t, st, tt.q)
			if res.Total != len(tt.ids) {
				t.Errorf("Search(%s) total = %d, want %d", describe(tt.q), res.Total, len(tt.ids))
			}
			if tt.q.PerPage == 0 {
				got := keysOf(res.Hits)
				if tt.q.Text != "" { // ordered by relevance
					slices.Sort(got)
				}
				if diff := gocmp.Diff(keysFor(c, tt.ids...), got, cmpOpts...); diff != "" {
					t.Errorf("Search(%s) keys (-want +got):\n%s", describe(tt.q), diff)
				}
			}
			if diff := gocmp.Diff(tt.facets, res.Facets, cmpOpts...); diff != "" {
				t.Errorf("Search(%s) facets (-want +got):\n%s", describe(tt.q), diff)
			}
			if diff := gocmp.Diff(tt.stats, res.Stats, cmpOpts...); diff != "" {
				t.Errorf("Search(%s) stats (-want +got):\n%s", describe(tt.q), diff)
			}
		})
	}
}

func f(x index.Filter) *index.Filter { return &x }

// facetsAfterWrites checks that facet counts and stats over all creators
// follow updates and deletions, including of the creators holding the
// extremes.
func (s *suite) facetsAfterWrites(t *testing.T) {
	st := s.open(t)
	c := loadCatalog(t, st)
	ctx := ctxFor(t)
	k4 := *c["k4"] // the most followed: 2,000,000
	k4.Profile.Followers = 120000
	k4.Scores.Tier = creator.TierMid
	k4.Profile.Country = ""
	mustUpsert(t, st, &k4)
	if err := st.Delete(ctx, c["k6"].Key); err != nil { // the least followed: 500
		t.Fatal(err)
	}
	k2 := *c["k2"] // same values again: nothing changes
	mustUpsert(t, st, &k2)
	q := index.Query{Facets: []string{"platform", "tier", "country", "followers", "engagement_rate"}}
	res := mustSearch(t, st, q)
	wantFacets := map[string]map[string]int{
		"platform": {creator.Bluesky: 3, creator.Mastodon: 1, creator.YouTube: 2, creator.Twitch: 1},
		"tier":     {creator.TierMicro: 3, creator.TierNano: 1, creator.TierMid: 2, creator.TierMacro: 1},
		"country":  {"US": 2, "GB": 1, "CA": 1, "DE": 1},
	}
	wantStats := map[string]index.Stat{
		"followers":       {Min: 3000, Max: 700000},
		"engagement_rate": {Min: 0.01, Max: 0.08},
	}
	if res.Total != 7 {
		t.Errorf("total after writes = %d, want 7", res.Total)
	}
	if diff := gocmp.Diff(wantFacets, res.Facets, cmpOpts...); diff != "" {
		t.Errorf("facets after writes (-want +got):\n%s", diff)
	}
	if diff := gocmp.Diff(wantStats, res.Stats, cmpOpts...); diff != "" {
		t.Errorf("stats after writes (-want +got):\n%s", diff)
	}
	// The same through a filter that matches everything.
	q.Filter = f(index.Not(index.Eq("platform", "nowhere")))
	res = mustSearch(t, st, q)
	if diff := gocmp.Diff(wantFacets, res.Facets, cmpOpts...); diff != "" {
		t.Errorf("facets after writes, filtered (-want +got):\n%s", diff)
	}
	if diff := gocmp.Diff(wantStats, res.Stats, cmpOpts...); diff != "" {
		t.Errorf("stats after writes, filtered (-want +got):\n%s", diff)
	}
	// Deleting everyone leaves no counts and no stats.
	for _, id := range []string{"k1", "k2", "k3", "k4", "k5", "k7", "k8"} {
		if err := st.Delete(ctx, c[id].Key); err != nil {
			t.Fatal(err)
		}
	}
	res = mustSearch(t, st, index.Query{Facets: []string{"platform", "followers"}})
	if res.Total != 0 || len(res.Facets["platform"]) != 0 || len(res.Stats) != 0 {
		t.Errorf("after deleting all: total %d, facets %v, stats %v; want none", res.Total, res.Facets, res.Stats)
	}
}

// sortFixture is 24 creators whose numeric fields take values from small
// sets, so that every sortable field has ties and some have missing values.
func sortFixture() []*creator.Record {
	rng := rand.New(rand.NewPCG(7, 11))
	var out []*creator.Record
	for i := range 24 {
		r := newRecord([]string{creator.Bluesky, creator.Mastodon, creator.YouTube}[i%3], fmt.Sprintf("s%02d", i))
		randomize(r, rng)
		out = append(out, r)
	}
	return out
}

// expectedOrder sorts recs by field the way every backend must: values
// ascending or descending, missing values last, ties by key ascending.
func expectedOrder(recs []*creator.Record, fd index.Field, desc bool) []string {
	type kv struct {
		key string
		v   float64
		ok  bool
	}
	var xs []kv
	for _, r := range recs {
		v, ok := fd.Number(r)
		xs = append(xs, kv{r.Key, v, ok})
	}
	slices.SortFunc(xs, func(a, b kv) int {
		if a.ok != b.ok {
			if a.ok {
				return -1
			}
			return 1
		}
		c := cmp.Compare(a.v, b.v)
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x.key
	}
	return out
}

func (s *suite) sort(t *testing.T) {
	st := s.open(t)
	recs := sortFixture()
	mustUpsert(t, st, recs...)
	n := 0
	for _, fd := range index.Fields {
		if !fd.Sortable {
			continue
		}
		n++
		if fd.Kind != index.Numeric {
			t.Errorf("field %s is sortable but not numeric: the suite does not know how to order it", fd.Name)
			continue
		}
		distinct := map[float64]bool{}
		for _, r := range recs {
			if v, ok := fd.Number(r); ok {
				distinct[v] = true
			}
		}
		if len(distinct) < 2 {
			t.Errorf("fixture does not vary sortable field %s: extend randomize", fd.Name)
		}
		for _, desc := range []bool{false, true} {
			dir := "asc"
			if desc {
				dir = "desc"
			}
			t.Run(fd.Name+"/"+dir, func(t *testing.T) {
				q := index.Query{Sort: []index.Sort{{Field: fd.Name, Desc: desc}}, PerPage: 100}
				res := mustSearch(t, st, q)
				want := expectedOrder(recs, fd, desc)
				if diff := gocmp.Diff(want, keysOf(res.Hits)); diff != "" {
					t.Errorf("Search(%s) order (-want +got):\n%s", describe(q), diff)
				}
				// The same order holds page by page.
				var paged []string
				for page := 1; page <= 5; page++ {
					q := index.Query{Sort: q.Sort, PerPage: 5, Page: page}
					paged = append(paged, keysOf(mustSearch(t, st, q).Hits)...)
				}
				if diff := gocmp.Diff(want, paged); diff != "" {
					t.Errorf("paged Search(%s) order (-want +got):\n%s", describe(q), diff)
				}
			})
		}
	}
	if n == 0 {
		t.Error("index.Fields has no sortable field")
	}
	t.Run("two fields", func(t *testing.T) {
		q := index.Query{Sort: []index.Sort{{Field: "followers", Desc: true}, {Field: "overall"}}, PerPage: 100}
		res := mustSearch(t, st, q)
		fol, _ := index.FieldByName("followers")
		ov, _ := index.FieldByName("overall")
		want := slices.Clone(recs)
		slices.SortFunc(want, func(a, b *creator.Record) int {
			fa, _ := fol.Number(a)
			fb, _ := fol.Number(b)
			if c := cmp.Compare(fb, fa); c != 0 {
				return c
			}
			oa, _ := ov.Number(a)
			ob, _ := ov.Number(b)
			if c := cmp.Compare(oa, ob); c != 0 {
				return c
			}
			return strings.Compare(a.Key, b.Key)
		})
		var wantKeys []string
		for _, r := range want {
			wantKeys = append(wantKeys, r.Key)
		}
		if diff := gocmp.Diff(wantKeys, keysOf(res.Hits)); diff != "" {
			t.Errorf("Search(%s) order (-want +got):\n%s", describe(q), diff)
		}
	})
	t.Run("default is by key", func(t *testing.T) {
		res := mustSearch(t, st, index.Query{PerPage: 100})
		var want []string
		for _, r := range recs {
			want = append(want, r.Key)
		}
		if diff := gocmp.Diff(sorted(want...), keysOf(res.Hits)); diff != "" {
			t.Errorf("default order (-want +got):\n%s", diff)
		}
	})
	t.Run("sort with filter", func(t *testing.T) {
		fl := index.Eq("platform", creator.Mastodon)
		q := index.Query{Filter: &fl, Sort: []index.Sort{{Field: "overall", Desc: true}}, PerPage: 100}
		res := mustSearch(t, st, q)
		var sub []*creator.Record
		for _, r := range recs {
			if r.Profile.Ref.Platform == creator.Mastodon {
				sub = append(sub, r)
			}
		}
		ov, _ := index.FieldByName("overall")
		if diff := gocmp.Diff(expectedOrder(sub, ov, true), keysOf(res.Hits)); diff != "" {
			t.Errorf("Search(%s) order (-want +got):\n%s", describe(q), diff)
		}
	})
}

func (s *suite) pagination(t *testing.T) {
	st := s.open(t)
	var recs []*creator.Record
	var all []string
	for i := range 23 {
		r := newRecord(creator.Bluesky, fmt.Sprintf("p%02d", i))
		r.Profile.Followers = int64(1000 * (i % 4))
		recs = append(recs, r)
		all = append(all, r.Key)
	}
	mustUpsert(t, st, recs...)
	slices.Sort(all)
	tests := []struct {
		name          string
		page, perPage int
		want          []string
		wantPage      int
		wantPerPage   int
	}{
		{"defaults", 0, 0, all[:20], 1, index.DefaultPerPage},
		{"first page", 1, 10, all[:10], 1, 10},
		{"second page", 2, 10, all[10:20], 2, 10},
		{"last partial page", 3, 10, all[20:], 3, 10},
		{"past the end", 4, 10, nil, 4, 10},
		{"one per page", 7, 1, all[6:7], 7, 1},
		{"max per page", 1, index.MaxPerPage, all, 1, index.MaxPerPage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := index.Query{Page: tt.page, PerPage: tt.perPage}
			res := mustSearch(t, st, q)
			if diff := gocmp.Diff(tt.want, keysOf(res.Hits), cmpOpts...); diff != "" {
				t.Errorf("Search(%s) keys (-want +got):\n%s", describe(q), diff)
			}
			if res.Total != len(all) || res.Page != tt.wantPage || res.PerPage != tt.wantPerPage {
				t.Errorf("Search(%s): total %d page %d per_page %d, want %d %d %d", describe(q),
					res.Total, res.Page, res.PerPage, len(all), tt.wantPage, tt.wantPerPage)
			}
		})
	}
	t.Run("filtered total", func(t *testing.T) {
		fl := index.Range("followers", f64(2000), nil)
		q := index.Query{Filter: &fl, PerPage: 3, Page: 2}
		res := mustSearch(t, st, q)
		if res.Total != 11 || len(res.Hits) != 3 {
			t.Errorf("Search(%s): total %d with %d hits, want 11 with 3", describe(q), res.Total, len(res.Hits))
		}
	})
}

// textFixture holds creators whose words differ in where they appear.
func textFixture() map[string]*creator.Record {
	mk := func(id, name, handle, bio string, posts ...string) *creator.Record {
		r := newRecord(creator.Bluesky, id)
		r.Profile.DisplayName, r.Profile.Ref.Handle, r.Profile.Bio = name, handle, bio
		r.Profile.Posts = nil
		for i, p := range posts {
			r.Profile.Posts = append(r.Profile.Posts, creator.Post{ID: fmt.Sprintf("%s-p%d", id, i), Text: p, Views: -1})
		}
		return r
	}
	return map[string]*creator.Record{
		"t1": mk("t1", "Maria Lopez", "chefmaria.bsky.social", "Vegan recipes every week", "Tofu scramble tonight"),
		"t2": mk("t2", "Sam Runner", "samruns.bsky.social", "Marathon training and vegan fuel", "Long run today"),
		"t3": mk("t3", "Vegan Vibes", "plantvibes.bsky.social", "Plant based kitchen", "Lentil soup recipe"),
		"t4": mk("t4", "Gamer Joe", "gamerjoe.bsky.social", "Streaming speedruns", "New personal best in Celeste", "vegetables are overrated"),
		"t5": mk("t5", "Café Crème", "cafe.example", "Coffee reviews from Zürich", "Espresso tasting"),
		"t6": mk("t6", "Quinn", "quinn.example", "Plays the xylophone", "Jazz on Xmas eve"),
	}
}

func (s *suite) text(t *testing.T) {
	st := s.open(t)
	c := textFixture()
	var recs []*creator.Record
	for _, id := range sorted(mapKeys(c)...) {
		recs = append(recs, c[id])
	}
	mustUpsert(t, st, recs...)
	// The words are far enough apart that typo tolerance (Meilisearch
	// allows one typo from 5 letters, two from 9) changes no answer.
	tests := []struct {
		name   string
		q      string
		filter *index.Filter
		want   []string
	}{
		{"word in bio", "marathon", nil, []string{"t2"}},
		{"word in name, bio", "vegan", nil, []string{"t1", "t2", "t3"}},
		{"word in posts", "tofu", nil, []string{"t1"}},
		{"word in a later post", "overrated", nil, []string{"t4"}},
		{"handle part", "chefmaria", nil, []string{"t1"}},
		{"case does not matter", "VEGAN", nil, []string{"t1", "t2", "t3"}},
		{"prefix of the last word", "veg", nil, []string{"t1", "t2", "t3", "t4"}},
		{"prefix after a word", "vegan reci", nil, []string{"t1", "t3"}},
		{"every word must match", "vegan scramble", nil, []string{"t1"}},
		{"words in any field and order", "fuel marathon", nil, []string{"t2"}},
		{"only the last word is a prefix", "veg recipes", nil, nil},
		{"diacritics folded", "cafe zurich", nil, []string{"t5"}},
		{"diacritics in the query", "Zürich", nil, []string{"t5"}},
		{"no match", "quokka", nil, nil},
		{"word starting with x", "xylophone", nil, []string{"t6"}},
		{"one-letter prefix", "x", nil, []string{"t6"}},
		{"one-letter prefix after a word", "jazz x", nil, []string{"t6"}},
		{"punctuation around words", "vegan, marathon!", nil, []string{"t2"}},
		{"text and filter", "vegan", f(index.Eq("tier", "nowhere")), nil},
		{"text and not", "veg", f(index.Not(index.Eq("country", "ZZ"))), []string{"t1", "t2", "t3", "t4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := index.Query{Text: tt.q, Filter: tt.filter, PerPage: 100}
			res := mustSearch(t, st, q)
			got := keysOf(res.Hits)
			slices.Sort(got)
			if diff := gocmp.Diff(keysFor(c, tt.want...), got, cmpOpts...); diff != "" {
				t.Errorf("Search(%s) matches (-want +got):\n%s", describe(q), diff)
			}
			if res.Total != len(tt.want) {
				t.Errorf("Search(%s) total = %d, want %d", describe(q), res.Total, len(tt.want))
			}
		})
	}
	t.Run("name ranks above bio", func(t *testing.T) {
		res := mustSearch(t, st, index.Query{Text: "vegan"})
		if len(res.Hits) == 0 || res.Hits[0].Key != c["t3"].Key {
			t.Errorf("first hit for q=vegan is %v, want %s (the word is its name)", keysOf(res.Hits), c["t3"].Key)
		}
	})
	t.Run("text with sort", func(t *testing.T) {
		q := index.Query{Text: "vegan", Sort: []index.Sort{{Field: "followers", Desc: true}}, PerPage: 100}
		res := mustSearch(t, st, q)
		fd, _ := index.FieldByName("followers")
		want := expectedOrder([]*creator.Record{c["t1"], c["t2"], c["t3"]}, fd, true)
		if diff := gocmp.Diff(want, keysOf(res.Hits)); diff != "" {
			t.Errorf("Search(%s) order (-want +got):\n%s", describe(q), diff)
		}
	})
	t.Run("typo", func(t *testing.T) {
		if !s.f.Typo {
			t.Skip("backend does not declare typo tolerance (Features.Typo)")
		}
		res := mustSearch(t, st, index.Query{Text: "marathan training"})
		if diff := gocmp.Diff([]string{c["t2"].Key}, keysOf(res.Hits)); diff != "" {
			t.Errorf("typo search (-want +got):\n%s", diff)
		}
	})
}

func (s *suite) invalid(t *testing.T) {
	st := s.open(t)
	mustUpsert(t, st, newRecord(creator.Bluesky, "one"))
	tests := []struct {
		name  string
		q     index.Query
		field string // the error must name it
	}{
		{"sort on unknown field", index.Query{Sort: []index.Sort{{Field: "nonsense"}}}, "nonsense"},
		{"sort on keyword field", index.Query{Sort: []index.Sort{{Field: "platform"}}}, "platform"},
		{"facet on unknown field", index.Query{Facets: []string{"bogus_facet"}}, "bogus_facet"},
		{"filter on unknown field", index.Query{Filter: f(index.Eq("shoe_size", "42"))}, "shoe_size"},
		{"in on numeric field", index.Query{Filter: f(index.In("followers", "1"))}, "followers"},
		{"range on keyword field", index.Query{Filter: f(index.Range("country", f64(1), nil))}, "country"},
		{"range without bounds", index.Query{Filter: f(index.Range("overall", nil, nil))}, "overall"},
		{"range min above max", index.Query{Filter: f(index.Range("overall", f64(5), f64(1)))}, "overall"},
		{"eq numeric without number", index.Query{Filter: f(index.Filter{Op: index.OpEq, Field: "followers"})}, "followers"},
		{"unknown operator", index.Query{Filter: f(index.Filter{Op: "like", Field: "country", Values: []string{"U%"}})}, "country"},
		{"nested invalid", index.Query{Filter: f(index.And(index.Eq("platform", "x"), index.Not(index.Eq("no_such", "y"))))}, "no_such"},
		{"negative page", index.Query{Page: -1}, "page"},
		{"per_page too large", index.Query{PerPage: index.MaxPerPage + 1}, "per_page"},
		{"page too deep", index.Query{Page: index.MaxTotalHits, PerPage: 100}, "page"},
		{"too many words", index.Query{Text: "one two three four five six seven eight nine ten eleven"}, "q has more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.Search(ctxFor(t), tt.q)
			wantErrIs(t, err, creator.ErrInvalid, "Search("+describe(tt.q)+")")
			if err != nil && !strings.Contains(err.Error(), tt.field) {
				t.Errorf("Search(%s) error %q does not name %q", describe(tt.q), err, tt.field)
			}
		})
	}
}
