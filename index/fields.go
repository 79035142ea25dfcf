package index

import (
	"github.com/creatorscout/scout/creator"
)

// FieldKind is the type of a search field.
type FieldKind int

// Field kinds.
const (
	Keyword FieldKind = iota // a string compared for equality
	Numeric                  // a float64 compared by range
)

// Field is one field of the search schema. Every backend derives its
// filterable, sortable and facet attributes from Fields.
type Field struct {
	Name       string
	Kind       FieldKind
	Filterable bool
	Sortable   bool
	Facet      bool
	// Keyword returns the field's value, "" when missing (Keyword fields).
	Keyword func(r *creator.Record) string
	// Number returns the field's value and whether it has one (Numeric).
	Number func(r *creator.Record) (float64, bool)
}

func kw(name string, get func(r *creator.Record) string) Field {
	return Field{Name: name, Kind: Keyword, Filterable: true, Facet: true, Keyword: get}
}

// num is a numeric field that is present whenever the record has scores.
func num(name string, get func(r *creator.Record) float64) Field {
	return Field{Name: name, Kind: Numeric, Filterable: true, Sortable: true, Facet: true,
		Number: func(r *creator.Record) (float64, bool) { return get(r), true }}
}

// Fields is the search schema: every filterable, sortable or facet field.
// Text search covers display name, handle, bio and post text (TextOf).
var Fields = []Field{
	kw("platform", func(r *creator.Record) string { return r.Profile.Ref.Platform }),
	kw("tier", func(r *creator.Record) string { return r.Scores.Tier }),
	kw("niche", func(r *creator.Record) string { return r.Scores.PrimaryNiche }),
	kw("country", func(r *creator.Record) string { return r.Profile.Country }),
	kw("language", func(r *creator.Record) string { return r.Profile.Language }),
	kw("engagement_label", func(r *creator.Record) string { return r.Scores.EngagementLabel }),
	kw("growth_trend", func(r *creator.Record) string { return r.Scores.GrowthTrend }),
	// The handle and profile URL are exact fields for lookups (ByHandle,
	// ByProfileURL), filterable but neither facets nor sorted on.
	{Name: "handle", Kind: Keyword, Filterable: true,
		Keyword: func(r *creator.Record) string { return NormalizeHandle(r.Profile.Ref.Handle) }},
	{Name: "profile_url", Kind: Keyword, Filterable: true,
		Keyword: func(r *creator.Record) string {
			u, err := NormalizeProfileURL(r.Profile.URL)
			if err != nil {
				return ""
			}
			return u
		}},
	num("followers", func(r *creator.Record) float64 { return float64(r.Profile.Followers) }),
	num("following", func(r *creator.Record) float64 { return float64(r.Profile.Following) }),
	num("posts_count", func(r *creator.Record) float64 { return float64(r.Profile.PostsCount) }),
	// linked_accounts counts the creator's accounts elsewhere linked by
	// two-way evidence: linked_accounts >= 1 is "has linked accounts".
	num("linked_accounts", func(r *creator.Record) float64 { return float64(len(r.Profile.Linked)) }),
	num("engagement_rate", func(r *creator.Record) float64 { return r.Scores.EngagementRate }),
	num("posts_per_week", func(r *creator.Record) float64 { return r.Scores.PostsPerWeek }),
	num("days_since_last_post", func(r *creator.Record) float64 { return r.Scores.DaysSinceLast }),
	num("niche_relevance", func(r *creator.Record) float64 { return r.Scores.NicheRelevance }),
	num("niche_focus", func(r *creator.Record) float64 { return r.Scores.NicheFocus }),
	num("authenticity", func(r *creator.Record) float64 { return r.Scores.Authenticity }),
	num("fake_follower_share", func(r *creator.Record) float64 { return r.Scores.FakeFollowerShare }),
	num("growth_30d", func(r *creator.Record) float64 { return r.Scores.Growth30d }),
	num("growth", func(r *creator.Record) float64 { return r.Scores.GrowthScore }),
	num("consistency", func(r *creator.Record) float64 { return r.Scores.Consistency }),
	num("brand_safety", func(r *creator.Record) float64 { return r.Scores.BrandSafety }),
	num("sponsored_pct", func(r *creator.Record) float64 { return r.Scores.SponsoredPct }),
	num("price_min_usd", func(r *creator.Record) float64 { return r.Scores.PriceMinUSD }),
	num("price_max_usd", func(r *creator.Record) float64 { return r.Scores.PriceMaxUSD }),
	num("overall", func(r *creator.Record) float64 { return r.Scores.Overall }),
	num("confidence", func(r *creator.Record) float64 { return r.Scores.Confidence }),
	{Name: "updated_at", Kind: Numeric, Filterable: true, Sortable: true,
		Number: func(r *creator.Record) (float64, bool) {
			if r.UpdatedAt.IsZero() {
				return 0, false
			}
			return float64(r.UpdatedAt.Unix()), true
		}},
}

var fieldIndex = func() map[string]int {
	m := make(map[string]int, len(Fields))
	for i, f := range Fields {
		if _, dup := m[f.Name]; dup {
			panic("index: duplicate field " + f.Name)
		}
		m[f.Name] = i
	}
	return m
}()

// FieldByName returns the schema field called name.
func FieldByName(name string) (Field, bool) {
	i, ok := fieldIndex[name]
	if !ok {
		return Field{}, false
	}
	return Fields[i], true
}

// TextOf returns the text a record is searched by, as separate parts:
// display name, handle, bio, and the posts' text joined by newlines.
func TextOf(r *creator.Record) (name, handle, bio, posts string) {
	p := &r.Profile
	var b []byte
	for i, post := range p.Posts {
		if i > 0 {
			b = append(b, '\n')
		}
		b = append(b, post.Text...)
	}
	return p.DisplayName, p.Ref.Handle, p.Bio, string(b)
}

// Summary returns a copy of r without Posts, Comments and Audience, as
// search hits carry it.
func Summary(r *creator.Record) creator.Record {
	c := *r
	c.Profile.Posts = nil
	c.Profile.Comments = nil
	c.Profile.Audience = nil
	c.Scores.Details = nil
	return c
}
