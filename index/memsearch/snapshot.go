package memsearch

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/creatorscout/scout/index"
)

// Snapshots: the Index at one generation, written whole (its words' lists
// as they are in memory, its columns), so that a start reads them instead
// of splitting every creator's text into words again, which is most of a
// full load. A snapshot is then brought up to date as any load is: only
// what changed since its generation is read from the Source.
//
// A snapshot holds only live creators: the lists keep no dead document
// (an erased or rewritten creator's old words), and neither a word nor a
// keyword value no live creator has is written, so a snapshot taken after
// an erasure keeps nothing of the erased creator.

// snapshotMagic opens every snapshot; snapshotVersion changes whenever the
// format or the tokenizer (Words) does: a snapshot of another version is
// not read.
const (
	snapshotMagic   = "memsearch snapshot\n"
	snapshotVersion = 2
)

// ErrSnapshot means a snapshot cannot be read: of another version or
// other fields, or damaged. The Index is then loaded whole instead.
var ErrSnapshot = errors.New("unusable in-memory index snapshot")

// SnapshotSource is a Source that may also hold a snapshot (WriteSnapshot)
// of the Index at a generation its Rows and Erased can bring up to date.
// A full load reads it instead of every creator's words when there is
// one.
type SnapshotSource interface {
	Source
	// Snapshot returns the latest snapshot, nil when there is none (or
	// when so much changed since that loading whole is better).
	Snapshot(ctx context.Context) ([]byte, error)
}

// WriteSnapshot writes x, at the generation it holds, to w and returns
// that generation; -1 (and nothing written) before its first load.
func (x *Index) WriteSnapshot(w io.Writer) (int64, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.gen < 0 {
		return -1, nil
	}
	c, t := &x.cols, x.text
	nrows := len(c.keys)
	// Two sections, each preceded by its length, which a reader parses
	// at once: the columns and the postings.
	var cols, post bytes.Buffer
	e := &snapWriter{w: &cols}
	// Columns, by row id; keyword codes renumbered to the values some
	// creator has.
	for _, k := range c.keys {
		e.str(k)
	}
	for i, f := range c.fields {
		if f.Kind != index.Keyword {
			for _, v := range c.nums[i][:nrows] {
				e.u64(math.Float64bits(v))
			}
			continue
		}
		d := c.dicts[i]
		remap := make([]uint32, len(d.vals))
		var vals []string
		for code := 1; code < len(d.vals); code++ {
			if d.n[code] > 0 {
				vals = append(vals, d.vals[code])
				remap[code] = uint32(len(vals))
			}
		}
		e.uint(uint64(len(vals)))
		for _, v := range vals {
			e.str(v)
		}
		for _, code := range c.codes[i][:nrows] {
			e.uint(uint64(remap[code]))
		}
	}
	// Postings: the document of each row (numbers as they are, so that
	// the lists need no renumbering), then each word with a live document,
	// in order, and its lists, without dead documents.
	ce := e
	e = &snapWriter{w: &post}
	words := t.inOrder()
	e.uint(uint64(len(words))) // at most as many words follow
	e.uint(uint64(len(t.rowOf)))
	for _, id := range t.rowOf {
		e.uint(uint64(id))
	}
	e.uint(uint64(t.dead))
	var lists [nPlaces]*roaring.Bitmap
	for _, id := range words {
		n := 0
		for c := range nPlaces {
			lists[c] = t.lists[id][c]
			if lists[c] != nil && t.dead > 0 {
				lists[c] = roaring.And(lists[c], t.live)
			}
			if lists[c] != nil && lists[c].IsEmpty() {
				lists[c] = nil
			}
			if lists[c] != nil {
				n++
			}
		}
		if n == 0 {
			continue
		}
		e.str(t.words[id])
		mask := 0
		for c := range nPlaces {
			if lists[c] != nil {
				mask |= 1 << c
			}
		}
		e.uint(uint64(mask))
		for c := range nPlaces {
			if lists[c] != nil {
				e.bitmap(lists[c])
			}
		}
	}
	e.str("") // no word is empty: the end of the words
	if err := errors.Join(ce.err, e.err); err != nil {
		return -1, err
	}
	out := &snapWriter{w: w}
	out.str(snapshotMagic)
	out.uint(snapshotVersion)
	out.fields(x.fields)
	out.int(x.gen)
	out.uint(uint64(nrows))
	out.bytes(cols.Bytes())
	out.bytes(post.Bytes())
	out.str(snapshotMagic)
	return x.gen, out.err
}

