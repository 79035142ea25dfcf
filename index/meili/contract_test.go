package meili

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/meilisearch/meilisearch-go"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// The contract tests below run the Store against fakeMeili (fake_test.go),
// a recording fake, because no real Meilisearch can run on the machine
// they were written on. They check the exact requests the Store sends
// against Meilisearch's documented API (https://www.meilisearch.com/docs/
// reference/api): index creation, the settings payload, document batches,
// filter strings, search bodies and task polling. The conformance suite
// against a real Meilisearch is TestIntegrationConformance.

func openFake(t *testing.T, f *fakeMeili, cfg Config) *Store {
	t.Helper()
	cfg.URL = f.srv.URL
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	f.requests() // forget start-up
	return s
}

func TestContractOpen(t *testing.T) {
	f := newFake(t)
	s, err := Open(context.Background(), Config{URL: f.srv.URL, APIKey: "secret", IndexPrefix: "t_"})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	polls := f.polls()
	reqs := f.requests()

	var filterable, sortable []any
	for _, fd := range index.Fields {
		if fd.Filterable || fd.Facet {
			filterable = append(filterable, fd.Name)
		}
		if fd.Sortable {
			sortable = append(sortable, fd.Name)
		}
	}
	filterable = append(filterable, "all")
	sortable = append(sortable, "key_sort", "key_sort_rest")
	countFacets := map[string]any{"*": "count"}
	aux := func(filterable, sortable []any, maxHits float64) any {
		m := map[string]any{
			"searchableAttributes": []any{"id"},
			"pagination":           map[string]any{"maxTotalHits": maxHits},
			"faceting":             map[string]any{"maxValuesPerFacet": 1000.0, "sortFacetValuesBy": countFacets},
			"searchCutoffMs":       600000.0,
		}
		if filterable != nil {
			m["filterableAttributes"] = filterable
		}
		if sortable != nil {
			m["sortableAttributes"] = sortable
		}
		return m
	}
	want := []recorded{}
	kinds := []struct{ uid, pk string }{
		{"t_creators", "key"}, {"t_snapshots", "id"}, {"t_jobs", "id"}, {"t_job_items", "id"},
		{"t_optouts", "id"}, {"t_watchlists", "id"}, {"t_alerts", "id"}, {"t_apikeys", "id"},
		{"t_tracking", "id"},
	}
	for _, k := range kinds {
		want = append(want, recorded{Method: "POST", Path: "/indexes", Auth: "Bearer secret",
			Body: map[string]any{"uid": k.uid, "primaryKey": k.pk}})
	}
	settings := []any{
		map[string]any{
			"searchableAttributes": []any{"text_name", "text_handle", "text_bio", "text_posts"},
			"filterableAttributes": filterable,
			"sortableAttributes":   sortable,
			"rankingRules":         []any{"sort", "words", "typo", "proximity", "attribute", "exactness", "key_sort:asc", "key_sort_rest:asc"},
			"pagination":           map[string]any{"maxTotalHits": float64(index.MaxTotalHits + index.MaxPerPage)},
			"faceting":             map[string]any{"maxValuesPerFacet": 1000.0, "sortFacetValuesBy": creatorFacetOrder()},
			"searchCutoffMs":       600000.0,
			"typoTolerance": map[string]any{
				"enabled":             true,
				"minWordSizeForTypos": map[string]any{"oneTypo": 8.0, "twoTypos": 12.0},
				"disableOnWords":      []any{},
				"disableOnAttributes": []any{},
				"disableOnNumbers":    true,
			},
		},
		aux([]any{"ckey"}, []any{"seq"}, float64(index.DefaultHistoryCap+2*1000+index.MaxTotalHits)),
		aux([]any{"state"}, nil, index.MaxTotalHits),
		aux([]any{"job", "ckey", "state"}, nil, index.MaxTotalHits),
		aux([]any{"platform", "oid", "handle"}, nil, index.MaxTotalHits),
		aux([]any{"members"}, nil, index.MaxTotalHits),
		aux([]any{"watchlist", "ckey", "kind"}, []any{"at", "aid"}, index.MaxTotalHits),
		aux(nil, nil, index.MaxTotalHits),
		aux([]any{"kind", "ckey", "checked"}, []any{"checked", "id"}, index.MaxTotalHits),
	}
	// Each index's settings are read; on new indexes (Meilisearch's
	// defaults) the settings the Store needs all differ and are sent.
	for i, k := range kinds {
		want = append(want,
			recorded{Method: "GET", Path: "/indexes/" + k.uid + "/settings", Auth: "Bearer secret"},
			recorded{Method: "PATCH", Path: "/indexes/" + k.uid + "/settings", Auth: "Bearer secret", Body: settings[i]})
	}
	if diff := cmp.Diff(want, reqs); diff != "" {
		t.Errorf("start-up requests (-want +got):\n%s", diff)
	}
	// Every one of the 18 tasks was polled until it succeeded.
	if got := len(polls); got != 18 {
		t.Errorf("polled %d distinct tasks, want 18", got)
	}

	// Opening the store again sends no settings: nothing differs.
	f.mu.Lock()
	f.reqs = nil
	f.mu.Unlock()
	s2, err := Open(context.Background(), Config{URL: f.srv.URL, APIKey: "secret", IndexPrefix: "t_"})
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	defer s2.Close()
	polls = f.polls()
	want = want[:len(kinds)] // the index creations
	for _, k := range kinds {
		want = append(want, recorded{Method: "GET", Path: "/indexes/" + k.uid + "/settings", Auth: "Bearer secret"})
	}
	if diff := cmp.Diff(want, f.requests()); diff != "" {
		t.Errorf("start-up requests of a store set up before (-want +got):\n%s", diff)
	}
	if got := len(polls); got != len(kinds) {
		t.Errorf("second start-up polled %d distinct tasks, want %d (the index creations)", got, len(kinds))
	}
}

// creatorFacetOrder is the creators index's sortFacetValuesBy: keyword
// facets by count (through "*": their counts and the values reported are
// Meilisearch's most frequent), numeric facets, whose values the Store
// never reads (only their facetStats), in value order.
func creatorFacetOrder() map[string]any {
	m := map[string]any{"*": "count"}
	for _, fd := range index.Fields {
		if fd.Facet && fd.Kind == index.Numeric {
			m[fd.Name] = "alpha"
		}
	}
	return m
}

func TestCreatorFacetOrder(t *testing.T) {
	m := creatorFacetOrder()
	numeric := 0
	for _, fd := range index.Fields {
		switch {
		case fd.Facet && fd.Kind == index.Keyword:
			if _, ok := m[fd.Name]; ok {
				t.Errorf("keyword facet %s has its own order; want the count order of \"*\"", fd.Name)
			}
		case fd.Facet && fd.Kind == index.Numeric:
			numeric++
		}
	}
	if numeric == 0 || len(m) != numeric+1 {
		t.Errorf("facet order %v: want \"*\" and the %d numeric facets", m, numeric)
	}
}

// TestSettingKindsSet checks that every setting setSettings and
// partSettings name is one the Store sets, or a part of one, so that
// sameSetting compares it; the settings needed at their default are only
// tested by defaultSettings.
func TestSettingKindsSet(t *testing.T) {
	s := &Store{cfg: Config{}.withDefaults()}
	set := map[string]bool{}
	var walk func(m map[string]any)
	walk = func(m map[string]any) {
		for k, v := range m {
			set[k] = true
			if partSettings[k] {
				walk(v.(map[string]any))
			}
		}
	}
	for _, sp := range s.specs() {
		walk(sp.settings)
	}
	var notSet []string
	for _, kinds := range []map[string]bool{setSettings, partSettings} {
		for k := range kinds {
			if !set[k] {
				notSet = append(notSet, k)
			}
		}
	}
	slices.Sort(notSet)
	if diff := cmp.Diff([]string(nil), notSet); diff != "" {
		t.Errorf("settings named by setSettings or partSettings that the Store does not set (-want +got):\n%s", diff)
	}
}

