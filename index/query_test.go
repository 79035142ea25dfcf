package index

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/creatorscout/scout/creator"
)

func fp(v float64) *float64 { return &v }

func TestQueryNormalize(t *testing.T) {
	q := Query{}
	if err := q.Normalize(); err != nil || q.Page != 1 || q.PerPage != DefaultPerPage {
		t.Errorf("Normalize(empty) = %v, %+v; want page 1, per_page %d", err, q, DefaultPerPage)
	}
	tests := []struct {
		name    string
		q       Query
		mention string
	}{
		{"negative page", Query{Page: -1}, "page"},
		{"per_page over max", Query{PerPage: MaxPerPage + 1}, "per_page"},
		{"beyond max total hits", Query{Page: MaxTotalHits/10 + 2, PerPage: 10}, "page"},
		{"sort keyword", Query{Sort: []Sort{{Field: "tier"}}}, "tier"},
		{"sort unknown", Query{Sort: []Sort{{Field: "bio"}}}, "bio"},
		{"facet unknown", Query{Facets: []string{"nope"}}, "nope"},
		{"unknown field", Query{Filter: &Filter{Op: OpEq, Field: "colour", Values: []string{"x"}}}, "colour"},
		{"unknown op", Query{Filter: &Filter{Op: "like", Field: "tier", Values: []string{"x"}}}, "like"},
		{"eq two values", Query{Filter: &Filter{Op: OpEq, Field: "tier", Values: []string{"a", "b"}}}, "tier"},
		{"in on numeric", Query{Filter: &Filter{Op: OpIn, Field: "followers", Values: []string{"1"}}}, "followers"},
		{"in empty", Query{Filter: &Filter{Op: OpIn, Field: "tier"}}, "tier"},
		{"range on keyword", Query{Filter: &Filter{Op: OpRange, Field: "tier", Min: fp(1)}}, "tier"},
		{"range unbounded", Query{Filter: &Filter{Op: OpRange, Field: "followers"}}, "followers"},
		{"range inverted", Query{Filter: &Filter{Op: OpRange, Field: "followers", Min: fp(5), Max: fp(1)}}, "followers"},
		{"range NaN", Query{Filter: &Filter{Op: OpRange, Field: "followers", Min: fp(math.NaN())}}, "followers"},
		{"range Inf", Query{Filter: &Filter{Op: OpRange, Field: "followers", Max: fp(math.Inf(1))}}, "followers"},
		{"and empty", Query{Filter: &Filter{Op: OpAnd}}, "and"},
		{"not two", Query{Filter: &Filter{Op: OpNot, Sub: []Filter{Eq("tier", "a"), Eq("tier", "b")}}}, "not"},
		{"nested bad", Query{Filter: &Filter{Op: OpOr, Sub: []Filter{Eq("tier", "a"), {Op: OpEq, Field: "x"}}}}, "x"},
		{"text too long", Query{Text: strings.Repeat("a", 513)}, "q"},
		{"too many words", Query{Text: "one two three four five six seven eight nine ten eleven"}, "q has more than 10 words"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.q.Normalize()
			if !errors.Is(err, creator.ErrInvalid) || !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("Normalize = %v, want invalid input mentioning %q", err, tt.mention)
			}
		})
	}
}

func TestQueryNormalizeWords(t *testing.T) {
	tests := []struct {
		name string
		text string
		ok   bool
	}{
		{"ten words", "one two three four five six seven eight nine ten", true},
		{"eleven words", "one two three four five six seven eight nine ten eleven", false},
		{"ten and separators", ` "one", two-three (four) five_six seven.eight nine; ten! `, true},
		{"eleven by hyphens", "a-b-c-d-e-f-g-h-i-j-k", false},
		{"symbols count", "a + b + c + d + e + f", false},
		{"ten chinese characters", "我喜欢素食和美味的食谱", false},
		{"five chinese characters", "素食的食谱", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := Query{Text: tt.text}
			err := q.Normalize()
			if tt.ok && err != nil {
				t.Fatalf("Normalize(%q) = %v, want it accepted", tt.text, err)
			}
			if tt.ok {
				return
			}
			if !errors.Is(err, creator.ErrInvalid) {
				t.Fatalf("Normalize(%q) = %v, want creator.ErrInvalid", tt.text, err)
			}
			// The API reports a Normalize error as a message that starts
			// with the parameter's name.
			if msg := strings.TrimPrefix(err.Error(), creator.ErrInvalid.Error()+": "); !strings.HasPrefix(msg, "q ") {
				t.Errorf("Normalize(%q) error %q does not start with the parameter name q", tt.text, msg)
			}
		})
	}
}

func TestFilterDepth(t *testing.T) {
	f := Eq("tier", "micro")
	for i := 0; i < 20; i++ {
		f = Not(f)
	}
	if err := f.Validate(); !errors.Is(err, creator.ErrInvalid) {
		t.Errorf("a filter nested 20 deep validated: %v", err)
	}
}

func TestFieldsSchema(t *testing.T) {
	for _, f := range Fields {
		switch f.Kind {
		case Keyword:
			if f.Keyword == nil || f.Sortable {
				t.Errorf("keyword field %s: needs a Keyword getter and is not sortable", f.Name)
			}
		case Numeric:
			if f.Number == nil {
				t.Errorf("numeric field %s has no Number getter", f.Name)
			}
		}
		if got, ok := FieldByName(f.Name); !ok || got.Name != f.Name {
			t.Errorf("FieldByName(%q) = %v, %v", f.Name, got.Name, ok)
		}
	}
	for _, want := range []string{"platform", "tier", "niche", "country", "language", "followers", "engagement_rate", "authenticity", "growth_30d", "overall"} {
		if _, ok := FieldByName(want); !ok {
			t.Errorf("schema lacks %s", want)
		}
	}
}
