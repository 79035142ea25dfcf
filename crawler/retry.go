package crawler

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/creator"
)

// retryHook runs an after-write hook up to three times: a retry of the
// whole crawl would compare against the record just written and lose the
// change the hook was to see.
func retryHook(ctx context.Context, f func() error) error {
	var err error
	for i, wait := range []time.Duration{0, 200 * time.Millisecond, time.Second} {
		if i > 0 {
			select {
			case <-ctx.Done():
				return errors.Join(err, ctx.Err())
			case <-time.After(wait):
			}
		}
		if err = f(); err == nil {
			return nil
		}
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
// *creator.RetryAfter names, else exponential backoff from base with
// jitter, capped at ten minutes.
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
		d := base << min(n, 20)
		if d <= 0 || d > 10*time.Minute {
			d = 10 * time.Minute
		}
		return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
	}
}
