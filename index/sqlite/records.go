package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// PutJob creates or replaces the job's header; Counts is not stored. It is
// safe for concurrent use.
func (s *Store) PutJob(ctx context.Context, j *index.Job) error {
	if j == nil || j.ID == "" {
		return fmt.Errorf("putting job: %w: job has no id", creator.ErrInvalid)
	}
	c := *j
	c.Counts = index.JobCounts{}
	doc, err := json.Marshal(&c)
	if err != nil {
		return fmt.Errorf("putting job %s: encoding: %w", j.ID, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO jobs(id, state, created_at, doc) VALUES (?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET state = excluded.state, created_at = excluded.created_at, doc = excluded.doc`,
			j.ID, j.State, unixNano(j.CreatedAt), doc)
		return err
	})
	if err != nil {
		return fmt.Errorf("putting job %s: %w", j.ID, err)
	}
	return nil
}

const (
	getJobSQL        = `SELECT doc FROM jobs WHERE id = ?`
	countJobItemsSQL = `SELECT state, n FROM job_counts WHERE job_id = ?`
)

// GetJob returns the job with its item counts, or an error wrapping
// creator.ErrNotFound. It is safe for concurrent use.
func (s *Store) GetJob(ctx context.Context, id string) (*index.Job, error) {
	// Not a point read (pointCtx), though its counts are kept by triggers
	// (migration 12) and read in a few rows.
	jobSt, err := s.readStmt(getJobSQL)
	if err != nil {
		return nil, fmt.Errorf("getting job %s: %w", id, err)
	}
	countSt, err := s.readStmt(countJobItemsSQL)
	if err != nil {
		return nil, fmt.Errorf("getting job %s: counting items: %w", id, err)
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("getting job %s: %w", id, err)
	}
	defer tx.Rollback()
	var doc []byte
	err = tx.StmtContext(ctx, jobSt).QueryRowContext(ctx, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("getting job %s: %w", id, creator.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("getting job %s: %w", id, err)
	}
	var j index.Job
	if err := json.Unmarshal(doc, &j); err != nil {
		return nil, fmt.Errorf("getting job %s: decoding: %w", id, err)
	}
	rows, err := tx.StmtContext(ctx, countSt).QueryContext(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("getting job %s: counting items: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("getting job %s: counting items: %w", id, err)
		}
		switch state {
		case index.ItemPending:
			j.Counts.Pending = n
		case index.ItemDone:
			j.Counts.Done = n
		case index.ItemFailed:
			j.Counts.Failed = n
		case index.ItemSkipped:
			j.Counts.Skipped = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("getting job %s: counting items: %w", id, err)
	}
	return &j, nil
}

// jobItemSQL upserts one job item.
const jobItemSQL = `INSERT INTO job_items(job_id, key, state, doc) VALUES (?, ?, ?, ?)
	ON CONFLICT(job_id, key) DO UPDATE SET state = excluded.state, doc = excluded.doc`

// PutJobItems creates or replaces items of jobs in one transaction. It is
// safe for concurrent use.
func (s *Store) PutJobItems(ctx context.Context, items ...*index.JobItem) error {
	return s.commit(ctx, nil, items)
}

// itemDocs checks and encodes items, before the write lock is taken.
func itemDocs(items []*index.JobItem) ([][]byte, error) {
	docs := make([][]byte, len(items))
	for i, it := range items {
		if it == nil || it.JobID == "" || it.Key == "" {
			return nil, fmt.Errorf("putting job item: %w: item needs a job id and a key", creator.ErrInvalid)
		}
		doc, err := json.Marshal(it)
		if err != nil {
			return nil, fmt.Errorf("putting job item %s/%s: encoding: %w", it.JobID, it.Key, err)
		}
		docs[i] = doc
	}
	return docs, nil
}

// putItemsTx writes items, encoded as docs, in tx.
func (s *Store) putItemsTx(ctx context.Context, tx *sql.Tx, items []*index.JobItem, docs [][]byte) error {
	var st *sql.Stmt
	if s.jobItem != nil {
		st = tx.StmtContext(ctx, s.jobItem)
	} else { // a store opened at an older schema (tests only)
		var err error
		if st, err = tx.PrepareContext(ctx, jobItemSQL); err != nil {
			return err
		}
	}
	defer st.Close()
	for i, it := range items {
		if _, err := st.ExecContext(ctx, it.JobID, it.Key, it.State, docs[i]); err != nil {
			return err
		}
	}
	return nil
}

// JobItems lists a job's items in state ("" for all), ordered by key. It is
// safe for concurrent use.
func (s *Store) JobItems(ctx context.Context, jobID, state string) ([]index.JobItem, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT doc FROM job_items WHERE job_id = ?1 AND (?2 = '' OR state = ?2) ORDER BY key`, jobID, state)
	if err != nil {
		return nil, fmt.Errorf("listing items of job %s: %w", jobID, err)
	}
	out, err := decodeAll[index.JobItem](rows)
	if err != nil {
		return nil, fmt.Errorf("listing items of job %s: %w", jobID, err)
	}
	return out, nil
}

// UnfinishedJobs lists the queued and running jobs, oldest first (ties by
// id), with their counts. It is safe for concurrent use.
func (s *Store) UnfinishedJobs(ctx context.Context) ([]index.Job, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM jobs WHERE state IN (?, ?) ORDER BY created_at, id`, index.JobQueued, index.JobRunning)
	if err != nil {
		return nil, fmt.Errorf("listing unfinished jobs: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("listing unfinished jobs: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing unfinished jobs: %w", err)
	}
	out := make([]index.Job, 0, len(ids))
	for _, id := range ids {
		j, err := s.GetJob(ctx, id)
		if errors.Is(err, creator.ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("listing unfinished jobs: %w", err)
		}
		out = append(out, *j)
	}
	return out, nil
}

// AddOptOut records o. It is safe for concurrent use.
func (s *Store) AddOptOut(ctx context.Context, o *index.OptOut) error {
	if o == nil || o.Platform == "" || o.ID == "" && o.Handle == "" {
		return fmt.Errorf("adding opt-out: %w: needs a platform and an id or handle", creator.ErrInvalid)
	}
	doc, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("adding opt-out: encoding: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO opt_outs(platform, pid, handle, created_at, doc) VALUES (?, ?, ?, ?, ?)`,
			strings.ToLower(o.Platform), o.ID, strings.ToLower(o.Handle), unixNano(o.CreatedAt), doc)
		return err
	})
	if err != nil {
		return fmt.Errorf("adding opt-out: %w", err)
	}
	return nil
}

