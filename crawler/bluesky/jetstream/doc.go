// Package jetstream reads Bluesky's Jetstream firehose (the v1 /subscribe
// websocket of JSON events) to discover and track every Bluesky creator
// worth knowing.
//
// Consumer speaks the wire: wantedCollections (posts, follows and reposts
// by default; #identity and #account events always come), no
// compression, a cursor in unix microseconds kept in the store
// (index.Tracking) and saved every few seconds after the Handler's Flush,
// resumption a few seconds before the saved cursor (delivery is at least
// once, so every effect is idempotent), reconnection with jittered
// exponential backoff, and fail-over across a list of endpoints. RunLeased
// runs it under a lease in Redis (internal/lease), so that exactly one
// process of a cluster consumes and any other takes over when it dies.
//
// Tracker is the Handler: it batches the authors of posts, the targets of
// follows and the authors of reposted posts into getProfiles calls of 25
// (bluesky.Source.Counts), remembers for Recheck which accounts it looked
// up (a bounded two-generation cache of 64-bit hashes), and tracks the
// accounts at or above the follower floor, or writing in a configured
// niche (TermNiche): it records them (index.Tracked) and queues one full
// crawl of each through the crawl pipeline (crawler.Pipeline.EnqueueStream,
// unique per creator). Opt-outs (the store's list and the
// !no-unauthenticated label) are checked before anything is stored.
// Tracked creators get a count-only snapshot (followers, following, posts)
// once a day from getProfiles batches (RunSnapshots), so growth history
// and spike detection (scoring.Growth) work for all of them without full
// crawls; a spike, or posts about another niche than the stored one, queue
// a full crawl. #identity events refresh a tracked creator's handle at
// once; #account events with active false erase the creator through the
// pipeline's erasure path (crawler.Pipeline.Erase).
//
// Stats holds the progress (events per second, seconds behind, creators
// discovered and tracked, lookups) for the log, the metrics and the status
// page. The wire types (Event, Decode) decode only what is used; the
// package's tests decode the 152 recorded events of
// ../shared/fixtures/api/jetstream and run against the simulator's stream
// (sim.World.Jetstream).
package jetstream
