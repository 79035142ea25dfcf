package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/klauspost/compress/s2"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// migration is one versioned step of the schema. Migrations run in order,
// each in the transaction that records its version, and are never edited
// once released: a change is a new migration at the end of the list.
type migration struct {
	version int
	name    string
	stmts   []string
	// reindex is true when the migration leaves the text index to be
	// rewritten from the stored documents, which happens once, after all
	// the pending migrations, when the field columns are in place.
	reindex bool
	// then, if set, runs after stmts, in the same transaction.
	then func(ctx context.Context, tx *sql.Tx) error
}

// migrations is the ordered list of schema changes. The columns of the
// search fields are not here: they follow index.Fields (see syncFields).
var migrations = []migration{
	{1, "base tables", []string{
		`CREATE TABLE creators (
			id  INTEGER PRIMARY KEY,
			key TEXT NOT NULL UNIQUE
		)`,
		`CREATE TABLE creator_docs (
			id      INTEGER PRIMARY KEY,
			summary BLOB NOT NULL,
			doc     BLOB NOT NULL
		)`,
		`CREATE VIRTUAL TABLE creators_fts USING fts5(
			name, handle, bio, posts,
			content='', contentless_delete=1,
			tokenize='unicode61 remove_diacritics 2'
		)`,
		`CREATE TABLE history (
			seq INTEGER PRIMARY KEY,
			key TEXT NOT NULL,
			at  INTEGER NOT NULL,
			doc BLOB NOT NULL
		)`,
		`CREATE INDEX history_key ON history(key, at, seq)`,
		`CREATE TABLE jobs (
			id         TEXT PRIMARY KEY,
			state      TEXT NOT NULL,
			created_at INTEGER NOT NULL,
			doc        BLOB NOT NULL
		)`,
		`CREATE INDEX jobs_state ON jobs(state, created_at, id)`,
		`CREATE TABLE job_items (
			job_id TEXT NOT NULL,
			key    TEXT NOT NULL,
			state  TEXT NOT NULL,
			doc    BLOB NOT NULL,
			PRIMARY KEY (job_id, key)
		) WITHOUT ROWID`,
		`CREATE INDEX job_items_key ON job_items(key)`,
		`CREATE INDEX job_items_state ON job_items(job_id, state)`,
		`CREATE TABLE opt_outs (
			seq        INTEGER PRIMARY KEY,
			platform   TEXT NOT NULL,
			pid        TEXT NOT NULL,
			handle     TEXT NOT NULL,
			created_at INTEGER NOT NULL,
			doc        BLOB NOT NULL
		)`,
		`CREATE INDEX opt_outs_id ON opt_outs(platform, pid)`,
		`CREATE INDEX opt_outs_handle ON opt_outs(platform, handle)`,
		`CREATE TABLE watchlists (
			id  TEXT PRIMARY KEY,
			doc BLOB NOT NULL
		)`,
		`CREATE TABLE watch_members (
			watchlist_id TEXT NOT NULL,
			key          TEXT NOT NULL,
			PRIMARY KEY (watchlist_id, key)
		) WITHOUT ROWID`,
		`CREATE INDEX watch_members_key ON watch_members(key)`,
		`CREATE TABLE alerts (
			id           TEXT PRIMARY KEY,
			watchlist_id TEXT NOT NULL,
			creator_key  TEXT NOT NULL,
			kind         TEXT NOT NULL,
			at           INTEGER NOT NULL,
			doc          BLOB NOT NULL
		)`,
		`CREATE INDEX alerts_at ON alerts(at, id)`,
		`CREATE INDEX alerts_watchlist ON alerts(watchlist_id, at)`,
		`CREATE INDEX alerts_creator ON alerts(creator_key, at)`,
		`CREATE TABLE schema_fields (
			name TEXT PRIMARY KEY,
			kind INTEGER NOT NULL
		)`,
	}, false, nil},
	{2, "summaries apart from documents; facet counts and numeric stats", []string{
		`CREATE TABLE creator_summaries (
			id      INTEGER PRIMARY KEY,
			summary BLOB NOT NULL
		)`,
		`INSERT INTO creator_summaries(id, summary) SELECT id, summary FROM creator_docs`,
		`ALTER TABLE creator_docs DROP COLUMN summary`,
		// Counts of every keyword facet value over all creators (field ''
		// holds the number of creators), kept up to date by every write,
		// so that unfiltered facet counts read a few rows.
		`CREATE TABLE facet_counts (
			field TEXT NOT NULL,
			value TEXT NOT NULL COLLATE NOCASE,
			n     INTEGER NOT NULL,
			PRIMARY KEY (field, value)
		) WITHOUT ROWID`,
		// Min and max of every numeric facet over all creators.
		`CREATE TABLE numeric_stats (
			field TEXT PRIMARY KEY,
			min   REAL,
			max   REAL
		) WITHOUT ROWID`,
	}, false, nil},
	{3, "filter tags in the text index", []string{
		`DROP TABLE creators_fts`,
		`CREATE VIRTUAL TABLE creators_fts USING fts5(
			name, handle, bio, posts, tags,
			content='', contentless_delete=1,
			tokenize='unicode61 remove_diacritics 2'
		)`,
	}, true, nil},
	{4, "counts of numeric values by bucket", nil, false, nil},
	// FTS5 keeps up to hashsize bytes of new terms in memory and writes
	// them as one segment; the default (1 MiB) makes a bulk load write and
	// merge a segment every few hundred creators.
	{5, "larger text index write buffer", []string{
		`INSERT INTO creators_fts(creators_fts, rank) VALUES ('hashsize', 33554432)`,
	}, false, nil},
	// Searches filter, count and order from an in-memory index of the
	// field columns (index/memsearch), which follows the file by generation; the
	// derived tables, the filter tags and the keyword indexes that served
	// the same purpose in SQL are gone, and writes are cheaper for it.
	{6, "field columns in memory; generations", []string{
		`DROP TABLE facet_counts`,
		`DROP TABLE numeric_stats`,
		`DROP INDEX IF EXISTS creators_f_platform`,
		`DROP INDEX IF EXISTS creators_f_tier`,
		`DROP INDEX IF EXISTS creators_f_niche`,
		`DROP INDEX IF EXISTS creators_f_country`,
		`DROP INDEX IF EXISTS creators_f_language`,
		`DROP INDEX IF EXISTS creators_f_engagement_label`,
		`DROP INDEX IF EXISTS creators_f_growth_trend`,
		`DROP TABLE creators_fts`,
		`CREATE VIRTUAL TABLE creators_fts USING fts5(
			name, handle, bio, posts,
			content='', contentless_delete=1,
			tokenize='unicode61 remove_diacritics 2'
		)`,
		`INSERT INTO creators_fts(creators_fts, rank) VALUES ('hashsize', 33554432)`,
		// The generation of the data: incremented by every write
		// transaction that changes creators, which stamps the rows it
		// writes with it (seq) and records the rows it erases (erased).
		`CREATE TABLE store_meta (
			name  TEXT PRIMARY KEY,
			value INTEGER NOT NULL
		) WITHOUT ROWID`,
		`INSERT INTO store_meta(name, value) VALUES ('gen', 1)`,
		`ALTER TABLE creators ADD COLUMN seq INTEGER NOT NULL DEFAULT 0`,
		`CREATE INDEX creators_seq ON creators(seq)`,
		`CREATE TABLE erased (
			seq INTEGER NOT NULL,
			id  INTEGER NOT NULL
		)`,
		`CREATE INDEX erased_seq ON erased(seq)`,
	}, true, nil},
	// The words are indexed in memory (index/memsearch), which matches a common
	// word in a million creators in microseconds where FTS5 took tens of
	// milliseconds; SQLite keeps each creator's words to fill it from.
	{7, "words indexed in memory", []string{
		`DROP TABLE creators_fts`,
		`CREATE TABLE creator_text (
			id    INTEGER PRIMARY KEY,
			words BLOB NOT NULL
		)`,
	}, true, nil},
	// A creator write stores three rows instead of five: its summary and
	// words go in its row of creators (the in-memory index loads the words
	// with the field columns; a page of hits reads the summaries by row
	// id), beside the narrow field columns, where a page holds several:
	// with the record a row would fill most of a page by itself.
	{8, "words and summaries in creators", []string{
		`ALTER TABLE creators ADD COLUMN summary BLOB NOT NULL DEFAULT x''`,
		`ALTER TABLE creators ADD COLUMN words BLOB NOT NULL DEFAULT x''`,
		`UPDATE creators SET summary = coalesce((SELECT summary FROM creator_summaries s WHERE s.id = creators.id), x'')`,
		`DROP TABLE creator_summaries`,
	}, false, moveWords},
	{9, "api keys", []string{
		`CREATE TABLE api_keys (
			hash TEXT PRIMARY KEY,
			name TEXT NOT NULL,
			doc  BLOB NOT NULL
		) WITHOUT ROWID`,
	}, false, nil},
	{10, "stream cursors and tracked creators", []string{
		`CREATE TABLE stream_cursors (
			name   TEXT PRIMARY KEY,
			cursor INTEGER NOT NULL
		) WITHOUT ROWID`,
		`CREATE TABLE tracked (
			key        TEXT PRIMARY KEY,
			checked_at INTEGER NOT NULL,
			doc        BLOB NOT NULL
		) WITHOUT ROWID`,
		`CREATE INDEX tracked_due ON tracked(checked_at, key)`,
	}, false, nil},
	// A snapshot of the in-memory index (memsearch.WriteSnapshot,
	// s2-compressed) at generation gen, of that many creators: a start
	// reads it and what changed since instead of splitting every
	// creator's words again. One row; an erasure deletes it.
	{11, "in-memory index snapshot", []string{
		`CREATE TABLE mem_snapshot (
			id       INTEGER PRIMARY KEY CHECK (id = 1),
			gen      INTEGER NOT NULL,
			creators INTEGER NOT NULL,
			data     BLOB NOT NULL
		)`,
	}, false, nil},
	// Each job's item counts by state, kept by triggers in the
	// transaction that writes the items: GetJob, which every finished
	// crawl of a job calls, read all the job's items to count them (a
	// discovery of n creators read n²/2 rows in all).
	{12, "job item counts kept by triggers", []string{
		`CREATE TABLE job_counts (
			job_id TEXT NOT NULL,
			state  TEXT NOT NULL,
			n      INTEGER NOT NULL,
			PRIMARY KEY (job_id, state)
		) WITHOUT ROWID`,
		`INSERT INTO job_counts(job_id, state, n) SELECT job_id, state, count(*) FROM job_items GROUP BY job_id, state`,
		`CREATE TRIGGER job_items_counted AFTER INSERT ON job_items BEGIN
			INSERT INTO job_counts(job_id, state, n) VALUES (NEW.job_id, NEW.state, 1)
				ON CONFLICT(job_id, state) DO UPDATE SET n = n + 1;
		END`,
		`CREATE TRIGGER job_items_uncounted AFTER DELETE ON job_items BEGIN
			UPDATE job_counts SET n = n - 1 WHERE job_id = OLD.job_id AND state = OLD.state;
			DELETE FROM job_counts WHERE job_id = OLD.job_id AND state = OLD.state AND n <= 0;
		END`,
		`CREATE TRIGGER job_items_recounted AFTER UPDATE OF job_id, state ON job_items
			WHEN OLD.job_id IS NOT NEW.job_id OR OLD.state IS NOT NEW.state BEGIN
			UPDATE job_counts SET n = n - 1 WHERE job_id = OLD.job_id AND state = OLD.state;
			DELETE FROM job_counts WHERE job_id = OLD.job_id AND state = OLD.state AND n <= 0;
			INSERT INTO job_counts(job_id, state, n) VALUES (NEW.job_id, NEW.state, 1)
				ON CONFLICT(job_id, state) DO UPDATE SET n = n + 1;
		END`,
	}, false, nil},
}