// isOptedOutSQL finds an opt-out by platform and id or handle.
const isOptedOutSQL = `SELECT count(*) FROM (
	SELECT 1 FROM opt_outs WHERE ?2 <> '' AND platform = ?1 AND pid = ?2
	UNION ALL
	SELECT 1 FROM opt_outs WHERE ?3 <> '' AND platform = ?1 AND handle = ?3
	LIMIT 1)`

// IsOptedOut reports whether the creator with this platform and id or
// handle has opted out; handles compare case-insensitively. It is safe for
// concurrent use.

func (s *Store) IsOptedOut(ctx context.Context, platform, id, handle string) (bool, error) {
	if id == "" && handle == "" {
		return false, nil
	}
	ctx, err := pointCtx(ctx)
	if err != nil {
		return false, fmt.Errorf("checking opt-out of %s: %w", platform, err)
	}
	var n int
	st, err := s.readStmt(isOptedOutSQL)
	if err == nil {
		err = st.QueryRowContext(ctx, strings.ToLower(platform), id, strings.ToLower(handle)).Scan(&n)
	}
	if err != nil {
		return false, fmt.Errorf("checking opt-out of %s: %w", platform, err)
	}
	return n > 0, nil
}

// ListOptOuts returns the opt-out list, oldest first. It is safe for
// concurrent use.
func (s *Store) ListOptOuts(ctx context.Context) ([]index.OptOut, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT doc FROM opt_outs ORDER BY created_at, seq`)
	if err != nil {
		return nil, fmt.Errorf("listing opt-outs: %w", err)
	}
	out, err := decodeAll[index.OptOut](rows)
	if err != nil {
		return nil, fmt.Errorf("listing opt-outs: %w", err)
	}
	return out, nil
}

// PutWatchlist creates or replaces w. It is safe for concurrent use.
func (s *Store) PutWatchlist(ctx context.Context, w *index.Watchlist) error {
	if w == nil || w.ID == "" {
		return fmt.Errorf("putting watchlist: %w: watchlist has no id", creator.ErrInvalid)
	}
	doc, err := json.Marshal(w)
	if err != nil {
		return fmt.Errorf("putting watchlist %s: encoding: %w", w.ID, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO watchlists(id, doc) VALUES (?, ?)
			ON CONFLICT(id) DO UPDATE SET doc = excluded.doc`, w.ID, doc); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM watch_members WHERE watchlist_id = ?`, w.ID); err != nil {
			return err
		}
		for _, m := range w.Members {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO watch_members(watchlist_id, key) VALUES (?, ?)`, w.ID, m.Key); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("putting watchlist %s: %w", w.ID, err)
	}
	return nil
}

