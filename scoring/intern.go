package scoring

import (
	"hash/maphash"
	"math/bits"
)

// strIndex numbers distinct strings in order of first appearance: an
// open-addressing table sized up front for at most n keys, reusable without
// reallocating. The tables of this file stand in for Go maps because maps
// make whole-profile scoring markedly slower (BenchmarkScoreProfile and
// BenchmarkScoreParts run side by side against map-backed versions: the
// per-profile reset of a map and its hashing dominate the comment and
// niche loops).
type strIndex struct {
	keys  []string
	slots []int32 // 1 + index into keys, 0 for empty
	mask  uint64
}

// reset empties the table and sizes it for at most n keys.
func (t *strIndex) reset(n int) {
	t.slots, t.mask = emptySlots(t.slots, n)
	clear(t.keys)
	t.keys = t.keys[:0]
}

// release drops the references to the keys.
func (t *strIndex) release() {
	clear(t.keys)
	t.keys = t.keys[:0]
}

func (t *strIndex) len() int { return len(t.keys) }

// index returns the number of s, adding it if new.
func (t *strIndex) index(s string) (i int32, added bool) {
	h := strHash(s)
	for j := h & t.mask; ; j = (j + 1) & t.mask {
		v := t.slots[j]
		if v == 0 {
			t.keys = append(t.keys, s)
			t.slots[j] = int32(len(t.keys))
			return int32(len(t.keys) - 1), true
		}
		if t.keys[v-1] == s {
			return v - 1, false
		}
	}
}

// lookup returns the number of s, or -1.
func (t *strIndex) lookup(s string) int32 {
	h := strHash(s)
	for j := h & t.mask; ; j = (j + 1) & t.mask {
		v := t.slots[j]
		if v == 0 {
			return -1
		}
		if t.keys[v-1] == s {
			return v - 1
		}
	}
}

var internSeed = maphash.MakeSeed()

// strSeed randomises strHash per process.
var strSeed = maphash.Comparable(internSeed, 0) | 1

// strHash is a seeded FNV-1a hash with a final mix: cheaper than maphash
// for the short ids and words the tables hold. It is not collision
// resistant, which the tables only need for speed, not for correctness.
func strHash[T string | []byte](s T) uint64 {
	h := uint64(14695981039346656037) ^ strSeed
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h ^= h >> 32
	h *= 0x9E3779B97F4A7C15
	h ^= h >> 29
	return h
}

// hashIndex numbers distinct 64-bit hashes in order of first appearance,
// like strIndex.
type hashIndex struct {
	keys  []uint64
	slots []int32
	mask  uint64
}

func (t *hashIndex) reset(n int) {
	t.slots, t.mask = emptySlots(t.slots, n)
	t.keys = t.keys[:0]
}

func (t *hashIndex) index(h uint64) (i int32, added bool) {
	for j := (h ^ h>>29) & t.mask; ; j = (j + 1) & t.mask {
		v := t.slots[j]
		if v == 0 {
			t.keys = append(t.keys, h)
			t.slots[j] = int32(len(t.keys))
			return int32(len(t.keys) - 1), true
		}
		if t.keys[v-1] == h {
			return v - 1, false
		}
	}
}

// wordHash is a quick hash of a short word or phrase from its length and its
// first and last eight bytes (fewer for short keys): a few instructions
// instead of one multiply per byte. Keys that differ only in the middle of
// a long phrase collide, which costs a probe, never a wrong answer.
func wordHash[T string | []byte](w T) uint64 {
	n := len(w)
	var a, b uint64
	switch {
	case n >= 8:
		a, b = load64(w, 0), load64(w, n-8)
	case n >= 4:
		a, b = load32(w, 0), load32(w, n-4)
	default:
		for i := 0; i < n; i++ {
			a = a<<8 | uint64(w[i])
		}
	}
	h := (a ^ bits.RotateLeft64(b, 29) ^ uint64(n)<<58 ^ strSeed) * 0x9E3779B97F4A7C15
	return h ^ h>>29
}

func load64[T string | []byte](w T, i int) uint64 {
	_ = w[i+7]
	return uint64(w[i]) | uint64(w[i+1])<<8 | uint64(w[i+2])<<16 | uint64(w[i+3])<<24 |
		uint64(w[i+4])<<32 | uint64(w[i+5])<<40 | uint64(w[i+6])<<48 | uint64(w[i+7])<<56
}

func load32[T string | []byte](w T, i int) uint64 {
	_ = w[i+3]
	return uint64(w[i]) | uint64(w[i+1])<<8 | uint64(w[i+2])<<16 | uint64(w[i+3])<<24
}

// lexTable is a read-only open-addressing index of a Taxonomy's lexicon,
// built once with the taxonomy: looking a token up costs one hash and
// usually one probe of one slot, cheaper than the map it mirrors.
//
// It holds no pointers but the headers of its four arrays, so the GC does
// not walk the lexicon.
type lexTable struct {
	slots []lexSlot
	keys  []byte    // the keys, end to end
	ents  []lexInfo // the entries, by slot.ent-1
	terms []int32   // the entries' term ids, end to end
	mask  uint64
}

type lexSlot struct {
	h      uint64
	keyOff uint32
	keyLen uint32
	ent    uint32 // 1 + index into ents, 0 for an empty slot
}

// lexInfo is a lexEntry with its terms in lexTable.terms.
type lexInfo struct {
	termOff, termLen uint32
	flags            cueFlags
	prefix           bool
}

func newLexTable(lex map[string]*lexEntry) *lexTable {
	size := 16
	for size < 2*len(lex) {
		size *= 2
	}
	t := &lexTable{slots: make([]lexSlot, size), mask: uint64(size - 1)}
	for k, v := range lex {
		t.ents = append(t.ents, lexInfo{termOff: uint32(len(t.terms)), termLen: uint32(len(v.terms)), flags: v.flags, prefix: v.prefix})
		t.terms = append(t.terms, v.terms...)
		h := wordHash(k)
		j := h & t.mask
		for t.slots[j].ent != 0 {
			j = (j + 1) & t.mask
		}
		t.slots[j] = lexSlot{h: h, keyOff: uint32(len(t.keys)), keyLen: uint32(len(k)), ent: uint32(len(t.ents))}
		t.keys = append(t.keys, k...)
	}
	return t
}

// get returns the entry of key, or nil.
func (t *lexTable) get(key []byte) *lexInfo {
	h := wordHash(key)
	for j := h & t.mask; ; j = (j + 1) & t.mask {
		sl := &t.slots[j]
		if sl.ent == 0 {
			return nil
		}
		if sl.h == h && int(sl.keyLen) == len(key) && string(t.keys[sl.keyOff:sl.keyOff+uint32(sl.keyLen)]) == string(key) {
			return &t.ents[sl.ent-1]
		}
	}
}

// termsOf returns the term ids of e.
func (t *lexTable) termsOf(e *lexInfo) []int32 { return t.terms[e.termOff : e.termOff+e.termLen] }

// emptySlots returns a cleared open-addressing slot table for at most n
// keys (a power of two at least twice n, 16 at the least), reusing slots'
// storage when it is large enough, and the mask for indexing it.
func emptySlots(slots []int32, n int) ([]int32, uint64) {
	size := 16
	if n > 8 {
		size = 1 << bits.Len(uint(2*n-1))
	}
	if cap(slots) < size {
		slots = make([]int32, size)
	} else {
		slots = slots[:size]
		clear(slots)
	}
	return slots, uint64(size - 1)
}
