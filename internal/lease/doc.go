// Package lease is a lease in Redis that lets exactly one of several
// processes act at a time: the watchlist scheduler and the Jetstream
// consumer each hold one. A holder takes the lease with a random token,
// renews it well within its time to live, and gives it up on exit; a
// holder that dies loses it when the time to live runs out, and another
// process takes over.
package lease
