// Package index defines the durable store of CreatorScout (Store) and the
// typed search query every backend answers the same way (Query, Filter).
//
// Backends: index/sqlite (embedded default) and index/meili (distributed).
// index/storetest is the conformance suite both must pass. The searchable,
// filterable and sortable fields are declared once, in Fields, and every
// backend derives its schema from that list.
//
// It also owns what works on any backend through these interfaces: exact
// lookups by handle and profile URL (ByHandle, ByProfileURL), the keys of
// job items (ItemKey), and store copying (Copy, `scout reindex`).
package index
