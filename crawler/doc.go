// Package crawler holds the Source interface and registry and the pipeline
// task handlers: discover (a query to creator refs) and crawl (a ref to a
// stored, scored record). Sources live in sub-packages and register
// themselves by name; the outbound HTTP client is crawler/fetch.
//
// Jobs and their per-creator items live in the store; the queue only
// carries the work. Resume (on start-up) and Reconcile (periodically, by
// the scheduler under its lease) enqueue again what the store says is
// unfinished and the queue no longer holds, so losing Redis loses no job.
package crawler
