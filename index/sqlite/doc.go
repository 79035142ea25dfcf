// Package sqlite is the embedded backend of index.Store: one SQLite file
// (modernc.org/sqlite, pure Go) in WAL mode, searched in memory.
//
// # Layout
//
// Every field of index.Fields is a real column of the creators table,
// derived from the schema when the store is opened (never listed by hand).
// A creator is three rows: in creators its key, field columns, search
// summary and words (name, handle, bio, the distinct words of its posts);
// in creator_docs its whole record (compressed, see docs.go); in history a
// snapshot per write. Jobs, opt-outs, watchlists and alert
// events are documents beside the columns needed to query them.
//
// # Searching
//
// Searches run over an in-memory index (index/memsearch) of every
// creator's words and field columns, which the store feeds: each search
// reads the generation its read transaction sees and has the index load
// the rows stamped since it last looked (txSource), whichever process
// wrote them. Writes stamp the rows they change with a new generation
// (creators.seq) and record the row ids they erase in erased, which is the
// contract memsearch's doc states. Text, filters, facet counts, stats and
// the order come from the index; only the page of hits is read from
// SQLite, by row id. The index costs memory (the search benchmarks report
// it as mem-MB) and is read whole when the first search runs: from the
// snapshot of it the file keeps (mem_snapshot, see snapshot.go) and the
// rows written since, or, without a usable snapshot, from every creator's
// words.
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
// compression, words) on all CPUs while the writer stores the ones already
// encoded; a creator written more than once in a batch (as a reindex
// writes one per snapshot) has its record encoded and stored once, the
// last, and every snapshot appended. Two writers calling at once overlap:
// one batch is encoded while the other commits.
package sqlite
