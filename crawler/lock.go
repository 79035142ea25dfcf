package crawler

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/creator"
	leasepkg "github.com/creatorscout/scout/internal/lease"
)

// A creator's write lock is a Redis key holding "<task id>/<random>": the
// task whose attempt holds it, and which attempt. It lives one lease
// (PipelineConfig.LockLease) past the holder's last renewal, so a holder
// that dies frees it within a lease, and a later attempt of the same task
// takes it over at once: the earlier attempt has ended (asynq runs one
// attempt of a task at a time), even when it never learned that it held
// the lock (its SET ran but the reply was lost to a timeout).

// lockScript takes KEYS[1] for ARGV[2] (for ARGV[3] ms) when it is free or
// held by an earlier attempt of the same task (a value starting ARGV[1]).
var lockScript = redis.NewScript(`
local v = redis.call("GET", KEYS[1])
if v == false or string.sub(v, 1, string.len(ARGV[1])) == ARGV[1] then
  redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3])
  return 1
end
return 0
`)

// errLockLost ends a crawl whose lock another attempt took over.
var errLockLost = errors.New("the creator's write lock was taken over by a later attempt")

// lockCreator takes the per-creator write lock in Redis for the task
// taskID. It returns a context that ends when the lock is lost, and the
// release function; while the crawl runs the lock is renewed. When another
// task holds it, the error wraps a *creator.RetryAfter a few seconds ahead:
// a busy creator is not a failure, and the task is retried.
func (p *Pipeline) lockCreator(ctx context.Context, key, taskID string) (context.Context, func(), error) {
	lk := "scout:lock:creator:" + key
	owner := taskID + "/"
	token := fmt.Sprintf("%s%016x", owner, rand.Uint64())
	lease := p.cfg.LockLease
	l := leasepkg.WithToken(p.cfg.Redis, lk, token, lease)
	// A free lock (nearly always) is taken with one SET NX; only a held
	// one needs the script's look at its holder (a fresh token cannot be
	// renewed, so Lease.Acquire's renewal would be a wasted trip). A SET
	// whose reply is lost leaves the lock to this task, which the script
	// lets its retry take.
	took, err := p.cfg.Redis.SetNX(ctx, lk, token, lease).Result()
	ok := 0
	if took {
		ok = 1
	} else if err == nil {
		ok, err = lockScript.Run(ctx, p.cfg.Redis, []string{lk}, owner, token, lease.Milliseconds()).Int()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("locking %s: %w", key, err)
	}
	if ok != 1 {
		return nil, nil, fmt.Errorf("locking %s: another worker is writing it: %w", key,
			&creator.RetryAfter{Until: p.cfg.Now().Add(3 * time.Second)})
	}
	lctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(lease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-lctx.Done():
				return
			case <-t.C:
			}
			held, err := l.Renew(lctx)
			if err == nil && !held {
				cancel(fmt.Errorf("crawling %s: %w", key, errLockLost))
				return
			}
			// A failed renewal is tried again at the next tick; the
			// lease covers two more.
		}
	}()
	unlock := func() {
		close(done)
		<-stopped
		cancel(nil)
		// Released even when the crawl's context ended; tried a few
		// times, and should all fail the lease still runs out.
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer rcancel()
		for i := range 3 {
			if err := l.Release(rctx); err == nil || rctx.Err() != nil {
				return
			}
			time.Sleep(time.Duration(i+1) * 100 * time.Millisecond)
		}
	}
	return lctx, unlock, nil
}

// LockCreator takes the per-creator write lock that a crawl holds from
// reading a creator's record to writing it, for a writer that is not a
// crawl (the Jetstream tracker's count-only snapshots), so that neither
// writes a record over the other's. ok is false, with nothing to release,
// while someone else holds it. Until release the lock is renewed as a
// crawl's is; the returned context ends if it is lost.
func (p *Pipeline) LockCreator(ctx context.Context, key string) (lctx context.Context, release func(), ok bool, err error) {
	lctx, release, err = p.lockCreator(ctx, key, fmt.Sprintf("write-%016x", rand.Uint64()))
	var busy *creator.RetryAfter
	switch {
	case errors.As(err, &busy):
		return nil, nil, false, nil
	case err != nil:
		return nil, nil, false, err
	}
	return lctx, release, true, nil
}
