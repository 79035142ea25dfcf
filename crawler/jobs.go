package crawler

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/creatorscout/scout/index"
)

// Resume enqueues again what the store says is unfinished: discover jobs
// whose discovery had not ended and the pending crawls of every unfinished
// job. Call it on start-up; tasks still queued are not doubled. It returns
// how many tasks it enqueued.
func (p *Pipeline) Resume(ctx context.Context) (int, error) {
	jobs, err := p.cfg.Store.UnfinishedJobs(ctx)
	if err != nil {
		return 0, fmt.Errorf("resuming jobs: %w", err)
	}
	n := 0
	for _, j := range jobs {
		if j.Kind == TypeDiscover && j.State == index.JobQueued {
			k, err := p.requeueDiscover(ctx, &j)
			n += k
			if err != nil {
				return n, err
			}
			continue
		}
		k, err := p.enqueuePending(ctx, &j)
		if err != nil {
			return n, fmt.Errorf("resuming job %s: %w", j.ID, err)
		}
		n += k
	}
	return n, nil
}

// Reconcile enqueues again the work the store says is unfinished but the
// queue no longer holds: discover jobs still queued whose discover task is
// gone, and pending crawls of unfinished jobs whose crawl task is gone
// (Redis restarted empty, a flush, an eviction), and tasks a dead worker
// held (RequeueStranded). A task still pending,
// scheduled, running or waiting to retry is left alone; an archived or
// completed one stands for lost work and is replaced. A job whose items
// are all finished but that was left open is closed. It returns how many
// tasks it enqueued. Unlike Resume it is safe to call periodically while
// workers run: a task found missing is enqueued only when the store still
// says its work is unfinished after the lookup, and a worker records an
// item's outcome before its task leaves the queue. The scheduler calls it
// under its lease (watch.SchedulerConfig.Reconcile).
func (p *Pipeline) Reconcile(ctx context.Context) (int, error) {
	jobs, err := p.cfg.Store.UnfinishedJobs(ctx)
	if err != nil {
		return 0, fmt.Errorf("reconciling jobs: %w", err)
	}
	// asynq's clients list a queue in asynq:queues once per process, so
	// after Redis lost its data the queues may be unlisted, and asynq's
	// lookups would call every task missing: list them again.
	if err := p.cfg.Redis.SAdd(ctx, asynqQueuesKey, QueueInteractive, QueueRescan, QueueWebhooks, QueueMaintenance).Err(); err != nil {
		return 0, fmt.Errorf("reconciling jobs: listing queues: %w", err)
	}
	// Tasks a dead worker held are queued again first, so the lookups
	// below see them pending.
	n, err := p.RequeueStranded(ctx)
	if err != nil {
		return n, fmt.Errorf("reconciling jobs: %w", err)
	}
	for _, j := range jobs {
		if j.Kind == TypeDiscover && j.State == index.JobQueued {
			lost, err := p.taskLost(QueueInteractive, "discover-"+j.ID)
			if err != nil || !lost {
				if err != nil {
					return n, fmt.Errorf("reconciling job %s: %w", j.ID, err)
				}
				continue
			}
			cur, err := p.cfg.Store.GetJob(ctx, j.ID)
			if err != nil {
				return n, fmt.Errorf("reconciling job %s: %w", j.ID, err)
			}
			if cur.State != index.JobQueued {
				continue // discovery ended meanwhile; its crawls are looked at next time
			}
			k, err := p.requeueDiscover(ctx, cur)
			n += k
			if err != nil {
				return n, err
			}
			continue
		}
		k, err := p.reconcileItems(ctx, &j)
		n += k
		if err != nil {
			return n, fmt.Errorf("reconciling job %s: %w", j.ID, err)
		}
	}
	return n, nil
}

// requeueDiscover enqueues the discover task of job j again from its
// stored request (1 when it did). A request that no longer decodes fails
// the job instead.
func (p *Pipeline) requeueDiscover(ctx context.Context, j *index.Job) (int, error) {
	var dp DiscoverPayload
	if err := json.Unmarshal(j.Request, &dp); err != nil {
		p.failJob(ctx, j.ID, fmt.Sprintf("decoding stored request: %v", err))
		return 0, nil
	}
	if err := p.enqueueDiscover(ctx, dp); err != nil {
		return 0, err
	}
	return 1, nil
}

