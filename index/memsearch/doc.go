// Package memsearch is the in-memory search index of the SQLite store: an
// Index holds every creator's words and field columns by row id, and
// answers an index.Query's text, filters, facet counts, stats and order
// without reading the store. The store (index/sqlite) keeps the data and
// feeds the Index; only the page of hits is then read from the store.
//
// # What it holds
//
//   - Postings (postings.go): for each word, bitmaps of the creators that
//     have it in their name or handle, their bio or their posts. A query's
//     words are intersected, the last also as a prefix; relevance is by the
//     best place each word appears in (name or handle, then bio, then posts).
//   - Columns (index.go): for each field, every creator's value: keyword
//     values as codes into a dictionary (ASCII case folded, as SQLite's
//     NOCASE and Meilisearch's filters compare), numbers as float64 (NaN
//     when missing). Facet counts and stats are taken over the matches.
//   - Filter bitmaps (bitmaps.go): for each keyword facet field, bitmaps of
//     the creators having each value, and for every field those having
//     one. Keyword and existence filters, and their AND, OR and NOT, are
//     bitmap operations intersected with the text's matches before they
//     are read out; numeric comparisons and non-facet keyword fields (a
//     handle) are tested row by row on what the bitmaps let through.
//   - One tokenizer (Words): what is stored, indexed and queried is split
//     and folded by it alone.
//
// # Contract with the store
//
// The Index follows the store's data by generation, a number the store
// increments with every write transaction that changes creators. Searching
// is:
//
//	view, err := x.Acquire(ctx, gen, src) // gen and src: one read transaction's view of the data
//	res, page := view.Search(plan)         // plan from x.Plan(&query)
//	view.Release()
//
// Acquire reads from the Source only what changed since the generation the
// Index holds (everything the first time), under the Index's write lock,
// then returns a View holding its read lock, so every search answers from
// exactly the state of the data its transaction sees, whichever process
// wrote it. When another search has already brought the Index past gen,
// Acquire returns ErrStale and the caller starts a new transaction. A load
// that fails leaves the Index to be loaded whole by the next Acquire; the
// store must therefore never mark as changed less than it changed (rows
// written after generation g carry a generation above g; erased rows are
// listed by the generation that erased them).
//
// Row ids are the store's: the Index's arrays are as long as the largest
// id, so the store should reuse ids rather than let them grow without end.
//
// The Index costs memory (Bytes) and is read whole by the first Acquire:
// from a snapshot (WriteSnapshot) when the Source keeps one
// (SnapshotSource), brought up to date as any load, else from every row.
package memsearch
