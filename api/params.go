package api

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// paramError is an invalid query parameter or body field.
type paramError struct {
	Param string
	Msg   string
}

func (e *paramError) Error() string { return e.Param + ": " + e.Msg }

// Unwrap makes a paramError an invalid-input error.
func (e *paramError) Unwrap() error { return creator.ErrInvalid }

// Enums are the valid values of enumerated keyword parameters, by field
// name. A field not listed takes any value (country and language are
// checked as ISO codes instead).
type Enums map[string][]string

// Platforms are the platforms this project knows.
var Platforms = []string{creator.Bluesky, creator.Mastodon, creator.YouTube, creator.Twitch, creator.Instagram, creator.Web}

// Tiers are the follower tiers, smallest first.
var Tiers = []string{creator.TierEmerging, creator.TierNano, creator.TierMicro, creator.TierMid, creator.TierMacro, creator.TierMega}

// DefaultEnums are the enumerations the api package knows by itself
// (platform, tier); the command adds those of the scoring models (niche,
// engagement_label, growth_trend).
func DefaultEnums() Enums {
	return Enums{"platform": Platforms, "tier": Tiers}
}

// SearchParser turns the query parameters of GET /v1/creators into a
// Query, checking enumerated values against its Enums. It is safe for
// concurrent use.
type SearchParser struct {
	enums Enums
}

// NewSearchParser returns a parser that checks keyword values against e.
func NewSearchParser(e Enums) *SearchParser { return &SearchParser{enums: e} }

// ParseSearch is NewSearchParser(DefaultEnums()).Parse(v).
func ParseSearch(v url.Values) (index.Query, error) {
	return NewSearchParser(DefaultEnums()).Parse(v)
}

// MaxExportRows is the most rows a CSV or JSON Lines export of a search
// gives: the deepest a search can page (index.MaxTotalHits).
const MaxExportRows = index.MaxTotalHits

