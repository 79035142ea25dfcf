package sqlite

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	"golang.org/x/text/unicode/norm"
)

// The text index. Every creator's words are kept in memory, beside the
// column copy (columns.go) and refreshed with it: for each word, which
// creators have it in their name or handle, in their bio, or in their
// posts, as compressed bitmaps (roaring, as Meilisearch keeps its word
// lists). A query's words are matched by intersecting bitmaps, which takes
// microseconds where reading FTS5's lists of a common word in a million
// creators took tens of milliseconds.
//
// Bitmaps hold document numbers, not row ids: a creator written again gets
// a new number and its old one leaves the live set, so no word list ever
// has to be edited. When dead numbers outnumber live ones the copy is read
// afresh.
//
// SQLite keeps each creator's words (creators.words: name, handle, bio and
// the distinct words of the posts) to fill the index from.

// Word classes, in order of relevance.
const (
	className  = iota // display name or handle
	classBio          // bio
	classPosts        // posts
	nClasses
)

// Relevance is by attribute, as Meilisearch's attribute ranking rule
// orders: each word of the text counts by the best place it appears in.
var classWeight = [nClasses]int32{8, 3, 1}

// textIndex is the word index of the creators in the copy. It is guarded
// by the colCache's lock.
type textIndex struct {
	ids   map[string]uint32           // word -> word id
	words []string                    // word id -> word
	lists [][nClasses]*roaring.Bitmap // word id -> document numbers by class; nil when none
	// pend holds document numbers not yet added to lists (adding them
	// many at a time, in order, is several times faster); dirty lists the
	// words that have some. flush adds them.
	pend   [][nClasses][]uint32
	dirty  []uint32
	sorted []uint32        // word ids in order of their words, for prefixes
	fresh  []uint32        // word ids not yet in sorted
	live   *roaring.Bitmap // document numbers of creators in the copy
	docOf  []uint32        // row id -> document number (0: none)
	rowOf  []int64         // document number -> row id (0: dead)
}

func newTextIndex() *textIndex {
	t := &textIndex{}
	t.reset()
	return t
}

func (t *textIndex) reset() {
	t.ids = map[string]uint32{}
	t.words, t.lists, t.sorted, t.fresh = nil, nil, nil, nil
	t.pend, t.dirty = nil, nil
	t.live = roaring.New()
	t.docOf = t.docOf[:0]
	t.rowOf = append(t.rowOf[:0], 0) // number 0 is never used
}

// minDead is how many dead document numbers there must be before the index
// is read afresh (a variable for tests).
var minDead = 100_000

// needsRebuild reports whether dead document numbers outnumber live ones
// by enough to read everything afresh.
func (t *textIndex) needsRebuild() bool {
	dead := len(t.rowOf) - 1 - int(t.live.GetCardinality())
	return dead > minDead && dead > int(t.live.GetCardinality())
}

// remove drops row id.
func (t *textIndex) remove(id int64) {
	if id < int64(len(t.docOf)) {
		if d := t.docOf[id]; d != 0 {
			t.live.Remove(d)
			t.rowOf[d] = 0
			t.docOf[id] = 0
		}
	}
}

// add indexes row id with its stored words (see packText), replacing what
// it had.
func (t *textIndex) add(id int64, packed []byte) error {
	parts, err := unpackText(packed)
	if err != nil {
		return err
	}
	t.remove(id)
	if id >= int64(len(t.docOf)) {
		t.docOf = growTo(t.docOf, int(id)+1, 0)
	}
	d := uint32(len(t.rowOf))
	t.rowOf = append(t.rowOf, id)
	t.docOf[id] = d
	t.live.Add(d)
	for i, part := range parts {
		class := className
		switch i {
		case 2:
			class = classBio
		case 3:
			class = classPosts
		}
		eachWord(part, func(w string) {
			id := t.word(w)
			p := &t.pend[id][class]
			if n := len(*p); n > 0 && (*p)[n-1] == d {
				return
			}
			if len(t.pend[id][0])+len(t.pend[id][1])+len(t.pend[id][2]) == 0 {
				t.dirty = append(t.dirty, id)
			}
			*p = append(*p, d)
			if len(*p) >= 4096 {
				t.addMany(id, class, *p)
				*p = (*p)[:0]
			}
		})
	}
	return nil
}

