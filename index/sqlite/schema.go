package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

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
	// rebuild is true when the migration leaves the derived aggregates
	// (facet counts, numeric stats) to be recomputed.
	rebuild bool
	// reindex, when set, runs after the statements, once the field
	// columns are in place.
	reindex func(ctx context.Context, tx *sql.Tx, sch *schema) error
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
	}, true, nil},
	{3, "filter tags in the text index", []string{
		`DROP TABLE creators_fts`,
		`CREATE VIRTUAL TABLE creators_fts USING fts5(
			name, handle, bio, posts, tags,
			content='', contentless_delete=1,
			tokenize='unicode61 remove_diacritics 2'
		)`,
	}, false, reindexText},
	{4, "counts of numeric values by bucket", nil, true, nil},
	// FTS5 keeps up to hashsize bytes of new terms in memory and writes
	// them as one segment; the default (1 MiB) makes a bulk load write and
	// merge a segment every few hundred creators.
	{5, "larger text index write buffer", []string{
		`INSERT INTO creators_fts(creators_fts, rank) VALUES ('hashsize', 33554432)`,
	}, false, nil},
}

// aggregatesVersion is the schema version that added facet_counts and
// numeric_stats.
const aggregatesVersion = 2

// tagsVersion is the schema version that added the tags column to the
// text index.
const tagsVersion = 3

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

var fieldName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

