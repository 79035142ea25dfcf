package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

var _ index.Tracking = (*Store)(nil)

// StreamCursor returns the cursor saved under name, 0 when none is. It is
// safe for concurrent use.
func (s *Store) StreamCursor(ctx context.Context, name string) (int64, error) {
	var c int64
	err := s.r.QueryRowContext(ctx, `SELECT cursor FROM stream_cursors WHERE name = ?`, name).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading stream cursor %s: %w", name, err)
	}
	return c, nil
}

// PutStreamCursor saves cursor under name. It is safe for concurrent use.
func (s *Store) PutStreamCursor(ctx context.Context, name string, cursor int64) error {
	if name == "" {
		return fmt.Errorf("saving stream cursor: %w: a name is required", creator.ErrInvalid)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO stream_cursors(name, cursor) VALUES (?, ?)
			ON CONFLICT(name) DO UPDATE SET cursor = excluded.cursor`, name, cursor)
		return err
	})
	if err != nil {
		return fmt.Errorf("saving stream cursor %s: %w", name, err)
	}
	return nil
}

// PutTracked creates or replaces each of ts in one transaction. It is safe
// for concurrent use.
func (s *Store) PutTracked(ctx context.Context, ts []index.Tracked) error {
	if len(ts) == 0 {
		return nil
	}
	docs := make([][]byte, len(ts))
	for i := range ts {
		if ts[i].Key == "" {
			return fmt.Errorf("tracking creators: %w: a key is required", creator.ErrInvalid)
		}
		doc, err := json.Marshal(&ts[i])
		if err != nil {
			return fmt.Errorf("tracking %s: encoding: %w", ts[i].Key, err)
		}
		docs[i] = doc
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO tracked(key, checked_at, doc) VALUES (?, ?, ?)
			ON CONFLICT(key) DO UPDATE SET checked_at = excluded.checked_at, doc = excluded.doc`)
		if err != nil {
			return err
		}
		defer st.Close()
		for i := range ts {
			if _, err := st.ExecContext(ctx, ts[i].Key, unixNano(ts[i].CheckedAt), docs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("tracking %d creators: %w", len(ts), err)
	}
	return nil
}

// GetTracked returns those of keys that are tracked. It is safe for
// concurrent use.
func (s *Store) GetTracked(ctx context.Context, keys []string) (map[string]index.Tracked, error) {
	out := make(map[string]index.Tracked, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	// One statement for any number of keys, as the other key-list reads.
	list, err := json.Marshal(keys)
	if err != nil {
		return nil, fmt.Errorf("reading tracked creators: %w", err)
	}
	st, err := s.readStmt(trackedDocsSQL)
	var rows *sql.Rows
	if err == nil {
		rows, err = st.QueryContext(ctx, string(list))
	}
	if err != nil {
		return nil, fmt.Errorf("reading tracked creators: %w", err)
	}
	ts, err := decodeAll[index.Tracked](rows)
	if err != nil {
		return nil, fmt.Errorf("reading tracked creators: %w", err)
	}
	for _, t := range ts {
		out[t.Key] = t
	}
	return out, nil
}

// DueTracked returns up to limit tracked creators checked before before,
// least recently checked first. It is safe for concurrent use.
func (s *Store) DueTracked(ctx context.Context, before time.Time, limit int) ([]index.Tracked, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT doc FROM tracked WHERE checked_at < ? ORDER BY checked_at, key LIMIT ?`, unixNano(before), limit)
	if err != nil {
		return nil, fmt.Errorf("listing due tracked creators: %w", err)
	}
	out, err := decodeAll[index.Tracked](rows)
	if err != nil {
		return nil, fmt.Errorf("listing due tracked creators: %w", err)
	}
	return out, nil
}

// CountTracked tallies the tracked creators. It is safe for concurrent
// use.
func (s *Store) CountTracked(ctx context.Context) (index.TrackCounts, error) {
	var c index.TrackCounts
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM tracked`).Scan(&c.Tracked); err != nil {
		return c, fmt.Errorf("counting tracked creators: %w", err)
	}
	return c, nil
}

const trackedDocsSQL = `SELECT doc FROM tracked WHERE key IN (SELECT value FROM json_each(?))`
