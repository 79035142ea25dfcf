package crawler

import (
	"context"
	"errors"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
)

// retryHook runs an after-write hook up to three times, waiting the
// shared backoff (fetch.Backoff: about 0.2-0.4 s, then 0.4-0.8 s) between
// tries: a retry of the whole crawl would compare against the record just
// written and lose the change the hook was to see.
func retryHook(ctx context.Context, f func() error) error {
	var last error
	_, err := backoff.Retry(ctx, func() (struct{}, error) { last = f(); return struct{}{}, last },
		backoff.WithBackOff(fetch.Backoff(400*time.Millisecond, time.Second)), backoff.WithMaxTries(3), backoff.WithMaxElapsedTime(0))
	if err != nil && last != nil && !errors.Is(err, last) {
		return errors.Join(last, err) // the hook's error, then why retrying stopped
	}
	return err
}

// lastAttempt reports whether the running task is on its last attempt.
func lastAttempt(ctx context.Context) bool {
	n, ok1 := asynq.GetRetryCount(ctx)
	max, ok2 := asynq.GetMaxRetry(ctx)
	return ok1 && ok2 && n >= max
}

// RetryDelay returns asynq's retry delay function: the time a
// *creator.RetryAfter names, else the shared backoff (fetch.Backoff) from
// base, capped at ten minutes.
func RetryDelay(base time.Duration, now func() time.Time) asynq.RetryDelayFunc {
	if now == nil {
		now = time.Now
	}
	return func(n int, err error, _ *asynq.Task) time.Duration {
		var ra *creator.RetryAfter
		if errors.As(err, &ra) {
			if d := ra.Until.Sub(now()); d > 0 {
				return d
			}
		}
		return fetch.BackoffDelay(base, 10*time.Minute, n)
	}
}
