// Package corpus generates creators with the distributions of a real crawl,
// and SQLite stores of them, for benchmarks (of the store, the API). It is
// deterministic: the same seed gives the same creators.
package corpus
