package memsearch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/creatorscout/scout/index"
)

// Index is the in-memory copy of a store's creators that searches run
// over: the words of each (postings) and its field columns, by row id. It
// is safe for concurrent use: any number of Views read it at once; loading
// what changed waits for them to be released and makes new ones wait.
type Index struct {
	fields []index.Field
	pos    map[string]int // field name -> position in fields

	loadWorkers int // goroutines a full load tokenizes on

	mu   sync.RWMutex
	gen  int64         // generation the index holds; -1 before the first load
	cols columns       // field columns and keys
	text *postings     // the rows' words
	bits filterBitmaps // keyword values and existence as bitmaps of documents

	rowFilters bool // test every filter row by row (for tests comparing the two paths)

	loads Loads // full loads so far
	// epoch changes whenever a document number may stand for other data
	// than before: a full load renumbers, an erasure drops a creator.
	epoch int64
}

// Loads counts an Index's full loads: from every creator's words, or from
// a snapshot brought up to date.
type Loads struct {
	Whole, Snapshot int
}

// Loads returns how many full loads x made, and of what.
func (x *Index) Loads() Loads {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.loads
}

// Live returns how many creators x holds.
func (x *Index) Live() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.cols.live
}

// fromSnapshot reads src's snapshot, when it has one of a generation no
// later than gen, into x (reset, locked); false leaves x reset, to be
// loaded whole.
func (x *Index) fromSnapshot(ctx context.Context, gen int64, src Source) bool {
	ss, ok := src.(SnapshotSource)
	if !ok {
		return false
	}
	data, err := ss.Snapshot(ctx)
	if err != nil || data == nil {
		return false
	}
	if err := x.readSnapshot(data); err != nil || x.gen > gen {
		x.reset()
		x.gen = -1
		return false
	}
	return true
}

// Text is a row's words, by place.
type Text struct {
	Name, Handle, Bio string
	// Posts is the text of the posts, or their distinct words
	// (DistinctWords): relevance counts only that the posts use a word.
	Posts string
}

// Row is one creator as its store gives it to the index.
type Row struct {
	ID   int64 // the store's row id, > 0; the index's arrays are as long as the largest
	Key  string
	Text Text
	// Values are the field values, in the order of the fields New was
	// given: nil (missing), string or []byte (Keyword fields), float64
	// or int64 (Numeric fields).
	Values []any
}

// Source is the state of the store's data at one generation, which Acquire
// reads what changed from. Its methods are called with the Index locked
// for writing, from one goroutine at a time.
type Source interface {
	// Erased calls fn with the row id of each creator erased after
	// generation since (since >= 0).
	Erased(ctx context.Context, since int64, fn func(id int64)) error
	// Rows calls fn with every creator when since < 0, else with those
	// written after generation since. fn's Row and its Values may be
	// reused once fn returns; the strings of its Text are kept (as Go
	// strings, they must never change). An error fn returns ends Rows
	// with it.
	Rows(ctx context.Context, since int64, fn func(*Row) error) error
}

// ErrStale means the Index holds a later generation than the one asked
// for: the caller's view of the data is older than the Index, and it must
// read the generation again (in a new transaction) and retry.
var ErrStale = errors.New("the in-memory index is newer than the transaction")

// Option configures an Index.
type Option func(*Index)

// WithLoadWorkers sets how many goroutines a full load splits its words
// into postings on (default GOMAXPROCS; 1 loads on the calling goroutine
// alone). n <= 0 keeps the default.
func WithLoadWorkers(n int) Option {
	return func(x *Index) {
		if n > 0 {
			x.loadWorkers = n
		}
	}
}

// New returns an empty Index of the given fields (Keyword or Numeric,
// names unique); its first Acquire loads everything.
func New(fields []index.Field, opts ...Option) *Index {
	x := &Index{fields: fields, pos: map[string]int{}, gen: -1, text: newPostings(), loadWorkers: runtime.GOMAXPROCS(0)}
	for _, o := range opts {
		o(x)
	}
	for i, f := range fields {
		x.pos[f.Name] = i
	}
	x.cols = newColumns(fields)
	x.bits = newFilterBitmaps(len(fields))
	return x
}

