// Package crawler owns what turns a query or a creator into a stored,
// scored record:
//
//   - the Source interface, the registry sources add themselves to
//     (Register, New, Names) and each platform's Naming (RegisterNaming):
//     the forms of its ids and handles (ValidateRef) and its one
//     profile-URL parser (ParseProfileURL), which opt-outs, watchlists,
//     link evidence and the API share;
//   - the pipeline's tasks and payloads (tasks.go), their submission
//     (submit.go), the discover and crawl handlers (discover.go,
//     crawl.go), queueing (queue.go), job bookkeeping with Resume and
//     Reconcile (jobs.go), the per-creator write lock (lock.go) and the
//     retry policy (retry.go, on crawler/fetch's one backoff).
//
// Sources live in sub-packages (crawler/sources imports them all); the
// outbound HTTP client is crawler/fetch; erasure and opt-outs belong to
// package compliance, which the crawl calls through PipelineConfig.Erasure.
//
// Jobs and their per-creator items live in the store; the queue only
// carries the work. Resume (on start-up) and Reconcile (periodically, by
// the scheduler under its lease) enqueue again what the store says is
// unfinished and the queue no longer holds, so losing Redis loses no job.
package crawler
