package index

import (
	"context"
	"encoding/json"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/creatorscout/scout/creator"
)

// CopySource is a store that lists everything it holds (every backend
// does), so that a copy from it is whole.
type CopySource interface {
	Store
	Exporter
}

// CopyConfig configures Copy.
type CopyConfig struct {
	// Batch is how many creator writes go in one UpsertMany call (two are
	// written at once); 0 means 1000.
	Batch int
	// SnapshotOf makes the snapshot a record stored without history
	// implies (scoring.RecordSnapshot), since a store writes a record only
	// with a snapshot. Required.
	SnapshotOf func(*creator.Record) creator.Snapshot
	// Progress, when set, is called with the number of creators copied so
	// far after every 1000.
	Progress func(creators int)
}

// CopyStats counts what Copy wrote.
type CopyStats struct {
	Creators, Snapshots, Synthesized int
	Jobs, Items                      int
	OptOuts, Watchlists, Alerts      int
	// OptedOut counts creators, job items, job requests, watchlist members
	// and alert events left out because their creator is on the opt-out
	// list.
	OptedOut int
}

// Copy copies everything src holds into dst: the opt-out list, watchlists,
// every creator with its history, every job with its items, and every
// alert event. Whatever src still holds of a creator who opted out (an
// erasure cut short) is left out. dst should be empty: histories and
// opt-outs are appended. It returns what it wrote, also on error.
func Copy(ctx context.Context, src CopySource, dst Store, cfg CopyConfig) (CopyStats, error) {
	var st CopyStats
	if cfg.SnapshotOf == nil {
		return st, fmt.Errorf("copying store: %w: no SnapshotOf", creator.ErrInvalid)
	}
	batch := cfg.Batch
	if batch <= 0 {
		batch = 1000
	}
	optOuts, err := src.ListOptOuts(ctx)
	if err != nil {
		return st, fmt.Errorf("listing opt-outs: %w", err)
	}
	for i := range optOuts {
		if err := dst.AddOptOut(ctx, &optOuts[i]); err != nil {
			return st, fmt.Errorf("copying opt-out %d: %w", i, err)
		}
		st.OptOuts++
	}
	out := NewOptOutSet(optOuts)
	outKeys := map[string]bool{} // keys of the creators left out
	lists, err := src.ListWatchlists(ctx)
	if err != nil {
		return st, fmt.Errorf("listing watchlists: %w", err)
	}
	for i := range lists {
		kept := lists[i].Members[:0:0]
		for _, m := range lists[i].Members {
			if out.Has(m.Ref) {
				st.OptedOut++
				continue
			}
			kept = append(kept, m)
		}
		lists[i].Members = kept
		if err := dst.PutWatchlist(ctx, &lists[i]); err != nil {
			return st, fmt.Errorf("copying watchlist %s: %w", lists[i].ID, err)
		}
		st.Watchlists++
	}

	// Two batches are written at once, so that one is encoded while the
	// other commits. After a failed write the copy stops at its next
	// batch, and it never returns before the writes it started end.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2)
	defer g.Wait()
	var ws []Write
	flush := func() error {
		if len(ws) == 0 {
			return nil
		}
		if gctx.Err() != nil { // a write failed, or ctx ended
			if err := g.Wait(); err != nil {
				return err
			}
			return ctx.Err()
		}
		b := ws
		ws = make([]Write, 0, batch)
		g.Go(func() error {
			if err := dst.UpsertMany(gctx, b); err != nil {
				return fmt.Errorf("writing creators: %w", err)
			}
			return nil
		})
		return nil
	}
	err = src.ForEachCreator(ctx, func(rec *creator.Record, hist []creator.Snapshot) error {
		if out.Has(rec.Profile.Ref) {
			st.OptedOut++
			outKeys[rec.Key] = true
			return nil
		}
		if len(hist) == 0 {
			hist = []creator.Snapshot{cfg.SnapshotOf(rec)}
			st.Synthesized++
		}
		for _, snap := range hist {
			ws = append(ws, Write{Record: rec, Snapshot: snap})
		}
		st.Creators++
		st.Snapshots += len(hist)
		if st.Creators%1000 == 0 && cfg.Progress != nil {
			cfg.Progress(st.Creators)
		}
		if len(ws) >= batch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	if err := flush(); err != nil {
		return st, err
	}
	if err := g.Wait(); err != nil {
		return st, err
	}

	err = src.ForEachJob(ctx, func(j *Job, items []JobItem) error {
		if scrubJobRequest(j, out) {
			st.OptedOut++
		}
		if err := dst.PutJob(ctx, j); err != nil {
			return fmt.Errorf("copying job %s: %w", j.ID, err)
		}
		for i := range items {
			if out.Has(items[i].Ref) {
				st.OptedOut++
				continue
			}
			if err := dst.PutJobItems(ctx, &items[i]); err != nil {
				return fmt.Errorf("copying item %s of job %s: %w", items[i].Key, j.ID, err)
			}
		}
		st.Jobs++
		st.Items += len(items)
		return nil
	})
	if err != nil {
		return st, err
	}
	err = src.ForEachAlert(ctx, func(e *AlertEvent) error {
		if outKeys[e.CreatorKey] {
			st.OptedOut++
			return nil
		}
		if err := dst.PutAlert(ctx, e); err != nil {
			return fmt.Errorf("copying alert %s: %w", e.ID, err)
		}
		st.Alerts++
		return nil
	})
	return st, err
}

// scrubJobRequest drops the stored request of a crawl job whose creator
// opted out, and reports whether it did.
func scrubJobRequest(j *Job, out *OptOutSet) bool {
	var req struct {
		Ref creator.Ref `json:"ref"`
	}
	if len(j.Request) == 0 || json.Unmarshal(j.Request, &req) != nil || !out.Has(req.Ref) {
		return false
	}
	j.Request = nil
	return true
}
