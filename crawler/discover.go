package crawler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// HandleDiscover runs a discover task: it asks the source, records each
// ref as a pending item of the job, and enqueues a crawl for each ref not
// crawled within the uniqueness window.
func (p *Pipeline) HandleDiscover(ctx context.Context, t *asynq.Task) error {
	var dp DiscoverPayload
	if err := json.Unmarshal(t.Payload(), &dp); err != nil || dp.JobID == "" {
		return fmt.Errorf("decoding discover payload: %v: %w", err, asynq.SkipRetry)
	}
	src, ok := p.cfg.Sources[dp.Source]
	if !ok {
		p.failJob(ctx, dp.JobID, "unknown source "+dp.Source)
		return fmt.Errorf("discovering: unknown source %q: %w", dp.Source, asynq.SkipRetry)
	}
	job, err := p.cfg.Store.GetJob(ctx, dp.JobID)
	if err != nil {
		return fmt.Errorf("loading job %s: %w", dp.JobID, err)
	}
	if job.State == index.JobRunning {
		// Discovery ran but a retry brought us here: its enqueuing may
		// have stopped half way, so queue the crawls still pending (those
		// already queued are left as they are).
		_, err := p.enqueuePending(ctx, job)
		return err
	}
	if job.State != index.JobQueued {
		return nil // done or failed
	}
	dctx, cancel := fetch.NewTask(ctx, p.cfg.DiscoverLimits)
	refs, err := src.Discover(dctx, DiscoverQuery{Query: dp.Query, Limit: dp.Limit})
	cancel()
	if err != nil {
		if lastAttempt(ctx) || errors.Is(err, creator.ErrInvalid) {
			p.failJob(ctx, dp.JobID, err.Error())
		}
		if errors.Is(err, creator.ErrInvalid) {
			err = fmt.Errorf("%w: %w", err, asynq.SkipRetry)
		}
		return fmt.Errorf("discovering %q on %s: %w", dp.Query, dp.Source, err)
	}
	if err := p.recordDiscovered(ctx, dp, job, refs); err != nil {
		if lastAttempt(ctx) {
			p.failJob(context.WithoutCancel(ctx), dp.JobID, err.Error())
		}
		return err
	}
	return nil
}

// recordDiscovered records each discovered ref as an item of the job,
// marks the job running and enqueues the crawls.
func (p *Pipeline) recordDiscovered(ctx context.Context, dp DiscoverPayload, job *index.Job, refs []creator.Ref) error {
	now := p.cfg.Now().UTC()
	// Items a failed earlier attempt already recorded as pending keep that
	// state: their uniqueness claim is this job's own.
	earlier, err := p.cfg.Store.JobItems(ctx, dp.JobID, index.ItemPending)
	if err != nil {
		return fmt.Errorf("loading items of job %s: %w", dp.JobID, err)
	}
	mine := map[string]bool{}
	for _, it := range earlier {
		mine[it.Key] = true
	}
	var queue []CrawlPayload
	items := make([]*index.JobItem, 0, len(refs))
	for _, r := range refs {
		it := &index.JobItem{JobID: dp.JobID, Key: index.ItemKey(r), Ref: r, State: index.ItemPending, UpdatedAt: now}
		out, err := p.cfg.Store.IsOptedOut(ctx, r.Platform, r.ID, r.Handle)
		if err != nil {
			return fmt.Errorf("checking opt-out of %s: %w", r, err)
		}
		if mine[it.Key] && !out {
			queue = append(queue, CrawlPayload{Ref: r, Reason: ReasonDiscover, JobID: dp.JobID})
		} else if out {
			// Counted, but neither the id nor the handle is kept.
			it = optedOutItem(dp.JobID, r, now)
		} else if fresh, err := p.claimRecent(ctx, r, dp.JobID); err != nil {
			return err
		} else if !fresh {
			it.State, it.Error = index.ItemSkipped, "crawled within the last "+p.cfg.UniqueFor.String()
		} else {
			queue = append(queue, CrawlPayload{Ref: r, Reason: ReasonDiscover, JobID: dp.JobID})
		}
		items = append(items, it)
	}
	// All in one write: a discovery that fails before it has claimed its
	// creators again on retry (the claims are the job's own).
	if err := p.cfg.Store.PutJobItems(ctx, items...); err != nil {
		return fmt.Errorf("recording %d discovered creators: %w", len(items), err)
	}
	job.State, job.Discovered, job.UpdatedAt = index.JobRunning, len(refs), now
	if err := p.cfg.Store.PutJob(ctx, job); err != nil {
		return fmt.Errorf("recording discovery of job %s: %w", dp.JobID, err)
	}
	for _, cp := range queue {
		if err := p.enqueueCrawl(ctx, cp); err != nil {
			return err // the items are pending in the store: Resume finds them
		}
	}
	p.log.Info("discovered", "job", dp.JobID, "source", dp.Source, "query", dp.Query, "found", len(refs), "queued", len(queue))
	p.finishJobIfComplete(ctx, dp.JobID)
	return nil
}

// optedOutItem is the job item of a discovered creator who opted out: it
// counts as skipped, under a key derived from the job and the creator that
// names neither (so a retried discovery writes the same item again).
func optedOutItem(jobID string, r creator.Ref, now time.Time) *index.JobItem {
	sum := sha256.Sum256([]byte(jobID + "\x00" + index.ItemKey(r)))
	return &index.JobItem{JobID: jobID, Key: "optedout-" + hex.EncodeToString(sum[:8]), State: index.ItemSkipped, Error: "opted out", UpdatedAt: now}
}
