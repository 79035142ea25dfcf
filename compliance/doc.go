// Package compliance owns what CreatorScout does for the people it
// collects, end to end: opt-outs (recorded durably, then everything stored
// about the creator erased), erasure on a platform's opt-out signal, the
// scrubbing of job records that name an erased creator, and the purge of
// data past its source's retention. Every lookup is exact (store keys, the
// handle and profile URL fields): nothing goes through text search.
//
// The API (POST /v1/optout, GET /v1/optouts), the CLI (scout optout) and
// the crawler (a source's opt-out signal) all call a *Service; the hourly
// purge is its maintenance task (TypePurge). A *Service is safe for
// concurrent use.
package compliance
