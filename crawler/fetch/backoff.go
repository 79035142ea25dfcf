package fetch

import (
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Backoff returns the retry schedule every retry in CreatorScout follows
// (this client's retries, crawl and discover task retries, after-write
// hooks): delays doubling from first up to limit, each drawn at random
// from the upper half of its step ([d/2, d], "equal jitter") so workers
// that failed together do not retry together. A new schedule starts at
// first; it is not safe for concurrent use.
func Backoff(first, limit time.Duration) *backoff.ExponentialBackOff {
	// cenkalti/backoff draws from [c(1-f), c(1+f)]; c = 3d/4 and f = 1/3
	// make that [d/2, d].
	return &backoff.ExponentialBackOff{
		InitialInterval:     first * 3 / 4,
		RandomizationFactor: 1.0 / 3,
		Multiplier:          2,
		MaxInterval:         limit * 3 / 4,
	}
}

// BackoffDelay returns the delay before retry n (0 for the first) of the
// schedule Backoff(first, limit) describes, for callers that are told the
// retry count instead of keeping a schedule (asynq's RetryDelayFunc).
func BackoffDelay(first, limit time.Duration, n int) time.Duration {
	b := Backoff(first, limit)
	// The steps before n only advance the schedule; past the cap they
	// all draw from [limit/2, limit].
	var d time.Duration
	for range min(n, 64) + 1 {
		d = b.NextBackOff()
	}
	return d
}
