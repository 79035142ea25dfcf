// Package meili is the distributed backend of index.Store, on Meilisearch
// (github.com/meilisearch/meilisearch-go).
//
// Open creates the indexes it needs (each named Config.IndexPrefix + kind)
// and waits until their settings are what the Store needs: a setting
// changed by hand that could change its results (stop words, synonyms, a
// distinct attribute, an embedder, ...) is set back at start-up, which
// needs no scout reindex. A store whose settings are already as needed
// gets no settings update, so start-up alone causes no reindexing. Every
// index's search time budget is 10 minutes, far beyond Config.Timeout, so
// Meilisearch never answers with the partial results of a search cut
// short.
//
// Meilisearch v1.15 or later is required (the typo settings send
// disableOnNumbers).
//
// Writes: every write is a Meilisearch task that the Store waits for and
// checks; a task that ends "failed" or "canceled" is an error carrying the
// task's error code. Upserts are batched: concurrent Upsert and UpsertMany
// calls are coalesced into one batch, by count (Config.BatchSize) and time
// (Config.BatchWait), and each index's documents are sent in requests of
// at most Config.BatchSize documents and Config.MaxBatchBytes bytes
// (Meilisearch refuses a request over its payload limit whole); a call
// holding a record or snapshot too large for one request fails whole with
// creator.ErrInvalid before it joins a batch. Each caller returns only
// when the tasks of its writes have ended, so a write that succeeded is
// visible to Get and Search. When one request of a batch fails, the
// writes it held fail; if it could not be sent at all, the later requests
// to the same index are not sent either and their writes fail with the
// same error (the tasks already enqueued are still waited for and
// checked). Every write of a creator fails when any of its snapshots or
// its record in the batch was not written, even one in a request that
// succeeded; the writes of other creators in the requests that succeeded
// still succeed. If trimming the histories fails after that, the writes
// that had succeeded fail with that error, though they are stored.
//
// Filter values are always quoted or written as plain numbers, so a value
// can never become filter syntax.
//
// The store's own strings (creator keys, job, watchlist and alert ids,
// ...) are stored in forms that Meilisearch's normalisation of facet
// values leaves unchanged; keys of up to 511 bytes sort by their bytes. A
// store written before these forms (sort keys and alert ids stored as hex)
// orders creators correctly again only once every creator is written anew
// (scout reindex).
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
//     apply it: a record can then be stored without the snapshot written
//     with it (its snapshot was deleted again), and a snapshot without
//     the record written with it (the record was not sent).
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
// # What erasure leaves on Meilisearch's disk
//
// The SQLite backend overwrites an erased creator's bytes (secure_delete,
// index.Scrubber, a truncated log; crawler's TestOptOutLeavesNoBytes scans
// the file). This backend cannot, and does not implement index.Scrubber;
// an operator who must show that an opted-out creator's data is gone
// should know where Meilisearch (v1.15, its data.ms directory) keeps it:
//
//   - The indexes are LMDB files (data.ms/indexes/<uuid>/data.mdb). LMDB
//     does not zero the pages a deletion frees: the deleted documents'
//     bytes (record, snapshots, job items, alerts) stay in free pages until
//     later writes reuse them, which may be never for a store that stops
//     growing. The file does not shrink either.
//   - The task queue (data.ms/tasks/data.mdb) keeps every task's details
//     until the task is deleted: Delete's deletions by filter record their
//     filter, which holds the creator's store key (its platform id,
//     escaped), and a crawl job's request names its handle in the jobs
//     index's document, which this store keeps (job items are deleted by
//     key; the requests are not scrubbed). Meilisearch deletes the oldest
//     finished tasks only when the queue nears its limit (a million tasks
//     by default), so in practice for as long as the instance lives, unless
//     an operator deletes them (DELETE /tasks?statuses=succeeded,failed).
//   - A document addition's payload is written to data.ms/update_files
//     and removed once its task is processed (freed, not overwritten, by
//     the file system).
//   - Snapshots (--schedule-snapshot) and dumps copy all of the above and
//     keep it until they are deleted.
//
// To remove the bytes: copy the store into a fresh instance (scout reindex
// leaves opted-out creators out; see cmd/scout), delete the old data.ms,
// its snapshots and dumps, and store the volume on storage that discards
// freed blocks (or is encrypted with a key that can be destroyed).
//
// A Store is safe for concurrent use.
package meili