// View is a read-locked Index at one generation. Its methods are safe for
// concurrent use until Release.
type View struct {
	x   *Index
	gen int64
}

// Acquire brings x to generation gen (reading from src what changed since
// the generation it holds, everything the first time or when enough rows
// were replaced) and returns it read-locked at gen. The caller must
// Release the View, and src must show the data at exactly gen (as one
// read transaction does). Generations only grow: when x already holds a
// later one, Acquire returns ErrStale and no View.
//
// A load that fails leaves x to be loaded whole next time. A load runs to
// the end whatever ctx says (give it context.WithoutCancel to be sure): a
// load cut off would leave the whole index to read again.
func (x *Index) Acquire(ctx context.Context, gen int64, src Source) (*View, error) {
	for {
		x.mu.RLock()
		if x.gen == gen {
			return &View{x: x, gen: gen}, nil
		}
		cur := x.gen
		x.mu.RUnlock()
		if cur > gen {
			return nil, ErrStale
		}
		x.mu.Lock()
		var err error
		if x.gen < gen {
			if err = x.load(ctx, gen, src); err != nil {
				x.gen = -1
			}
		}
		x.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
}

// Release unlocks the View; it must not be used after.
func (v *View) Release() { v.x.mu.RUnlock() }

// Gen returns the generation the View holds.
func (v *View) Gen() int64 { return v.gen }

// Epoch returns a number that changes whenever a document number (Docs)
// may stand for another version of a creator than before, or a creator
// was erased: what is cached by row id and document number is current
// while the epoch stays the same.
func (v *View) Epoch() int64 { return v.x.epoch }

// Docs returns the document numbers of the row ids (0 for a row not in the
// index). A row written again gets a new number, so a row id and its
// number name one version of a creator (within an Epoch).
func (v *View) Docs(ids []int64) []uint32 {
	out := make([]uint32, len(ids))
	for i, id := range ids {
		if id > 0 && id < int64(len(v.x.text.docOf)) {
			out[i] = v.x.text.docOf[id]
		}
	}
	return out
}

// Gen returns the generation x holds, -1 before its first load.
func (x *Index) Gen() int64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.gen
}

