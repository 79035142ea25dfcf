package sqlite

import (
	"context"
	"errors"
	"fmt"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

var _ index.Exporter = (*Store)(nil)

// exportPage is how many ids one export query reads at a time, so an
// export never holds a read transaction open across the caller's work.
const exportPage = 500

// ids returns up to exportPage ids of table after the given one, in order.
func (s *Store) ids(ctx context.Context, query, after string) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, query, after, exportPage)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// forEachID pages through the ids query returns and calls fn with each.
func (s *Store) forEachID(ctx context.Context, what, query string, fn func(id string) error) error {
	after := ""
	for {
		ids, err := s.ids(ctx, query, after)
		if err != nil {
			return fmt.Errorf("listing %s: %w", what, err)
		}
		for _, id := range ids {
			if err := fn(id); err != nil {
				return err
			}
		}
		if len(ids) < exportPage {
			return nil
		}
		after = ids[len(ids)-1]
	}
}

// ForEachCreator calls fn with every creator record and its kept history,
// oldest snapshot first, in key order. A creator deleted while the export
// runs is skipped.
func (s *Store) ForEachCreator(ctx context.Context, fn func(rec *creator.Record, history []creator.Snapshot) error) error {
	return s.forEachID(ctx, "creators", `SELECT key FROM creators WHERE key > ? ORDER BY key LIMIT ?`, func(key string) error {
		rec, err := s.Get(ctx, key)
		if err != nil {
			if isNotFound(err) {
				return nil
			}
			return err
		}
		h, err := s.History(ctx, key, 0)
		if err != nil {
			return err
		}
		return fn(rec, h)
	})
}

// ForEachJob calls fn with every job, Counts filled, and its items by key.
func (s *Store) ForEachJob(ctx context.Context, fn func(j *index.Job, items []index.JobItem) error) error {
	return s.forEachID(ctx, "jobs", `SELECT id FROM jobs WHERE id > ? ORDER BY id LIMIT ?`, func(id string) error {
		j, err := s.GetJob(ctx, id)
		if err != nil {
			if isNotFound(err) {
				return nil
			}
			return err
		}
		items, err := s.JobItems(ctx, id, "")
		if err != nil {
			return err
		}
		return fn(j, items)
	})
}

// ForEachAlert calls fn with every alert event, in id order.
func (s *Store) ForEachAlert(ctx context.Context, fn func(e *index.AlertEvent) error) error {
	return s.forEachID(ctx, "alerts", `SELECT id FROM alerts WHERE id > ? ORDER BY id LIMIT ?`, func(id string) error {
		e, err := s.GetAlert(ctx, id)
		if err != nil {
			if isNotFound(err) {
				return nil
			}
			return err
		}
		return fn(e)
	})
}

func isNotFound(err error) bool { return errors.Is(err, creator.ErrNotFound) }
