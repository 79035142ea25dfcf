// Package sqlite is the embedded backend of index.Store: one SQLite file
// (modernc.org/sqlite, pure Go) in WAL mode, with FTS5 for text search.
//
// Layout. Every field of index.Fields is a real column of the narrow
// creators table, derived from the schema at Open (never listed by hand), and
// each keyword field and each hot numeric field has its own index, which
// covers facet counts, min/max stats and sorted paging of unfiltered
// queries. Whole records, their search summaries, snapshots, jobs, opt-outs,
// watchlists and alert events are JSON documents beside the columns needed to
// query them. Text search uses a contentless FTS5 table over display name,
// handle, bio and post text.
//
// Schema changes are versioned migrations recorded in schema_version;
// columns for fields added to index.Fields later are added (and back-filled
// from the stored records) when the store is opened.
//
// Searching. A query with text or a filter materializes its matches once
// (with the columns needed for facets, stats and sorting) and answers the
// total, every facet, every stat and the page from that in one statement. A
// query without either reads the indexes directly. Filter values are always
// bound parameters.
//
// Writes go through one connection, so concurrent writers in one process
// queue up instead of failing; reads use a pool of read-only connections
// and never wait for writes.
package sqlite