// moveWords moves every creator's words from creator_text, where they were
// compressed, into its row of creators, where they are not (migration 8).
func moveWords(ctx context.Context, tx *sql.Tx) error {
	err := eachRow(ctx, tx, `SELECT id, words FROM creator_text`, `UPDATE creators SET words = ? WHERE id = ?`,
		func(id int64, z []byte) ([]any, error) {
			words, err := s2.Decode(nil, z)
			if err != nil {
				return nil, fmt.Errorf("decompressing the words of %d: %w", id, err)
			}
			return []any{words, id}, nil
		})
	if err != nil {
		return fmt.Errorf("moving words: %w", err)
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE creator_text`)
	return err
}

// eachRow runs the statement upd with the arguments fn makes of each row
// (an id and a blob) that the query sel returns, as they are read: sel and
// upd must not touch the same table.
func eachRow(ctx context.Context, tx *sql.Tx, sel, upd string, fn func(id int64, blob []byte) ([]any, error)) error {
	st, err := tx.PrepareContext(ctx, upd)
	if err != nil {
		return err
	}
	defer st.Close()
	rows, err := tx.QueryContext(ctx, sel)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var blob []byte
		if err := rows.Scan(&id, &blob); err != nil {
			return err
		}
		args, err := fn(id, blob)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return rows.Err()
}

// wordsInCreators is the first schema version that keeps a creator's
// words in its row of creators.
const wordsInCreators = 8

// column is the SQL column of one search field.
type column struct {
	index.Field
	ident string // quoted identifier
}

// schema is the column layout derived from index.Fields.
type schema struct {
	cols   []column
	byName map[string]*column
}

// fields returns the fields of the columns, in column order.
func (s *schema) fields() []index.Field {
	out := make([]index.Field, len(s.cols))
	for i := range s.cols {
		out[i] = s.cols[i].Field
	}
	return out
}

var fieldName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

func newSchema(fields []index.Field) (*schema, error) {
	s := &schema{byName: make(map[string]*column, len(fields))}
	for _, f := range fields {
		if !fieldName.MatchString(f.Name) || f.Name == "id" || f.Name == "key" || f.Name == "seq" {
			return nil, fmt.Errorf("deriving columns: field name %q cannot be a column", f.Name)
		}
		if f.Kind == index.Keyword && f.Keyword == nil || f.Kind == index.Numeric && f.Number == nil {
			return nil, fmt.Errorf("deriving columns: field %q has no extractor", f.Name)
		}
		s.cols = append(s.cols, column{Field: f, ident: `"` + f.Name + `"`})
	}
	for i := range s.cols {
		s.byName[s.cols[i].Name] = &s.cols[i]
	}
	return s, nil
}

// sqlType is the declared type of a field's column. Keyword columns compare
// case-insensitively (ASCII), as Meilisearch's filters do.
func (c *column) sqlType() string {
	if c.Kind == index.Keyword {
		return "TEXT COLLATE NOCASE"
	}
	return "REAL"
}

// indexName is the name the index on a field's column had before version
// 6, dropped when the field changes kind.
func (c *column) indexName() string { return "creators_f_" + c.Name }

// value extracts the column value of c from r: nil when missing.
func (c *column) value(r *creator.Record) any {
	if c.Kind == index.Keyword {
		if v := c.Keyword(r); v != "" {
			return v
		}
		return nil
	}
	v, ok := c.Number(r)
	if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// migrate applies the pending migrations up to version upTo and syncs the
// field columns, in one transaction.
func migrate(ctx context.Context, db *sql.DB, sch *schema, upTo int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	var cur int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&cur); err != nil {
		return fmt.Errorf("migrating schema: reading version: %w", err)
	}
	if latest := migrations[len(migrations)-1].version; cur > latest {
		return fmt.Errorf("migrating schema: file is at version %d, newer than this build (%d)", cur, latest)
	}
	reindex := false
	for _, m := range migrations {
		if m.version <= cur || m.version > upTo {
			continue
		}
		cur = m.version
		reindex = reindex || m.reindex
		for _, st := range m.stmts {
			if _, err := tx.ExecContext(ctx, st); err != nil {
				return fmt.Errorf("migrating schema to version %d (%s): %w", m.version, m.name, err)
			}
		}
		if m.then != nil {
			if err := m.then(ctx, tx); err != nil {
				return fmt.Errorf("migrating schema to version %d (%s): %w", m.version, m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version(version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, time.Now().Unix()); err != nil {
			return fmt.Errorf("migrating schema to version %d: %w", m.version, err)
		}
	}
	if err := syncFields(ctx, tx, sch); err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	if reindex {
		if err := reindexText(ctx, tx, cur); err != nil {
			return fmt.Errorf("migrating schema: %w", err)
		}
	}
	return tx.Commit()
}

// syncFields makes the creators table have one column per field of sch, with the field's kind. A column added to a table that
// already has records is back-filled from the stored documents. Columns of
// fields no longer in the schema are left alone.
func syncFields(ctx context.Context, tx *sql.Tx, sch *schema) error {
	known := map[string]index.FieldKind{}
	rows, err := tx.QueryContext(ctx, `SELECT name, kind FROM schema_fields`)
	if err != nil {
		return fmt.Errorf("reading field columns: %w", err)
	}
	for rows.Next() {
		var name string
		var kind int
		if err := rows.Scan(&name, &kind); err != nil {
			rows.Close()
			return fmt.Errorf("reading field columns: %w", err)
		}
		known[name] = index.FieldKind(kind)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading field columns: %w", err)
	}
	var added []*column
	for i := range sch.cols {
		c := &sch.cols[i]
		kind, ok := known[c.Name]
		if ok && kind == c.Kind {
			continue
		}
		if ok { // the field changed kind: rebuild its column
			if _, err := tx.ExecContext(ctx, `DROP INDEX IF EXISTS `+c.indexName()); err != nil {
				return fmt.Errorf("dropping index of %s: %w", c.Name, err)
			}
			if _, err := tx.ExecContext(ctx, `ALTER TABLE creators DROP COLUMN `+c.ident); err != nil {
				return fmt.Errorf("dropping column %s: %w", c.Name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `ALTER TABLE creators ADD COLUMN `+c.ident+` `+c.sqlType()); err != nil {
			return fmt.Errorf("adding column %s: %w", c.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO schema_fields(name, kind) VALUES (?, ?)`, c.Name, int(c.Kind)); err != nil {
			return fmt.Errorf("recording column %s: %w", c.Name, err)
		}
		added = append(added, c)
	}
	if len(added) > 0 {
		return backfill(ctx, tx, added)
	}
	return nil
}

