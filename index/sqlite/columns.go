package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/creatorscout/scout/index"
)

// The column copy. Every search matches its text (text.go), filters,
// counts facets, computes stats and orders its matches from an in-memory
// copy of the words and field columns of all creators, indexed by row id:
// SQLite stores everything, but looking each match up in the creators
// table cost about a microsecond per match, and reading FTS5's list of a
// common word tens of milliseconds in a million creators.
//
// The copy follows the file by generation: every write transaction that
// changes creators increments store_meta's "gen" and stamps the rows it
// writes with it (creators.seq), and records the row ids it erases in
// erased. A search reads the generation in its read transaction and, when
// the copy is older, reads only the rows stamped later (a full read the
// first time), so the copy always answers from the same state of the data
// as the transaction the search runs in, whichever process wrote it.

// colCache is the in-memory copy of the field columns.
type colCache struct {
	sch *schema
	pos map[string]int // field name -> index in sch.cols

	mu   sync.RWMutex
	gen  int64       // generation the copy holds; -1 before the first read
	keys []string    // by row id; "" where there is no creator
	live int         // creators in the copy
	kw   [][]uint32  // by column: code of each row's keyword value (0: missing); nil for numeric columns
	num  [][]float64 // by column: each row's value (NaN: missing); nil for keyword columns
	dict []*dict     // by column: the values of a keyword column; nil for numeric columns
	text *textIndex  // the creators' words (text.go)
}

// dict numbers the distinct values of one keyword column. Values that
// differ only in ASCII case share a code, as they do under SQLite's NOCASE
// collation (and Meilisearch's filters).
type dict struct {
	codes map[string]uint32 // folded value -> code (from 1)
	vals  []string          // code -> the value as first stored
	n     []int             // code -> how many creators have it
}

func newColCache(sch *schema) *colCache {
	c := &colCache{sch: sch, pos: map[string]int{}, gen: -1, text: newTextIndex()}
	c.kw = make([][]uint32, len(sch.cols))
	c.num = make([][]float64, len(sch.cols))
	c.dict = make([]*dict, len(sch.cols))
	for i, col := range sch.cols {
		c.pos[col.Name] = i
		if col.Kind == index.Keyword {
			c.dict[i] = &dict{codes: map[string]uint32{}, vals: []string{""}, n: []int{0}}
		}
	}
	c.reset()
	return c
}

// reset empties the copy.
func (c *colCache) reset() {
	c.keys = c.keys[:0]
	c.live = 0
	c.text.reset()
	for i, col := range c.sch.cols {
		if col.Kind == index.Keyword {
			c.kw[i] = c.kw[i][:0]
			d := c.dict[i]
			clear(d.codes)
			d.vals, d.n = d.vals[:1], d.n[:1]
		} else {
			c.num[i] = c.num[i][:0]
		}
	}
}

// bytes returns about how much memory the copy takes.
func (c *colCache) bytes() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := cap(c.keys)*16 + c.text.bytes()
	for _, k := range c.keys {
		n += len(k)
	}
	for i := range c.sch.cols {
		n += cap(c.kw[i])*4 + cap(c.num[i])*8
		if d := c.dict[i]; d != nil {
			for _, v := range d.vals {
				n += 2*len(v) + 48
			}
		}
	}
	return n
}

// foldASCII lower-cases the ASCII letters of s, as SQLite's NOCASE does.
func foldASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// lookup returns the code of v, false when no creator ever had it.
func (d *dict) lookup(v string) (uint32, bool) {
	code, ok := d.codes[foldASCII(v)]
	return code, ok
}

func (d *dict) code(v string) uint32 {
	f := foldASCII(v)
	if code, ok := d.codes[f]; ok {
		return code
	}
	code := uint32(len(d.vals))
	d.codes[f] = code
	d.vals = append(d.vals, v)
	d.n = append(d.n, 0)
	return code
}

// grow makes room for row id.
func (c *colCache) grow(id int64) {
	if id < int64(len(c.keys)) {
		return
	}
	n := int(id) + 1
	c.keys = growTo(c.keys, n, "")
	for i, col := range c.sch.cols {
		if col.Kind == index.Keyword {
			c.kw[i] = growTo(c.kw[i], n, 0)
		} else {
			c.num[i] = growTo(c.num[i], n, math.NaN())
		}
	}
}

func growTo[T any](s []T, n int, zero T) []T {
	if n <= cap(s) {
		old := len(s)
		s = s[:n]
		for i := old; i < n; i++ {
			s[i] = zero
		}
		return s
	}
	ns := make([]T, n, max(n, 2*cap(s), 1024))
	copy(ns, s)
	for i := len(s); i < n; i++ {
		ns[i] = zero
	}
	return ns
}

