// Package watch keeps watchlists of creators, rescans them on a schedule,
// detects changes after each crawl and raises alerts, delivered to
// webhooks.
//
// # Watchlists
//
// A Service (New) manages watchlists over an index.Store: Create, List,
// Get, Update, Delete, AddMembers (by store key or profile URL, resolved by
// the ProfileURLParser wired with WithProfileURLs), RemoveMember, Alerts and Alert. A watchlist's
// saved search (an index.Query) is re-run on every rescan and its new
// matches added. Its cadence is a cron expression or a Go duration; empty
// means daily. Webhook URLs pass a URLCheck (crawler/fetch's SSRF guard,
// wired by the command) when saved and again before each delivery.
//
// # Scheduler
//
// A Scheduler enqueues the rescans of due watchlists through an Enqueuer.
// Its state lives in the store (Watchlist.NextRunAt, LastRunAt): a cycle
// enqueues idempotently first and advances NextRunAt after, so a cycle cut
// short is repeated, and the repeat is absorbed by the enqueuer's task ids.
// Of several schedulers only the holder of a Redis lease acts. The holder
// also runs SchedulerConfig.Reconcile (the crawl pipeline's) every
// ReconcileInterval and at once when Redis lost its data, so queued work
// that Redis lost is enqueued again without a restart.
//
// # Change detection
//
// Detect compares a creator's previous and new record and history under a
// watchlist's AlertRules; (*Service).AfterWrite is the hook the crawl
// pipeline calls after each write. Alert kinds and defaults (a zero field
// of index.AlertRules takes the default):
//
//	follower_spike         a follower jump since the last scan that the growth
//	                       scorer (scoring.Growth) judges suspicious: no
//	                       matching rise in engagement or posting (a viral
//	                       jump raises nothing); with fewer than
//	                       MinGrowthSnapshots snapshots, followers up at least
//	                       100 and 5%/day while average engagement per post
//	                       rose by less than a quarter as much; off with
//	                       DisableSpike
//	authenticity_below     authenticity falls below AuthenticityBelow (50)
//	authenticity_drop      authenticity falls more than AuthenticityDrop (15)
//	                       points since the last scan
//	engagement_drop        engagement rate falls more than EngagementDropPct
//	                       (30) percent since the last scan
//	quiet                  QuietDays (14) days without a post are reached
//	undisclosed_sponsored  a sponsored post without disclosure not seen in the
//	                       last scan; off with DisableUndisclosed
//	niche_change           the primary niche changed; off with DisableNicheChange
//
// Alerts fire when a condition starts to hold, not on every scan while it
// holds. Each event stores before and after values and the evidence.
//
// # Webhooks
//
// Each event is POSTed to each of the watchlist's webhooks by a TypeDeliver
// task (NewDeliverTask, handled by (*Service).HandleDeliver), retried with
// asynq's backoff up to DefaultMaxAttempts attempts, then marked failed.
// Every attempt is appended to the event's Deliveries. The body is a
// WebhookBody in JSON; the request carries:
//
//	Content-Type:      application/json
//	X-Scout-Event:     the alert kind
//	X-Scout-Delivery:  the alert event id (the same on every attempt)
//	X-Scout-Timestamp: Unix seconds at signing
//	X-Scout-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// A receiver recomputes the HMAC over the raw body, compares in constant
// time, and rejects timestamps more than five minutes off; Verify does
// this in Go.
package watch
