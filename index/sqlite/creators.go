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
	return s.commit(ctx, ws, nil)
}

// Commit implements index.Committer: the creator writes ws (as UpsertMany)
// and the job items (as PutJobItems) in one transaction, so one sync to
// disk for both. It is safe for concurrent use.
func (s *Store) Commit(ctx context.Context, ws []index.Write, items []*index.JobItem) error {
	return s.commit(ctx, ws, items)
}

// commit is UpsertMany, PutJobItems and Commit: it checks and encodes
// everything before the write lock is taken, then writes it in one
// transaction. Its errors name what was written, as each of the three
// always has.
func (s *Store) commit(ctx context.Context, ws []index.Write, items []*index.JobItem) error {
	if err := checkWrites(ws); err != nil {
		return err
	}
	docs, err := itemDocs(items)
	if err != nil {
		return err
	}
	if len(ws) == 0 && len(items) == 0 {
		return nil
	}
	var enc *encoder
	if len(ws) > 0 {
		enc = s.encode(ws)
		defer enc.abandon()
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if len(ws) > 0 {
			if err := s.upsertTx(ctx, tx, ws, enc); err != nil {
				return err
			}
		}
		if len(items) > 0 {
			return s.putItemsTx(ctx, tx, items, docs)
		}
		return nil
	})
	switch {
	case err == nil:
	case len(items) == 0:
		return fmt.Errorf("upserting creators: %w", err)
	case len(ws) > 0:
		return fmt.Errorf("storing %d creators and %d job items: %w", len(ws), len(items), err)
	case len(items) == 1:
		return fmt.Errorf("putting job item %s/%s: %w", items[0].JobID, items[0].Key, err)
	default:
		return fmt.Errorf("putting %d job items: %w", len(items), err)
	}
	if len(ws) > 0 {
		s.upserted(ctx, ws, enc)
	}
	return nil
}

// checkWrites rejects what cannot be stored, before the write lock is
// taken.
func checkWrites(ws []index.Write) error {
	for _, w := range ws {
		if w.Record == nil {
			return fmt.Errorf("upserting creators: %w: record is nil", creator.ErrInvalid)
		}
		if !creator.ValidKey(w.Record.Key) {
			return fmt.Errorf("upserting creators: %w: key %q is not a valid store key", creator.ErrInvalid, w.Record.Key)
		}
	}
	return nil
}

// upsertTx writes ws, encoded by enc, in tx.
func (s *Store) upsertTx(ctx context.Context, tx *sql.Tx, ws []index.Write, enc *encoder) error {
	st, err := s.writeStmts(ctx, tx)
	if err != nil {
		return err
	}
	keys := make([]string, len(ws))
	for i, w := range ws {
		keys[i] = w.Record.Key
	}
	return st.upsertAll(ctx, tx, s.schema, keys, enc, s.cfg.historyCap)
}

// upserted notes a committed creator write: its size in the change log's
// count and the writes towards the next planner refresh.
func (s *Store) upserted(ctx context.Context, ws []index.Write, enc *encoder) {
	n := 0
	for _, p := range enc.ps {
		n += len(p.stored) + len(p.summary) + len(p.words) + len(p.snap)
	}
	s.logged(n)
	s.wrote(ctx, len(ws))
}

// writeStmts are the statements of a creator write. Each statement that
// changes a row uses the ROLLBACK conflict resolution: the writer knows
// (from find) whether the row exists, so a conflict is a bug that must undo
// the whole transaction, and SQLite then needs no statement journal, which
// would copy every page a statement changes.
type writeStmts struct {
	find, findMany, insCreator, updCreator, insDoc, updDoc, hist, trim *sql.Stmt
}

// writeSQL is the SQL of the write statements, in the order of the fields
// of writeStmts. A creator is three rows: its field columns, summary and
// words (creators), its record (creator_docs) and a snapshot (history).
func writeSQL(sch *schema) []string {
	cols := make([]string, len(sch.cols))
	marks := make([]string, len(sch.cols))
	sets := make([]string, len(sch.cols))
	for i, c := range sch.cols {
		cols[i] = c.ident
		marks[i] = "?"
		sets[i] = c.ident + " = ?"
	}
	return []string{
		`SELECT id FROM creators WHERE key = ?`,
		`SELECT key, id FROM creators WHERE key IN (SELECT value FROM json_each(?))`,
		`INSERT OR ROLLBACK INTO creators(key, seq, summary, words, ` + strings.Join(cols, ", ") + `) VALUES (?, ?, ?, ?, ` + strings.Join(marks, ", ") + `)`,
		`UPDATE OR ROLLBACK creators SET seq = ?, summary = ?, words = ?, ` + strings.Join(sets, ", ") + ` WHERE id = ?`,
		`INSERT OR ROLLBACK INTO creator_docs(id, doc) VALUES (?, ?)`,
		`UPDATE OR ROLLBACK creator_docs SET doc = ? WHERE id = ?`,
		`INSERT OR ROLLBACK INTO history(key, at, doc) VALUES (?, ?, ?)`,
		`DELETE FROM history WHERE key = ?1 AND seq IN (
			SELECT seq FROM history WHERE key = ?1 ORDER BY at DESC, seq DESC LIMIT -1 OFFSET ?2)`,
	}
}

