package crawler

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// StrandedAfter is how long a running task's lease may go without being
// extended before Reconcile takes its worker for dead and queues the task
// again. asynq's workers extend the leases of their running tasks every 5
// seconds, to 30 seconds ahead, so a live worker's task is never this far
// behind; a killed worker's tasks are, and asynq alone would queue them
// again only a minute or two later (30 s lease, 30 s grace, then its
// once-a-minute recoverer).
const StrandedAfter = 12 * time.Second

// asynqLease is how far ahead asynq (v0.26, rdb.LeaseDuration) sets and
// extends a running task's lease.
const asynqLease = 30 * time.Second

// requeueStrandedScript moves one running task back to its queue's pending
// list, as asynq's own Requeue does at a worker's shutdown (v0.26 key
// layout: asynq:{queue}:active, :lease, :pending, :t:<id>), only if its
// lease is still as stale as when it was found.
//
// KEYS: active, lease, pending, task hash; ARGV: task id, lease cutoff.
var requeueStrandedScript = redis.NewScript(`
local score = redis.call("ZSCORE", KEYS[2], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[2]) then return 0 end
if redis.call("LREM", KEYS[1], 0, ARGV[1]) == 0 then return 0 end
redis.call("ZREM", KEYS[2], ARGV[1])
redis.call("RPUSH", KEYS[3], ARGV[1])
redis.call("HSET", KEYS[4], "state", "pending")
return 1`)

// RequeueStranded queues again the running tasks of every queue whose
// worker stopped extending their leases StrandedAfter ago or more (the
// worker was killed or lost Redis), so their work resumes at the next
// reconciliation instead of a minute or two later. It returns how many it
// queued. A worker that was only cut off and comes back finds its task
// gone when it finishes (asynq logs it); the task then runs again, which
// the pipeline's idempotent writes allow.
func (p *Pipeline) RequeueStranded(ctx context.Context) (int, error) {
	cutoff := time.Now().Add(asynqLease - StrandedAfter).Unix()
	n := 0
	for q := range Queues {
		prefix := "asynq:{" + q + "}:"
		ids, err := p.cfg.Redis.ZRangeByScore(ctx, prefix+"lease", &redis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(cutoff, 10)}).Result()
		if err != nil {
			return n, fmt.Errorf("listing stranded tasks of %s: %w", q, err)
		}
		for _, id := range ids {
			keys := []string{prefix + "active", prefix + "lease", prefix + "pending", prefix + "t:" + id}
			moved, err := requeueStrandedScript.Run(ctx, p.cfg.Redis, keys, id, cutoff).Int()
			if err != nil {
				return n, fmt.Errorf("queueing stranded task %s again: %w", id, err)
			}
			n += moved
		}
	}
	if n > 0 {
		p.log.Info("queued again the tasks of a dead worker", "tasks", n)
	}
	return n, nil
}
