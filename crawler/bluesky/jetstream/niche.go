package jetstream

import (
	"github.com/creatorscout/scout/scoring"
)

// TermNiche returns a TrackerConfig.NicheOf that names the first of
// niches (taxonomy niche names) a post is about by the taxonomy's terms
// (scoring.TaxonomyNiches, no model: cheap enough for every post of the
// stream) with at least minTerms distinct terms, or "". Taxonomy nil means
// the built-in one; no niches gives nil.
func TermNiche(t *scoring.Taxonomy, niches []string, minTerms int) func(text string) string {
	if len(niches) == 0 {
		return nil
	}
	want := make(map[string]bool, len(niches))
	for _, n := range niches {
		want[n] = true
	}
	if minTerms <= 0 {
		minTerms = 2
	}
	return func(text string) string {
		for _, ns := range scoring.TaxonomyNiches(t, text) {
			if want[ns.Niche] && len(ns.Terms) >= minTerms {
				return ns.Niche
			}
		}
		return ""
	}
}
