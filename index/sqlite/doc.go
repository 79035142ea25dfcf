// Package sqlite is the embedded backend of index.Store: one SQLite file
// (modernc.org/sqlite, pure Go) in WAL mode, with FTS5 for text search.
//
// # Layout
//
// Every field of index.Fields is a real column of the narrow creators
// table, derived from the schema when the store is opened (never listed by
// hand); each keyword field has an index, which also covers its facet
// counts. Whole records, their search summaries, snapshots, jobs, opt-outs,
// watchlists and alert events are JSON documents beside the columns needed
// to query them. A contentless FTS5 table indexes display name, handle, bio
// and the distinct words of the posts, plus one "tag" word per filterable
// value (see below).
//
// Writes keep two small derived tables up to date in the same transaction:
// facet_counts (how many creators have each keyword value, each numeric
// bucket, and in all) and numeric_stats (min and max of each numeric facet).
// A query without text or filter answers its total, facets and stats from
// them by primary key, whatever the size of the store.
//
// # Searching
//
// A query with text or a filter materializes its matches once, with the
// columns its facets, stats and order need, and answers the total, every
// facet, every stat and the page of hits in one statement. Text is matched
// by FTS5 (every word, the last also as a prefix; each word quoted, so no
// input is FTS5 syntax). Filter values are always bound parameters.
//
// Filter tags let FTS5 narrow a query's candidates before any row is read:
// the operands of a top-level AND that are equalities, memberships or
// ranges, and that match at most 30% of the creators by the counts in
// facet_counts, are also matched as tag words (a hash of a keyword value;
// the power-of-two bucket of a number). The whole filter is still applied
// in SQL, so tags only ever make a query faster, never different.
//
// # Schema changes
//
// Schema changes are versioned migrations, applied in order and recorded in
// schema_version. Columns for fields added to index.Fields later are added,
// indexed and back-filled from the stored records when the store is opened,
// and the derived tables and text index are rebuilt.
//
// # Concurrency
//
// Writes go through one connection and use BEGIN IMMEDIATE, so concurrent
// writers in one process queue up instead of failing, and writers in other
// processes wait up to the busy timeout. Reads use a pool of read-only
// connections and never wait for writes. Large batches are encoded (JSON,
// text, tags) on all CPUs while the writer stores the ones already encoded.
package sqlite
