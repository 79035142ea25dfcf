// Package meili is the distributed backend of index.Store, on Meilisearch
// (github.com/meilisearch/meilisearch-go).
//
// Open creates the indexes it needs (creators, snapshots, jobs, job items,
// opt-outs, watchlists, alerts; each named Config.IndexPrefix + kind),
// reads each index's settings and sends, in one update per index, every
// setting that differs from what the Store needs: its own values for the
// settings it sets, and null (Meilisearch's default) for those it needs
// at their default but finds changed, such as stop words, synonyms, a
// distinct attribute, displayed attributes, separator tokens, a
// dictionary, proximity precision, prefix search, localized attributes or
// embedders (defaultSettings). Settings that cannot change its results
// (facetSearch, say) are left as they are. It waits for every update to
// succeed before it returns. A store whose settings are already as needed gets no
// update, so start-up causes no reindexing. Settings are read and written
// with plain HTTP requests, since meilisearch-go's Settings type drops
// empty values and cannot send null. The creators index's filterable,
// sortable and facet attributes are derived from index.Fields, never
// listed by hand. Every index's search time budget (searchCutoffMs) is
// 10 minutes, far beyond Config.Timeout, so Meilisearch never answers a
// waiting caller with the partial results of a search cut short. Keyword
// facets list their values by count (the most frequent are reported);
// numeric facets, of which only the min and max (facetStats) are read, in
// value order, so Meilisearch does not count every distinct value.
//
// Writes: every write is a Meilisearch task that the Store waits for and
// checks; a task that ends "failed" or "canceled" is an error carrying the
// task's error code (meilisearch-go's WaitForTask returns a nil error for
// failed tasks, so the Store polls tasks itself). Upserts are batched: a
// single goroutine coalesces concurrent Upsert and UpsertMany calls into
// one batch, by count (Config.BatchSize) and time (Config.BatchWait), and
// sends each index's documents in requests of at most Config.BatchSize
// documents and Config.MaxBatchBytes bytes (Meilisearch refuses a request
// over its payload limit whole); a record or snapshot too large for one
// request fails its own call with creator.ErrInvalid before it joins a
// batch. Each caller returns only when the tasks of its writes have
// ended, so a write that succeeded is visible to Get and Search; when one
// request of a batch fails, the writes in the others still succeed and
// only the writes it held fail. If a request cannot be sent, the tasks
// already enqueued are still waited for and checked.
//
// Meilisearch v1.15 or later is required (the typo settings send
// disableOnNumbers).
//
// Filters: every filter the Store sends, on creators or on its own
// indexes, is first a typed expression (expr: creatorExpr translates an
// index.Filter, checking its fields against index.Fields) and is written
// in Meilisearch's filter grammar by one function (filterText), which
// double-quotes and escapes every string value (quote) and writes numbers
// as plain decimals, so a value can never become syntax.
//
// Stored forms: Meilisearch lower-cases, trims and Unicode-decomposes the
// strings of filterable and sortable attributes and cuts them to 468
// bytes before it compares or sorts them, but compares a filter's value
// uncut. So the store's own strings (creator keys, job, watchlist and
// alert ids, opt-out ids and handles, states) are never stored as they
// are: a value only compared for equality is stored as lower-case hex
// when that fits in 468 bytes and as "h" and its SHA-256 in hex when not
// (fkey), identically when written and when filtered on; a creator key is
// sorted by two attributes, its first 468 characters and the rest, each
// mapped one to one and in order onto printable ASCII without capitals
// (keySort), so keys of up to 511 bytes sort by their bytes; an alert id,
// the tiebreak of alerts, is stored as an order-preserving base 64 of
// its first 351 bytes (sortEnc). A store written before these forms
// (key_sort as hex, alert ids as hex) orders creators correctly again
// only once every creator is written anew (scout reindex); so does one
// written before keySort kept the 468th byte of keys of 468 bytes or more
// (two such keys that differed only there tied), for those keys.
//
// Differences from the SQLite backend (index/sqlite), documented here
// because the conformance suite cannot see all of them:
//
//   - Text search: every word must match and the last also as a prefix, as
//     in SQLite; quotes and a leading '-' are dropped from the query so that
//     Meilisearch's phrase and negation syntax never applies (plainText).
//     But Meilisearch's tokenizer (charabia) is not the SQLite store's, and
//     it tolerates typos: one in query words of Config.OneTypoMinLen (8)
//     letters or more, two from Config.TwoTyposMinLen (12); numbers match
//     exactly; Config.DisableTypos turns it off. Relevance order differs
//     (ties are still broken by key); an explicit sort orders results the
//     same way in both. Meilisearch matches only the first ten words of a
//     query, so index.Query.Normalize refuses text of more than
//     index.MaxTextWords words as index.TextWords counts them, an upper
//     bound of both tokenizers' counts but for one case: when Meilisearch
//     takes a query for German it may split a compound word into several
//     and then ignore the words past the tenth.
//   - Atomicity: Meilisearch has no transactions across indexes. An upsert
//     writes the snapshots first and then the records; a creator whose
//     snapshots were not all written gets no record, and one whose record
//     was not written has the snapshots just written deleted again (if
//     that fails too, the write's error says so). A request whose answer
//     is lost (a timeout) counts as failed though Meilisearch may still
//     apply it, so a record can then be stored without the snapshot
//     written with it.
//     Delete removes the record, history, job items, alerts and watchlist
//     memberships with several tasks, not one transaction. It runs between
//     the batches of its Store, never during one, so a batch of the same
//     Store cannot write the creator again halfway through; but an Upsert
//     of the same creator by another process (another scout worker) can
//     still interleave with it. Delete rewrites the watchlists that hold
//     the creator (read, then write): the watchlist writes of one Store
//     are serialised, but a PutWatchlist by another process between the
//     read and the write is lost.
//   - Keyword filters compare as Meilisearch normalises facet values:
//     trimmed, Unicode-lower-cased and decomposed, where SQLite's NOCASE
//     folds ASCII case only. A facet count groups such variants under one
//     of the values written. Keyword values are stored as written (so that
//     they compare case-insensitively), so one over 468 bytes once
//     normalised never equals a filter value.
//   - Facet counts are capped at Config.MaxValuesPerFacet values per field
//     (the most frequent are kept).
//   - Sorting on a field a record lacks (only updated_at can be missing)
//     puts that record last in both directions.
//   - Search totals are exact (counted with a facet on an attribute every
//     document has), but ListAlerts returns at most index.MaxTotalHits,
//     and orders alerts of the same time by the first 351 bytes of their
//     ids only.
//   - Snapshots with the same time are all kept, ordered by write order
//     within one process.
//
// A Store is safe for concurrent use.
package meili