func newSchema(fields []index.Field) (*schema, error) {
	s := &schema{byName: make(map[string]*column, len(fields))}
	for _, f := range fields {
		if !fieldName.MatchString(f.Name) || f.Name == "id" || f.Name == "key" {
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

// indexName is the name of the index on a field's column: for keyword
// fields it covers facet counts; for numeric ones min/max and sorting.
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
	rebuild, reindex := false, false
	for _, m := range migrations {
		if m.version <= cur || m.version > upTo {
			continue
		}
		cur = m.version
		rebuild = rebuild || m.rebuild
		reindex = reindex || m.reindex != nil
		for _, st := range m.stmts {
			if _, err := tx.ExecContext(ctx, st); err != nil {
				return fmt.Errorf("migrating schema to version %d (%s): %w", m.version, m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version(version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, time.Now().Unix()); err != nil {
			return fmt.Errorf("migrating schema to version %d: %w", m.version, err)
		}
	}
	changed, err := syncFields(ctx, tx, sch)
	if err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	if (rebuild || changed) && cur >= aggregatesVersion {
		if err := rebuildAggregates(ctx, tx, sch); err != nil {
			return fmt.Errorf("migrating schema: %w", err)
		}
	}
	// The filter tags follow the field columns.
	if (reindex || changed) && cur >= tagsVersion {
		if err := reindexText(ctx, tx, sch); err != nil {
			return fmt.Errorf("migrating schema: %w", err)
		}
	}
	return tx.Commit()
}

// syncFields makes the creators table have one column (and one index) per
// field of sch, with the field's kind. A column added to a table that
// already has records is back-filled from the stored documents. Columns of
// fields no longer in the schema are left alone.
func syncFields(ctx context.Context, tx *sql.Tx, sch *schema) (changed bool, err error) {
	known := map[string]index.FieldKind{}
	rows, err := tx.QueryContext(ctx, `SELECT name, kind FROM schema_fields`)
	if err != nil {
		return false, fmt.Errorf("reading field columns: %w", err)
	}
	for rows.Next() {
		var name string
		var kind int
		if err := rows.Scan(&name, &kind); err != nil {
			rows.Close()
			return false, fmt.Errorf("reading field columns: %w", err)
		}
		known[name] = index.FieldKind(kind)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("reading field columns: %w", err)
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
				return false, fmt.Errorf("dropping index of %s: %w", c.Name, err)
			}
			if _, err := tx.ExecContext(ctx, `ALTER TABLE creators DROP COLUMN `+c.ident); err != nil {
				return false, fmt.Errorf("dropping column %s: %w", c.Name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `ALTER TABLE creators ADD COLUMN `+c.ident+` `+c.sqlType()); err != nil {
			return false, fmt.Errorf("adding column %s: %w", c.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO schema_fields(name, kind) VALUES (?, ?)`, c.Name, int(c.Kind)); err != nil {
			return false, fmt.Errorf("recording column %s: %w", c.Name, err)
		}
		added = append(added, c)
	}
	for i := range sch.cols {
		c := &sch.cols[i]
		if !c.indexed() {
			continue
		}
		if _, err := tx.ExecContext(ctx, `CREATE INDEX IF NOT EXISTS `+c.indexName()+` ON creators(`+c.ident+`)`); err != nil {
			return false, fmt.Errorf("indexing column %s: %w", c.Name, err)
		}
	}
	if len(added) > 0 {
		if err := backfill(ctx, tx, added); err != nil {
			return false, err
		}
	}
	return len(added) > 0, nil
}

// indexed reports whether the field's column has an index. Keyword fields
// are indexed for facet counts; sortable numeric fields for sorting and
// min/max stats of unfiltered queries.
func (c *column) indexed() bool {
	return c.Kind == index.Keyword && (c.Facet || c.Filterable)
}

func backfill(ctx context.Context, tx *sql.Tx, cols []*column) error {
	var set []string
	for _, c := range cols {
		set = append(set, c.ident+" = ?")
	}
	upd, err := tx.PrepareContext(ctx, `UPDATE creators SET `+strings.Join(set, ", ")+` WHERE id = ?`)
	if err != nil {
		return fmt.Errorf("back-filling columns: %w", err)
	}
	defer upd.Close()
	rows, err := tx.QueryContext(ctx, `SELECT id, doc FROM creator_docs`)
	if err != nil {
		return fmt.Errorf("back-filling columns: %w", err)
	}
	type row struct {
		id   int64
		vals []any
	}
	var todo []row
	for rows.Next() {
		var id int64
		var doc []byte
		if err := rows.Scan(&id, &doc); err != nil {
			rows.Close()
			return fmt.Errorf("back-filling columns: %w", err)
		}
		var rec creator.Record
		if err := json.Unmarshal(doc, &rec); err != nil {
			rows.Close()
			return fmt.Errorf("back-filling columns: decoding record %d: %w", id, err)
		}
		vals := make([]any, 0, len(cols)+1)
		for _, c := range cols {
			vals = append(vals, c.value(&rec))
		}
		todo = append(todo, row{id, append(vals, id)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("back-filling columns: %w", err)
	}
	for _, r := range todo {
		if _, err := upd.ExecContext(ctx, r.vals...); err != nil {
			return fmt.Errorf("back-filling columns: %w", err)
		}
	}
	return nil
}

// rebuildAggregates recomputes facet_counts and numeric_stats from the
// creators table.
func rebuildAggregates(ctx context.Context, tx *sql.Tx, sch *schema) error {
	stmts := []string{
		`DELETE FROM facet_counts`,
		`DELETE FROM numeric_stats`,
		`INSERT INTO facet_counts(field, value, n) SELECT '', '', count(*) FROM creators`,
	}
	for _, c := range sch.cols {
		switch {
		case c.Kind == index.Keyword && c.Facet:
			stmts = append(stmts, `INSERT INTO facet_counts(field, value, n) SELECT '`+c.Name+`', `+c.ident+`, count(*)
				FROM creators WHERE `+c.ident+` IS NOT NULL GROUP BY `+c.ident)
		case c.Kind == index.Numeric && c.Facet:
			stmts = append(stmts, `INSERT INTO numeric_stats(field, min, max) SELECT '`+c.Name+`', min(`+c.ident+`), max(`+c.ident+`) FROM creators`)
		}
	}
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("rebuilding facet counts: %w", err)
		}
	}
	return rebuildBuckets(ctx, tx, sch)
}

// rebuildBuckets counts the values of every filterable numeric field by
// bucket (see tags.go), into facet_counts under field "#<name>".
func rebuildBuckets(ctx context.Context, tx *sql.Tx, sch *schema) error {
	var cols []*column
	var idents []string
	for i := range sch.cols {
		if c := &sch.cols[i]; c.Kind == index.Numeric && c.Filterable {
			cols, idents = append(cols, c), append(idents, c.ident)
		}
	}
	if len(cols) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+strings.Join(idents, ", ")+` FROM creators`)
	if err != nil {
		return fmt.Errorf("counting buckets: %w", err)
	}
	counts := map[facetKey]int{}
	vals := make([]sql.NullFloat64, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return fmt.Errorf("counting buckets: %w", err)
		}
		for i, v := range vals {
			if v.Valid {
				counts[bucketKey(cols[i].Name, bucket(v.Float64))]++
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("counting buckets: %w", err)
	}
	for k, n := range counts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO facet_counts(field, value, n) VALUES (?, ?, ?)`, k.field, k.value, n); err != nil {
			return fmt.Errorf("counting buckets: %w", err)
		}
	}
	return nil
}

// reindexText rewrites the text index of every creator from the stored
// documents.
func reindexText(ctx context.Context, tx *sql.Tx, sch *schema) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO creators_fts(creators_fts) VALUES ('delete-all')`); err != nil {
		return fmt.Errorf("reindexing text: %w", err)
	}
	ins, err := tx.PrepareContext(ctx, insertText)
	if err != nil {
		return fmt.Errorf("reindexing text: %w", err)
	}
	defer ins.Close()
	rows, err := tx.QueryContext(ctx, `SELECT id, doc FROM creator_docs ORDER BY id`)
	if err != nil {
		return fmt.Errorf("reindexing text: %w", err)
	}
	defer rows.Close()
	vals := make([]any, len(sch.cols))
	for rows.Next() {
		var id int64
		var doc []byte
		if err := rows.Scan(&id, &doc); err != nil {
			return fmt.Errorf("reindexing text: %w", err)
		}
		var rec creator.Record
		if err := json.Unmarshal(doc, &rec); err != nil {
			return fmt.Errorf("reindexing text: decoding record %d: %w", id, err)
		}
		for i := range sch.cols {
			vals[i] = sch.cols[i].value(&rec)
		}
		name, handle, bio, posts := index.TextOf(&rec)
		if _, err := ins.ExecContext(ctx, id, name, handle, bio, distinctWords(posts), tagsOf(sch, vals)); err != nil {
			return fmt.Errorf("reindexing text: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reindexing text: %w", err)
	}
	return nil
}