// readSnapshot replaces x's contents (x.mu locked, x reset) with the
// snapshot data and sets x.gen to its generation. The columns and the
// postings are parsed at once, on two goroutines.
func (x *Index) readSnapshot(data []byte) (err error) {
	defer func() {
		if err != nil {
			x.reset()
			x.gen = -1
			err = fmt.Errorf("%w: %w", ErrSnapshot, err)
		}
	}()
	d := &snapReader{b: data}
	if d.str() != snapshotMagic || d.uint() != snapshotVersion {
		return errors.New("not a snapshot of this version")
	}
	if !d.sameFields(x.fields) {
		return errors.New("taken with other fields")
	}
	gen := d.int()
	nrows := d.uint()
	cols, post := d.bytes(), d.bytes()
	if d.str() != snapshotMagic || d.err != nil || len(d.b) != 0 || nrows > uint64(len(cols)) {
		return errCut
	}
	var colErr, postErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		colErr = x.readColumns(&snapReader{b: cols}, int(nrows))
	}()
	postErr = x.readPostings(&snapReader{b: post}, int(nrows))
	<-done
	if err := errors.Join(colErr, postErr); err != nil {
		return err
	}
	c, t := &x.cols, x.text
	for id := 1; id < int(nrows); id++ {
		if (t.docOf[id] != 0) != (c.keys[id] != "") {
			return errors.New("rows and documents differ")
		}
	}
	x.bits.markAll(c, t.docOf)
	x.gen = gen
	return nil
}

// readColumns reads the columns section of a snapshot into x.cols.
func (x *Index) readColumns(d *snapReader, nrows int) error {
	c := &x.cols
	c.keys = make([]string, nrows)
	c.live = 0
	for id := range c.keys {
		c.keys[id] = d.str()
		if c.keys[id] != "" {
			c.live++
		}
	}
	for i, f := range c.fields {
		if f.Kind != index.Keyword {
			nums := make([]float64, nrows)
			for id := range nums {
				nums[id] = math.Float64frombits(d.u64())
			}
			c.nums[i] = nums
			continue
		}
		dict := c.dicts[i]
		nvals := int(d.uint())
		if d.err != nil || nvals > len(d.b) {
			return errCut
		}
		for range nvals {
			v := d.str()
			dict.codes[foldASCII(v)] = uint32(len(dict.vals))
			dict.vals = append(dict.vals, v)
			dict.n = append(dict.n, 0)
		}
		codes := make([]uint32, nrows)
		for id := range codes {
			code := d.uint()
			if code > uint64(nvals) {
				return errors.New("a keyword code out of range")
			}
			codes[id] = uint32(code)
			if code != 0 {
				dict.n[code]++
			}
		}
		c.codes[i] = codes
	}
	if d.err != nil || len(d.b) != 0 {
		return errCut
	}
	return nil
}

// readPostings reads the postings section of a snapshot into x.text.
func (x *Index) readPostings(d *snapReader, nrows int) error {
	t := x.text
	nwords := d.uint()
	ndocs := d.uint()
	if d.err != nil || ndocs > uint64(len(d.b)) || ndocs < 1 || nwords > uint64(len(d.b)) {
		return errCut
	}
	t.rowOf = make([]int64, ndocs)
	t.docOf = make([]uint32, nrows)
	live := make([]uint32, 0, ndocs)
	for doc := range t.rowOf {
		id := d.uint()
		if id >= uint64(nrows) || id != 0 && t.docOf[id] != 0 {
			return errors.New("a document of no row")
		}
		t.rowOf[doc] = int64(id)
		if id != 0 {
			t.docOf[id] = uint32(doc)
			live = append(live, uint32(doc))
		}
	}
	t.live.AddMany(live)
	t.dead = int(d.uint())
	t.ids = make(map[string]uint32, nwords)
	t.words = make([]string, 0, nwords)
	t.lists = make([][nPlaces]*roaring.Bitmap, 0, nwords)
	t.pend = make([][nPlaces][]uint32, 0, nwords)
	t.sorted = make([]uint32, 0, nwords)
	prev := ""
	for {
		w := d.str()
		if w == "" || d.err != nil {
			break
		}
		if w <= prev {
			return errors.New("words out of order")
		}
		prev = w
		id := uint32(len(t.words))
		t.ids[w] = id
		t.words = append(t.words, w)
		t.pend = append(t.pend, [nPlaces][]uint32{})
		t.sorted = append(t.sorted, id) // written in order
		var lists [nPlaces]*roaring.Bitmap
		mask := d.uint()
		for c := range nPlaces {
			if mask&(1<<c) != 0 {
				lists[c] = d.bitmap()
			}
		}
		t.lists = append(t.lists, lists)
	}
	if d.err != nil || len(d.b) != 0 {
		return errCut
	}
	return nil
}

