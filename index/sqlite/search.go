package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/memsearch"
)

// maxStaleTries bounds how many times a search restarts its transaction
// because other searches brought the in-memory index past it.
const maxStaleTries = 8

// Search answers q from the in-memory index (index/memsearch), brought to
// the state of the data its read transaction sees; only the page of hits
// is read from SQLite. An invalid query gives an error wrapping
// creator.ErrInvalid that names the offending field. It is safe for
// concurrent use.
func (s *Store) Search(ctx context.Context, q index.Query) (*index.Result, error) {
	if err := q.Normalize(); err != nil {
		return nil, fmt.Errorf("searching creators: %w", err)
	}
	p, err := s.mem.Plan(&q)
	if err != nil {
		return nil, fmt.Errorf("searching creators: %w", err)
	}
	for try := 1; ; try++ {
		res, err := s.search(ctx, p, q.PerPage, (q.Page-1)*q.PerPage)
		if errors.Is(err, memsearch.ErrStale) && try < maxStaleTries {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("searching creators: %w", err)
		}
		res.Page, res.PerPage = q.Page, q.PerPage
		return res, nil
	}
}

// search runs p in one read transaction.
func (s *Store) search(ctx context.Context, p *memsearch.Plan, limit, offset int) (*index.Result, error) {
	// The transaction and the index's load run to the end even when ctx
	// is cancelled: a load cut off would leave the index to be read
	// whole by the next search, which at a million creators takes most
	// of a minute. ctx still bounds the rest.
	bg := context.WithoutCancel(ctx)
	tx, err := s.r.BeginTx(bg, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	gen, err := readGen(bg, tx)
	if err != nil {
		return nil, err
	}
	view, err := s.mem.Acquire(bg, gen, txSource{tx: tx, sch: s.schema})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		view.Release()
		return nil, err
	}
	res, page := view.Search(p)
	view.Release()
	if page == nil { // no text, no filter, no sort: the key index orders
		if page, err = s.pageByKey(ctx, tx, limit, offset); err != nil {
			return nil, err
		}
	}
	if res.Hits, err = s.summaries(ctx, tx, page); err != nil {
		return nil, err
	}
	return res, nil
}

const (
	genSQL    = `SELECT value FROM store_meta WHERE name = 'gen'`
	erasedSQL = `SELECT id FROM erased WHERE seq > ?`
)

// readGen returns the generation of the data tx sees: store_meta's "gen",
// which every write transaction that changes creators increments, stamping
// the rows it writes with it (creators.seq) and recording the row ids it
// erases in erased.
func readGen(ctx context.Context, tx *sql.Tx) (int64, error) {
	var gen int64
	if err := tx.QueryRowContext(ctx, genSQL).Scan(&gen); err != nil {
		return 0, fmt.Errorf("reading generation: %w", err)
	}
	return gen, nil
}

// rowsSQL reads the words and field columns of every creator, or with
// since of those written after a generation.
func rowsSQL(sch *schema, since bool) string {
	idents := make([]string, len(sch.cols))
	for i, col := range sch.cols {
		idents[i] = col.ident
	}
	q := `SELECT id, key, words, ` + strings.Join(idents, ", ") + ` FROM creators`
	if since {
		q += ` WHERE seq > ?`
	}
	return q
}

// txSource is the data one read transaction sees, as the in-memory index
// reads it.
type txSource struct {
	tx  *sql.Tx
	sch *schema
}

var _ memsearch.Source = txSource{}

func (src txSource) Erased(ctx context.Context, since int64, fn func(id int64)) error {
	rows, err := src.tx.QueryContext(ctx, erasedSQL, since)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		fn(id)
	}
	return rows.Err()
}

func (src txSource) Rows(ctx context.Context, since int64, fn func(*memsearch.Row) error) error {
	var rows *sql.Rows
	var err error
	if since < 0 {
		rows, err = src.tx.QueryContext(ctx, rowsSQL(src.sch, false))
	} else {
		rows, err = src.tx.QueryContext(ctx, rowsSQL(src.sch, true), since)
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	var r memsearch.Row
	var words []byte
	r.Values = make([]any, len(src.sch.cols))
	dest := make([]any, 0, len(r.Values)+3)
	dest = append(dest, &r.ID, &r.Key, &words)
	for i := range r.Values {
		dest = append(dest, &r.Values[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if r.Text, err = unpackText(words); err != nil {
			return fmt.Errorf("creator %s: %w", r.Key, err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

const pageByKeySQL = `SELECT id FROM creators ORDER BY key LIMIT ? OFFSET ?`

// summariesSQL reads the summaries of creators by row id, given as a JSON
// array (one statement for any number of them).
const summariesSQL = `SELECT id, summary FROM creators WHERE id IN (SELECT value FROM json_each(?))`

// pageByKey returns the row ids of a page of all creators by key, walking
// the key index.
func (s *Store) pageByKey(ctx context.Context, tx *sql.Tx, limit, offset int) ([]int64, error) {
	rows, err := query(ctx, tx, s.pageStmt, pageByKeySQL, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("reading page: %w", err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("reading page: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// summaries reads and decodes the search summaries of ids, in order.
func (s *Store) summaries(ctx context.Context, tx *sql.Tx, ids []int64) ([]creator.Record, error) {
	hits := make([]creator.Record, len(ids))
	if len(ids) == 0 {
		return hits, nil
	}
	at := make(map[int64]int, len(ids))
	list := make([]byte, 0, 8*len(ids))
	list = append(list, '[')
	for i, id := range ids {
		at[id] = i
		if i > 0 {
			list = append(list, ',')
		}
		list = strconv.AppendInt(list, id, 10)
	}
	list = append(list, ']')
	rows, err := query(ctx, tx, s.sumStmt, summariesSQL, string(list))
	if err != nil {
		return nil, fmt.Errorf("reading hits: %w", err)
	}
	defer rows.Close()
	found := 0
	for rows.Next() {
		var id int64
		var doc []byte
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, fmt.Errorf("reading hits: %w", err)
		}
		if err := json.Unmarshal(doc, &hits[at[id]]); err != nil {
			return nil, fmt.Errorf("decoding hit %d: %w", id, err)
		}
		found++
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading hits: %w", err)
	}
	if found != len(ids) {
		return nil, fmt.Errorf("reading hits: %d of %d summaries missing", len(ids)-found, len(ids))
	}
	return hits, nil
}
