package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// Features declares the optional, backend-specific behaviour a backend
// has; the suite checks each declared feature and skips the checks of the
// others, saying so.
type Features struct {
	// Typo is true when text search tolerates a typo in a long word
	// (Meilisearch does; the SQLite store does not).
	Typo bool
}

// Run runs the conformance suite against the stores open returns. open must
// return a new, empty store for each call and arrange for it to be closed
// when t ends. Run is RunWith with no optional features.
func Run(t *testing.T, open func(t *testing.T) index.Store) {
	t.Helper()
	RunWith(t, open, Features{})
}

// RunWith is Run for a backend with the optional features in f.
func RunWith(t *testing.T, open func(t *testing.T) index.Store, f Features) {
	t.Helper()
	s := &suite{open: open, f: f}
	t.Run("Creators", s.creators)
	t.Run("History", s.history)
	t.Run("Filters", s.filters)
	t.Run("Injection", s.injection)
	t.Run("Facets", s.facets)
	t.Run("Sort", s.sort)
	t.Run("Pagination", s.pagination)
	t.Run("Text", s.text)
	t.Run("InvalidQueries", s.invalid)
	t.Run("Erasure", s.erasure)
	t.Run("Lookups", s.lookups)
	t.Run("LongValues", s.longValues)
	t.Run("Concurrency", s.concurrency)
	t.Run("Jobs", s.jobs)
	t.Run("OptOuts", s.optOuts)
	t.Run("Watchlists", s.watchlists)
	t.Run("Alerts", s.alerts)
	t.Run("APIKeys", s.apiKeys)
	t.Run("Tracking", s.tracking)
}

type suite struct {
	open func(t *testing.T) index.Store
	f    Features
}

// t0 is the suite's reference time; times in fixtures are offsets from it.
var t0 = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// cmpOpts compares records and documents the way a round trip through JSON
// may change them: nil and empty slices and maps are equal.
var cmpOpts = []cmp.Option{cmpopts.EquateEmpty()}

func ctxFor(t *testing.T) context.Context {
	return t.Context()
}

func mustUpsert(t *testing.T, s index.Store, recs ...*creator.Record) {
	t.Helper()
	ws := make([]index.Write, len(recs))
	for i, r := range recs {
		ws[i] = index.Write{Record: r, Snapshot: snapOf(r, r.UpdatedAt)}
	}
	if err := s.UpsertMany(ctxFor(t), ws); err != nil {
		t.Fatalf("UpsertMany(%d records): %v", len(recs), err)
	}
}

func mustSearch(t *testing.T, s index.Store, q index.Query) *index.Result {
	t.Helper()
	res, err := s.Search(ctxFor(t), q)
	if err != nil {
		t.Fatalf("Search(%s): %v", describe(q), err)
	}
	return res
}

func describe(q index.Query) string {
	var b strings.Builder
	fmt.Fprintf(&b, "q=%q", q.Text)
	if q.Filter != nil {
		fmt.Fprintf(&b, " filter=%s", describeFilter(q.Filter))
	}
	if len(q.Sort) > 0 {
		fmt.Fprintf(&b, " sort=%v", q.Sort)
	}
	if q.Page != 0 || q.PerPage != 0 {
		fmt.Fprintf(&b, " page=%d per_page=%d", q.Page, q.PerPage)
	}
	if len(q.Facets) > 0 {
		fmt.Fprintf(&b, " facets=%v", q.Facets)
	}
	return b.String()
}

func describeFilter(f *index.Filter) string {
	switch f.Op {
	case index.OpAnd, index.OpOr, index.OpNot:
		parts := make([]string, len(f.Sub))
		for i := range f.Sub {
			parts[i] = describeFilter(&f.Sub[i])
		}
		return f.Op + "(" + strings.Join(parts, ", ") + ")"
	}
	s := f.Op + "(" + f.Field
	for _, v := range f.Values {
		s += fmt.Sprintf(" %q", v)
	}
	if f.Min != nil {
		s += fmt.Sprintf(" min=%v", *f.Min)
	}
	if f.Max != nil {
		s += fmt.Sprintf(" max=%v", *f.Max)
	}
	return s + ")"
}

func keysOf(hits []creator.Record) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Key
	}
	return out
}

func sorted(keys ...string) []string {
	out := slices.Clone(keys)
	slices.Sort(out)
	return out
}

func f64(v float64) *float64 { return &v }

func wantErrIs(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want one wrapping %v", what, err, target)
	}
}
