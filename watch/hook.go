package watch

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// AfterWrite is the hook the crawl pipeline calls after each creator write,
// with the previous record (nil on a first crawl), the new one, the
// creator's snapshot history oldest first including the new snapshot, and
// the crawl's reason ("rescan", "request" or "discover"). For every
// watchlist holding cur.Key it runs Detect with the list's rules, stores the
// events, and enqueues their webhook deliveries.
//
// Detection runs whatever the reason, so a change seen by an interactive
// crawl is not lost to the next rescan. Event ids derive from the
// watchlist, creator, kind and snapshot time (EventID), so calling
// AfterWrite again with the same arguments stores nothing twice and only
// re-enqueues deliveries still outstanding: on an error, retry AfterWrite
// itself rather than crawling again. It is safe for concurrent use.
func (s *Service) AfterWrite(ctx context.Context, prev, cur *creator.Record, history []creator.Snapshot, reason string) error {
	if cur == nil {
		return nil
	}
	ws, err := s.store.ListWatchlists(ctx)
	if err != nil {
		return fmt.Errorf("detecting changes of %s: %w", cur.Key, err)
	}
	now := s.now()
	var errs []error
	for i := range ws {
		w := &ws[i]
		if !slices.ContainsFunc(w.Members, func(m index.WatchMember) bool { return m.Key == cur.Key }) {
			continue
		}
		for _, ev := range Detect(prev, cur, history, w.Rules, now) {
			if err := s.raise(ctx, w, ev); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("detecting changes of %s (%s): %w", cur.Key, reason, err)
	}
	return nil
}

// raise stores ev for watchlist w, unless stored already, and enqueues its
// deliveries.
func (s *Service) raise(ctx context.Context, w *index.Watchlist, ev index.AlertEvent) error {
	ev.WatchlistID = w.ID
	ev.ID = EventID(w.ID, ev.CreatorKey, ev.Kind, ev.At)
	unlock := s.lockAlert(ev.ID)
	old, err := s.store.GetAlert(ctx, ev.ID)
	switch {
	case err == nil:
		unlock()
		if old.DeliveryState != "pending" {
			return nil
		}
		return s.enqueueDeliveries(ctx, w, old)
	case !errors.Is(err, creator.ErrNotFound):
		unlock()
		return fmt.Errorf("storing alert %s: %w", ev.ID, err)
	}
	if len(w.Webhooks) > 0 && s.tasks != nil {
		ev.DeliveryState = "pending"
	}
	err = s.store.PutAlert(ctx, &ev)
	unlock()
	if err != nil {
		return fmt.Errorf("storing alert %s: %w", ev.ID, err)
	}
	s.log.InfoContext(ctx, "watch alert", "watchlist", w.ID, "creator", ev.CreatorKey, "kind", ev.Kind, "id", ev.ID)
	return s.enqueueDeliveries(ctx, w, &ev)
}

// resumeDeliveries enqueues again the outstanding deliveries of w's pending
// alert events (after Redis lost its queue).
func (s *Service) resumeDeliveries(ctx context.Context, w *index.Watchlist) error {
	if s.tasks == nil || len(w.Webhooks) == 0 {
		return nil
	}
	evs, err := s.store.ListAlerts(ctx, index.AlertFilter{WatchlistID: w.ID, Limit: 1000})
	if err != nil {
		return fmt.Errorf("listing alerts of %s: %w", w.ID, err)
	}
	for i := range evs {
		if evs[i].DeliveryState == "pending" {
			if err := s.enqueueDeliveries(ctx, w, &evs[i]); err != nil {
				return err
			}
		}
	}
	return nil
}
