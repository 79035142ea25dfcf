// Package scoring rates creators: niche relevance, engagement, authenticity,
// growth, consistency, disclosure and an overall vetting score, each with the
// evidence behind it. It is pure functions from creator data to
// creator.Scores: no I/O, no interfaces, safe for concurrent use.
package scoring
