package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// prepared is one creator write, encoded before the write lock is taken.
type prepared struct {
	key                     string
	vals                    []any // field column values in schema order
	summary, doc, snap      []byte
	at                      int64
	name, handle, bio, text string
}

func (s *Store) prepare(w index.Write) (*prepared, error) {
	rec := w.Record
	if rec == nil {
		return nil, fmt.Errorf("%w: record is nil", creator.ErrInvalid)
	}
	if !creator.ValidKey(rec.Key) {
		return nil, fmt.Errorf("%w: key %q is not a valid store key", creator.ErrInvalid, rec.Key)
	}
	p := &prepared{key: rec.Key, at: unixNano(w.Snapshot.At)}
	var err error
	if p.doc, err = json.Marshal(rec); err != nil {
		return nil, fmt.Errorf("encoding record %s: %w", rec.Key, err)
	}
	sum := index.Summary(rec)
	if p.summary, err = json.Marshal(&sum); err != nil {
		return nil, fmt.Errorf("encoding record %s: %w", rec.Key, err)
	}
	if p.snap, err = json.Marshal(&w.Snapshot); err != nil {
		return nil, fmt.Errorf("encoding snapshot of %s: %w", rec.Key, err)
	}
	p.vals = make([]any, len(s.schema.cols))
	for i := range s.schema.cols {
		p.vals[i] = s.schema.cols[i].value(rec)
	}
	p.name, p.handle, p.bio, p.text = index.TextOf(rec)
	return p, nil
}

// unixNano is t as nanoseconds since 1970, clamped to the range an int64
// holds; the zero time is the smallest.
func unixNano(t time.Time) int64 {
	switch {
	case t.IsZero() || t.Year() < 1678:
		return -1 << 63
	case t.Year() > 2261:
		return 1<<63 - 1
	}
	return t.UnixNano()
}

// Upsert writes rec and appends snap to its history in one transaction. It
// is safe for concurrent use.
func (s *Store) Upsert(ctx context.Context, rec *creator.Record, snap creator.Snapshot) error {
	if err := s.UpsertMany(ctx, []index.Write{{Record: rec, Snapshot: snap}}); err != nil {
		return err
	}
	return nil
}

