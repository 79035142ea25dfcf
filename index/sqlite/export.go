package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"

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
// runs is skipped. It reads exportPage creators at a time, each page in
// one read transaction (two statements: the records, then their
// histories), and decodes a page on all CPUs before it calls fn in order.
func (s *Store) ForEachCreator(ctx context.Context, fn func(rec *creator.Record, history []creator.Snapshot) error) error {
	after := ""
	for {
		keys, docs, hists, err := s.creatorPage(ctx, after)
		if err != nil {
			return fmt.Errorf("listing creators: %w", err)
		}
		recs := make([]*creator.Record, len(keys))
		snaps := make([][]creator.Snapshot, len(keys))
		errs := make([]error, len(keys))
		var wg sync.WaitGroup
		workers := min(runtime.GOMAXPROCS(0), len(keys))
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < len(keys); i += workers {
					if recs[i], errs[i] = decodeRecord(docs[i]); errs[i] != nil {
						continue
					}
					for _, h := range hists[i] {
						var snap creator.Snapshot
						if errs[i] = json.Unmarshal(h, &snap); errs[i] != nil {
							break
						}
						snaps[i] = append(snaps[i], snap)
					}
				}
			}()
		}
		wg.Wait()
		for i, key := range keys {
			if errs[i] != nil {
				return fmt.Errorf("reading creator %s: %w", key, errs[i])
			}
			if err := fn(recs[i], snaps[i]); err != nil {
				return err
			}
		}
		if len(keys) < exportPage {
			return nil
		}
		after = keys[len(keys)-1]
	}
}

// creatorPage reads the keys, stored records and snapshot documents (oldest
// first) of up to exportPage creators after the key after, in key order.
func (s *Store) creatorPage(ctx context.Context, after string) (keys []string, docs [][]byte, hists [][][]byte, err error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, nil, nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT c.key, d.doc FROM creators c JOIN creator_docs d ON d.id = c.id
		WHERE c.key > ? ORDER BY c.key LIMIT ?`, after, exportPage)
	if err != nil {
		return nil, nil, nil, err
	}
	for rows.Next() {
		var key string
		var doc []byte
		if err := rows.Scan(&key, &doc); err != nil {
			rows.Close()
			return nil, nil, nil, err
		}
		keys, docs = append(keys, key), append(docs, doc)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(keys) == 0 {
		return nil, nil, nil, err
	}
	list, err := json.Marshal(keys)
	if err != nil {
		return nil, nil, nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT key, doc FROM history WHERE key IN (SELECT value FROM json_each(?)) ORDER BY key, at, seq`, string(list))
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	hists = make([][][]byte, len(keys))
	i := 0
	for rows.Next() {
		var key string
		var doc []byte
		if err := rows.Scan(&key, &doc); err != nil {
			return nil, nil, nil, err
		}
		for i < len(keys) && keys[i] < key {
			i++
		}
		if i == len(keys) || keys[i] != key {
			return nil, nil, nil, fmt.Errorf("history of %s out of key order", key)
		}
		hists[i] = append(hists[i], doc)
	}
	return keys, docs, hists, rows.Err()
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
