package api

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// paramError is an invalid query parameter.
type paramError struct {
	Param string
	Msg   string
}

func (e *paramError) Error() string { return e.Param + ": " + e.Msg }

// Unwrap makes a paramError an invalid-input error.
func (e *paramError) Unwrap() error { return creator.ErrInvalid }

// ParseSearch turns the query parameters of GET /v1/creators into a
// Query:
//
//	q=text                   full-text search
//	platform=a,b  tier=..    keyword filters (comma = any of), for every
//	                         keyword field; "-" alone matches a missing value
//	followers_min=1000       numeric ranges, inclusive, for every numeric
//	engagement_rate_max=0.1  field (_min and _max)
//	sort=-followers,tier     sort fields, "-" for descending
//	page=1 per_page=20       paging
//	facets=tier,followers    facet counts (keyword) or min/max (numeric)
//
// Unknown parameters are errors, so a typo does not silently match all.
func ParseSearch(v url.Values) (index.Query, error) {
	var q index.Query
	var filters []index.Filter
	for name, vals := range v {
		if len(vals) == 0 {
			continue
		}
		val := strings.TrimSpace(vals[len(vals)-1])
		switch name {
		case "q":
			q.Text = val
			continue
		case "page", "per_page":
			n, err := strconv.Atoi(val)
			if err != nil {
				return q, &paramError{name, "must be a whole number"}
			}
			if name == "page" {
				q.Page = n
			} else {
				q.PerPage = n
			}
			if n < 1 {
				return q, &paramError{name, "must be at least 1"}
			}
			continue
		case "sort":
			for _, s := range splitList(val) {
				desc := strings.HasPrefix(s, "-")
				s = strings.TrimPrefix(s, "-")
				f, ok := index.FieldByName(s)
				if !ok || !f.Sortable {
					return q, &paramError{"sort", fmt.Sprintf("%q is not a sortable field", s)}
				}
				q.Sort = append(q.Sort, index.Sort{Field: s, Desc: desc})
			}
			continue
		case "facets":
			for _, s := range splitList(val) {
				f, ok := index.FieldByName(s)
				if !ok || !f.Facet {
					return q, &paramError{"facets", fmt.Sprintf("%q is not a facet field", s)}
				}
				q.Facets = append(q.Facets, s)
			}
			continue
		}
		if f, ok := index.FieldByName(name); ok && f.Kind == index.Keyword && f.Filterable {
			var values []string
			for _, x := range vals {
				values = append(values, splitList(x)...)
			}
			if len(values) == 0 {
				return q, &paramError{name, "needs a value"}
			}
			if len(values) > 100 {
				return q, &paramError{name, "at most 100 values"}
			}
			if len(values) == 1 && values[0] == "-" {
				filters = append(filters, index.Filter{Op: index.OpMissing, Field: name})
			} else {
				filters = append(filters, index.In(name, values...))
			}
			continue
		}
		if base, bound, ok := rangeParam(name); ok {
			x, err := strconv.ParseFloat(val, 64)
			if err != nil || x != x || x > 1e300 || x < -1e300 {
				return q, &paramError{name, "must be a number"}
			}
			var fl index.Filter
			if bound == "min" {
				fl = index.Range(base, &x, nil)
			} else {
				fl = index.Range(base, nil, &x)
			}
			filters = append(filters, fl)
			continue
		}
		return q, &paramError{name, "unknown parameter"}
	}
	if len(q.Text) > 512 {
		return q, &paramError{"q", "at most 512 bytes"}
	}
	if n := index.TextWords(q.Text); n > index.MaxTextWords {
		return q, &paramError{"q", fmt.Sprintf("at most %d words (has %d)", index.MaxTextWords, n)}
	}
	if q.PerPage > index.MaxPerPage {
		return q, &paramError{"per_page", fmt.Sprintf("at most %d", index.MaxPerPage)}
	}
	switch len(filters) {
	case 0:
	case 1:
		q.Filter = &filters[0]
	default:
		sortFilters(filters)
		f := index.And(filters...)
		q.Filter = &f
	}
	if err := q.Normalize(); err != nil {
		msg := strings.TrimPrefix(err.Error(), creator.ErrInvalid.Error()+": ")
		param := "query"
		if strings.Contains(msg, "page") {
			param = "page" // the only check left to Normalize is paging depth
		}
		return q, &paramError{param, msg}
	}
	return q, nil
}

// rangeParam splits "followers_min" into ("followers", "min") when the
// field is numeric and filterable.
func rangeParam(name string) (field, bound string, ok bool) {
	for _, b := range []string{"min", "max"} {
		if base, found := strings.CutSuffix(name, "_"+b); found {
			if f, ok := index.FieldByName(base); ok && f.Kind == index.Numeric && f.Filterable {
				return base, b, true
			}
		}
	}
	return "", "", false
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// sortFilters orders filters by field so equal URLs give equal queries.
func sortFilters(fs []index.Filter) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && less(fs[j], fs[j-1]); j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

func less(a, b index.Filter) bool {
	if a.Field != b.Field {
		return a.Field < b.Field
	}
	return a.Min != nil && b.Min == nil
}
