package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

var _ index.Scrubber = (*Store)(nil)

// ScrubCreator implements index.Scrubber: job items of the creator are
// re-keyed and stripped of its ref, requests and errors of jobs naming it
// are blanked, all in one transaction; then the write-ahead log is
// checkpointed and truncated, so that with secure_delete (on for every
// connection) neither the file nor the log keeps the erased bytes. The
// truncation needs a moment without readers; it is retried for up to two
// seconds, and otherwise the next checkpoint overwrites the log in place
// (the error says so). It is safe for concurrent use.
func (s *Store) ScrubCreator(ctx context.Context, ref creator.Ref, keys []string) error {
	needles := []string{}
	for _, n := range append([]string{ref.ID, strings.ToLower(ref.Handle)}, keys...) {
		if n != "" {
			needles = append(needles, n)
		}
	}
	if len(needles) == 0 {
		return nil
	}
	isKey := map[string]bool{}
	for _, k := range keys {
		isKey[k] = true
	}
	names := func(s string) bool {
		ls := strings.ToLower(s)
		for _, n := range needles {
			if strings.Contains(ls, strings.ToLower(n)) {
				return true
			}
		}
		return false
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		// Items: by key, or by a ref naming the creator.
		type item struct {
			jobID, key string
			it         index.JobItem
		}
		var items []item
		for _, n := range needles {
			rows, err := tx.QueryContext(ctx, `SELECT job_id, key, doc FROM job_items WHERE key = ?1 OR instr(lower(doc), lower(?1)) > 0`, n)
			if err != nil {
				return err
			}
			for rows.Next() {
				var x item
				var doc []byte
				if err := rows.Scan(&x.jobID, &x.key, &doc); err != nil {
					rows.Close()
					return err
				}
				if err := json.Unmarshal(doc, &x.it); err != nil {
					rows.Close()
					return fmt.Errorf("decoding job item %s/%s: %w", x.jobID, x.key, err)
				}
				if isKey[x.key] || index.RefNames(x.it.Ref, ref) {
					items = append(items, x)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		done := map[string]bool{}
		for _, x := range items {
			if done[x.jobID+"\x00"+x.key] {
				continue
			}
			done[x.jobID+"\x00"+x.key] = true
			blank := index.JobItem{JobID: x.jobID, Key: "erased-" + randomHex(8), State: x.it.State, UpdatedAt: x.it.UpdatedAt}
			switch {
			case x.it.State == index.ItemPending: // its crawl will not run
				blank.State, blank.Error = index.ItemSkipped, index.ErasedMessage
			case x.it.Error != "":
				blank.Error = index.ErasedMessage
			}
			doc, err := json.Marshal(&blank)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM job_items WHERE job_id = ? AND key = ?`, x.jobID, x.key); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO job_items(job_id, key, state, doc) VALUES (?, ?, ?, ?)`, blank.JobID, blank.Key, blank.State, doc); err != nil {
				return err
			}
		}
		// Jobs whose request or error names the creator.
		type job struct {
			id  string
			doc []byte
		}
		var jobs []job
		for _, n := range needles {
			rows, err := tx.QueryContext(ctx, `SELECT id, doc FROM jobs WHERE instr(lower(doc), lower(?)) > 0`, n)
			if err != nil {
				return err
			}
			for rows.Next() {
				var j job
				if err := rows.Scan(&j.id, &j.doc); err != nil {
					rows.Close()
					return err
				}
				jobs = append(jobs, j)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		for _, j := range jobs {
			var v index.Job
			if err := json.Unmarshal(j.doc, &v); err != nil {
				return fmt.Errorf("decoding job %s: %w", j.id, err)
			}
			changed := false
			var req struct {
				Ref creator.Ref `json:"ref"`
			}
			if len(v.Request) > 0 && json.Unmarshal(v.Request, &req) == nil && index.RefNames(req.Ref, ref) {
				v.Request, changed = json.RawMessage(`{"erased":true}`), true
			}
			if v.Error != "" && names(v.Error) {
				v.Error, changed = index.ErasedMessage, true
			}
			if !changed {
				continue
			}
			doc, err := json.Marshal(&v)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE jobs SET doc = ? WHERE id = ?`, doc, j.id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scrubbing %s: %w", ref, err)
	}
	return s.truncateLog(ctx)
}

// truncateLog checkpoints the whole write-ahead log into the file and
// truncates it to nothing, retrying while readers hold it.
func (s *Store) truncateLog(ctx context.Context) error {
	deadline := time.Now().Add(2 * time.Second)
	for {
		var busy, logged, copied int
		err := s.w.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logged, &copied)
		if err == nil && busy == 0 {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			if err == nil {
				err = fmt.Errorf("readers held the log")
			}
			return fmt.Errorf("truncating the write-ahead log after an erasure (the next checkpoint overwrites it): %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
