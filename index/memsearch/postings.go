package memsearch

import (
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
)

// Postings: for each word, which creators have it in their name or handle,
// in their bio, or in their posts, as compressed bitmaps (roaring, as
// Meilisearch keeps its word lists). A query's words are matched by
// intersecting bitmaps, which takes microseconds where reading FTS5's
// lists of a common word in a million creators took tens of milliseconds.
//
// Bitmaps hold document numbers, not row ids: a row set again gets a new
// number and its old one leaves the live set, so no word list ever has to
// be edited. When dead numbers outnumber live ones the whole index is
// loaded afresh.

// Places a word can be in, in order of relevance.
const (
	placeName  = iota // display name or handle
	placeBio          // bio
	placePosts        // posts
	nPlaces
)

// placeWeight is the relevance of each place. Relevance is by attribute,
// as Meilisearch's attribute ranking rule orders: each word of the text
// counts by the best place it appears in.
var placeWeight = [nPlaces]int32{8, 3, 1}

// postings is the word index of the rows of an Index.
type postings struct {
	ids   map[string]uint32          // word -> word id
	words []string                   // word id -> word
	lists [][nPlaces]*roaring.Bitmap // word id -> document numbers by place; nil when none
	// pend holds document numbers not yet added to lists (adding them
	// many at a time, in order, is several times faster); dirty lists the
	// words that have some. flush adds them.
	pend   [][nPlaces][]uint32
	dirty  []uint32
	sorted []uint32        // word ids in order of their words, for prefixes
	fresh  []uint32        // word ids not yet in sorted
	live   *roaring.Bitmap // document numbers of the rows in the index
	docOf  []uint32        // row id -> document number (0: none)
	rowOf  []int64         // document number -> row id (0: none)
	dead   int             // document numbers no longer live
}

func newPostings() *postings {
	t := &postings{}
	t.reset()
	return t
}

func (t *postings) reset() {
	t.ids = map[string]uint32{}
	t.words, t.lists, t.sorted, t.fresh = nil, nil, nil, nil
	t.pend, t.dirty = nil, nil
	t.live = roaring.New()
	t.docOf = t.docOf[:0]
	t.rowOf = append(t.rowOf[:0], 0) // number 0 is never used
	t.dead = 0
}

// minDead is how many dead document numbers there must be before the index
// is loaded afresh (a variable for tests).
var minDead = 100_000

// needsReload reports whether dead document numbers outnumber live ones
// by enough to load everything afresh.
func (t *postings) needsReload() bool {
	live := int(t.live.GetCardinality())
	return t.dead > minDead && t.dead > live
}

// remove drops row id.
func (t *postings) remove(id int64) {
	if id < int64(len(t.docOf)) {
		if d := t.docOf[id]; d != 0 {
			t.live.Remove(d)
			t.rowOf[d] = 0
			t.docOf[id] = 0
			t.dead++
		}
	}
}

// newDoc gives row id a new document number, dropping the one it had.
func (t *postings) newDoc(id int64) uint32 {
	t.remove(id)
	if id >= int64(len(t.docOf)) {
		t.docOf = growTo(t.docOf, int(id)+1, 0)
	}
	d := uint32(len(t.rowOf))
	t.rowOf = append(t.rowOf, id)
	t.docOf[id] = d
	t.live.Add(d)
	return d
}

// add indexes row id with its text, replacing what it had.
func (t *postings) add(id int64, text *Text) {
	d := t.newDoc(id)
	for _, part := range [...]struct {
		text  string
		place int
	}{{text.Name, placeName}, {text.Handle, placeName}, {text.Bio, placeBio}, {text.Posts, placePosts}} {
		place := part.place
		Words(part.text, func(w string) {
			id := t.word(w)
			p := &t.pend[id][place]
			if n := len(*p); n > 0 && (*p)[n-1] == d {
				return
			}
			if len(t.pend[id][0])+len(t.pend[id][1])+len(t.pend[id][2]) == 0 {
				t.dirty = append(t.dirty, id)
			}
			*p = append(*p, d)
			if len(*p) >= 4096 {
				t.addMany(id, place, *p)
				*p = (*p)[:0]
			}
		})
	}
}

// word returns the id of w, adding it.
func (t *postings) word(w string) uint32 {
	if id, ok := t.ids[w]; ok {
		return id
	}
	w = cloneString(w)
	id := uint32(len(t.words))
	t.ids[w] = id
	t.words = append(t.words, w)
	t.lists = append(t.lists, [nPlaces]*roaring.Bitmap{})
	t.pend = append(t.pend, [nPlaces][]uint32{})
	t.fresh = append(t.fresh, id)
	return id
}