// word returns the id of w, adding it.
func (t *textIndex) word(w string) uint32 {
	if id, ok := t.ids[w]; ok {
		return id
	}
	w = strings.Clone(w)
	id := uint32(len(t.words))
	t.ids[w] = id
	t.words = append(t.words, w)
	t.lists = append(t.lists, [nClasses]*roaring.Bitmap{})
	t.pend = append(t.pend, [nClasses][]uint32{})
	t.fresh = append(t.fresh, id)
	return id
}

func (t *textIndex) addMany(id uint32, class int, docs []uint32) {
	if t.lists[id][class] == nil {
		t.lists[id][class] = roaring.New()
	}
	t.lists[id][class].AddMany(docs)
}

// flush adds the pending document numbers to the word lists.
func (t *textIndex) flush() {
	for _, id := range t.dirty {
		for c := range nClasses {
			if p := t.pend[id][c]; len(p) > 0 {
				t.addMany(id, c, p)
			}
			t.pend[id][c] = nil
		}
	}
	t.dirty = t.dirty[:0]
}

// settle merges the fresh words into the sorted ones once there are many.
func (t *textIndex) settle(force bool) {
	if len(t.fresh) == 0 || !force && len(t.fresh) < 4096 {
		return
	}
	byWord := func(a, b uint32) int { return strings.Compare(t.words[a], t.words[b]) }
	slices.SortFunc(t.fresh, byWord)
	merged := make([]uint32, 0, len(t.sorted)+len(t.fresh))
	i, j := 0, 0
	for i < len(t.sorted) && j < len(t.fresh) {
		if byWord(t.sorted[i], t.fresh[j]) <= 0 {
			merged = append(merged, t.sorted[i])
			i++
		} else {
			merged = append(merged, t.fresh[j])
			j++
		}
	}
	merged = append(merged, t.sorted[i:]...)
	t.sorted = append(merged, t.fresh[j:]...)
	t.fresh = t.fresh[:0]
}

// withPrefix returns the ids of the words starting with p.
func (t *textIndex) withPrefix(p string) []uint32 {
	var out []uint32
	i, _ := slices.BinarySearchFunc(t.sorted, p, func(id uint32, p string) int { return strings.Compare(t.words[id], p) })
	for ; i < len(t.sorted) && strings.HasPrefix(t.words[t.sorted[i]], p); i++ {
		out = append(out, t.sorted[i])
	}
	for _, id := range t.fresh {
		if strings.HasPrefix(t.words[id], p) {
			out = append(out, id)
		}
	}
	return out
}

// textMatches are the creators matching a query's text: their document
// numbers in increasing order, and when ranked the weight of the best
// places their words appear in (higher is better).
type textMatches struct {
	docs  []uint32
	score []int32
}

// match finds the creators having every word of words (folded), the last
// also as a prefix of a word.
func (t *textIndex) match(words []string, ranked bool) *textMatches {
	type found struct{ name, bio *roaring.Bitmap }
	var per []found
	var docs *roaring.Bitmap
	for i, w := range words {
		var ids []uint32
		if i == len(words)-1 {
			ids = t.withPrefix(w)
		} else if id, ok := t.ids[w]; ok {
			ids = []uint32{id}
		}
		if len(ids) == 0 {
			return &textMatches{}
		}
		var byClass [nClasses][]*roaring.Bitmap
		var all []*roaring.Bitmap
		for _, id := range ids {
			for c := range nClasses {
				if l := t.lists[id][c]; l != nil {
					byClass[c] = append(byClass[c], l)
					all = append(all, l)
				}
			}
		}
		anyPlace := roaring.FastOr(all...)
		if docs == nil {
			docs = anyPlace
			docs.And(t.live)
		} else {
			docs.And(anyPlace)
		}
		if docs.IsEmpty() {
			return &textMatches{}
		}
		if ranked {
			per = append(per, found{roaring.FastOr(byClass[className]...), roaring.FastOr(byClass[classBio]...)})
		}
	}
	m := &textMatches{docs: docs.ToArray()}
	if !ranked {
		return m
	}
	m.score = make([]int32, len(m.docs))
	// Both lists are in increasing order.
	add := func(in []uint32, w int32) {
		i := 0
		for _, d := range in {
			for m.docs[i] < d {
				i++
			}
			m.score[i] += w
		}
	}
	for _, f := range per {
		name := roaring.And(f.name, docs)
		bio := roaring.And(f.bio, docs)
		bio.AndNot(name)
		add(name.ToArray(), classWeight[className]-classWeight[classPosts])
		add(bio.ToArray(), classWeight[classBio]-classWeight[classPosts])
	}
	return m
}