// TestContractSettingTypes checks that the fake refuses a settings PATCH
// as Meilisearch does when a value's JSON type is not the documented one,
// so that the contract tests fail on a payload of the wrong type, and
// takes every payload Open sends.
func TestContractSettingTypes(t *testing.T) {
	f := newFake(t)
	s := openFake(t, f, Config{})
	if diff := cmp.Diff(slices.Sorted(maps.Keys(fakeDefaults())), slices.Sorted(maps.Keys(fakeSettingTypes))); diff != "" {
		t.Errorf("settings the fake checks, against those it has (-want +got):\n%s", diff)
	}
	resets := map[string]any{}
	for k := range defaultSettings {
		resets[k] = nil
	}
	tests := []struct {
		name string
		body any
		code string // "" if taken
	}{
		{"resets", resets, ""},
		{"parts reset", map[string]any{"typoTolerance": map[string]any{"disableOnWords": nil, "minWordSizeForTypos": map[string]any{"oneTypo": nil}}}, ""},
		{"filterable attribute objects", map[string]any{"filterableAttributes": []any{"a", map[string]any{"attributePatterns": []any{"b"}}}}, ""},
		{"cutoff as a string", map[string]any{"searchCutoffMs": "600000"}, "invalid_settings_search_cutoff_ms"},
		{"cutoff not whole", map[string]any{"searchCutoffMs": 1.5}, "invalid_settings_search_cutoff_ms"},
		{"filterable as a string", map[string]any{"filterableAttributes": "state"}, "invalid_settings_filterable_attributes"},
		{"ranking rule a number", map[string]any{"rankingRules": []any{"sort", 1.0}}, "invalid_settings_ranking_rules"},
		{"stop words an object", map[string]any{"stopWords": map[string]any{}}, "invalid_settings_stop_words"},
		{"prefix search a bool", map[string]any{"prefixSearch": false}, "invalid_settings_prefix_search"},
		{"typo part a string", map[string]any{"typoTolerance": map[string]any{"disableOnNumbers": "true"}}, "invalid_settings_typo_tolerance"},
		{"typo size a string", map[string]any{"typoTolerance": map[string]any{"minWordSizeForTypos": map[string]any{"oneTypo": "8"}}}, "invalid_settings_typo_tolerance"},
		{"typo size too large", map[string]any{"typoTolerance": map[string]any{"minWordSizeForTypos": map[string]any{"twoTypos": 256.0}}}, "invalid_settings_typo_tolerance"},
		{"unknown typo part", map[string]any{"typoTolerance": map[string]any{"disableOnNumber": true}}, "invalid_settings_typo_tolerance"},
		{"facet order unknown", map[string]any{"faceting": map[string]any{"sortFacetValuesBy": map[string]any{"*": "random"}}}, "invalid_settings_faceting"},
		{"max hits negative", map[string]any{"pagination": map[string]any{"maxTotalHits": -1.0}}, "invalid_settings_pagination"},
		{"unknown setting", map[string]any{"searchableAtributes": []any{"id"}}, "bad_request"},
		{"not an object", []any{"searchCutoffMs"}, "bad_request"},
	}
	for _, sp := range s.specs() {
		tests = append(tests, struct {
			name string
			body any
			code string
		}{"spec of " + sp.uid, sp.settings, ""})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.mu.Lock()
			before := jsonValue(t, f.indexSettings("scout_jobs"))
			f.mu.Unlock()
			ti := new(meilisearch.TaskInfo)
			err := s.settingsCall(context.Background(), http.MethodPatch, "scout_jobs", tt.body, ti)
			var ae *APIError
			code := ""
			if errors.As(err, &ae) {
				code = ae.Code
			} else if err != nil {
				t.Fatalf("settings PATCH: %v", err)
			}
			if code != tt.code {
				t.Errorf("settings PATCH answered with code %q, want %q (%v)", code, tt.code, err)
			}
			f.mu.Lock()
			after := jsonValue(t, f.indexSettings("scout_jobs"))
			f.mu.Unlock()
			if tt.code != "" {
				if diff := cmp.Diff(before, after); diff != "" {
					t.Errorf("a refused PATCH changed the settings (-before +after):\n%s", diff)
				}
			}
		})
	}
}

// TestContractOpenResetsSettings changes one setting of an index by hand
// at a time and checks that Open sends exactly that setting back: as
// null (Meilisearch's default) for the settings the Store needs at their
// default, as its value for the others. After that start-up the settings
// have converged and the next sends nothing.
func TestContractOpenResetsSettings(t *testing.T) {
	tests := []struct {
		name    string
		uid     string
		setting string
		value   any // set by hand, as the settings route reads it
		want    any // sent by Open
	}{
		{"stop words", "scout_creators", "stopWords", []any{"the", "a"}, nil},
		{"synonyms", "scout_creators", "synonyms", map[string]any{"vegan": []any{"plant"}}, nil},
		{"distinct attribute", "scout_creators", "distinctAttribute", "platform", nil},
		{"displayed attributes", "scout_creators", "displayedAttributes", []any{"key"}, nil},
		{"prefix search", "scout_creators", "prefixSearch", "disabled", nil},
		{"separator tokens", "scout_creators", "separatorTokens", []any{"&"}, nil},
		{"non-separator tokens", "scout_creators", "nonSeparatorTokens", []any{"-"}, nil},
		{"dictionary", "scout_creators", "dictionary", []any{"C++"}, nil},
		{"proximity precision", "scout_creators", "proximityPrecision", "byAttribute", nil},
		{"search cutoff", "scout_creators", "searchCutoffMs", 150.0, 600000.0},
		{"search cutoff reset", "scout_jobs", "searchCutoffMs", nil, 600000.0},
		{"localized attributes", "scout_creators", "localizedAttributes", []any{map[string]any{"locales": []any{"deu"}, "attributePatterns": []any{"*"}}}, nil},
		{"embedders", "scout_creators", "embedders", map[string]any{"e": map[string]any{"source": "userProvided", "dimensions": 3.0}}, nil},
		{"sort rule missing", "scout_alerts", "rankingRules", []any{"words", "typo"}, nil},
		{"searchable attributes", "scout_creators", "searchableAttributes", []any{"*"},
			[]any{"text_name", "text_handle", "text_bio", "text_posts"}},
		{"filterable attribute objects", "scout_jobs", "filterableAttributes",
			[]any{map[string]any{"attributePatterns": []any{"state"}, "features": map[string]any{"facetSearch": true}}}, []any{"state"}},
		{"typo tolerance off", "scout_creators", "typoTolerance",
			map[string]any{"enabled": false, "minWordSizeForTypos": map[string]any{"oneTypo": 8.0, "twoTypos": 12.0},
				"disableOnWords": []any{}, "disableOnAttributes": []any{}, "disableOnNumbers": true},
			map[string]any{"enabled": true, "minWordSizeForTypos": map[string]any{"oneTypo": 8.0, "twoTypos": 12.0},
				"disableOnWords": []any{}, "disableOnAttributes": []any{}, "disableOnNumbers": true}},
		{"facet order of one field", "scout_creators", "faceting",
			map[string]any{"maxValuesPerFacet": 1000.0, "sortFacetValuesBy": map[string]any{"*": "count", "tier": "alpha"}},
			map[string]any{"maxValuesPerFacet": 1000.0, "sortFacetValuesBy": creatorFacetOrder()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			open := func() []recorded {
				s, err := Open(context.Background(), Config{URL: f.srv.URL})
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				s.Close()
				return f.requests()
			}
			open()
			f.mu.Lock()
			f.indexSettings(tt.uid)[tt.setting] = tt.value
			f.mu.Unlock()
			var patches []recorded
			for _, r := range open() {
				if r.Method == "PATCH" {
					patches = append(patches, r)
				}
			}
			wantPatch := []recorded{{Method: "PATCH", Path: "/indexes/" + tt.uid + "/settings", Body: map[string]any{tt.setting: tt.want}}}
			if diff := cmp.Diff(wantPatch, patches); diff != "" {
				t.Errorf("settings sent on start-up (-want +got):\n%s", diff)
			}
			for _, r := range open() {
				if r.Method == "PATCH" {
					t.Errorf("settings sent again on the next start-up: %v %v", r, r.Body)
				}
			}
		})
	}
}

// TestContractLastPage checks that the creators index's maxTotalHits lets
// Meilisearch return every hit of the deepest page index.Query.Normalize
// accepts: Meilisearch returns no hit beyond maxTotalHits, so a smaller
// setting would cut the last pages short.
func TestContractLastPage(t *testing.T) {
	f := newFake(t)
	s, err := Open(context.Background(), Config{URL: f.srv.URL})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.Close()
	var maxHits float64
	for _, r := range f.requests() {
		if r.Method == "PATCH" && r.Path == "/indexes/scout_creators/settings" {
			maxHits = r.Body.(map[string]any)["pagination"].(map[string]any)["maxTotalHits"].(float64)
		}
	}
	for _, perPage := range []int{1, 7, 20, 99, index.MaxPerPage} {
		// The deepest page Normalize accepts.
		page := 1
		for {
			q := index.Query{Page: page + 1, PerPage: perPage}
			if q.Normalize() != nil {
				break
			}
			page++
		}
		if last := page * perPage; float64(last) > maxHits {
			t.Errorf("per_page %d: page %d ends at hit %d, beyond maxTotalHits %v", perPage, page, last, maxHits)
		}
	}
}

func TestContractOpenTasks(t *testing.T) {
	tests := []struct {
		name    string
		onTask  func(r recorded) []taskState
		wantErr error  // nil: Open succeeds
		wantMsg string // in the error
	}{
		{
			name: "indexes exist",
			onTask: func(r recorded) []taskState {
				if r.Path == "/indexes" {
					return []taskState{{Status: "processing"}, {Status: "failed", Code: "index_already_exists"}}
				}
				return nil
			},
		},
		{
			name: "settings task fails",
			onTask: func(r recorded) []taskState {
				if strings.HasSuffix(r.Path, "/settings") {
					return []taskState{{Status: "enqueued"}, {Status: "failed", Code: "invalid_settings_filterable_attributes"}}
				}
				return nil
			},
			wantMsg: "invalid_settings_filterable_attributes",
		},
		{
			name: "index creation fails",
			onTask: func(r recorded) []taskState {
				if r.Path == "/indexes" {
					return []taskState{{Status: "failed", Code: "invalid_index_uid"}}
				}
				return nil
			},
			wantMsg: "invalid_index_uid",
		},
		{
			name: "settings task canceled",
			onTask: func(r recorded) []taskState {
				if strings.HasSuffix(r.Path, "/settings") {
					return []taskState{{Status: "canceled"}}
				}
				return nil
			},
			wantMsg: "canceled",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.onTask = tt.onTask
			s, err := Open(context.Background(), Config{URL: f.srv.URL})
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				s.Close()
				return
			}
			if err == nil {
				s.Close()
				t.Fatalf("Open succeeded, want an error naming %s", tt.wantMsg)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Open error %q does not name %s", err, tt.wantMsg)
			}
		})
	}
}

func TestContractOpenConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no URL", Config{}},
		{"not http", Config{URL: "ftp://x"}},
		{"bad prefix", Config{URL: "http://localhost:1", IndexPrefix: "a b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(context.Background(), tt.cfg)
			if !errors.Is(err, creator.ErrInvalid) {
				t.Errorf("Open error = %v, want creator.ErrInvalid", err)
			}
		})
	}
}

// unquoteMeili reads one double-quoted value at the start of s the way
// Meilisearch's filter parser does (crates/filter-parser, value.rs): the
// value ends at the first '"' not preceded by an escaping '\'; then \" is
// replaced by " and backslash escapes are resolved (this reader accepts
// only \\, the one other escape quote produces). It returns the value and
// the rest of s.
func unquoteMeili(s string) (value, rest string, err error) {
	if !strings.HasPrefix(s, `"`) {
		return "", s, fmt.Errorf("no opening quote in %q", s)
	}
	i := 1
	for ; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == '"' {
			break
		}
	}
	if i >= len(s) {
		return "", s, fmt.Errorf("unterminated value in %q", s)
	}
	frag := strings.ReplaceAll(s[1:i], `\"`, `"`)
	var b strings.Builder
	for j := 0; j < len(frag); j++ {
		if frag[j] == '\\' {
			if j+1 >= len(frag) || frag[j+1] != '\\' {
				return "", s, fmt.Errorf("escape other than \\\\ in %q", frag)
			}
			j++
		}
		b.WriteByte(frag[j])
	}
	return b.String(), s[i+1:], nil
}

// skeleton splits a filter into its syntax, with every quoted value
// replaced by ?, and the values, read as Meilisearch reads them.
func skeleton(filter string) (string, []string, error) {
	var syn strings.Builder
	var vals []string
	for rest := filter; rest != ""; {
		if rest[0] != '"' {
			syn.WriteByte(rest[0])
			rest = rest[1:]
			continue
		}
		v, r, err := unquoteMeili(rest)
		if err != nil {
			return "", nil, err
		}
		syn.WriteString("?")
		vals = append(vals, v)
		rest = r
	}
	return syn.String(), vals, nil
}

func fp(v float64) *float64 { return &v }

func TestContractFilterExpr(t *testing.T) {
	tricky := []string{
		`a" OR platform = "x`, `\`, `]`, `\"`, `"`, `a\\"b`, `x") OR (tier EXISTS`,
		`'single'`, "new\nline", `\u0041`, `IN [1, 2]`, `NOT`, "", "ünïcödé 🦀",
	}
	tests := []struct {
		name     string
		f        index.Filter
		wantSyn  string
		wantVals []string
	}{
		{"eq keyword", index.Eq("platform", "bluesky"), `platform = ?`, []string{"bluesky"}},
		{"eq number", index.Filter{Op: index.OpEq, Field: "followers", Min: fp(1500)}, `followers = 1500`, nil},
		{"eq small number", index.Filter{Op: index.OpEq, Field: "engagement_rate", Min: fp(0.000001)}, `engagement_rate = 0.000001`, nil},
		{"eq big number", index.Filter{Op: index.OpEq, Field: "followers", Min: fp(1e21)}, `followers = 1000000000000000000000`, nil},
		{"in", index.In("country", "US", "GB"), `country IN [?, ?]`, []string{"US", "GB"}},
		{"range both", index.Range("followers", fp(10), fp(-2.5e-3+100)), `followers >= 10 AND followers <= 99.9975`, nil},
		{"range min", index.Range("overall", fp(-5), nil), `overall >= -5`, nil},
		{"range max", index.Range("overall", nil, fp(70)), `overall <= 70`, nil},
		{"exists", index.Filter{Op: index.OpExists, Field: "niche"}, `niche EXISTS`, nil},
		{"missing", index.Filter{Op: index.OpMissing, Field: "updated_at"}, `updated_at NOT EXISTS`, nil},
		{"not", index.Not(index.Eq("tier", "mega")), `NOT tier = ?`, []string{"mega"}},
		{"and of one", index.And(index.Eq("tier", "nano")), `tier = ?`, []string{"nano"}},
		{
			"nested",
			index.And(index.Or(index.Eq("platform", "a"), index.Not(index.In("tier", "b", "c"))), index.Range("followers", fp(1), nil)),
			`(platform = ? OR (NOT tier IN [?, ?])) AND followers >= 1`, []string{"a", "b", "c"},
		},
		{"injection in eq", index.Eq("platform", tricky[0]), `platform = ?`, tricky[:1]},
		{"handle lookup", index.And(index.Eq("platform", "bluesky"), index.Eq("handle", `a" OR handle EXISTS`)), `platform = ? AND handle = ?`, []string{"bluesky", `a" OR handle EXISTS`}},
		{"url lookup", index.Eq("profile_url", "https://bsky.app/profile/x.bsky.social"), `profile_url = ?`, []string{"https://bsky.app/profile/x.bsky.social"}},
		{"injection in in", index.In("niche", tricky...), `niche IN [` + strings.TrimSuffix(strings.Repeat("?, ", len(tricky)), ", ") + `]`, tricky},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.f.Validate(); err != nil {
				t.Fatalf("test filter invalid: %v", err)
			}
			got, err := filterExpr(&tt.f)
			if err != nil {
				t.Fatalf("filterExpr: %v", err)
			}
			syn, vals, err := skeleton(got)
			if err != nil {
				t.Fatalf("filter %s does not parse: %v", got, err)
			}
			if syn != tt.wantSyn {
				t.Errorf("filter %s\nsyntax %s\nwant   %s", got, syn, tt.wantSyn)
			}
			if diff := cmp.Diff(tt.wantVals, vals); diff != "" {
				t.Errorf("filter %s values (-want +got):\n%s", got, diff)
			}
		})
	}
}

func TestContractQuote(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "bluesky", `"bluesky"`},
		{"quote", `a"b`, `"a\"b"`},
		{"backslash", `\`, `"\\"`},
		{"backslash quote", `\"`, `"\\\""`},
		{"injection", `a" OR platform = "x`, `"a\" OR platform = \"x"`},
		{"bracket", `]`, `"]"`},
		{"empty", ``, `""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := quote(tt.in)
			if got != tt.want {
				t.Errorf("quote(%q) = %s, want %s", tt.in, got, tt.want)
			}
			v, rest, err := unquoteMeili(got)
			if err != nil || rest != "" || v != tt.in {
				t.Errorf("Meilisearch reads %s as %q (rest %q, err %v), want %q", got, v, rest, err, tt.in)
			}
		})
	}
}

func TestContractFilterExprInvalid(t *testing.T) {
	tests := []struct {
		name string
		f    index.Filter
	}{
		{"unknown field", index.Eq("bio", "x")},
		{"field with syntax", index.Eq(`platform = "x" OR tier`, "x")},
		{"in on number", index.In("followers", "1")},
		{"range on keyword", index.Range("tier", fp(1), nil)},
		{"empty and", index.And()},
		{"unknown op", index.Filter{Op: "like", Field: "tier"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := filterExpr(&tt.f)
			if !errors.Is(err, creator.ErrInvalid) {
				t.Errorf("filterExpr = %q, %v; want creator.ErrInvalid", got, err)
			}
		})
	}
}

