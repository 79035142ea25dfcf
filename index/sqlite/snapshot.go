package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"

	"github.com/klauspost/compress/s2"
)

// Snapshots of the in-memory index. The first search after opening reads
// the in-memory index whole, and splitting every creator's words into
// lists is most of that. So the Store keeps the index, as
// memsearch.WriteSnapshot writes it (s2-compressed), in one row of the
// file (mem_snapshot) with its generation; the first search reads it and
// only the creators written or erased since (as every search does).
//
//   - A Store writes a snapshot in the background after it loaded the
//     index whole (the first start, or when the snapshot was unusable),
//     and when it closes if its index moved on since.
//   - A snapshot is used only while fewer than a quarter of its creators
//     changed since it was taken; else the index is loaded whole (on
//     several goroutines, which beats reading that many one by one).
//   - Erasing a creator deletes the snapshot in the same transaction (with
//     secure_delete, its bytes are overwritten), and a snapshot taken
//     before an erasure is never written after it; a snapshot holds no
//     dead document, nor a word or value only erased creators had.

// snapshotStale: a snapshot is not used when more than 1/snapshotStale of
// its creators were written since.
const snapshotStale = 4

// Snapshot implements memsearch.SnapshotSource.
func (src txSource) Snapshot(ctx context.Context) ([]byte, error) {
	if !src.snapshots {
		return nil, nil
	}
	var gen, n int64
	err := src.tx.QueryRowContext(ctx, `SELECT gen, creators FROM mem_snapshot WHERE id = 1`).Scan(&gen, &n)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var changed int64
	if err := src.tx.QueryRowContext(ctx, `SELECT count(*) FROM creators WHERE seq > ?`, gen).Scan(&changed); err != nil {
		return nil, err
	}
	if changed > n/snapshotStale {
		return nil, nil
	}
	// Decompressed from the driver's copy of the blob (sql.RawBytes, valid
	// until the next Next), without another copy of tens of megabytes.
	rows, err := src.tx.QueryContext(ctx, `SELECT data FROM mem_snapshot WHERE id = 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, rows.Err()
	}
	var z sql.RawBytes
	if err := rows.Scan(&z); err != nil {
		return nil, err
	}
	return txSourceDecode(z)
}

// txSourceDecode decompresses a stored snapshot.
func txSourceDecode(z []byte) ([]byte, error) { return s2.Decode(nil, z) }

// afterLoad starts writing a snapshot in the background when the index
// was loaded whole since the last time; after a load from the snapshot it
// notes the snapshot as current.
func (s *Store) afterLoad() {
	if !s.cfg.snapshots {
		return
	}
	l := s.mem.Loads()
	if l.Snapshot > 0 && s.snapSaved.Load() < 0 {
		// Loaded from the file's snapshot: it is current but for what
		// the load read since.
		s.snapSaved.CompareAndSwap(-1, s.mem.Gen())
	}
	if int64(l.Whole) <= s.wholeSeen.Load() {
		return
	}
	s.wholeSeen.Store(int64(l.Whole))
	if !s.snapBusy.CompareAndSwap(false, true) {
		return
	}
	s.snapWG.Add(1)
	go func() {
		defer s.snapWG.Done()
		defer s.snapBusy.Store(false)
		// Replacing one of the same generation: this load found it
		// unusable (of another version, say).
		s.saveSnapshot(context.Background(), true) // best effort: the next start loads whole without it
	}()
}

// closingSnapshot writes a snapshot when the index moved on since the
// latest this Store wrote or read.
func (s *Store) closingSnapshot() {
	if s.cfg.snapshots && s.mem.Gen() > s.snapSaved.Load() {
		s.saveSnapshot(context.Background(), false) // best effort, as above
	}
}

// saveSnapshot writes the in-memory index to the file as its snapshot,
// unless the file holds a more recent one (or, unless replace, one as
// recent) or a creator was erased since the index's generation (the
// snapshot would hold its words).
func (s *Store) saveSnapshot(ctx context.Context, replace bool) error {
	var buf bytes.Buffer
	gen, err := s.mem.WriteSnapshot(&buf)
	if err != nil || gen < 0 {
		return err
	}
	z := s2Encode(buf.Bytes())
	live := s.mem.Live()
	saved := false
	err = s.write(ctx, func(tx *sql.Tx) error {
		var erased int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM erased WHERE seq > ?`, gen).Scan(&erased); err != nil {
			return err
		}
		if erased > 0 {
			return nil
		}
		var cur int64
		err := tx.QueryRowContext(ctx, `SELECT gen FROM mem_snapshot WHERE id = 1`).Scan(&cur)
		if err == nil && (cur > gen || cur == gen && !replace) {
			return nil
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO mem_snapshot(id, gen, creators, data) VALUES (1, ?, ?, ?)`, gen, live, z); err != nil {
			return err
		}
		saved = true
		return nil
	})
	if err != nil {
		return err
	}
	if saved {
		s.logged(len(z))
		for {
			cur := s.snapSaved.Load()
			if cur >= gen || s.snapSaved.CompareAndSwap(cur, gen) {
				break
			}
		}
	}
	return nil
}

// s2Encode compresses a snapshot as it is stored.
func s2Encode(b []byte) []byte { return s2.Encode(nil, b) }