// GetWatchlist returns one watchlist or an error wrapping
// creator.ErrNotFound. It is safe for concurrent use.
func (s *Store) GetWatchlist(ctx context.Context, id string) (*index.Watchlist, error) {
	var doc []byte
	err := s.r.QueryRowContext(ctx, `SELECT doc FROM watchlists WHERE id = ?`, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("getting watchlist %s: %w", id, creator.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("getting watchlist %s: %w", id, err)
	}
	var w index.Watchlist
	if err := json.Unmarshal(doc, &w); err != nil {
		return nil, fmt.Errorf("getting watchlist %s: decoding: %w", id, err)
	}
	return &w, nil
}

// ListWatchlists returns all watchlists ordered by id. It is safe for
// concurrent use.
func (s *Store) ListWatchlists(ctx context.Context) ([]index.Watchlist, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT doc FROM watchlists ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("listing watchlists: %w", err)
	}
	out, err := decodeAll[index.Watchlist](rows)
	if err != nil {
		return nil, fmt.Errorf("listing watchlists: %w", err)
	}
	return out, nil
}

// DeleteWatchlist removes the watchlist and its alert events; an unknown id
// is not an error. It is safe for concurrent use.
func (s *Store) DeleteWatchlist(ctx context.Context, id string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM watchlists WHERE id = ?`,
			`DELETE FROM watch_members WHERE watchlist_id = ?`,
			`DELETE FROM alerts WHERE watchlist_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("deleting watchlist %s: %w", id, err)
	}
	return nil
}

// PutAlert creates or replaces an alert event. It is safe for concurrent
// use.
func (s *Store) PutAlert(ctx context.Context, e *index.AlertEvent) error {
	if e == nil || e.ID == "" {
		return fmt.Errorf("putting alert: %w: alert has no id", creator.ErrInvalid)
	}
	doc, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("putting alert %s: encoding: %w", e.ID, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO alerts(id, watchlist_id, creator_key, kind, at, doc) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET watchlist_id = excluded.watchlist_id, creator_key = excluded.creator_key,
				kind = excluded.kind, at = excluded.at, doc = excluded.doc`,
			e.ID, e.WatchlistID, e.CreatorKey, e.Kind, unixNano(e.At), doc)
		return err
	})
	if err != nil {
		return fmt.Errorf("putting alert %s: %w", e.ID, err)
	}
	return nil
}

// GetAlert returns one alert event or an error wrapping creator.ErrNotFound.
// It is safe for concurrent use.
func (s *Store) GetAlert(ctx context.Context, id string) (*index.AlertEvent, error) {
	var doc []byte
	err := s.r.QueryRowContext(ctx, `SELECT doc FROM alerts WHERE id = ?`, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("getting alert %s: %w", id, creator.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("getting alert %s: %w", id, err)
	}
	var e index.AlertEvent
	if err := json.Unmarshal(doc, &e); err != nil {
		return nil, fmt.Errorf("getting alert %s: decoding: %w", id, err)
	}
	return &e, nil
}

// ListAlerts returns the events matching the non-empty fields of f, newest
// first (ties by id), at most f.Limit (0 means 100). It is safe for
// concurrent use.
func (s *Store) ListAlerts(ctx context.Context, f index.AlertFilter) ([]index.AlertEvent, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	// Only the conditions given, so that the planner can use their indexes.
	var conds []string
	var args []any
	for _, c := range []struct{ col, v string }{{"watchlist_id", f.WatchlistID}, {"creator_key", f.CreatorKey}, {"kind", f.Kind}} {
		if c.v != "" {
			conds = append(conds, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	q := `SELECT doc FROM alerts`
	if len(conds) > 0 {
		q += ` WHERE ` + strings.Join(conds, " AND ")
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY at DESC, id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("listing alerts: %w", err)
	}
	out, err := decodeAll[index.AlertEvent](rows)
	if err != nil {
		return nil, fmt.Errorf("listing alerts: %w", err)
	}
	return out, nil
}

// decodeAll decodes the one JSON column of every row and closes rows.
func decodeAll[T any](rows *sql.Rows) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal(doc, &v); err != nil {
			return nil, fmt.Errorf("decoding: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
