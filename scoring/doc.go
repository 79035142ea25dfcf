// Package scoring rates creators: niche relevance, engagement, authenticity,
// growth, consistency, disclosure and brand safety, price and an overall
// vetting score, each with the evidence behind it. It is pure functions from
// creator data to creator.Scores: no I/O, no interfaces, safe for
// concurrent use.
//
// The entry points:
//
//   - Score rates a creator.Profile given its snapshot history; Snapshot
//     turns the profile and its scores into the history entry the store
//     appends (with sponsored and undisclosed post ids, average engagement
//     and the last post time, for change detection).
//   - Growth judges a follower trajectory from snapshots and classifies
//     follower spikes as viral, suspicious or drops; the watchlist calls it.
//   - ScoreAccount gives one sampled follower's or commenter's probability
//     of being fake, from a logistic regression whose coefficients were
//     fitted on labeled Instagram data (accountcoef.go names the data);
//     EstimateFakeShare turns a sample into a fake share with an interval.
//   - TextNiches scores one text against the niche taxonomy; ParseTaxonomy
//     and Taxonomy.Extend read operators' custom niches.
//
// Every weight and threshold is in params.go, with the data or source it
// came from; the engagement benchmark and price tables are in
// benchmarks.go.
//
// Languages: the taxonomy is English first, with a few dozen common
// Spanish, French, Portuguese and German words per niche ("receta",
// "Krafttraining", "maquiagem"), so posts in those languages find their main
// niches; other languages match only through shared words, hashtags
// (#fitness, #makeup) and loanwords. All text is case- and accent-folded;
// stemming is English only. The generic-comment and profanity lists are
// English. Sponsorship disclosures are also recognised in German (#werbung,
// #anzeige), French, Spanish, Italian, Dutch and Portuguese.
package scoring
