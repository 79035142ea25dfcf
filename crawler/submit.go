package crawler

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// SubmitDiscover records a discover job and enqueues it. When the store
// or the queue fails, the error wraps creator.ErrUnavailable: the job was
// not accepted, and the same request may be sent again.
func (p *Pipeline) SubmitDiscover(ctx context.Context, source, query string, limit int) (_ *index.Job, err error) {
	defer func() { err = creator.Unavailable(err) }()
	if _, ok := p.cfg.Sources[source]; !ok {
		return nil, fmt.Errorf("submitting discover: %w: source: %s", creator.ErrInvalid, p.noSource(source))
	}
	query = strings.TrimSpace(query)
	if query == "" || len(query) > 256 {
		return nil, fmt.Errorf("submitting discover: %w: query: must be 1 to 256 bytes", creator.ErrInvalid)
	}
	if limit <= 0 || limit > 1000 {
		return nil, fmt.Errorf("submitting discover: %w: limit: must be 1 to 1000", creator.ErrInvalid)
	}
	dp := DiscoverPayload{JobID: newID(p.cfg.Now()), Source: source, Query: query, Limit: limit}
	req, _ := json.Marshal(dp)
	now := p.cfg.Now().UTC()
	job := &index.Job{ID: dp.JobID, Kind: TypeDiscover, Request: req, State: index.JobQueued, CreatedAt: now, UpdatedAt: now, CreatedBy: index.ActorFrom(ctx)}
	if err := p.cfg.Store.PutJob(ctx, job); err != nil {
		return nil, fmt.Errorf("recording discover job: %w", err)
	}
	if err := p.enqueueDiscover(ctx, dp); err != nil {
		p.failJob(context.WithoutCancel(ctx), job.ID, err.Error())
		return nil, err
	}
	return job, nil
}

// SubmitCrawl records a crawl job for one creator and enqueues it. When
// the store or the queue fails, the error wraps creator.ErrUnavailable.
func (p *Pipeline) SubmitCrawl(ctx context.Context, ref creator.Ref) (_ *index.Job, err error) {
	defer func() { err = creator.Unavailable(err) }()
	if _, ok := p.cfg.Sources[ref.Platform]; !ok {
		return nil, fmt.Errorf("submitting crawl: %w: platform: %s", creator.ErrInvalid, p.noSource(ref.Platform))
	}
	ref.Handle = strings.TrimPrefix(strings.TrimSpace(ref.Handle), "@")
	ref.ID = strings.TrimSpace(ref.ID)
	if ref.ID == "" && ref.Handle == "" {
		return nil, fmt.Errorf("submitting crawl: %w: handle: an id or a handle is required", creator.ErrInvalid)
	}
	if len(ref.ID) > 512 || len(ref.Handle) > 256 {
		return nil, fmt.Errorf("submitting crawl: %w: handle: too long", creator.ErrInvalid)
	}
	if err := ValidateRef(ref); err != nil {
		return nil, fmt.Errorf("submitting crawl: %w", err)
	}
	if out, err := p.cfg.Store.IsOptedOut(ctx, ref.Platform, ref.ID, ref.Handle); err != nil {
		return nil, fmt.Errorf("checking opt-out: %w", err)
	} else if out {
		return nil, fmt.Errorf("submitting crawl of %s: %w", ref, creator.ErrOptedOut)
	}
	cp := CrawlPayload{Ref: ref, Reason: ReasonRequest, JobID: newID(p.cfg.Now())}
	req, _ := json.Marshal(cp)
	now := p.cfg.Now().UTC()
	job := &index.Job{ID: cp.JobID, Kind: TypeCrawl, Request: req, State: index.JobQueued, Discovered: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: index.ActorFrom(ctx)}
	if err := p.cfg.Store.PutJob(ctx, job); err != nil {
		return nil, fmt.Errorf("recording crawl job: %w", err)
	}
	if err := p.cfg.Store.PutJobItems(ctx, &index.JobItem{JobID: job.ID, Key: cp.itemKey(), Ref: ref, State: index.ItemPending, UpdatedAt: now}); err != nil {
		return nil, fmt.Errorf("recording crawl job: %w", err)
	}
	if err := p.enqueueCrawl(ctx, cp); err != nil {
		// The caller sees an error: do not let Resume run the job later.
		p.failJob(context.WithoutCancel(ctx), job.ID, err.Error())
		return nil, err
	}
	return job, nil
}

// EnqueueRescan queues a watchlist rescan of ref on the rescan queue. A
// rescan of the same creator that is still queued is not queued twice.
func (p *Pipeline) EnqueueRescan(ctx context.Context, ref creator.Ref, watchlistID string) error {
	return p.enqueueCrawl(ctx, CrawlPayload{Ref: ref, Reason: ReasonRescan, WatchlistID: watchlistID})
}
