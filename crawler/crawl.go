package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/scoring"
)

// HandleCrawl runs a crawl task: it fetches the creator, scores it against
// its stored history, stores the record and a snapshot, runs the
// after-write hooks, and records the outcome on the job. The task is
// acknowledged only after the store confirmed the write.
func (p *Pipeline) HandleCrawl(ctx context.Context, t *asynq.Task) error {
	var cp CrawlPayload
	if err := json.Unmarshal(t.Payload(), &cp); err != nil || cp.Ref.Platform == "" {
		return fmt.Errorf("decoding crawl payload: %v: %w", err, asynq.SkipRetry)
	}
	err := p.safeCrawl(ctx, cp)
	// The outcome is recorded even when the task's context has ended (a
	// timeout on the last attempt archives the task at once).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	switch {
	case err == nil:
		p.itemDone(ctx, cp, index.ItemDone, "")
		return nil
	case errors.Is(err, creator.ErrOptedOut):
		p.itemDone(ctx, cp, index.ItemSkipped, "opted out")
		// The item named the creator: keep its count, not its name.
		if err := p.cfg.Erasure.Scrub(ctx, cp.Ref, nil); err != nil {
			p.log.Warn("scrubbing an opted-out creator's job item", "job", cp.JobID, "err", err)
		}
		return nil
	case errors.Is(err, creator.ErrNotFound), errors.Is(err, creator.ErrInvalid), errors.Is(err, creator.ErrForbidden):
		p.itemDone(ctx, cp, index.ItemFailed, err.Error())
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	if lastAttempt(ctx) {
		p.itemDone(ctx, cp, index.ItemFailed, err.Error())
	}
	p.log.Warn("crawl failed", "ref", cp.Ref.String(), "err", err)
	return err
}

// safeCrawl is crawl with a panic turned into an error, so the job's item
// is still recorded when scoring or a parser fails on some creator's data.
func (p *Pipeline) safeCrawl(ctx context.Context, cp CrawlPayload) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("crawling %s: panic: %v", cp.Ref, r)
		}
	}()
	return p.crawl(ctx, cp)
}

func (p *Pipeline) crawl(ctx context.Context, cp CrawlPayload) error {
	src, ok := p.cfg.Sources[cp.Ref.Platform]
	if !ok {
		return fmt.Errorf("crawling %s: %w: no source for platform", cp.Ref, creator.ErrInvalid)
	}
	if out, err := p.cfg.Store.IsOptedOut(ctx, cp.Ref.Platform, cp.Ref.ID, cp.Ref.Handle); err != nil {
		return fmt.Errorf("checking opt-out of %s: %w", cp.Ref, err)
	} else if out {
		return fmt.Errorf("crawling %s: %w", cp.Ref, creator.ErrOptedOut)
	}
	fctx, cancel := fetch.NewTask(ctx, p.cfg.CrawlLimits)
	prof, err := src.Fetch(fctx, cp.Ref)
	cancel()
	if errors.Is(err, creator.ErrOptedOut) {
		// A platform opt-out signal: erase whatever was stored before.
		if derr := p.cfg.Erasure.Erase(ctx, cp.Ref); derr != nil {
			return fmt.Errorf("erasing opted-out %s: %w", cp.Ref, derr)
		}
	}
	if err != nil {
		return fmt.Errorf("crawling %s: %w", cp.Ref, err)
	}
	if prof.Ref.ID == "" || prof.Ref.Platform != cp.Ref.Platform {
		return fmt.Errorf("crawling %s: %w: source returned no id", cp.Ref, creator.ErrMalformed)
	}
	// The creator as fetched is checked again when the source named it
	// otherwise than the task did (a DID for a handle, a new handle). Under
	// the same names the check above stands; an opt-out that arrives
	// meanwhile is caught by the check after the write.
	if prof.Ref.ID != cp.Ref.ID || !strings.EqualFold(prof.Ref.Handle, cp.Ref.Handle) {
		if out, err := p.cfg.Store.IsOptedOut(ctx, prof.Ref.Platform, prof.Ref.ID, prof.Ref.Handle); err != nil {
			return fmt.Errorf("checking opt-out of %s: %w", prof.Ref, err)
		} else if out {
			return fmt.Errorf("crawling %s: %w", prof.Ref, creator.ErrOptedOut)
		}
	}
	key := creator.Key(prof.Ref)
	// One write per creator at a time, across workers: a request crawl and
	// a rescan of the same creator would otherwise both compare against
	// the same previous record and raise the same alerts twice.
	ctx, unlock, err := p.lockCreator(ctx, key, crawlTaskID(cp))
	if err != nil {
		return err
	}
	defer unlock()
	now := p.cfg.Now().UTC()
	if prof.FetchedAt.IsZero() {
		prof.FetchedAt = now
	}
	prev, err := p.cfg.Store.Get(ctx, key)
	if err != nil && !errors.Is(err, creator.ErrNotFound) {
		return fmt.Errorf("loading %s: %w", key, err)
	}
	carryCounts(prof, prev)
	p.linkStored(ctx, prof)
	history, err := p.cfg.Store.History(ctx, key, p.cfg.HistoryLimit)
	if err != nil {
		return fmt.Errorf("loading history of %s: %w", key, err)
	}
	opts := p.cfg.Scoring
	opts.Now = now
	// A source whose terms forbid derived metrics gets raw figures only.
	opts.RawOnly = opts.RawOnly || !src.Policy().ScoringAllowed
	scores := scoring.Score(prof, history, opts)
	creator.Retain(prof, &scores)
	rec := &creator.Record{Key: key, Profile: *prof, Scores: scores, FirstSeen: now, UpdatedAt: now}
	if prev != nil {
		rec.FirstSeen = prev.FirstSeen
	}
	snap := scoring.RecordSnapshot(rec)
	if err := p.writes.Upsert(ctx, rec, snap); err != nil {
		return fmt.Errorf("storing %s: %w", key, err)
	}
	// An opt-out that arrived while this crawl ran erased the creator
	// before the write above: erase again, and tell no hook about it.
	if out, err := p.cfg.Store.IsOptedOut(ctx, prof.Ref.Platform, prof.Ref.ID, prof.Ref.Handle); err != nil {
		return fmt.Errorf("checking opt-out of %s: %w", prof.Ref, err)
	} else if out {
		if err := p.cfg.Store.Delete(context.WithoutCancel(ctx), key); err != nil {
			return fmt.Errorf("erasing opted-out %s: %w", prof.Ref, err)
		}
		return fmt.Errorf("crawling %s: %w", prof.Ref, creator.ErrOptedOut)
	}
	if len(p.cfg.AfterWrite) > 0 {
		hist := append(history, snap)
		for _, h := range p.cfg.AfterWrite {
			if err := retryHook(ctx, func() error { return h(ctx, prev, rec, hist, cp.Reason) }); err != nil {
				return fmt.Errorf("after storing %s: %w", key, err)
			}
		}
	}
	if p.cfg.FollowLinks {
		p.followLinks(ctx, prof)
	}
	return nil
}