func backfill(ctx context.Context, tx *sql.Tx, cols []*column) error {
	var set []string
	for _, c := range cols {
		set = append(set, c.ident+" = ?")
	}
	err := eachRow(ctx, tx, `SELECT id, doc FROM creator_docs`, `UPDATE creators SET `+strings.Join(set, ", ")+` WHERE id = ?`,
		func(id int64, doc []byte) ([]any, error) {
			rec, err := decodeRecord(doc)
			if err != nil {
				return nil, fmt.Errorf("record %d: %w", id, err)
			}
			vals := make([]any, 0, len(cols)+1)
			for _, c := range cols {
				vals = append(vals, c.value(rec))
			}
			return append(vals, id), nil
		})
	if err != nil {
		return fmt.Errorf("back-filling columns: %w", err)
	}
	return nil
}

// reindexText rewrites the stored words of every creator from the stored
// documents, where schema version has them.
func reindexText(ctx context.Context, tx *sql.Tx, version int) error {
	q := `UPDATE creators SET words = ?2 WHERE id = ?1`
	if version < wordsInCreators {
		if _, err := tx.ExecContext(ctx, `DELETE FROM creator_text`); err != nil {
			return fmt.Errorf("reindexing text: %w", err)
		}
		q = `INSERT INTO creator_text(id, words) VALUES (?1, ?2)`
	}
	err := eachRow(ctx, tx, `SELECT id, doc FROM creator_docs ORDER BY id`, q,
		func(id int64, doc []byte) ([]any, error) {
			rec, err := decodeRecord(doc)
			if err != nil {
				return nil, fmt.Errorf("record %d: %w", id, err)
			}
			name, handle, bio, posts := index.TextOf(rec)
			words := packText(name, handle, bio, distinctWords(posts))
			if version < wordsInCreators {
				words = s2.Encode(nil, words) // creator_text's form
			}
			return []any{id, words}, nil
		})
	if err != nil {
		return fmt.Errorf("reindexing text: %w", err)
	}
	return nil
}
