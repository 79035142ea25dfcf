package index

import (
	"fmt"
	"math"

	"github.com/creatorscout/scout/creator"
)

// Filter operators.
const (
	OpAnd     = "and"     // all of Sub
	OpOr      = "or"      // any of Sub
	OpNot     = "not"     // not Sub[0]: the complement, so records missing the field match
	OpEq      = "eq"      // Field equals Values[0] (keyword) or Min (numeric)
	OpIn      = "in"      // Field equals one of Values (keyword fields)
	OpRange   = "range"   // Min <= Field <= Max, either bound optional (numeric fields)
	OpExists  = "exists"  // Field has a value (keyword: non-empty)
	OpMissing = "missing" // Field has no value
)

// Filter is a typed filter expression. Backends translate it with one
// function each; values are never spliced into a query string unescaped.
type Filter struct {
	Op     string   `json:"op"`
	Field  string   `json:"field,omitempty"`
	Values []string `json:"values,omitempty"`
	Min    *float64 `json:"min,omitempty"`
	Max    *float64 `json:"max,omitempty"`
	Sub    []Filter `json:"sub,omitempty"`
}

// Sort orders results by one field. Ties are broken by Key ascending.
type Sort struct {
	Field string `json:"field"`
	Desc  bool   `json:"desc,omitempty"`
}

// Query is a search over creators.
type Query struct {
	// Text is matched against display name, handle, bio and post text: every
	// word must match, the last one also as a prefix. Empty matches all.
	Text   string  `json:"q,omitempty"`
	Filter *Filter `json:"filter,omitempty"`
	// Sort orders results; empty means by relevance when Text is set (ties
	// by Key), else by Key.
	Sort []Sort `json:"sort,omitempty"`
	// Page is 1-based; 0 means 1. PerPage 0 means DefaultPerPage.
	Page    int `json:"page,omitempty"`
	PerPage int `json:"per_page,omitempty"`
	// Facets names fields to count (keyword fields) or to give min/max
	// stats for (numeric fields), over all matches.
	Facets []string `json:"facets,omitempty"`
}

// Paging limits.
const (
	DefaultPerPage = 20
	MaxPerPage     = 100
	// MaxTotalHits is the deepest result a query can page to.
	MaxTotalHits = 10000
)

// Result is the answer to a Query.
type Result struct {
	// Hits are records without Posts, Comments, Audience and Scores.Details
	// (see Summary; use Get for the whole record).
	Hits    []creator.Record          `json:"hits"`
	Total   int                       `json:"total"`
	Page    int                       `json:"page"`
	PerPage int                       `json:"per_page"`
	Facets  map[string]map[string]int `json:"facets,omitempty"`
	Stats   map[string]Stat           `json:"stats,omitempty"`
}