// followLinks queues a crawl of each account prof is linked to whose
// platform has a source, unless one was queued within UniqueFor. A failure
// to queue is logged: the creator's own crawl is done.
func (p *Pipeline) followLinks(ctx context.Context, prof *creator.Profile) {
	for _, l := range prof.Linked {
		if _, ok := p.cfg.Sources[l.Platform]; !ok || (l.ID == "" && l.Handle == "") {
			continue
		}
		ref := creator.Ref{Platform: l.Platform, ID: l.ID, Handle: l.Handle}
		if index.ItemKey(ref) == index.ItemKey(prof.Ref) {
			continue
		}
		if out, err := p.cfg.Store.IsOptedOut(ctx, ref.Platform, ref.ID, ref.Handle); err != nil || out {
			continue // opted out (or not known to be not): not queued
		}
		if ref.ID != "" {
			// Crawled lately (it may be what linked to prof): not again.
			if rec, err := p.cfg.Store.Get(ctx, creator.Key(ref)); err == nil && p.cfg.Now().Sub(rec.UpdatedAt) < p.cfg.UniqueFor {
				continue
			}
		}
		if ok, err := p.claimRecent(ctx, ref, ""); err != nil || !ok {
			if err != nil {
				p.log.Warn("queuing a linked account", "ref", ref.String(), "err", err)
			}
			continue
		}
		if err := p.enqueueCrawl(ctx, CrawlPayload{Ref: ref, Reason: ReasonLinked}); err != nil {
			p.log.Warn("queuing a linked account", "ref", ref.String(), "err", err)
		}
	}
}

// carryCounts replaces the counts the platform did not send with the
// previous crawl's figures, so an absent count is neither stored as 0 nor
// read as a sudden fall. Without a previous record they stay 0 and listed
// as unknown.
func carryCounts(prof *creator.Profile, prev *creator.Record) {
	if prev == nil || len(prof.UnknownCounts) == 0 {
		return
	}
	for _, c := range []struct {
		name     string
		dst, src *int64
	}{
		{creator.CountFollowers, &prof.Followers, &prev.Profile.Followers},
		{creator.CountFollowing, &prof.Following, &prev.Profile.Following},
		{creator.CountPosts, &prof.PostsCount, &prev.Profile.PostsCount},
	} {
		if !prof.CountKnown(c.name) {
			*c.dst = *c.src
		}
	}
}
