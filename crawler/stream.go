package crawler

import (
	"context"
	"fmt"

	"github.com/creatorscout/scout/creator"
)

// EnqueueStream queues a crawl of ref found by an event stream (reason
// ReasonStream, on the rescan queue, below what users ask for). A crawl of
// the same creator still queued is not queued twice; an opted-out creator
// is refused with an error wrapping creator.ErrOptedOut before anything is
// queued.
func (p *Pipeline) EnqueueStream(ctx context.Context, ref creator.Ref) error {
	if err := ValidateRef(ref); err != nil {
		return fmt.Errorf("queuing crawl of %s: %w", ref, err)
	}
	if out, err := p.cfg.Store.IsOptedOut(ctx, ref.Platform, ref.ID, ref.Handle); err != nil {
		return fmt.Errorf("checking opt-out of %s: %w", ref, err)
	} else if out {
		return fmt.Errorf("queuing crawl of %s: %w", ref, creator.ErrOptedOut)
	}
	return p.enqueueCrawl(ctx, CrawlPayload{Ref: ref, Reason: ReasonStream})
}

// Erase deletes everything stored about ref, by its id and by its handle,
// and scrubs the job records that name it: the erasure path of an opt-out
// without recording one. It is for a platform's own deletion signal (a
// Bluesky account deleted or deactivated), after which nothing of the
// creator may be kept.
func (p *Pipeline) Erase(ctx context.Context, ref creator.Ref) error {
	return p.cfg.Erasure.Erase(ctx, ref)
}