// UpsertMany writes the batch in one transaction: all of it is stored or
// none. It is safe for concurrent use.
func (s *Store) UpsertMany(ctx context.Context, ws []index.Write) error {
	if len(ws) == 0 {
		return nil
	}
	ps := make([]*prepared, len(ws))
	for i, w := range ws {
		p, err := s.prepare(w)
		if err != nil {
			return fmt.Errorf("upserting creators: %w", err)
		}
		ps[i] = p
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		st, err := s.writeStmts(ctx, tx)
		if err != nil {
			return err
		}
		defer st.close()
		for _, p := range ps {
			if err := st.upsert(ctx, p, s.cfg.historyCap); err != nil {
				return fmt.Errorf("writing %s: %w", p.key, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("upserting creators: %w", err)
	}
	return nil
}

type writeStmts struct {
	creator, doc, ftsDel, ftsIns, hist, trim *sql.Stmt
}

func (s *Store) writeStmts(ctx context.Context, tx *sql.Tx) (*writeStmts, error) {
	cols := make([]string, len(s.schema.cols))
	marks := make([]string, len(s.schema.cols))
	sets := make([]string, len(s.schema.cols))
	for i, c := range s.schema.cols {
		cols[i] = c.ident
		marks[i] = "?"
		sets[i] = c.ident + " = excluded." + c.ident
	}
	q := []string{
		`INSERT INTO creators(key, ` + strings.Join(cols, ", ") + `) VALUES (?, ` + strings.Join(marks, ", ") + `)
		 ON CONFLICT(key) DO UPDATE SET ` + strings.Join(sets, ", ") + ` RETURNING id`,
		`INSERT INTO creator_docs(id, summary, doc) VALUES (?, ?, ?)
		 ON CONFLICT(id) DO UPDATE SET summary = excluded.summary, doc = excluded.doc`,
		`DELETE FROM creators_fts WHERE rowid = ?`,
		`INSERT INTO creators_fts(rowid, name, handle, bio, posts) VALUES (?, ?, ?, ?, ?)`,
		`INSERT INTO history(key, at, doc) VALUES (?, ?, ?)`,
		`DELETE FROM history WHERE key = ?1 AND seq IN (
			SELECT seq FROM history WHERE key = ?1 ORDER BY at DESC, seq DESC LIMIT -1 OFFSET ?2)`,
	}
	stmts := make([]*sql.Stmt, len(q))
	for i := range q {
		st, err := tx.PrepareContext(ctx, q[i])
		if err != nil {
			for _, p := range stmts[:i] {
				p.Close()
			}
			return nil, fmt.Errorf("preparing writes: %w", err)
		}
		stmts[i] = st
	}
	return &writeStmts{stmts[0], stmts[1], stmts[2], stmts[3], stmts[4], stmts[5]}, nil
}

func (w *writeStmts) close() {
	for _, st := range []*sql.Stmt{w.creator, w.doc, w.ftsDel, w.ftsIns, w.hist, w.trim} {
		st.Close()
	}
}

func (w *writeStmts) upsert(ctx context.Context, p *prepared, historyCap int) error {
	args := make([]any, 0, len(p.vals)+1)
	args = append(args, p.key)
	args = append(args, p.vals...)
	var id int64
	if err := w.creator.QueryRowContext(ctx, args...).Scan(&id); err != nil {
		return err
	}
	if _, err := w.doc.ExecContext(ctx, id, p.summary, p.doc); err != nil {
		return err
	}
	if _, err := w.ftsDel.ExecContext(ctx, id); err != nil {
		return err
	}
	if _, err := w.ftsIns.ExecContext(ctx, id, p.name, p.handle, p.bio, p.text); err != nil {
		return err
	}
	if _, err := w.hist.ExecContext(ctx, p.key, p.at, p.snap); err != nil {
		return err
	}
	if _, err := w.trim.ExecContext(ctx, p.key, historyCap); err != nil {
		return err
	}
	return nil
}

// Get returns the record stored under key or an error wrapping
// creator.ErrNotFound. It is safe for concurrent use.
func (s *Store) Get(ctx context.Context, key string) (*creator.Record, error) {
	var doc []byte
	err := s.r.QueryRowContext(ctx, `SELECT d.doc FROM creators c JOIN creator_docs d ON d.id = c.id WHERE c.key = ?`, key).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("getting creator %s: %w", key, creator.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("getting creator %s: %w", key, err)
	}
	var rec creator.Record
	if err := json.Unmarshal(doc, &rec); err != nil {
		return nil, fmt.Errorf("getting creator %s: decoding: %w", key, err)
	}
	return &rec, nil
}

// History returns up to limit of the newest snapshots of key (all kept when
// limit <= 0), oldest first. It is safe for concurrent use.
func (s *Store) History(ctx context.Context, key string, limit int) ([]creator.Snapshot, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.r.QueryContext(ctx, `SELECT doc FROM (
		SELECT doc, at, seq FROM history WHERE key = ? ORDER BY at DESC, seq DESC LIMIT ?
	) ORDER BY at, seq`, key, limit)
	if err != nil {
		return nil, fmt.Errorf("reading history of %s: %w", key, err)
	}
	defer rows.Close()
	var out []creator.Snapshot
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("reading history of %s: %w", key, err)
		}
		var snap creator.Snapshot
		if err := json.Unmarshal(doc, &snap); err != nil {
			return nil, fmt.Errorf("reading history of %s: decoding: %w", key, err)
		}
		out = append(out, snap)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading history of %s: %w", key, err)
	}
	return out, nil
}

// Delete erases the creator: its record, text index entry, history, job
// items and alert events naming it, and its watchlist memberships. It is
// safe for concurrent use.
func (s *Store) Delete(ctx context.Context, key string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM creators WHERE key = ?`, key).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			for _, q := range []string{
				`DELETE FROM creators_fts WHERE rowid = ?`,
				`DELETE FROM creator_docs WHERE id = ?`,
				`DELETE FROM creators WHERE id = ?`,
			} {
				if _, err := tx.ExecContext(ctx, q, id); err != nil {
					return err
				}
			}
		}
		for _, q := range []string{
			`DELETE FROM history WHERE key = ?`,
			`DELETE FROM job_items WHERE key = ?`,
			`DELETE FROM alerts WHERE creator_key = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, key); err != nil {
				return err
			}
		}
		return removeMember(ctx, tx, key)
	})
	if err != nil {
		return fmt.Errorf("deleting creator %s: %w", key, err)
	}
	return nil
}

// removeMember takes key off every watchlist it is on.
func removeMember(ctx context.Context, tx *sql.Tx, key string) error {
	rows, err := tx.QueryContext(ctx, `SELECT w.id, w.doc FROM watch_members m JOIN watchlists w ON w.id = m.watchlist_id WHERE m.key = ?`, key)
	if err != nil {
		return err
	}
	type upd struct {
		id  string
		doc []byte
	}
	var todo []upd
	for rows.Next() {
		var id string
		var doc []byte
		if err := rows.Scan(&id, &doc); err != nil {
			rows.Close()
			return err
		}
		var wl index.Watchlist
		if err := json.Unmarshal(doc, &wl); err != nil {
			rows.Close()
			return fmt.Errorf("decoding watchlist %s: %w", id, err)
		}
		kept := wl.Members[:0]
		for _, m := range wl.Members {
			if m.Key != key {
				kept = append(kept, m)
			}
		}
		if len(kept) == 0 {
			kept = nil
		}
		wl.Members = kept
		if doc, err = json.Marshal(&wl); err != nil {
			rows.Close()
			return fmt.Errorf("encoding watchlist %s: %w", id, err)
		}
		todo = append(todo, upd{id, doc})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, u := range todo {
		if _, err := tx.ExecContext(ctx, `UPDATE watchlists SET doc = ? WHERE id = ?`, u.doc, u.id); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM watch_members WHERE key = ?`, key)
	return err
}