// prepareWrites prepares the write statements on the writing connection,
// once, when the store is opened: preparing them in every write cost more
// than the write itself when it is one creator.
func prepareWrites(ctx context.Context, w *sql.DB, sch *schema) ([]*sql.Stmt, error) {
	q := writeSQL(sch)
	stmts := make([]*sql.Stmt, len(q))
	for i := range q {
		st, err := w.PrepareContext(ctx, q[i])
		if err != nil {
			for _, p := range stmts[:i] {
				p.Close()
			}
			return nil, fmt.Errorf("preparing writes: %w", err)
		}
		stmts[i] = st
	}
	return stmts, nil
}

// writeStmts returns the write statements for tx.
func (s *Store) writeStmts(ctx context.Context, tx *sql.Tx) (*writeStmts, error) {
	if s.writes == nil {
		return nil, fmt.Errorf("%w: the store was opened at an old schema version, for reading", creator.ErrInvalid)
	}
	st := make([]*sql.Stmt, len(s.writes))
	for i, p := range s.writes {
		st[i] = tx.StmtContext(ctx, p)
	}
	return &writeStmts{st[0], st[1], st[2], st[3], st[4], st[5], st[6], st[7]}, nil
}

// findRow reads the id stored under key; found is false when there is no
// such creator.
func (w *writeStmts) findRow(ctx context.Context, key string) (id int64, found bool, err error) {
	err = w.find.QueryRowContext(ctx, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return id, true, nil
}

// findRows returns the ids stored under those of keys that are stored.
func (w *writeStmts) findRows(ctx context.Context, keys []string) (map[string]int64, error) {
	list, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	rows, err := w.findMany.QueryContext(ctx, string(list))
	if err != nil {
		return nil, fmt.Errorf("finding creators: %w", err)
	}
	defer rows.Close()
	ids := make(map[string]int64, len(keys))
	for rows.Next() {
		var key string
		var id int64
		if err := rows.Scan(&key, &id); err != nil {
			return nil, fmt.Errorf("finding creators: %w", err)
		}
		ids[key] = id
	}
	return ids, rows.Err()
}

// nextGen increments the generation of the data in tx (see readGen)
// and returns it.
func nextGen(ctx context.Context, tx *sql.Tx) (int64, error) {
	var gen int64
	if err := tx.QueryRowContext(ctx, `UPDATE store_meta SET value = value + 1 WHERE name = 'gen' RETURNING value`).Scan(&gen); err != nil {
		return 0, fmt.Errorf("advancing generation: %w", err)
	}
	return gen, nil
}

// upsertAll writes the batch: row, documents, words and history per
// creator.
func (w *writeStmts) upsertAll(ctx context.Context, tx *sql.Tx, sch *schema, keys []string, enc *encoder, historyCap int) error {
	gen, err := nextGen(ctx, tx)
	if err != nil {
		return err
	}
	// The ids of the batch's creators already stored, in one statement.
	ids, err := w.findRows(ctx, keys)
	if err != nil {
		return err
	}
	existed := make(map[string]bool, len(ids)) // keys stored before this batch
	for k := range ids {
		existed[k] = true
	}
	appended := map[string]int{} // snapshots appended per key in this batch
	args := make([]any, 0, 64)
	for i := range enc.ps {
		p, err := enc.get(i)
		if err != nil {
			return err
		}
		id, found := ids[p.key]
		switch {
		case p.snapOnly: // a later write of the batch stores the record
		case found:
			args = append(args[:0], gen, p.summary, p.words)
			args = append(args, p.vals...)
			if _, err := w.updCreator.ExecContext(ctx, append(args, id)...); err != nil {
				return fmt.Errorf("writing %s: %w", p.key, err)
			}
			if _, err := w.updDoc.ExecContext(ctx, p.stored, id); err != nil {
				return fmt.Errorf("writing %s: %w", p.key, err)
			}
		default:
			args = append(args[:0], p.key, gen, p.summary, p.words)
			res, err := w.insCreator.ExecContext(ctx, append(args, p.vals...)...)
			if err == nil {
				id, err = res.LastInsertId()
			}
			if err != nil {
				return fmt.Errorf("writing %s: %w", p.key, err)
			}
			ids[p.key] = id
			if _, err := w.insDoc.ExecContext(ctx, id, p.stored); err != nil {
				return fmt.Errorf("writing %s: %w", p.key, err)
			}
		}
		if _, err := w.hist.ExecContext(ctx, p.key, p.at, p.snap); err != nil {
			return fmt.Errorf("writing history of %s: %w", p.key, err)
		}
		appended[p.key]++
		// A creator new to the store has only this batch's snapshots.
		if existed[p.key] || appended[p.key] > historyCap {
			if _, err := w.trim.ExecContext(ctx, p.key, historyCap); err != nil {
				return fmt.Errorf("trimming history of %s: %w", p.key, err)
			}
		}
	}
	return nil
}

// getDocSQL reads the record stored under a key.
const historySQL = `SELECT doc FROM (
		SELECT doc, at, seq FROM history WHERE key = ? ORDER BY at DESC, seq DESC LIMIT ?
	) ORDER BY at, seq`

const getDocSQL = `SELECT d.doc FROM creators c JOIN creator_docs d ON d.id = c.id WHERE c.key = ?`

// Get returns the record stored under key or an error wrapping
// creator.ErrNotFound. It is safe for concurrent use.
func (s *Store) Get(ctx context.Context, key string) (*creator.Record, error) {
	ctx, err := pointCtx(ctx)
	if err != nil {
		return nil, fmt.Errorf("getting creator %s: %w", key, err)
	}
	var doc []byte
	st, err := s.readStmt(getDocSQL)
	if err == nil {
		err = st.QueryRowContext(ctx, key).Scan(&doc)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("getting creator %s: %w", key, creator.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("getting creator %s: %w", key, err)
	}
	rec, err := decodeRecord(doc)
	if err != nil {
		return nil, fmt.Errorf("getting creator %s: %w", key, err)
	}
	return rec, nil
}

// GetJSON returns the JSON of the record of key as stored (as json.Marshal
// gave it when it was written), followed by a newline, or an error wrapping
// creator.ErrNotFound. It is safe for concurrent use.
func (s *Store) GetJSON(ctx context.Context, key string) ([]byte, error) {
	ctx, err := pointCtx(ctx)
	if err != nil {
		return nil, fmt.Errorf("getting creator %s: %w", key, err)
	}
	// The stored bytes are read in place (sql.RawBytes) and unpacked
	// straight into the answer, with room for its newline: one copy.
	st, err := s.readStmt(getDocSQL)
	var rows *sql.Rows
	if err == nil {
		rows, err = st.QueryContext(ctx, key)
	}
	if err != nil {
		return nil, fmt.Errorf("getting creator %s: %w", key, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("getting creator %s: %w", key, err)
		}
		return nil, fmt.Errorf("getting creator %s: %w", key, creator.ErrNotFound)
	}
	var stored sql.RawBytes
	if err := rows.Scan(&stored); err != nil {
		return nil, fmt.Errorf("getting creator %s: %w", key, err)
	}
	doc, err := unpackDocLine(stored)
	if err != nil {
		return nil, fmt.Errorf("getting creator %s: %w", key, err)
	}
	return doc, nil
}

// History returns up to limit of the newest snapshots of key (all kept when
// limit <= 0), oldest first. It is safe for concurrent use.
func (s *Store) History(ctx context.Context, key string, limit int) ([]creator.Snapshot, error) {
	if limit <= 0 {
		limit = -1
	}
	// Not a point read (pointCtx): a whole history may be long.
	st, err := s.readStmt(historySQL)
	var rows *sql.Rows
	if err == nil {
		rows, err = st.QueryContext(ctx, key, limit)
	}
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

// Delete erases the creator: its record, words, history, job
// items and alert events naming it, and its watchlist memberships. It is
// safe for concurrent use.
func (s *Store) Delete(ctx context.Context, key string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		st, err := s.writeStmts(ctx, tx)
		if err != nil {
			return err
		}
		id, found, err := st.findRow(ctx, key)
		if err != nil {
			return err
		}
		if found {
			gen, err := nextGen(ctx, tx)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO erased(seq, id) VALUES (?, ?)`, gen, id); err != nil {
				return err
			}
			for _, q := range []string{
				`DELETE FROM creator_docs WHERE id = ?`,
				`DELETE FROM creators WHERE id = ?`,
			} {
				if _, err := tx.ExecContext(ctx, q, id); err != nil {
					return err
				}
			}
			// The snapshot of the index holds the creator's words.
			if _, err := tx.ExecContext(ctx, `DELETE FROM mem_snapshot`); err != nil {
				return err
			}
		}
		for _, q := range []string{
			`DELETE FROM history WHERE key = ?`,
			`DELETE FROM job_items WHERE key = ?`,
			`DELETE FROM alerts WHERE creator_key = ?`,
			`DELETE FROM tracked WHERE key = ?`,
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