// Stat is the range of a numeric field over a query's matches.
type Stat struct {
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

// Normalize validates q and fills its defaults. Its errors wrap
// creator.ErrInvalid and name the offending field.
func (q *Query) Normalize() error {
	if q.Page == 0 {
		q.Page = 1
	}
	if q.PerPage == 0 {
		q.PerPage = DefaultPerPage
	}
	if q.Page < 1 {
		return fmt.Errorf("%w: page must be at least 1", creator.ErrInvalid)
	}
	if q.PerPage < 1 || q.PerPage > MaxPerPage {
		return fmt.Errorf("%w: per_page must be between 1 and %d", creator.ErrInvalid, MaxPerPage)
	}
	if q.Page*q.PerPage > MaxTotalHits+q.PerPage {
		return fmt.Errorf("%w: page beyond the first %d results", creator.ErrInvalid, MaxTotalHits)
	}
	if len(q.Text) > 512 {
		return fmt.Errorf("%w: q longer than 512 bytes", creator.ErrInvalid)
	}
	if n := TextWords(q.Text); n > MaxTextWords {
		return fmt.Errorf("%w: q has more than %d words (counted %d)", creator.ErrInvalid, MaxTextWords, n)
	}
	for _, s := range q.Sort {
		f, ok := FieldByName(s.Field)
		if !ok || !f.Sortable {
			return fmt.Errorf("%w: sort: %q is not a sortable field", creator.ErrInvalid, s.Field)
		}
	}
	for _, name := range q.Facets {
		f, ok := FieldByName(name)
		if !ok || !f.Facet {
			return fmt.Errorf("%w: facets: %q is not a facet field", creator.ErrInvalid, name)
		}
	}
	if q.Filter != nil {
		if err := q.Filter.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks that f is well formed. Its errors wrap creator.ErrInvalid
// and name the offending field.
func (f *Filter) Validate() error {
	return f.validate(0)
}

func (f *Filter) validate(depth int) error {
	if depth > 16 {
		return fmt.Errorf("%w: filter nested too deeply", creator.ErrInvalid)
	}
	switch f.Op {
	case OpAnd, OpOr:
		if len(f.Sub) == 0 {
			return fmt.Errorf("%w: filter: %s needs operands", creator.ErrInvalid, f.Op)
		}
		for i := range f.Sub {
			if err := f.Sub[i].validate(depth + 1); err != nil {
				return err
			}
		}
		return nil
	case OpNot:
		if len(f.Sub) != 1 {
			return fmt.Errorf("%w: filter: not needs one operand", creator.ErrInvalid)
		}
		return f.Sub[0].validate(depth + 1)
	}
	fd, ok := FieldByName(f.Field)
	if !ok || !fd.Filterable {
		return fmt.Errorf("%w: %s: not a filterable field", creator.ErrInvalid, f.Field)
	}
	switch f.Op {
	case OpEq:
		if fd.Kind == Keyword && len(f.Values) != 1 {
			return fmt.Errorf("%w: %s: eq needs one value", creator.ErrInvalid, f.Field)
		}
		if fd.Kind == Numeric && (f.Min == nil || !finite(*f.Min)) {
			return fmt.Errorf("%w: %s: eq needs a number", creator.ErrInvalid, f.Field)
		}
	case OpIn:
		if fd.Kind != Keyword {
			return fmt.Errorf("%w: %s: in applies to keyword fields", creator.ErrInvalid, f.Field)
		}
		if len(f.Values) == 0 || len(f.Values) > 100 {
			return fmt.Errorf("%w: %s: in needs 1 to 100 values", creator.ErrInvalid, f.Field)
		}
	case OpRange:
		if fd.Kind != Numeric {
			return fmt.Errorf("%w: %s: range applies to numeric fields", creator.ErrInvalid, f.Field)
		}
		if f.Min == nil && f.Max == nil {
			return fmt.Errorf("%w: %s: range needs a bound", creator.ErrInvalid, f.Field)
		}
		if f.Min != nil && !finite(*f.Min) || f.Max != nil && !finite(*f.Max) {
			return fmt.Errorf("%w: %s: bounds must be finite numbers", creator.ErrInvalid, f.Field)
		}
		if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
			return fmt.Errorf("%w: %s: min is above max", creator.ErrInvalid, f.Field)
		}
	case OpExists, OpMissing:
	default:
		return fmt.Errorf("%w: %s: unknown operator %q", creator.ErrInvalid, f.Field, f.Op)
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Helpers that build filters.

// Eq is a keyword equality filter.
func Eq(field, value string) Filter { return Filter{Op: OpEq, Field: field, Values: []string{value}} }

// In is a keyword membership filter.
func In(field string, values ...string) Filter { return Filter{Op: OpIn, Field: field, Values: values} }

// Range is an inclusive numeric range; a nil bound is open.
func Range(field string, min, max *float64) Filter {
	return Filter{Op: OpRange, Field: field, Min: min, Max: max}
}

// And combines filters; Or and Not likewise.
func And(fs ...Filter) Filter { return Filter{Op: OpAnd, Sub: fs} }

// Or is true when any of fs is.
func Or(fs ...Filter) Filter { return Filter{Op: OpOr, Sub: fs} }

// Not negates f.
func Not(f Filter) Filter { return Filter{Op: OpNot, Sub: []Filter{f}} }