func record(key, platform string, followers int64) *creator.Record {
	return &creator.Record{
		Key: key,
		Profile: creator.Profile{
			Ref: creator.Ref{Platform: platform, ID: key, Handle: "h" + key}, DisplayName: "Name " + key,
			Bio: "bio", Followers: followers, Country: "US",
			Posts: []creator.Post{{ID: "p1", Text: "first post"}, {ID: "p2", Text: "second"}},
		},
		Scores:    creator.Scores{Tier: "nano", Overall: 50, Details: []creator.SubScore{{Name: "overall", Score: 50}}},
		UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

func TestContractSearch(t *testing.T) {
	f := newFake(t)
	s := openFake(t, f, Config{})
	rec := record("bluesky-abc", "bluesky", 1200)
	sum := index.Summary(rec)
	sumJSON, _ := json.Marshal(&sum)
	var gotBody map[string]any
	var gotIndex string
	f.search = func(uid string, body map[string]any) (int, any) {
		gotIndex, gotBody = uid, body
		return 200, map[string]any{
			"hits": []any{map[string]any{"summary": string(sumJSON)}},
			"page": 3, "hitsPerPage": 10, "totalHits": 10000, "totalPages": 1000,
			"facetDistribution": map[string]any{
				"platform":  map[string]any{"bluesky": 7000, "Mastodon": 5345},
				"followers": map[string]any{"1200": 3},
				"all":       map[string]any{"1": 12345},
			},
			"facetStats": map[string]any{"followers": map[string]any{"min": 3, "max": 1.5e6}},
		}
	}
	q := index.Query{
		Text:   `cat "photos`,
		Filter: &index.Filter{Op: index.OpAnd, Sub: []index.Filter{index.Eq("platform", `a" OR platform = "x`), index.Range("followers", fp(1000), nil)}},
		Sort:   []index.Sort{{Field: "followers", Desc: true}, {Field: "overall"}},
		Page:   3, PerPage: 10,
		Facets: []string{"platform", "followers", "tier"},
	}
	res, err := s.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if gotIndex != "scout_creators" {
		t.Errorf("searched index %s, want scout_creators", gotIndex)
	}
	wantBody := map[string]any{
		"q":                    `cat photos`, // no phrase syntax: see plainText
		"page":                 3.0,
		"hitsPerPage":          10.0,
		"matchingStrategy":     "all",
		"attributesToRetrieve": []any{"summary"},
		"facets":               []any{"platform", "followers", "tier", "all"},
		"filter":               `platform = "a\" OR platform = \"x" AND followers >= 1000`,
		"sort":                 []any{"followers:desc", "overall:asc", "key_sort:asc", "key_sort_rest:asc"},
		// meilisearch-go v0.36.3 always sends "hybrid"; Meilisearch reads
		// null as no hybrid search.
		"hybrid": nil,
	}
	if diff := cmp.Diff(wantBody, gotBody); diff != "" {
		t.Errorf("search body (-want +got):\n%s", diff)
	}
	want := &index.Result{
		Hits:  []creator.Record{sum},
		Total: 12345, Page: 3, PerPage: 10,
		Facets: map[string]map[string]int{"platform": {"bluesky": 7000, "Mastodon": 5345}, "tier": {}},
		Stats:  map[string]index.Stat{"followers": {Min: 3, Max: 1.5e6}},
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("Search result (-want +got):\n%s", diff)
	}
}

func TestContractSearchBodies(t *testing.T) {
	tests := []struct {
		name string
		q    index.Query
		want map[string]any // the keys compared
	}{
		{
			name: "defaults sort by key",
			q:    index.Query{},
			want: map[string]any{"q": "", "page": 1.0, "hitsPerPage": 20.0, "sort": []any{"key_sort:asc", "key_sort_rest:asc"}, "facets": []any{"all"}, "filter": nil},
		},
		{
			name: "text without sort ranks by relevance",
			q:    index.Query{Text: "cooking"},
			want: map[string]any{"q": "cooking", "sort": nil},
		},
		{
			name: "not and missing",
			q:    index.Query{Filter: &index.Filter{Op: index.OpNot, Sub: []index.Filter{{Op: index.OpMissing, Field: "niche"}}}},
			want: map[string]any{"filter": "NOT niche NOT EXISTS"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			s := openFake(t, f, Config{})
			var body map[string]any
			f.search = func(_ string, b map[string]any) (int, any) {
				body = b
				return 200, map[string]any{"hits": []any{}, "totalHits": 0}
			}
			if _, err := s.Search(context.Background(), tt.q); err != nil {
				t.Fatalf("Search: %v", err)
			}
			got := map[string]any{}
			for k := range tt.want {
				got[k] = body[k]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("search body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"words", "vegan recipes", "vegan recipes"},
		{"phrase quotes", `"vegan recipes"`, "vegan recipes"},
		{"unclosed quote", `placeholder"`, "placeholder"},
		{"negation", "-meat vegan", "meat vegan"},
		{"inner hyphen kept", "plant-based", "plant-based"},
		{"spaces", "  a \t b  ", "a b"},
		{"only syntax", `" - "`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := plainText(tt.in); got != tt.want {
				t.Errorf("plainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestContractErrors(t *testing.T) {
	f := newFake(t)
	s := openFake(t, f, Config{})
	f.search = func(string, map[string]any) (int, any) {
		return 400, apiError("invalid_search_filter", "Attribute `x` is not filterable.")
	}
	_, err := s.Search(context.Background(), index.Query{})
	if !errors.Is(err, creator.ErrInvalid) || !strings.Contains(err.Error(), "invalid_search_filter") {
		t.Errorf("Search error = %v, want creator.ErrInvalid naming invalid_search_filter", err)
	}
	_, err = s.Search(context.Background(), index.Query{Sort: []index.Sort{{Field: "bio"}}})
	if !errors.Is(err, creator.ErrInvalid) {
		t.Errorf("Search with bad sort = %v, want creator.ErrInvalid", err)
	}
	_, err = s.Get(context.Background(), "bluesky-missing")
	if !errors.Is(err, creator.ErrNotFound) {
		t.Errorf("Get of a missing key = %v, want creator.ErrNotFound", err)
	}
	if r := f.requests(); len(r) == 0 || r[len(r)-1].Path != "/indexes/scout_creators/documents/bluesky-missing" || r[len(r)-1].Query != "fields=record" {
		t.Errorf("Get sent %v, want GET /indexes/scout_creators/documents/bluesky-missing?fields=record", r)
	}
	_, err = s.Get(context.Background(), "not a key")
	if !errors.Is(err, creator.ErrNotFound) {
		t.Errorf("Get of an invalid key = %v, want creator.ErrNotFound", err)
	}
	if r := f.requests(); len(r) != 0 {
		t.Errorf("Get of an invalid key sent %v, want nothing", r)
	}
	_, err = s.GetJob(context.Background(), "j1")
	if !errors.Is(err, creator.ErrNotFound) {
		t.Errorf("GetJob of a missing job = %v, want creator.ErrNotFound", err)
	}
}

func TestContractGet(t *testing.T) {
	f := newFake(t)
	s := openFake(t, f, Config{})
	rec := record("bluesky-abc", "bluesky", 1200)
	full, _ := json.Marshal(rec)
	f.getDoc = func(uid, id string) (int, any) {
		if uid != "scout_creators" || id != "bluesky-abc" {
			return 404, apiError("document_not_found", "no")
		}
		return 200, map[string]any{"record": string(full)}
	}
	got, err := s.Get(context.Background(), "bluesky-abc")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if diff := cmp.Diff(rec, got); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}
}

// docsOf returns the documents of the recorded document additions to uid.
func docsOf(reqs []recorded, uid string) []any {
	var out []any
	for _, r := range reqs {
		if r.Method == "POST" && r.Path == "/indexes/"+uid+"/documents" {
			out = append(out, r.Body.([]any)...)
		}
	}
	return out
}

func TestContractUpsertBatches(t *testing.T) {
	f := newFake(t)
	// BatchWait is long so that the batch is sent when BatchSize writes
	// have arrived, which makes the coalescing deterministic.
	s := openFake(t, f, Config{BatchSize: 4, BatchWait: time.Hour})
	var trims []map[string]any
	f.search = func(uid string, b map[string]any) (int, any) {
		if uid != "scout_snapshots" {
			t.Errorf("search on %s during upsert", uid)
		}
		trims = append(trims, b)
		return 200, map[string]any{"hits": []any{}, "facetDistribution": map[string]any{"ckey": map[string]any{}}}
	}
	keys := []string{"bluesky-a", "bluesky-b", "bluesky-a", "youtube-UCx_y"}
	var wg sync.WaitGroup
	errs := make([]error, len(keys))
	for i, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			snap := creator.Snapshot{At: time.Date(2026, 3, 1, 0, 0, i, 0, time.UTC), Followers: int64(i)}
			errs[i] = s.Upsert(context.Background(), record(k, strings.SplitN(k, "-", 2)[0], int64(100+i)), snap)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Upsert %d: %v", i, err)
		}
	}
	reqs := f.requests()
	var paths []string
	for _, r := range reqs {
		paths = append(paths, r.String())
	}
	wantPaths := []string{
		"POST /indexes/scout_snapshots/documents?primaryKey=id",
		"POST /indexes/scout_creators/documents?primaryKey=key",
		"POST /indexes/scout_snapshots/search?",
	}
	if diff := cmp.Diff(wantPaths, paths); diff != "" {
		t.Fatalf("requests of one batch (-want +got):\n%s", diff)
	}
	byCKey := map[string]string{}
	for _, k := range keys {
		byCKey[fkey(k)] = k
	}
	snaps := docsOf(reqs, "scout_snapshots")
	if len(snaps) != 4 {
		t.Fatalf("snapshot batch has %d documents, want 4", len(snaps))
	}
	seen := map[string]bool{}
	for _, d := range snaps {
		m := d.(map[string]any)
		id, ck, seq := m["id"].(string), m["ckey"].(string), m["seq"].(string)
		key := byCKey[ck]
		if !creator.ValidKey(id) || !strings.HasPrefix(id, key+"-") || !strings.HasSuffix(id, seq) || seen[id] {
			t.Errorf("snapshot document id %q for key %q, seq %q: want a new valid id of key and seq", id, key, seq)
		}
		seen[id] = true
		var snap creator.Snapshot
		if err := json.Unmarshal([]byte(m["data"].(string)), &snap); err != nil {
			t.Errorf("snapshot data: %v", err)
		}
	}
	recs := docsOf(reqs, "scout_creators")
	var gotKeys []string
	for _, d := range recs {
		gotKeys = append(gotKeys, d.(map[string]any)["key"].(string))
	}
	slices.Sort(gotKeys)
	if diff := cmp.Diff([]string{"bluesky-a", "bluesky-b", "youtube-UCx_y"}, gotKeys); diff != "" {
		t.Errorf("creator batch keys, one document per key (-want +got):\n%s", diff)
	}
	for _, d := range recs {
		m := d.(map[string]any)
		if m["key"] != "youtube-UCx_y" {
			continue
		}
		rec := record("youtube-UCx_y", "youtube", int64(m["followers"].(float64)))
		sum := index.Summary(rec)
		full, _ := json.Marshal(rec)
		sumJSON, _ := json.Marshal(&sum)
		want := map[string]any{
			"key": "youtube-UCx_y", "key_sort": "|rxwxeh#]0{c|", "all": "1",
			"text_name": "Name youtube-UCx_y", "text_handle": "hyoutube-UCx_y", "text_bio": "bio",
			"text_posts": "first post\nsecond", "record": string(full), "summary": string(sumJSON),
			"platform": "youtube", "tier": "nano", "country": "US", "updated_at": float64(rec.UpdatedAt.Unix()),
			"handle": "hyoutube-ucx_y", // index.NormalizeHandle of the handle: the exact lookup field
		}
		for _, fd := range index.Fields {
			if fd.Kind == index.Numeric && fd.Name != "updated_at" {
				v, _ := fd.Number(rec)
				want[fd.Name] = v
			}
		}
		if diff := cmp.Diff(want, m); diff != "" {
			t.Errorf("creator document (-want +got):\n%s", diff)
		}
	}
	wantTrim := map[string]any{"facets": []any{"ckey"}, "hitsPerPage": 0.0, "q": "", "hybrid": nil}
	if len(trims) != 1 {
		t.Fatalf("%d history count queries, want 1", len(trims))
	}
	filter, _ := trims[0]["filter"].(string)
	delete(trims[0], "filter")
	if diff := cmp.Diff(wantTrim, trims[0]); diff != "" {
		t.Errorf("history count query (-want +got):\n%s", diff)
	}
	syn, vals, err := skeleton(filter)
	slices.Sort(vals)
	if err != nil || syn != "ckey IN [?, ?, ?]" || !slices.Equal(vals, []string{enc("bluesky-a"), enc("bluesky-b"), enc("youtube-UCx_y")}) {
		t.Errorf("history count filter %q: syntax %q values %q err %v", filter, syn, vals, err)
	}
}

func TestContractUpsertInvalid(t *testing.T) {
	f := newFake(t)
	s := openFake(t, f, Config{BatchSize: 1})
	nan := record("bluesky-nan", "bluesky", 1)
	nan.Scores.Overall = math.NaN()
	tests := []struct {
		name string
		rec  *creator.Record
	}{
		{"nil record", nil},
		{"empty key", record("", "bluesky", 1)},
		{"key with space", record("has space", "bluesky", 1)},
		{"unencodable number", nan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Upsert(context.Background(), tt.rec, creator.Snapshot{})
			if !errors.Is(err, creator.ErrInvalid) {
				t.Errorf("Upsert = %v, want creator.ErrInvalid", err)
			}
			if r := f.requests(); len(r) != 0 {
				t.Errorf("Upsert of an invalid record sent %v", r)
			}
		})
	}
}

func TestContractTrim(t *testing.T) {
	f := newFake(t)
	s := openFake(t, f, Config{HistoryCap: 3, BatchSize: 1})
	ck := enc("bluesky-a")
	var bodies []map[string]any
	f.search = func(uid string, b map[string]any) (int, any) {
		bodies = append(bodies, b)
		if _, ok := b["facets"]; ok {
			return 200, map[string]any{"hits": []any{}, "facetDistribution": map[string]any{"ckey": map[string]any{ck: 5}}}
		}
		return 200, map[string]any{"hits": []any{map[string]any{"id": "old1"}, map[string]any{"id": "old2"}}}
	}
	if err := s.Upsert(context.Background(), record("bluesky-a", "bluesky", 1), creator.Snapshot{}); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	if len(bodies) != 2 {
		t.Fatalf("%d searches, want a count and a page of the oldest", len(bodies))
	}
	want := map[string]any{
		"q": "", "hybrid": nil, "filter": `ckey = "` + ck + `"`, "sort": []any{"seq:desc"},
		"offset": 3.0, "limit": 2.0, "attributesToRetrieve": []any{"id"},
	}
	if diff := cmp.Diff(want, bodies[1]); diff != "" {
		t.Errorf("oldest-snapshots query (-want +got):\n%s", diff)
	}
	reqs := f.requests()
	last := reqs[len(reqs)-1]
	if diff := cmp.Diff(recorded{Method: "POST", Path: "/indexes/scout_snapshots/documents/delete-batch", Body: []any{"old1", "old2"}}, last); diff != "" {
		t.Errorf("trim delete (-want +got):\n%s", diff)
	}
}

func TestContractUpsertFailedTask(t *testing.T) {
	tests := []struct {
		name       string
		failIndex  string
		code       string
		wantErr    error
		wantUndone bool // the batch's snapshots are deleted again
	}{
		{"snapshots fail", "scout_snapshots", "internal", nil, false},
		{"records fail", "scout_creators", "invalid_document_id", creator.ErrInvalid, true},
		{"records fail no space", "scout_creators", "no_space_left_on_device", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			s := openFake(t, f, Config{BatchSize: 1})
			f.onTask = func(r recorded) []taskState {
				if r.Method == "POST" && r.Path == "/indexes/"+tt.failIndex+"/documents" {
					return []taskState{{Status: "enqueued"}, {Status: "processing"}, {Status: "failed", Code: tt.code}}
				}
				return nil
			}
			err := s.Upsert(context.Background(), record("bluesky-a", "bluesky", 1), creator.Snapshot{})
			if err == nil || !strings.Contains(err.Error(), tt.code) {
				t.Fatalf("Upsert error = %v, want one naming %s", err, tt.code)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Upsert error = %v, want %v", err, tt.wantErr)
			}
			var te *TaskError
			if !errors.As(err, &te) || te.Status != "failed" {
				t.Errorf("Upsert error = %v, want a failed *TaskError", err)
			}
			reqs := f.requests()
			undone := false
			for _, r := range reqs {
				if r.Path == "/indexes/scout_snapshots/documents/delete-batch" {
					undone = true
				}
				if strings.HasSuffix(r.Path, "/search") {
					t.Errorf("history trimmed after a failed write: %v", r)
				}
			}
			if undone != tt.wantUndone {
				t.Errorf("snapshots deleted again = %v, want %v", undone, tt.wantUndone)
			}
		})
	}
}

func TestContractTaskPolling(t *testing.T) {
	f := newFake(t)
	s := openFake(t, f, Config{BatchSize: 1})
	f.onTask = func(r recorded) []taskState {
		return []taskState{{Status: "enqueued"}, {Status: "enqueued"}, {Status: "processing"}, {Status: "succeeded"}}
	}
	f.mu.Lock()
	f.reqs = nil
	f.mu.Unlock()
	if err := s.PutWatchlist(context.Background(), &index.Watchlist{ID: "w1"}); err != nil {
		t.Fatalf("PutWatchlist: %v", err)
	}
	polls := f.polls()
	if len(polls) != 1 {
		t.Fatalf("polled tasks %v, want one", polls)
	}
	for path, n := range polls {
		if n != 4 {
			t.Errorf("%s polled %d times, want 4 (until it succeeded)", path, n)
		}
	}
}

func TestContractDelete(t *testing.T) {
	f := newFake(t)
	s := openFake(t, f, Config{})
	key := "youtube-UCx_y"
	wl := index.Watchlist{ID: "w1", Members: []index.WatchMember{{Key: key}, {Key: "bluesky-b"}}}
	wlJSON, _ := json.Marshal(&wl)
	var fetches []map[string]any
	f.fetch = func(uid string, b map[string]any) (int, any) {
		fetches = append(fetches, b)
		return 200, map[string]any{"results": []any{map[string]any{"data": string(wlJSON)}}, "offset": 0, "limit": 1000, "total": 1}
	}
	if err := s.Delete(context.Background(), key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	byFilter := `ckey = "` + enc(key) + `"`
	want := []recorded{
		{Method: "DELETE", Path: "/indexes/scout_creators/documents/" + key},
		{Method: "POST", Path: "/indexes/scout_snapshots/documents/delete", Body: map[string]any{"filter": byFilter}},
		{Method: "POST", Path: "/indexes/scout_job_items/documents/delete", Body: map[string]any{"filter": byFilter}},
		{Method: "POST", Path: "/indexes/scout_alerts/documents/delete", Body: map[string]any{"filter": byFilter}},
		{Method: "POST", Path: "/indexes/scout_tracking/documents/delete", Body: map[string]any{"filter": byFilter}},
		{Method: "POST", Path: "/indexes/scout_watchlists/documents/fetch", Body: map[string]any{
			"filter": `members = "` + enc(key) + `"`, "limit": 1000.0, "fields": []any{"data"}}},
	}
	reqs := f.requests()
	if len(reqs) != len(want)+1 {
		t.Fatalf("Delete sent %v", reqs)
	}
	if diff := cmp.Diff(want, reqs[:len(want)]); diff != "" {
		t.Errorf("Delete requests (-want +got):\n%s", diff)
	}
	upd := reqs[len(want)]
	if upd.Path != "/indexes/scout_watchlists/documents" {
		t.Fatalf("watchlist update sent to %s", upd.Path)
	}
	doc := upd.Body.([]any)[0].(map[string]any)
	var got index.Watchlist
	if err := json.Unmarshal([]byte(doc["data"].(string)), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]index.WatchMember{{Key: "bluesky-b"}}, got.Members); diff != "" {
		t.Errorf("watchlist members after Delete (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{enc("bluesky-b")}, doc["members"]); diff != "" {
		t.Errorf("watchlist members attribute (-want +got):\n%s", diff)
	}
}

func TestContractRecords(t *testing.T) {
	f := newFake(t)
	s := openFake(t, f, Config{})
	ctx := context.Background()
	var searches []map[string]any
	f.search = func(uid string, b map[string]any) (int, any) {
		b["index"] = uid
		searches = append(searches, b)
		return 200, map[string]any{"hits": []any{}, "totalHits": 0, "facetDistribution": map[string]any{"state": map[string]any{enc("done"): 2}}}
	}
	job := &index.Job{ID: `j"1`, Kind: "crawl", State: index.JobRunning}
	jobJSON, _ := json.Marshal(job)
	f.getDoc = func(uid, id string) (int, any) { return 200, map[string]any{"data": string(jobJSON)} }
	if err := s.PutJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	if err := s.PutJobItems(ctx, &index.JobItem{JobID: `j"1`, Key: "bluesky-a", State: index.ItemDone}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetJob(ctx, `j"1`)
	if err != nil {
		t.Fatal(err)
	}
	if got.Counts != (index.JobCounts{Done: 2}) {
		t.Errorf("GetJob counts = %+v, want Done 2", got.Counts)
	}
	if ok, err := s.IsOptedOut(ctx, "Bluesky", "did:plc:x", "Some.Handle"); err != nil || ok {
		t.Errorf("IsOptedOut = %v, %v; want false, nil", ok, err)
	}
	if _, err := s.ListAlerts(ctx, index.AlertFilter{WatchlistID: "w1", Kind: "spike"}); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	wantDocs := []recorded{
		{Method: "POST", Path: "/indexes/scout_jobs/documents", Query: "primaryKey=id", Body: []any{map[string]any{
			"id": docID("job", `j"1`), "state": enc("running"), "data": string(jobJSON)}}},
	}
	if diff := cmp.Diff(wantDocs, reqs[:1]); diff != "" {
		t.Errorf("PutJob request (-want +got):\n%s", diff)
	}
	item := reqs[1].Body.([]any)[0].(map[string]any)
	delete(item, "data")
	if diff := cmp.Diff(map[string]any{"id": itemID(`j"1`, "bluesky-a"), "job": enc(`j"1`), "ckey": enc("bluesky-a"), "state": enc("done")}, item); diff != "" {
		t.Errorf("PutJobItem document (-want +got):\n%s", diff)
	}
	wantSearches := []map[string]any{
		{"index": "scout_job_items", "q": "", "hybrid": nil, "filter": `job = "` + enc(`j"1`) + `"`, "facets": []any{"state"}, "hitsPerPage": 0.0},
		{"index": "scout_optouts", "q": "", "hybrid": nil, "hitsPerPage": 1.0, "attributesToRetrieve": []any{"id"},
			"filter": `platform = "` + enc("bluesky") + `" AND (oid = "` + enc("did:plc:x") + `" OR handle = "` + enc("some.handle") + `")`},
		{"index": "scout_alerts", "q": "", "hybrid": nil, "limit": 100.0, "attributesToRetrieve": []any{"data"},
			"filter": `watchlist = "` + enc("w1") + `" AND kind = "` + enc("spike") + `"`, "sort": []any{"at:desc", "aid:asc"}},
	}
	if diff := cmp.Diff(wantSearches, searches); diff != "" {
		t.Errorf("searches (-want +got):\n%s", diff)
	}
}

// snapDoc is a snapshot's document as encoding/json writes it, which
// snapDocJSON must write.
type snapDoc struct {
	ID   string `json:"id"`
	CKey string `json:"ckey"`
	Seq  string `json:"seq"`
	Data string `json:"data"`
}

// TestSnapDocJSON checks that snapDocJSON writes a snapshot's document as
// encoding/json would, and that snapDocLen, by which UpsertMany checks
// its size, is its length.
func TestSnapDocJSON(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	ownID := strings.Repeat("k", creator.MaxKeyLen-1-seqLen) // the longest key in its snapshots' ids
	tests := []struct {
		name string
		key  string
		snap creator.Snapshot
	}{
		{"plain", "bluesky-a", creator.Snapshot{At: at, Followers: 5, EngagementRate: 0.25}},
		{"escaped", "bluesky-a", creator.Snapshot{At: at, PrimaryNiche: "\"q\" \\ <b>&amp; \u2028\u2029 \x01\t é 日本 \xff",
			SponsoredPostIDs: []string{`a"b`, `c\d`}}},
		{"key in the id", ownID, creator.Snapshot{At: at}},
		{"key hashed in the id", ownID + "k", creator.Snapshot{At: at}},
		{"key hashed in ckey", strings.Repeat("-", creator.MaxKeyLen), creator.Snapshot{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := snapData(&tt.snap)
			if err != nil {
				t.Fatal(err)
			}
			text, err := json.Marshal(&tt.snap)
			if err != nil {
				t.Fatal(err)
			}
			seq := seqKey(tt.snap.At, 7)
			id, ckey := snapID(tt.key, seq), fkey(tt.key)
			want, err := json.Marshal(snapDoc{ID: id, CKey: ckey, Seq: seq, Data: string(text)})
			if err != nil {
				t.Fatal(err)
			}
			got := snapDocJSON(id, ckey, seq, data)
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("snapDocJSON (-want +got):\n%s", diff)
			}
			if n := snapDocLen(snapID(tt.key, strings.Repeat("0", seqLen)), ckey, data); n != len(want) {
				t.Errorf("snapDocLen = %d, want %d", n, len(want))
			}
		})
	}
}

func TestSeqKeyOrder(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ordered := []struct {
		t time.Time
		n uint64
	}{
		{time.Time{}, 5},
		{time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{base, 0},
		{base, 1},
		{base.Add(time.Nanosecond), 0},
		{base.Add(time.Second), 0},
	}
	for i := 1; i < len(ordered); i++ {
		a, b := seqKey(ordered[i-1].t, ordered[i-1].n), seqKey(ordered[i].t, ordered[i].n)
		if a >= b {
			t.Errorf("seqKey(%v,%d) = %s not before seqKey(%v,%d) = %s", ordered[i-1].t, ordered[i-1].n, a, ordered[i].t, ordered[i].n, b)
		}
	}
}

func TestContractExportPages(t *testing.T) {
	f := newFake(t)
	s := openFake(t, f, Config{})
	var offsets []float64
	f.fetch = func(uid string, b map[string]any) (int, any) {
		if uid != "scout_alerts" {
			t.Errorf("fetch from %s, want scout_alerts", uid)
		}
		off, _ := b["offset"].(float64) // absent on the first page: omitempty
		offsets = append(offsets, off)
		n := 1000
		if off > 0 {
			n = 3
		}
		var docs []any
		for i := range n {
			e, _ := json.Marshal(index.AlertEvent{ID: fmt.Sprintf("e%d", int(off)+i)})
			docs = append(docs, map[string]any{"data": string(e)})
		}
		return 200, map[string]any{"results": docs, "offset": off, "limit": 1000, "total": 1003}
	}
	seen := map[string]bool{}
	err := s.ForEachAlert(context.Background(), func(e *index.AlertEvent) error {
		seen[e.ID] = true
		return nil
	})
	if err != nil {
		t.Fatalf("ForEachAlert: %v", err)
	}
	if diff := cmp.Diff([]float64{0, 1000}, offsets); diff != "" {
		t.Errorf("fetched offsets (-want +got):\n%s", diff)
	}
	if len(seen) != 1003 {
		t.Errorf("ForEachAlert saw %d events, want 1003", len(seen))
	}
	stop := errors.New("stop")
	err = s.ForEachAlert(context.Background(), func(*index.AlertEvent) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("ForEachAlert returned %v, want the callback's error", err)
	}
}

// TestContractLongValues writes and then reads, filters and deletes by
// the longest values the store takes (a 511-byte creator key, ids and
// handles of hundreds of bytes) and checks that every string the Store
// puts in a filterable or sortable attribute, and every value in its
// filters, is one Meilisearch keeps whole (facetValue leaves it as it is):
// Meilisearch cuts stored facet strings to 468 bytes but compares filter
// values uncut, so a longer value could never match.
func TestContractLongValues(t *testing.T) {
	f := newFake(t)
	s, err := Open(context.Background(), Config{URL: f.srv.URL, BatchSize: 1})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	// The filterable and sortable attributes of each index, from its
	// settings.
	faceted := map[string]map[string]bool{}
	for _, r := range f.requests() {
		if r.Method != "PATCH" {
			continue
		}
		uid := strings.TrimSuffix(strings.TrimPrefix(r.Path, "/indexes/"), "/settings")
		faceted[uid] = map[string]bool{}
		body := r.Body.(map[string]any)
		for _, k := range []string{"filterableAttributes", "sortableAttributes"} {
			list, _ := body[k].([]any)
			for _, a := range list {
				faceted[uid][a.(string)] = true
			}
		}
	}
	ctx := context.Background()
	key := "bluesky-" + strings.Repeat("Ab9_", 125) + "xyz" // 511 bytes
	if !creator.ValidKey(key) || len(key) != creator.MaxKeyLen {
		t.Fatalf("test key of %d bytes is not a valid maximal key", len(key))
	}
	long := func(c string) string { return strings.Repeat(c, 300) }
	steps := []struct {
		name string
		do   func() error
	}{
		{"Upsert", func() error { return s.Upsert(ctx, record(key, "bluesky", 5), creator.Snapshot{}) }},
		{"PutJobItem", func() error {
			return s.PutJobItems(ctx, &index.JobItem{JobID: long("j"), Key: key, State: index.ItemDone})
		}},
		{"PutAlert", func() error {
			return s.PutAlert(ctx, &index.AlertEvent{ID: long("a"), WatchlistID: long("w"), CreatorKey: key, Kind: long("k")})
		}},
		{"AddOptOut", func() error {
			return s.AddOptOut(ctx, &index.OptOut{Platform: "bluesky", ID: long("i"), Handle: long("H")})
		}},
		{"PutWatchlist", func() error {
			return s.PutWatchlist(ctx, &index.Watchlist{ID: long("w"), Members: []index.WatchMember{{Key: key}}})
		}},
		{"History", func() error { _, err := s.History(ctx, key, 0); return err }},
		{"JobItems", func() error { _, err := s.JobItems(ctx, long("j"), index.ItemDone); return err }},
		{"IsOptedOut", func() error { _, err := s.IsOptedOut(ctx, "bluesky", long("i"), long("h")); return err }},
		{"ListAlerts", func() error {
			_, err := s.ListAlerts(ctx, index.AlertFilter{WatchlistID: long("w"), CreatorKey: key, Kind: long("k")})
			return err
		}},
		{"Delete", func() error { return s.Delete(ctx, key) }},
		{"DeleteWatchlist", func() error { return s.DeleteWatchlist(ctx, long("w")) }},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
	stored := map[string]bool{}
	var filters []string
	for _, r := range f.requests() {
		uid := strings.Split(strings.TrimPrefix(r.Path, "/indexes/"), "/")[0]
		switch {
		case r.Method == "POST" && strings.HasSuffix(r.Path, "/documents"):
			for _, d := range r.Body.([]any) {
				for attr, v := range d.(map[string]any) {
					if _, field := index.FieldByName(attr); field && uid == "scout_creators" || !faceted[uid][attr] {
						continue // keyword fields are stored as written, see creatorExpr
					}
					vs, ok := v.([]any)
					if !ok {
						vs = []any{v}
					}
					for _, v := range vs {
						sv, ok := v.(string)
						if !ok {
							continue
						}
						if !unchanged(sv) {
							t.Errorf("%s: attribute %s holds %d bytes that Meilisearch changes: %.40q...", uid, attr, len(sv), sv)
						}
						stored[sv] = true
					}
				}
			}
		case strings.HasSuffix(r.Path, "/search") || strings.HasSuffix(r.Path, "/documents/fetch") || strings.HasSuffix(r.Path, "/documents/delete"):
			if fl, ok := r.Body.(map[string]any)["filter"].(string); ok {
				filters = append(filters, fl)
			}
		}
	}
	if len(filters) < 8 {
		t.Fatalf("only %d filters sent: %q", len(filters), filters)
	}
	for _, fl := range filters {
		_, vals, err := skeleton(fl)
		if err != nil {
			t.Fatalf("filter %q: %v", fl, err)
		}
		for _, v := range vals {
			if !unchanged(v) {
				t.Errorf("filter %.60q... compares a value of %d bytes that Meilisearch would have cut", fl, len(v))
			}
			if !stored[v] {
				t.Errorf("filter %.60q... compares %.40q..., which no document stores", fl, v)
			}
		}
	}
}

// docSize is the size of rec's creators document as the Store sends it.
func docSize(t *testing.T, rec *creator.Record) int {
	t.Helper()
	m, err := creatorDoc(rec)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return len(b)
}

func TestContractBatchBytes(t *testing.T) {
	f := newFake(t)
	var recs []*creator.Record
	var ws []index.Write
	for i := range 10 {
		r := record(fmt.Sprintf("bluesky-k%02d", i), "bluesky", int64(i))
		recs = append(recs, r)
		ws = append(ws, index.Write{Record: r, Snapshot: creator.Snapshot{Followers: int64(i)}})
	}
	size := 0
	for _, r := range recs {
		size = max(size, docSize(t, r))
	}
	limit := 3*size + 4 // three documents a request
	s := openFake(t, f, Config{MaxBatchBytes: limit})
	if err := s.UpsertMany(context.Background(), ws); err != nil {
		t.Fatalf("UpsertMany: %v", err)
	}
	reqs := f.requests()
	var keys []string
	for _, d := range docsOf(reqs, "scout_creators") {
		keys = append(keys, d.(map[string]any)["key"].(string))
	}
	var want []string
	for _, r := range recs {
		want = append(want, r.Key)
	}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("creator documents sent, each once, in order (-want +got):\n%s", diff)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, path := range []string{"/indexes/scout_creators/documents", "/indexes/scout_snapshots/documents"} {
		sizes := f.sizes[path]
		if len(sizes) == 0 {
			t.Errorf("no request to %s", path)
		}
		for _, n := range sizes {
			if n > limit {
				t.Errorf("%s: a request of %d bytes, over MaxBatchBytes %d (all: %v)", path, n, limit, sizes)
			}
		}
	}
	if n := len(f.sizes["/indexes/scout_creators/documents"]); n != 4 {
		t.Errorf("%d creators requests for 10 documents of which 3 fit in one, want 4", n)
	}
}

func TestContractUpsertTooLarge(t *testing.T) {
	f := newFake(t)
	small := record("bluesky-small", "bluesky", 1)
	limit := docSize(t, small) + 1000
	s := openFake(t, f, Config{MaxBatchBytes: limit, BatchSize: 1})
	big := record("bluesky-big", "bluesky", 1)
	big.Profile.Bio = strings.Repeat("long bio ", limit/9)
	bigSnap := creator.Snapshot{PrimaryNiche: strings.Repeat("n", limit)}
	// sized returns a snapshot of small whose document, as encoding/json
	// writes it, has n bytes.
	sized := func(n int) creator.Snapshot {
		size := func(niche string) int {
			snap := creator.Snapshot{PrimaryNiche: niche}
			text, err := json.Marshal(&snap)
			if err != nil {
				t.Fatal(err)
			}
			seq := seqKey(time.Time{}, 0)
			doc, err := json.Marshal(snapDoc{ID: snapID(small.Key, seq), CKey: fkey(small.Key), Seq: seq, Data: string(text)})
			if err != nil {
				t.Fatal(err)
			}
			return len(doc)
		}
		return creator.Snapshot{PrimaryNiche: strings.Repeat("n", 1+n-size("n"))}
	}
	tests := []struct {
		name string
		rec  *creator.Record
		snap creator.Snapshot
		fits bool
	}{
		{"record", big, creator.Snapshot{}, false},
		{"snapshot", small, bigSnap, false},
		{"snapshot a byte over", small, sized(limit - 1), false},
		{"snapshot at the limit", small, sized(limit - 2), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Upsert(context.Background(), tt.rec, tt.snap)
			if tt.fits {
				if err != nil {
					t.Fatalf("Upsert of a %s: %v", tt.name, err)
				}
				f.requests()
				f.mu.Lock()
				sizes := f.sizes["/indexes/scout_snapshots/documents"]
				f.mu.Unlock()
				if diff := cmp.Diff([]int{limit}, sizes); diff != "" {
					t.Errorf("snapshots requests' sizes, MaxBatchBytes %d (-want +got):\n%s", limit, diff)
				}
				return
			}
			if !errors.Is(err, creator.ErrInvalid) || !strings.Contains(err.Error(), "MaxBatchBytes") || !strings.Contains(err.Error(), tt.rec.Key) {
				t.Errorf("Upsert of a too large %s = %v, want creator.ErrInvalid naming the key and MaxBatchBytes", tt.name, err)
			}
			if r := f.requests(); len(r) != 0 {
				t.Errorf("Upsert of a too large %s sent %v", tt.name, r)
			}
		})
	}
	if err := s.Upsert(context.Background(), small, creator.Snapshot{}); err != nil {
		t.Errorf("Upsert of a record that fits: %v", err)
	}
}

// TestContractUpsertPartialFailure runs four concurrent Upserts that are
// sent as one batch in two creators requests of two records (by
// MaxBatchBytes), one of which fails. The writes in the request that
// succeeded succeed; the others fail, and their snapshots are deleted
// again; the task of the request that was enqueued is waited for even
// when the next request cannot be sent.
func TestContractUpsertPartialFailure(t *testing.T) {
	tests := []struct {
		name string
		// failing chooses which of the two creators requests (0 or 1) fails.
		failing int
		// rejected: the request gets an HTTP error; else its task fails.
		rejected   bool
		undoFails  bool // the request deleting snapshots again fails too
		wantInErr  string
		wantUndone bool
	}{
		{name: "second request rejected", failing: 1, rejected: true, wantInErr: "payload_too_large", wantUndone: true},
		{name: "first task fails", failing: 0, wantInErr: "internal", wantUndone: true},
		{name: "undo fails too", failing: 1, rejected: true, undoFails: true, wantInErr: "deleting its snapshot again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			var recs []*creator.Record
			for i := range 4 {
				recs = append(recs, record(fmt.Sprintf("bluesky-k%d", i), "bluesky", 1))
			}
			size := 0
			for _, r := range recs {
				size = max(size, docSize(t, r))
			}
			s := openFake(t, f, Config{BatchSize: 4, BatchWait: time.Hour, MaxBatchBytes: 2*size + 3})
			creatorsReqs := 0
			f.reject = func(r recorded) (int, string) {
				switch {
				case r.Path == "/indexes/scout_creators/documents":
					creatorsReqs++
					if tt.rejected && creatorsReqs-1 == tt.failing {
						return http.StatusRequestEntityTooLarge, "payload_too_large"
					}
				case r.Path == "/indexes/scout_snapshots/documents/delete-batch" && tt.undoFails:
					return http.StatusInternalServerError, "internal"
				}
				return 0, ""
			}
			taskOf := map[int64]int{} // task uid -> creators request number
			n := 0
			f.onTask = func(r recorded) []taskState {
				if r.Path != "/indexes/scout_creators/documents" {
					return nil
				}
				taskOf[f.nextTask] = n
				n++
				if !tt.rejected && n-1 == tt.failing {
					return []taskState{{Status: "processing"}, {Status: "failed", Code: "internal"}}
				}
				return []taskState{{Status: "enqueued"}, {Status: "processing"}, {Status: "succeeded"}}
			}
			errs := make([]error, len(recs))
			var wg sync.WaitGroup
			for i, r := range recs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = s.Upsert(context.Background(), r, creator.Snapshot{Followers: int64(i)})
				}()
			}
			wg.Wait()
			polls := f.polls()
			reqs := f.requests()

			// Which keys went in which creators request, and the snapshot
			// ids of each key.
			var perReq [][]string
			snapIDs := map[string]string{}
			var undone []any
			for _, r := range reqs {
				switch r.Path {
				case "/indexes/scout_creators/documents":
					var ks []string
					for _, d := range r.Body.([]any) {
						ks = append(ks, d.(map[string]any)["key"].(string))
					}
					perReq = append(perReq, ks)
				case "/indexes/scout_snapshots/documents":
					for _, d := range r.Body.([]any) {
						m := d.(map[string]any)
						for _, rec := range recs {
							if m["ckey"] == fkey(rec.Key) {
								snapIDs[rec.Key] = m["id"].(string)
							}
						}
					}
				case "/indexes/scout_snapshots/documents/delete-batch":
					undone = r.Body.([]any)
				}
			}
			if len(perReq) != 2 || len(perReq[0]) != 2 || len(perReq[1]) != 2 {
				t.Fatalf("creators requests %v, want two of two records", perReq)
			}
			failed := map[string]bool{}
			for _, k := range perReq[tt.failing] {
				failed[k] = true
			}
			var wantUndone []any
			for i, r := range recs {
				if failed[r.Key] {
					if errs[i] == nil || !strings.Contains(errs[i].Error(), tt.wantInErr) {
						t.Errorf("Upsert(%s), in the failing request: %v, want an error naming %q", r.Key, errs[i], tt.wantInErr)
					}
					wantUndone = append(wantUndone, snapIDs[r.Key])
				} else if errs[i] != nil {
					t.Errorf("Upsert(%s), in the request that succeeded: %v", r.Key, errs[i])
				}
			}
			slices.SortFunc(wantUndone, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
			slices.SortFunc(undone, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
			if diff := cmp.Diff(wantUndone, undone); diff != "" {
				t.Errorf("snapshots deleted again (-want +got):\n%s", diff)
			}
			// Every enqueued creators task was polled until it ended.
			for uid, i := range taskOf {
				want := 3
				if !tt.rejected && i == tt.failing {
					want = 2
				}
				if got := polls[fmt.Sprintf("/tasks/%d", uid)]; got != want {
					t.Errorf("task of creators request %d polled %d times, want %d (until it ended)", i, got, want)
				}
			}
		})
	}
}

// TestContractDeleteBetweenBatches deletes a creator while a batch writing
// it is in flight (its snapshots' task is held "processing"): the Delete
// must wait for the batch, so that the batch cannot write the record
// again after the Delete removed it. The held task is released as soon as
// the Delete waits for the batcher behind the batch (batcher.waiting), or as
// soon as it reaches Meilisearch (which it must not do first).
func TestContractDeleteBetweenBatches(t *testing.T) {
	f := newFake(t)
	s := openFake(t, f, Config{BatchSize: 1})
	key := "bluesky-a"
	release := make(chan struct{})
	releaseOnce := sync.OnceFunc(func() { close(release) })
	defer releaseOnce() // before the Store's Close waits for the batch
	snapSent := make(chan struct{})
	var once sync.Once
	f.holdTask = func(r recorded) chan struct{} {
		if r.Path == "/indexes/scout_snapshots/documents" {
			once.Do(func() { close(snapSent) })
			return release
		}
		return nil
	}
	deleteSeen := make(chan struct{}, 1)
	f.onTask = func(r recorded) []taskState {
		if r.Method == "DELETE" && r.Path == "/indexes/scout_creators/documents/"+key {
			select {
			case deleteSeen <- struct{}{}:
			default:
			}
		}
		return nil
	}
	upErr, delErr := make(chan error, 1), make(chan error, 1)
	go func() { upErr <- s.Upsert(context.Background(), record(key, "bluesky", 1), creator.Snapshot{}) }()
	<-snapSent
	go func() { delErr <- s.Delete(context.Background(), key) }()
	deadline := time.Now().Add(10 * time.Second)
	for waiting := false; !waiting; {
		select {
		case <-deleteSeen:
			waiting = true
		case <-time.After(time.Millisecond):
			waiting = s.batch.waiting.Load() > 0
			if !waiting && time.Now().After(deadline) {
				t.Fatal("Delete neither waited in batcher.do nor reached Meilisearch within 10s")
			}
		}
	}
	releaseOnce()
	if err := <-upErr; err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	if err := <-delErr; err != nil {
		t.Fatalf("Delete: %v", err)
	}
	var order []string
	for _, r := range f.requests() {
		switch {
		case r.Method == "POST" && r.Path == "/indexes/scout_creators/documents":
			order = append(order, "write record")
		case r.Method == "DELETE" && r.Path == "/indexes/scout_creators/documents/"+key:
			order = append(order, "delete record")
		}
	}
	if diff := cmp.Diff([]string{"write record", "delete record"}, order); diff != "" {
		t.Errorf("order of the batch's write and the Delete (-want +got):\n%s", diff)
	}
}

// TestContractWatchlistWritesExclusive checks that every write of
// watchlists holds the Store's watchlist lock while it talks to
// Meilisearch, Delete's read-modify-write of memberships included, so
// that a PutWatchlist of the same Store cannot land between Delete's read
// and write and be lost.
func TestContractWatchlistWritesExclusive(t *testing.T) {
	f := newFake(t)
	s := openFake(t, f, Config{})
	var unlocked []string
	check := func(what string) {
		if s.watchMu.TryLock() {
			s.watchMu.Unlock()
			unlocked = append(unlocked, what)
		}
	}
	wl := index.Watchlist{ID: "w1", Members: []index.WatchMember{{Key: "bluesky-a"}, {Key: "bluesky-b"}}}
	wlJSON, _ := json.Marshal(&wl)
	f.fetch = func(uid string, _ map[string]any) (int, any) {
		if uid == "scout_watchlists" {
			check("Delete reading watchlists")
		}
		return 200, map[string]any{"results": []any{map[string]any{"data": string(wlJSON)}}, "offset": 0, "limit": 1000, "total": 1}
	}
	f.onTask = func(r recorded) []taskState {
		switch {
		case r.Method == "POST" && r.Path == "/indexes/scout_watchlists/documents":
			check("writing a watchlist")
		case r.Method == "DELETE" && strings.HasPrefix(r.Path, "/indexes/scout_watchlists/documents/"):
			check("deleting a watchlist")
		}
		return nil
	}
	ctx := context.Background()
	if err := s.PutWatchlist(ctx, &wl); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "bluesky-a"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteWatchlist(ctx, "w1"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string(nil), unlocked); diff != "" {
		t.Errorf("watchlist requests sent without the lock (-want +got):\n%s", diff)
	}
}