// bytes is about how much memory the index takes.
func (t *textIndex) bytes() int {
	n := cap(t.docOf)*4 + cap(t.rowOf)*8 + int(t.live.GetSizeInBytes()) + (cap(t.sorted)+cap(t.fresh))*4
	for i, w := range t.words {
		n += 2*len(w) + 64 + 3*8
		for _, l := range t.lists[i] {
			if l != nil {
				n += 48 + int(l.GetSizeInBytes())
			}
		}
	}
	return n
}

// eachWord calls fn with each word of text, folded: split as isWordRune
// splits, lower-cased, diacritics removed. Words that fold to nothing are
// skipped.
func eachWord(text string, fn func(w string)) {
	start := -1
	var buf []byte
	flush := func(end int) {
		w := text[start:end]
		start = -1
		lower, ascii := true, true
		for i := 0; i < len(w); i++ {
			switch c := w[i]; {
			case c >= utf8.RuneSelf:
				ascii = false
			case c >= 'A' && c <= 'Z':
				lower = false
			}
		}
		switch {
		case ascii && lower:
			fn(w)
			return
		case ascii:
			buf = append(buf[:0], w...)
			for i, c := range buf {
				if c >= 'A' && c <= 'Z' {
					buf[i] = c + 'a' - 'A'
				}
			}
		default:
			buf = foldWord(buf[:0], w)
		}
		if len(buf) > 0 {
			fn(string(buf))
		}
	}
	for i, r := range text {
		if wordRune(r) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			flush(i)
		}
	}
	if start >= 0 {
		flush(len(text))
	}
}

// wordRune is isWordRune, with a table for ASCII.
func wordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiFold[r] != 0
	}
	return isWordRune(r)
}

// foldWord appends w lower-cased and without diacritics (decomposed, its
// combining marks dropped) to dst.
func foldWord(dst []byte, w string) []byte {
	for _, r := range norm.NFD.String(w) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}

// queryWords returns the folded words of a query's text, at most
// maxTextWords.
func queryWords(text string) []string {
	var out []string
	eachWord(text, func(w string) {
		if len(out) < maxTextWords {
			out = append(out, strings.Clone(w))
		}
	})
	return out
}

// packText is the stored form of a creator's words: name, handle, bio and
// posts, each length-prefixed. (Up to schema version 7 they were also
// compressed; see migration 8. Compressing saved a fifth of their bytes for
// more CPU than those bytes cost to write.)
func packText(name, handle, bio, posts string) []byte {
	return appendText(nil, name, handle, bio, posts)
}

// appendText appends the stored form of a creator's words (packText) to
// dst.
func appendText[T string | []byte](dst []byte, name, handle, bio string, posts T) []byte {
	for _, p := range [...]string{name, handle, bio} {
		dst = binary.AppendUvarint(dst, uint64(len(p)))
		dst = append(dst, p...)
	}
	dst = binary.AppendUvarint(dst, uint64(len(posts)))
	return append(dst, posts...)
}

// unpackText returns the four parts packText stored; nothing stored (a
// creator whose words were never written) is no words.
func unpackText(packed []byte) ([4]string, error) {
	var parts [4]string
	if len(packed) == 0 {
		return parts, nil
	}
	raw := packed // what is left to read
	for i := range parts {
		n, k := binary.Uvarint(raw)
		if k <= 0 || uint64(len(raw)-k) < n {
			return parts, fmt.Errorf("reading words: part %d is cut short", i)
		}
		parts[i] = string(raw[k : k+int(n)])
		raw = raw[k+int(n):]
	}
	if len(raw) > 0 {
		return parts, fmt.Errorf("reading words: %d bytes after the last part", len(raw))
	}
	return parts, nil
}