// snapWriter writes a snapshot's parts, keeping the first error.
type snapWriter struct {
	w   io.Writer
	buf []byte
	err error
}

func (e *snapWriter) flush(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *snapWriter) uint(v uint64) {
	e.buf = binary.AppendUvarint(e.buf[:0], v)
	e.flush(e.buf)
}

func (e *snapWriter) int(v int64) {
	e.buf = binary.AppendVarint(e.buf[:0], v)
	e.flush(e.buf)
}

func (e *snapWriter) u64(v uint64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf[:0], v)
	e.flush(e.buf)
}

func (e *snapWriter) str(s string) {
	e.buf = binary.AppendUvarint(e.buf[:0], uint64(len(s)))
	e.buf = append(e.buf, s...)
	e.flush(e.buf)
}

// bytes writes b as str would, without copying it into e's buffer (the
// snapshot's two sections are most of its size).
func (e *snapWriter) bytes(b []byte) {
	e.uint(uint64(len(b)))
	e.flush(b)
}

func (e *snapWriter) bitmap(b *roaring.Bitmap) {
	if e.err != nil {
		return
	}
	e.uint(b.GetSerializedSizeInBytes())
	if e.err == nil {
		_, e.err = b.WriteTo(e.w)
	}
}

func (e *snapWriter) fields(fs []index.Field) {
	e.uint(uint64(len(fs)))
	for _, f := range fs {
		e.str(f.Name)
		e.uint(uint64(f.Kind))
		e.uint(boolBit(f.Facet))
	}
}

func boolBit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// snapReader reads a snapshot's parts, keeping the first error (and zero
// values after it).
type snapReader struct {
	b   []byte
	err error
}

var errCut = errors.New("cut short")

func (d *snapReader) uint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCut
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *snapReader) int() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCut
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *snapReader) u64() uint64 {
	if d.err != nil || len(d.b) < 8 {
		d.err = errCut
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *snapReader) bytes() []byte {
	n := d.uint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.err = errCut
		return nil
	}
	b := d.b[:n]
	d.b = d.b[n:]
	return b
}

func (d *snapReader) str() string { return string(d.bytes()) }

func (d *snapReader) bitmap() *roaring.Bitmap {
	b := d.bytes()
	bm := roaring.New()
	if d.err != nil {
		return bm
	}
	if _, err := bm.ReadFrom(bytes.NewReader(b)); err != nil {
		d.err = err
	}
	return bm
}

func (d *snapReader) sameFields(fs []index.Field) bool {
	if d.uint() != uint64(len(fs)) {
		return false
	}
	for _, f := range fs {
		if d.str() != f.Name || d.uint() != uint64(f.Kind) || d.uint() != boolBit(f.Facet) {
			return false
		}
	}
	return d.err == nil
}

// inOrder returns the word ids in the order of their words, the fresh ones
// (not yet settled) merged in, without changing t.
func (t *postings) inOrder() []uint32 {
	if len(t.fresh) == 0 {
		return t.sorted
	}
	fresh := slices.Clone(t.fresh)
	byWord := func(a, b uint32) int { return strings.Compare(t.words[a], t.words[b]) }
	slices.SortFunc(fresh, byWord)
	out := make([]uint32, 0, len(t.sorted)+len(fresh))
	i, j := 0, 0
	for i < len(t.sorted) && j < len(fresh) {
		if byWord(t.sorted[i], fresh[j]) <= 0 {
			out = append(out, t.sorted[i])
			i++
		} else {
			out = append(out, fresh[j])
			j++
		}
	}
	out = append(out, t.sorted[i:]...)
	return append(out, fresh[j:]...)
}