// load reads what changed since x.gen (everything the first time). x.mu
// must be locked.
func (x *Index) load(ctx context.Context, gen int64, src Source) error {
	x.bits.unions.reset() // the bitmaps they join change
	if x.text.needsReload() {
		x.gen = -1
	}
	full := x.gen < 0
	if full {
		x.reset()
		if x.fromSnapshot(ctx, gen, src) {
			full = false
			x.loads.Snapshot++
		} else {
			x.loads.Whole++
		}
	}
	if full {
		if x.loadWorkers > 1 {
			return x.loadAll(ctx, gen, src)
		}
	} else if err := src.Erased(ctx, x.gen, x.remove); err != nil {
		return fmt.Errorf("reading erased creators: %w", err)
	}
	err := src.Rows(ctx, x.gen, func(r *Row) error {
		x.set(r)
		if !full {
			x.bits.mark(&x.cols, x.text.docOf[r.ID], r.ID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading field columns: %w", err)
	}
	if full {
		x.bits.markAll(&x.cols, x.text.docOf)
	}
	x.text.flush()
	x.text.settle(full)
	x.gen = gen
	return nil
}

func (x *Index) reset() {
	x.epoch++
	x.cols.reset()
	x.text.reset()
	x.bits.reset()
}

// remove drops row id.
func (x *Index) remove(id int64) {
	x.epoch++
	x.text.remove(id)
	x.cols.remove(id)
}

// set stores r, replacing what its row id had.
func (x *Index) set(r *Row) {
	x.cols.remove(r.ID)
	x.text.add(r.ID, &r.Text)
	x.cols.set(r.ID, r.Key, r.Values)
}

// Bytes returns about how much memory x takes.
func (x *Index) Bytes() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.cols.bytes() + x.text.bytes() + x.bits.bytes()
}

// columns are the keys and field values of the rows, by row id.
type columns struct {
	fields []index.Field
	keys   []string    // by row id; "" where there is no creator
	live   int         // creators in the index
	codes  [][]uint32  // by field: code of each row's keyword value (0: missing); nil for numeric fields
	nums   [][]float64 // by field: each row's value (NaN: missing); nil for keyword fields
	dicts  []*keywords // by field: the values of a keyword field; nil for numeric fields
}

// keywords numbers the distinct values of one keyword field. Values that
// differ only in ASCII case share a code, as they do under SQLite's NOCASE
// collation (and Meilisearch's filters).
type keywords struct {
	codes map[string]uint32 // folded value -> code (from 1)
	vals  []string          // code -> the value as first stored
	n     []int             // code -> how many creators have it
}

func newColumns(fields []index.Field) columns {
	c := columns{fields: fields}
	c.codes = make([][]uint32, len(fields))
	c.nums = make([][]float64, len(fields))
	c.dicts = make([]*keywords, len(fields))
	for i, f := range fields {
		if f.Kind == index.Keyword {
			c.dicts[i] = &keywords{codes: map[string]uint32{}, vals: []string{""}, n: []int{0}}
		}
	}
	c.reset()
	return c
}

// reset empties c.
func (c *columns) reset() {
	c.keys = c.keys[:0]
	c.live = 0
	for i, f := range c.fields {
		if f.Kind == index.Keyword {
			c.codes[i] = c.codes[i][:0]
			d := c.dicts[i]
			clear(d.codes)
			d.vals, d.n = d.vals[:1], d.n[:1]
		} else {
			c.nums[i] = c.nums[i][:0]
		}
	}
}

// bytes returns about how much memory c takes.
func (c *columns) bytes() int {
	n := cap(c.keys) * 16
	for _, k := range c.keys {
		n += len(k)
	}
	for i := range c.fields {
		n += cap(c.codes[i])*4 + cap(c.nums[i])*8
		if d := c.dicts[i]; d != nil {
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
func (d *keywords) lookup(v string) (uint32, bool) {
	code, ok := d.codes[foldASCII(v)]
	return code, ok
}

func (d *keywords) code(v string) uint32 {
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
func (c *columns) grow(id int64) {
	if id < int64(len(c.keys)) {
		return
	}
	n := int(id) + 1
	c.keys = growTo(c.keys, n, "")
	for i, f := range c.fields {
		if f.Kind == index.Keyword {
			c.codes[i] = growTo(c.codes[i], n, 0)
		} else {
			c.nums[i] = growTo(c.nums[i], n, math.NaN())
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

// remove drops row id.
func (c *columns) remove(id int64) {
	if id <= 0 || id >= int64(len(c.keys)) || c.keys[id] == "" {
		return
	}
	c.keys[id] = ""
	c.live--
	for i, f := range c.fields {
		if f.Kind == index.Keyword {
			if code := c.codes[i][id]; code != 0 {
				c.dicts[i].n[code]--
				c.codes[i][id] = 0
			}
		} else {
			c.nums[i][id] = math.NaN()
		}
	}
}

// set stores row id with its key and field values (see Row); the row must
// not be there.
func (c *columns) set(id int64, key string, vals []any) {
	c.grow(id)
	c.keys[id] = key
	c.live++
	for i, f := range c.fields {
		v := vals[i]
		if f.Kind == index.Keyword {
			s := asString(v)
			if s == "" {
				continue
			}
			d := c.dicts[i]
			code := d.code(s)
			if d.n[code] == 0 {
				// No creator has the value now: label it as this one
				// spells it, not as a creator gone since did.
				d.vals[code] = s
			}
			d.n[code]++
			c.codes[i][id] = code
		} else if v != nil {
			c.nums[i][id] = asFloat(v)
		}
	}
}
