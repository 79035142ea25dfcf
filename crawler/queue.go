package crawler

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// asynqQueuesKey is the Redis set asynq lists its queues in.
const asynqQueuesKey = "asynq:queues"

// taskLost reports whether the task with id is not live in queue: absent,
// archived or completed.
func (p *Pipeline) taskLost(queue, id string) (bool, error) {
	info, err := p.insp.GetTaskInfo(queue, id)
	switch {
	case errors.Is(err, asynq.ErrTaskNotFound), errors.Is(err, asynq.ErrQueueNotFound):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("looking up task %s: %w", id, err)
	}
	return info.State == asynq.TaskStateArchived || info.State == asynq.TaskStateCompleted, nil
}

func (p *Pipeline) enqueueDiscover(ctx context.Context, dp DiscoverPayload) error {
	t, err := NewDiscoverTask(dp, p.cfg.MaxRetry)
	if err != nil {
		return err
	}
	if err := p.enqueue(ctx, t, QueueInteractive, "discover-"+dp.JobID); err != nil {
		return fmt.Errorf("enqueuing discover: %w", err)
	}
	return nil
}

// enqueue queues t under its task id. A task with that id still pending,
// scheduled, running or waiting to retry is left as it is; an archived or
// completed one (asynq keeps their ids taken for months) is deleted and t
// queued in its place, so a failed crawl or rescan can run again.
func (p *Pipeline) enqueue(ctx context.Context, t *asynq.Task, queue, id string) error {
	_, err := p.q.EnqueueContext(ctx, t)
	if !errors.Is(err, asynq.ErrTaskIDConflict) {
		return err
	}
	info, ierr := p.insp.GetTaskInfo(queue, id)
	if ierr != nil {
		return nil // gone in between, or not inspectable: treat as queued
	}
	if info.State != asynq.TaskStateArchived && info.State != asynq.TaskStateCompleted {
		return nil
	}
	if derr := p.insp.DeleteTask(queue, id); derr != nil {
		return fmt.Errorf("replacing finished task %s: %w", id, derr)
	}
	if _, err := p.q.EnqueueContext(ctx, t); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return err
	}
	return nil
}

// enqueueCrawl queues cp; a task with the same id still in the queue is
// left as it is (see enqueue).
func (p *Pipeline) enqueueCrawl(ctx context.Context, cp CrawlPayload) error {
	t, err := NewCrawlTask(cp, p.cfg.MaxRetry)
	if err != nil {
		return err
	}
	if err := p.enqueue(ctx, t, crawlQueue(cp), crawlTaskID(cp)); err != nil {
		return fmt.Errorf("enqueuing crawl of %s: %w", cp.Ref, err)
	}
	return nil
}

// claimRecent takes the uniqueness window for a discovered ref for owner
// (a job id; "" for none): it reports false when the creator was already
// claimed within UniqueFor, unless by the same owner, so a discovery
// retried after it claimed but before it stored its items claims the same
// creators again.
func (p *Pipeline) claimRecent(ctx context.Context, r creator.Ref, owner string) (bool, error) {
	key := "scout:uniq:crawl:" + index.ItemKey(r)
	val := owner
	if val == "" {
		val = "1"
	}
	ok, err := p.cfg.Redis.SetNX(ctx, key, val, p.cfg.UniqueFor).Result()
	if err == nil && !ok && owner != "" {
		var held string
		held, err = p.cfg.Redis.Get(ctx, key).Result()
		ok = err == nil && held == owner
		if errors.Is(err, redis.Nil) {
			err = nil // expired meanwhile: the next discovery claims it
		}
	}
	if err != nil {
		return false, fmt.Errorf("claiming crawl of %s: %w", r, err)
	}
	return ok, nil
}
