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
//     of being fake, spam or a bot, from an additive logistic model fitted
//     on four labeled Instagram and Twitter data sets (accountcoef.go names
//     them; scoring/fakefit fits it, `scout eval` judges it leaving one data
//     set out), calibrated per platform (PlatformPriors). A missing field
//     is unknown, never zero. EstimateFakeShare turns a sample into a fake
//     share with a range: the spread over a band of thresholds and the
//     sampling interval together.
//   - Authenticity pools each scan with the creator's earlier scans, so an
//     unchanged creator keeps its score from rescan to rescan; a suspicious
//     follower spike costs points for 90 days; its evidence lists each
//     part's weight and sub-score.
//   - TextNiches scores one text's relevance to every niche with the niche
//     model (nichemodel.go, nicheinfer.go): a logistic regression per niche
//     group over hashed words, word affixes and the taxonomy's own matches,
//     fitted on real labeled Instagram captions and tweets by
//     `scout eval -fit-niche` (package nichefit) and shipped as
//     niche_model.bin.gz, read on first use. Niches the labeled data does
//     not cover (automotive, sustainability, comedy) and operators' custom
//     niches are scored by the taxonomy's terms alone; ParseTaxonomy
//     and Taxonomy.Extend read operators' custom niches.
//
// Every weight and threshold is in params.go, with the data or source it
// came from; the engagement benchmark and price tables are in
// benchmarks.go.
//
// Languages: the niche model reads words, their first and last four
// letters and hashtags in any language written with spaces, and rune pairs
// in Chinese, Japanese and Korean; it learned from Instagram captions in
// many languages (mostly English, then Italian, Portuguese, Spanish,
// German and French) and from X-Topic tweets in English, Spanish, Greek
// and Japanese. `make eval` reports accuracy by caption language. The
// taxonomy is English first, with a few dozen common Spanish, French,
// Portuguese and German words per niche ("receta", "Krafttraining",
// "maquiagem"). All text is case- and accent-folded; stemming is English
// only. The generic-comment and profanity lists are English. Sponsorship
// disclosures are also recognised in German (#werbung, #anzeige), French,
// Spanish, Italian, Dutch and Portuguese.
package scoring
