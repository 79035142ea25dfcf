package api

import (
	"errors"
	"net/url"
	"testing"

	"github.com/creatorscout/scout/creator"
)

// FuzzParseQuery: a raw query string either parses or gives an error that
// names a parameter; nothing panics.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "tier=micro", "tier=micro%", "a=%zz", "q=a+b&page=2", "x;y=1", "&&=&", "%=%", "tier=micro&tier=mid", "q=%E2%82%AC"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := parseQuery(raw)
		if err != nil {
			var pe *paramError
			if !errors.As(err, &pe) || !errors.Is(err, creator.ErrInvalid) {
				t.Fatalf("parseQuery(%q) error %v is not a parameter error", raw, err)
			}
			return
		}
		if _, err := url.ParseQuery(raw); err != nil {
			t.Fatalf("parseQuery(%q) accepted what url.ParseQuery refuses: %v", raw, err)
		}
		_ = v
	})
}

// FuzzSearchParse: any parsed query string gives a valid Query or an
// invalid-input error naming a parameter; nothing panics.
func FuzzSearchParse(f *testing.F) {
	for _, s := range []string{"tier=micro", "niche=fitnes", "sort=-followers,tier", "updated_at_min=2026-11-15", "followers_min=1e999",
		"facets=tier,followers", "country=us&language=en", "page=9999999999999999999", "handle=%40a.b", "profile_url=http://x/"} {
		f.Add(s)
	}
	p := NewSearchParser(DefaultEnums())
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := parseQuery(raw)
		if err != nil {
			return
		}
		q, err := p.Parse(v)
		if err != nil {
			var pe *paramError
			if !errors.As(err, &pe) || pe.Param == "" {
				t.Fatalf("Parse(%q) error %v names no parameter", raw, err)
			}
			return
		}
		if err := q.Normalize(); err != nil {
			t.Fatalf("Parse(%q) gave an invalid query: %v", raw, err)
		}
	})
}