// remove drops row id from the copy.
func (c *colCache) remove(id int64) {
	c.text.remove(id)
	if id <= 0 || id >= int64(len(c.keys)) || c.keys[id] == "" {
		return
	}
	c.keys[id] = ""
	c.live--
	for i, col := range c.sch.cols {
		if col.Kind == index.Keyword {
			if code := c.kw[i][id]; code != 0 {
				c.dict[i].n[code]--
				c.kw[i][id] = 0
			}
		} else {
			c.num[i][id] = math.NaN()
		}
	}
}

// set stores row id with its key, its words as stored (see packText) and
// its column values (in schema order, as SQLite returns them: nil, string,
// float64 or int64).
func (c *colCache) set(id int64, key string, words []byte, vals []any) error {
	c.remove(id)
	if err := c.text.add(id, words); err != nil {
		return fmt.Errorf("creator %s: %w", key, err)
	}
	c.grow(id)
	c.keys[id] = key
	c.live++
	for i, col := range c.sch.cols {
		v := vals[i]
		if col.Kind == index.Keyword {
			if v == nil {
				continue
			}
			s := asString(v)
			if s == "" {
				continue
			}
			d := c.dict[i]
			code := d.code(s)
			if d.n[code] == 0 {
				// No creator has the value now: label it as this one
				// spells it, not as a creator gone since did.
				d.vals[code] = s
			}
			d.n[code]++
			c.kw[i][id] = code
		} else if v != nil {
			c.num[i][id] = asFloat(v)
		}
	}
	return nil
}

const (
	genSQL    = `SELECT value FROM store_meta WHERE name = 'gen'`
	erasedSQL = `SELECT id FROM erased WHERE seq > ?`
)

// refreshSQL reads the words and field columns of every creator, or with
// since of those written after a generation.
func refreshSQL(sch *schema, since bool) string {
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

// readGen returns the generation of the data tx sees.
func readGen(ctx context.Context, tx *sql.Tx) (int64, error) {
	var gen int64
	if err := tx.QueryRowContext(ctx, genSQL).Scan(&gen); err != nil {
		return 0, fmt.Errorf("reading generation: %w", err)
	}
	return gen, nil
}

// errStale means the copy is newer than the transaction: the caller starts
// a new transaction.
var errStale = fmt.Errorf("column copy is newer than the transaction")

// acquire brings the copy to generation gen, the state tx sees, and returns
// with c.mu read-locked; the caller releases it with c.mu.RUnlock. It
// returns errStale (and no lock) when the copy is already newer.
func (c *colCache) acquire(ctx context.Context, tx *sql.Tx, gen int64) error {
	for {
		c.mu.RLock()
		if c.gen == gen {
			return nil
		}
		cur := c.gen
		c.mu.RUnlock()
		if cur > gen {
			return errStale
		}
		c.mu.Lock()
		var err error
		if c.gen < gen {
			err = c.refresh(ctx, tx, gen)
		}
		c.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

// refresh reads what changed since the copy's generation (everything the
// first time). c.mu must be locked.
func (c *colCache) refresh(ctx context.Context, tx *sql.Tx, gen int64) error {
	sel := refreshSQL(c.sch, false)
	var args []any
	if c.text.needsRebuild() {
		c.gen = -1
	}
	full := c.gen < 0
	if full {
		c.reset()
	} else {
		rows, err := tx.QueryContext(ctx, erasedSQL, c.gen)
		if err != nil {
			return fmt.Errorf("reading erased creators: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				c.gen = -1 // half applied: read everything next time
				return fmt.Errorf("reading erased creators: %w", err)
			}
			c.remove(id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			c.gen = -1
			return fmt.Errorf("reading erased creators: %w", err)
		}
		sel = refreshSQL(c.sch, true)
		args = append(args, c.gen)
	}
	rows, err := tx.QueryContext(ctx, sel, args...)
	if err != nil {
		c.gen = -1
		return fmt.Errorf("reading field columns: %w", err)
	}
	defer rows.Close()
	var id int64
	var key string
	var words []byte
	vals := make([]any, len(c.sch.cols))
	dest := make([]any, 0, len(vals)+3)
	dest = append(dest, &id, &key, &words)
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			c.gen = -1
			return fmt.Errorf("reading field columns: %w", err)
		}
		if err := c.set(id, key, words, vals); err != nil {
			c.gen = -1
			return fmt.Errorf("reading field columns: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		c.gen = -1
		return fmt.Errorf("reading field columns: %w", err)
	}
	c.text.flush()
	c.text.settle(full)
	c.gen = gen
	return nil
}
