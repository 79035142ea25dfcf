package scoring

import (
	"hash/maphash"
	"math/bits"
)

// strIndex numbers distinct strings in order of first appearance: an
// open-addressing table sized up front for at most n keys, cheaper than a
// map[string]int32 for the per-comment loops and reusable without
// reallocating.
type strIndex struct {
	keys  []string
	slots []int32 // 1 + index into keys, 0 for empty
	mask  uint64
}

// reset empties the table and sizes it for at most n keys.
func (t *strIndex) reset(n int) {
	size := 16
	if n > 8 {
		size = 1 << bits.Len(uint(2*n-1))
	}
	if cap(t.slots) < size {
		t.slots = make([]int32, size)
	} else {
		t.slots = t.slots[:size]
		clear(t.slots)
	}
	t.mask = uint64(size - 1)
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
	size := 16
	if n > 8 {
		size = 1 << bits.Len(uint(2*n-1))
	}
	if cap(t.slots) < size {
		t.slots = make([]int32, size)
	} else {
		t.slots = t.slots[:size]
		clear(t.slots)
	}
	t.mask = uint64(size - 1)
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

// lexTable is a read-only open-addressing index of a Taxonomy's lexicon,
// built once with the taxonomy: looking a token up costs one hash and
// usually one probe of one slot, cheaper than the map it mirrors.
type lexTable struct {
	slots []lexSlot
	mask  uint64
}

type lexSlot struct {
	h   uint64
	key string
	val *lexEntry // nil for an empty slot
}

func newLexTable(lex map[string]*lexEntry) *lexTable {
	size := 16
	for size < 2*len(lex) {
		size *= 2
	}
	t := &lexTable{slots: make([]lexSlot, size), mask: uint64(size - 1)}
	for k, v := range lex {
		h := strHash(k)
		j := h & t.mask
		for t.slots[j].val != nil {
			j = (j + 1) & t.mask
		}
		t.slots[j] = lexSlot{h, k, v}
	}
	return t
}

// get returns the entry of key, or nil.
func (t *lexTable) get(key []byte) *lexEntry {
	h := strHash(key)
	for j := h & t.mask; ; j = (j + 1) & t.mask {
		sl := &t.slots[j]
		if sl.val == nil {
			return nil
		}
		if sl.h == h && sl.key == string(key) {
			return sl.val
		}
	}
}
