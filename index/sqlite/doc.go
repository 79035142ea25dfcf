// Package sqlite is the embedded backend of index.Store: one SQLite file
// (modernc.org/sqlite, pure Go) in WAL mode, with FTS5 for text search.
//
// # Layout
//
// Every field of index.Fields is a real column of the narrow creators
// table, derived from the schema when the store is opened (never listed by
// hand). Whole records (compressed, see docs.go), their search summaries,
// snapshots, jobs, opt-outs, watchlists and alert events are documents
// beside the columns needed to query them. A contentless FTS5 table indexes
// display name, handle, bio and the distinct words of the posts.
//
// # Searching
//
// FTS5 finds the creators matching a query's text (every word, the last
// also as a prefix; each word quoted, so no input is FTS5 syntax). Filters,
// facet counts, numeric stats and the order are computed in Go from a copy
// of the field columns in memory (columns.go), which each search first
// brings to the state of the data its read transaction sees: writes stamp
// the rows they change with a generation, and the copy reads only the rows
// stamped since it last looked, whichever process wrote them. Only the page
// of hits is read from SQLite, by row id. Relevance is by attribute: a word
// of the text in the name or handle first, then in the bio, then the rest.
//
// # Schema changes
//
// Schema changes are versioned migrations, applied in order and recorded in
// schema_version. Columns for fields added to index.Fields later are added
// and back-filled from the stored records when the store is opened.
//
// # Concurrency
//
// Writes go through one connection and use BEGIN IMMEDIATE, so concurrent
// writers in one process queue up instead of failing, and writers in other
// processes wait up to the busy timeout. Reads use a pool of read-only
// connections and never wait for writes. Large batches are encoded (JSON,
// compression, text) on all CPUs while the writer stores the ones already
// encoded.
package sqlite
