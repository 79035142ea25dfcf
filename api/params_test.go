package api

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

func f64(v float64) *float64 { return &v }

func TestParseSearch(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  index.Query
	}{
		{"empty", "", index.Query{Page: 1, PerPage: index.DefaultPerPage}},
		{"text and paging", "q=vegan+recipes&page=2&per_page=50", index.Query{Text: "vegan recipes", Page: 2, PerPage: 50}},
		{"one keyword", "tier=micro", index.Query{Page: 1, PerPage: 20, Filter: &index.Filter{Op: index.OpIn, Field: "tier", Values: []string{"micro"}}}},
		{"keyword list", "tier=micro,mid", index.Query{Page: 1, PerPage: 20, Filter: &index.Filter{Op: index.OpIn, Field: "tier", Values: []string{"micro", "mid"}}}},
		{"missing keyword", "country=-", index.Query{Page: 1, PerPage: 20, Filter: &index.Filter{Op: index.OpMissing, Field: "country"}}},
		{"range and keyword", "followers_min=1000&followers_max=5000&platform=bluesky", index.Query{Page: 1, PerPage: 20, Filter: &index.Filter{Op: index.OpAnd, Sub: []index.Filter{
			{Op: index.OpRange, Field: "followers", Min: f64(1000)},
			{Op: index.OpRange, Field: "followers", Max: f64(5000)},
			{Op: index.OpIn, Field: "platform", Values: []string{"bluesky"}},
		}}}},
		{"sort and facets", "sort=-followers,authenticity&facets=tier,followers", index.Query{Page: 1, PerPage: 20,
			Sort:   []index.Sort{{Field: "followers", Desc: true}, {Field: "authenticity"}},
			Facets: []string{"tier", "followers"}}},
		{"syntax stays a value", `niche=a" OR platform = "x`, index.Query{Page: 1, PerPage: 20, Filter: &index.Filter{Op: index.OpIn, Field: "niche", Values: []string{`a" OR platform = "x`}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseSearch(v)
			if err != nil {
				t.Fatalf("ParseSearch(%q): %v", tt.query, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseSearch(%q) (-want +got):\n%s", tt.query, diff)
			}
		})
	}
}

func TestParseSearchInvalid(t *testing.T) {
	tests := []struct {
		name, query, param string
	}{
		{"unknown parameter", "folowers_min=10", "folowers_min"},
		{"page not a number", "page=two", "page"},
		{"page zero", "page=0", "page"},
		{"per_page too big", "per_page=1000", "per_page"},
		{"range not a number", "followers_min=lots", "followers_min"},
		{"range NaN", "engagement_rate_max=NaN", "engagement_rate_max"},
		{"sort unknown", "sort=-bio", "sort"},
		{"sort keyword field", "sort=tier", "sort"},
		{"facet unknown", "facets=tier,nope", "facets"},
		{"empty keyword", "tier=,", "tier"},
		{"range on keyword", "tier_min=3", "tier_min"},
		{"too deep", "page=600&per_page=20", "page"},
		{"text too long", "q=" + strings.Repeat("a", 600), "q"},
		{"text of too many words", "q=one+two+three+four+five+six+seven+eight+nine+ten+eleven", "q"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParseSearch(v)
			if err == nil {
				t.Fatalf("ParseSearch(%q) = nil error, want one naming %s", tt.query, tt.param)
			}
			var pe *paramError
			if !errors.As(err, &pe) || pe.Param != tt.param {
				t.Errorf("ParseSearch(%q) error %q, want it to name parameter %q", tt.query, err, tt.param)
			}
			if !errors.Is(err, creator.ErrInvalid) {
				t.Errorf("error %v does not wrap creator.ErrInvalid", err)
			}
		})
	}
}