// Parse turns the query parameters of GET /v1/creators into a Query:
//
//	q=text                   full-text search
//	platform=a,b  tier=..    keyword filters (comma = any of), for every
//	                         keyword field; "-" alone matches a missing value
//	followers_min=1000       numeric ranges, inclusive, for every numeric
//	engagement_rate_max=0.1  field (_min and _max)
//	updated_at_min=2026-11-15T00:00:00Z   times as RFC 3339, a date or Unix seconds
//	sort=-followers,tier     sort fields, "-" for descending
//	page=1 per_page=20       paging
//	facets=tier,followers    facet counts (keyword) or min/max (numeric)
//
// Unknown parameters and values outside an enumeration are errors that
// list the valid ones, so a typo does not silently match all or nothing.
func (p *SearchParser) Parse(v url.Values) (index.Query, error) {
	var q index.Query
	var filters []index.Filter
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	slices.Sort(names) // the first error is the same for equal URLs
	for _, name := range names {
		vals := v[name]
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
			if n < 1 {
				return q, &paramError{name, "must be at least 1"}
			}
			if name == "page" {
				q.Page = n
			} else {
				q.PerPage = n
			}
			continue
		case "sort":
			for _, s := range splitList(val) {
				desc := strings.HasPrefix(s, "-")
				s = strings.TrimPrefix(s, "-")
				f, ok := index.FieldByName(s)
				if !ok || !f.Sortable {
					return q, &paramError{"sort", enumMsg(s, SortFields()) + " (prefix - for descending)"}
				}
				q.Sort = append(q.Sort, index.Sort{Field: s, Desc: desc})
			}
			continue
		case "facets":
			for _, s := range splitList(val) {
				f, ok := index.FieldByName(s)
				if !ok || !f.Facet {
					return q, &paramError{"facets", enumMsg(s, FacetFields())}
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
				continue
			}
			for i, x := range values {
				c, err := p.checkKeyword(name, x)
				if err != nil {
					return q, err
				}
				values[i] = c
			}
			filters = append(filters, index.In(name, values...))
			continue
		}
		if base, bound, ok := rangeParam(name); ok {
			x, err := parseBound(base, val)
			if err != nil {
				return q, &paramError{name, err.Error()}
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
		return q, &paramError{name, "unknown parameter; see GET /v1/openapi.json for the search parameters (q, sort, page, per_page, facets, format, every filter field and its _min/_max)"}
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
			msg = strings.TrimPrefix(msg, "page ")
		}
		return q, &paramError{param, msg}
	}
	return q, nil
}

// checkKeyword checks one value of a keyword filter and returns it as the
// store compares it.
func (p *SearchParser) checkKeyword(name, x string) (string, error) {
	if len(x) > index.MaxLookupBytes {
		return "", &paramError{name, fmt.Sprintf("a value has at most %d bytes", index.MaxLookupBytes)}
	}
	if valid, ok := p.enums[name]; ok {
		for _, e := range valid {
			if strings.EqualFold(e, x) {
				return e, nil
			}
		}
		return "", &paramError{name, enumMsg(x, valid) + ` (or "-" for none)`}
	}
	switch name {
	case "country":
		r, err := language.ParseRegion(x)
		if err != nil || !r.IsCountry() || len(x) != 2 {
			return "", &paramError{name, quoteShort(x) + ` is not an ISO 3166-1 alpha-2 country code (such as US, GB, DE) or "-" for none`}
		}
		return strings.ToUpper(x), nil
	case "language":
		b, err := language.ParseBase(x)
		if err != nil || len(x) < 2 || len(x) > 3 {
			return "", &paramError{name, quoteShort(x) + ` is not an ISO 639 language code (such as en, es, pt) or "-" for none`}
		}
		return b.String(), nil
	case "handle":
		return index.NormalizeHandle(x), nil
	case "profile_url":
		u, err := index.NormalizeProfileURL(x)
		if err != nil {
			return "", &paramError{name, quoteShort(x) + " is not an http(s) URL"}
		}
		return u, nil
	}
	return x, nil
}

// parseBound reads the bound of a numeric range: a number, or for the time
// fields (updated_at) an RFC 3339 time, a date (midnight UTC) or Unix
// seconds.
func parseBound(field, val string) (float64, error) {
	if field == "updated_at" {
		if t, err := ParseTime(val); err == nil {
			return float64(t.Unix()), nil
		}
		x, err := strconv.ParseFloat(val, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, fmt.Errorf("must be an RFC 3339 time (2026-11-15T09:30:00Z), a date (2026-11-15) or Unix seconds")
		}
		return x, nil
	}
	x, err := strconv.ParseFloat(val, 64)
	if err != nil || math.IsNaN(x) || x > 1e300 || x < -1e300 {
		return 0, fmt.Errorf("must be a number")
	}
	return x, nil
}

// ParseTime reads an RFC 3339 time (2026-11-15T09:30:00Z, with any
// offset) or a date (2026-11-15, midnight UTC).
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
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

// SortFields lists the fields search results can be sorted by.
func SortFields() []string {
	var out []string
	for _, f := range index.Fields {
		if f.Sortable {
			out = append(out, f.Name)
		}
	}
	return out
}

// FacetFields lists the fields search can count or give stats of.
func FacetFields() []string {
	var out []string
	for _, f := range index.Fields {
		if f.Facet {
			out = append(out, f.Name)
		}
	}
	return out
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
	slices.SortStableFunc(fs, func(a, b index.Filter) int {
		if a.Field != b.Field {
			return strings.Compare(a.Field, b.Field)
		}
		if a.Min != nil && b.Min == nil {
			return -1
		}
		if a.Min == nil && b.Min != nil {
			return 1
		}
		return 0
	})
}

// checkEnum checks a body field against the enumeration of field.
func (s *Server) checkEnum(param, field, v string) error {
	valid, ok := s.cfg.Enums[field]
	if !ok || slices.Contains(valid, v) {
		return nil
	}
	return &paramError{param, enumMsg(v, valid)}
}
