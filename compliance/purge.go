package compliance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/index"
)

// TypePurge is the task that deletes data past its source's retention.
const TypePurge = "maintenance:purge"

// QueueMaintenance is the queue of purges and other housekeeping.
const QueueMaintenance = "maintenance"

// NewPurgeTask returns the purge task for the hour containing at; one per
// hour runs however many schedulers enqueue it.
func NewPurgeTask(at time.Time) *asynq.Task {
	return asynq.NewTask(TypePurge, nil, asynq.Queue(QueueMaintenance), asynq.MaxRetry(3),
		asynq.TaskID("purge-"+at.UTC().Format("2006010215")))
}

// Register adds the purge task's handler to mux.
func (s *Service) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TypePurge, s.HandlePurge)
}

// HandlePurge runs a purge task (see Purge).
func (s *Service) HandlePurge(ctx context.Context, _ *asynq.Task) error {
	n, err := s.Purge(ctx)
	if n > 0 {
		s.log.Info("purged data past retention", "creators", n)
	}
	return err
}

// Purge deletes every stored creator whose platform's data may be kept for
// a limited time (Config.Retention) and whose last crawl is older than
// that, and reports how many.
func (s *Service) Purge(ctx context.Context) (int, error) {
	total := 0
	platforms := make([]string, 0, len(s.cfg.Retention))
	for name := range s.cfg.Retention {
		platforms = append(platforms, name)
	}
	slices.Sort(platforms)
	for _, name := range platforms {
		ret := s.cfg.Retention[name]
		if ret <= 0 {
			continue
		}
		cutoff := float64(s.cfg.Now().Add(-ret).Unix())
		f := index.And(index.Eq("platform", name), index.Range("updated_at", nil, &cutoff))
		for {
			res, err := s.cfg.Store.Search(ctx, index.Query{Filter: &f, PerPage: index.MaxPerPage})
			if err != nil {
				return total, fmt.Errorf("finding %s data past retention: %w", name, err)
			}
			for _, h := range res.Hits {
				if err := s.cfg.Store.Delete(ctx, h.Key); err != nil {
					return total, fmt.Errorf("purging %s: %w", h.Key, err)
				}
				total++
			}
			if len(res.Hits) < index.MaxPerPage {
				break
			}
		}
	}
	return total, nil
}

// EnqueuePurge queues this hour's purge task; a purge already queued for
// the hour is left as it is.
func (s *Service) EnqueuePurge(ctx context.Context) error {
	if s.cfg.Queue == nil {
		return errors.New("enqueuing purge: no queue configured")
	}
	if _, err := s.cfg.Queue.EnqueueContext(ctx, NewPurgeTask(s.cfg.Now())); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueuing purge: %w", err)
	}
	return nil
}