func (t *postings) addMany(id uint32, place int, docs []uint32) {
	if t.lists[id][place] == nil {
		t.lists[id][place] = roaring.New()
	}
	t.lists[id][place].AddMany(docs)
}

// flush adds the pending document numbers to the word lists.
func (t *postings) flush() {
	for _, id := range t.dirty {
		for c := range nPlaces {
			if p := t.pend[id][c]; len(p) > 0 {
				t.addMany(id, c, p)
			}
			t.pend[id][c] = nil
		}
	}
	t.dirty = t.dirty[:0]
}

// settle merges the fresh words into the sorted ones once there are many
// (always when force).
func (t *postings) settle(force bool) {
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
func (t *postings) withPrefix(p string) []uint32 {
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

// textMatches are the rows matching a query's text: their document
// numbers in increasing order, and when ranked the weight of the best
// places their words appear in (higher is better).
type textMatches struct {
	docs  []uint32
	score []int32
}

// intersect finds the rows having every word of words (folded), the last
// also as a prefix of a word, and, when within is not nil, in within, and
// in every one of narrow.
func (t *postings) intersect(words []string, ranked bool, within *roaring.Bitmap, narrow []*roaring.Bitmap) *textMatches {
	// found is where a word is among the matches: its lists by place.
	type found struct {
		name, bio []*roaring.Bitmap
	}
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
		var byPlace [nPlaces][]*roaring.Bitmap
		var all []*roaring.Bitmap
		for _, id := range ids {
			for c := range nPlaces {
				if l := t.lists[id][c]; l != nil {
					byPlace[c] = append(byPlace[c], l)
					all = append(all, l)
				}
			}
		}
		base := docs
		if base == nil {
			base = within
		}
		if base == nil && t.dead > 0 {
			base = t.live
		}
		if base == nil { // every document in a list is live
			docs = roaring.FastOr(all...)
			if ranked {
				per = append(per, found{name: byPlace[placeName], bio: byPlace[placeBio]})
			}
		} else {
			docs = restrict(base, all)
			if base == within && t.dead > 0 { // within may hold dead documents
				docs.And(t.live)
			}
			if ranked {
				// The places are told apart on the final matches, fewer.
				per = append(per, found{name: byPlace[placeName], bio: byPlace[placeBio]})
			}
		}
		if i == 0 {
			// The first word's matches are fewer than the range's (and
			// intersecting them costs little): the next words then
			// start from the narrowed set.
			for _, n := range narrow {
				docs.And(n)
			}
		}
		if docs.IsEmpty() {
			return &textMatches{}
		}
	}
	m := &textMatches{docs: docs.ToArray()}
	if !ranked {
		return m
	}
	m.score = make([]int32, len(m.docs))
	// Both lists are in increasing order; in may hold documents that are
	// not matches.
	add := func(in []uint32, w int32) {
		i := 0
		for _, d := range in {
			for i < len(m.docs) && m.docs[i] < d {
				i++
			}
			if i == len(m.docs) {
				return
			}
			if m.docs[i] == d {
				m.score[i] += w
			}
		}
	}
	for _, f := range per {
		name := restrict(docs, f.name)
		bio := restrict(docs, f.bio)
		bio.AndNot(name)
		add(name.ToArray(), placeWeight[placeName]-placeWeight[placePosts])
		add(bio.ToArray(), placeWeight[placeBio]-placeWeight[placePosts])
	}
	return m
}

// restrict returns the documents of set that are in any of lists. Taking
// each list's part of set first keeps from copying whole lists when set
// is far smaller than they are (roaring then gallops through them) or
// dense (bitmap containers, tested by position); else, and for many lists
// (a short prefix's words), the lists are joined first and the join
// intersected with set once: intersecting lists of thousands with a set
// of thousands one by one is a merge per list.
func restrict(set *roaring.Bitmap, lists []*roaring.Bitmap) *roaring.Bitmap {
	n := len(lists)
	switch {
	case n == 0:
		return roaring.New()
	case n == 1:
		return roaring.And(lists[0], set)
	}
	if n <= 6 {
		st := set.Stats()
		var total uint64
		for _, l := range lists {
			total += l.GetCardinality()
		}
		dense := st.BitmapContainers+st.RunContainers >= st.ArrayContainers
		if dense || st.Cardinality*32 < total/uint64(n) {
			parts := make([]*roaring.Bitmap, n)
			for i, l := range lists {
				parts[i] = roaring.And(l, set)
			}
			return roaring.FastOr(parts...)
		}
	}
	u := roaring.FastOr(lists...)
	u.And(set)
	return u
}

// bytes is about how much memory the postings take.
func (t *postings) bytes() int {
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

// cloneString is strings.Clone: a word kept in the index must not share
// the memory of the text it came from, which would keep that alive.
func cloneString(s string) string { return strings.Clone(s) }