// reconcileItems enqueues the pending crawls of j whose task is lost.
func (p *Pipeline) reconcileItems(ctx context.Context, j *index.Job) (int, error) {
	items, err := p.cfg.Store.JobItems(ctx, j.ID, index.ItemPending)
	if err != nil {
		return 0, fmt.Errorf("loading pending items: %w", err)
	}
	if len(items) == 0 {
		p.finishJobIfComplete(ctx, j.ID)
		return 0, nil
	}
	reason := ReasonDiscover
	if j.Kind == TypeCrawl {
		reason = ReasonRequest
	}
	var lost []CrawlPayload
	for _, it := range items {
		cp := CrawlPayload{Ref: it.Ref, Reason: reason, JobID: j.ID}
		gone, err := p.taskLost(crawlQueue(cp), crawlTaskID(cp))
		if err != nil {
			return 0, err
		}
		if gone {
			lost = append(lost, cp)
		}
	}
	if len(lost) == 0 {
		return 0, nil
	}
	// Read the items again: a crawl that ended between the two reads
	// recorded its outcome before its task left the queue.
	again, err := p.cfg.Store.JobItems(ctx, j.ID, index.ItemPending)
	if err != nil {
		return 0, fmt.Errorf("loading pending items: %w", err)
	}
	still := make(map[string]bool, len(again))
	for _, it := range again {
		still[it.Key] = true
	}
	n := 0
	for _, cp := range lost {
		if !still[cp.itemKey()] {
			continue
		}
		if err := p.enqueueCrawl(ctx, cp); err != nil {
			return n, err
		}
		n++
	}
	if n > 0 {
		p.log.Info("re-enqueued lost crawls", "job", j.ID, "tasks", n)
	}
	return n, nil
}

// enqueuePending queues the crawls of a job's pending items and reports
// how many there were.
func (p *Pipeline) enqueuePending(ctx context.Context, j *index.Job) (int, error) {
	items, err := p.cfg.Store.JobItems(ctx, j.ID, index.ItemPending)
	if err != nil {
		return 0, fmt.Errorf("loading pending items of job %s: %w", j.ID, err)
	}
	reason := ReasonDiscover
	if j.Kind == TypeCrawl {
		reason = ReasonRequest
	}
	for _, it := range items {
		if err := p.enqueueCrawl(ctx, CrawlPayload{Ref: it.Ref, Reason: reason, JobID: j.ID}); err != nil {
			return 0, err
		}
	}
	if len(items) == 0 {
		p.finishJobIfComplete(ctx, j.ID)
	}
	return len(items), nil
}

// itemDone records how a crawl of a job ended and closes the job when it
// was the last.
func (p *Pipeline) itemDone(ctx context.Context, cp CrawlPayload, state, msg string) {
	if cp.JobID == "" {
		return
	}
	it := &index.JobItem{JobID: cp.JobID, Key: cp.itemKey(), Ref: cp.Ref, State: state, Error: msg, UpdatedAt: p.cfg.Now().UTC()}
	if err := p.items(ctx, it); err != nil {
		p.log.Error("recording job item", "job", cp.JobID, "err", err)
		return
	}
	p.finishJobIfComplete(ctx, cp.JobID)
}

// finishJobIfComplete marks a job done (or failed, for a crawl job whose
// one crawl failed) once its discovery has run and no item is pending.
func (p *Pipeline) finishJobIfComplete(ctx context.Context, id string) {
	j, err := p.cfg.Store.GetJob(ctx, id)
	if err != nil {
		p.log.Error("loading job", "job", id, "err", err)
		return
	}
	if j.State == index.JobDone || j.State == index.JobFailed || j.Counts.Pending > 0 {
		return
	}
	if j.Kind == TypeDiscover && j.State == index.JobQueued {
		return
	}
	j.State, j.UpdatedAt = index.JobDone, p.cfg.Now().UTC()
	if j.Kind == TypeCrawl && j.Counts.Done == 0 {
		j.State = index.JobFailed
		if items, err := p.cfg.Store.JobItems(ctx, id, ""); err == nil && len(items) > 0 {
			j.Error = items[0].Error
		}
	}
	if err := p.cfg.Store.PutJob(ctx, j); err != nil {
		p.log.Error("closing job", "job", id, "err", err)
	}
}

func (p *Pipeline) failJob(ctx context.Context, id, msg string) {
	j, err := p.cfg.Store.GetJob(ctx, id)
	if err != nil {
		p.log.Error("loading job", "job", id, "err", err)
		return
	}
	j.State, j.Error, j.UpdatedAt = index.JobFailed, msg, p.cfg.Now().UTC()
	if err := p.cfg.Store.PutJob(ctx, j); err != nil {
		p.log.Error("failing job", "job", id, "err", err)
	}
}
