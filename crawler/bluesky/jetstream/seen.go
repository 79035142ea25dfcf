package jetstream

import (
	"sync"
	"time"

	"github.com/cespare/xxhash/v2"
)

// Marks of an account in the seen cache.
const (
	seenChecked byte = 1 // looked up: below the floor, or not to be tracked
	seenTracked byte = 2 // tracked (or refused: opted out), nothing more to do
)

// seen remembers which accounts were looked up recently, so that an
// account posting all day costs one lookup, not one per post. It holds two
// generations of at most capacity entries each, keyed by a 64-bit hash of
// the DID (about 20 bytes an entry); when the current one fills, the older
// is dropped. An entry older than ttl counts as unseen, so a small account
// is looked up again after ttl and can cross the follower floor. It is safe
// for concurrent use.
type seen struct {
	mu       sync.Mutex
	cur, old map[uint64]seenEntry
	capacity int
	ttl      time.Duration
}

type seenEntry struct {
	at   int64 // unix seconds
	mark byte
}

func newSeen(capacity int, ttl time.Duration) *seen {
	return &seen{cur: make(map[uint64]seenEntry), old: map[uint64]seenEntry{}, capacity: capacity, ttl: ttl}
}

// get returns the mark of did, 0 when unseen or expired at now.
func (s *seen) get(did string, now time.Time) byte {
	h := xxhash.Sum64String(did)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.cur[h]
	if !ok {
		e, ok = s.old[h]
	}
	if !ok || now.Unix()-e.at >= int64(s.ttl/time.Second) {
		return 0
	}
	return e.mark
}

// set marks did at now.
func (s *seen) set(did string, mark byte, now time.Time) {
	h := xxhash.Sum64String(did)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cur) >= s.capacity {
		s.old, s.cur = s.cur, make(map[uint64]seenEntry, s.capacity/4)
	}
	s.cur[h] = seenEntry{at: now.Unix(), mark: mark}
}

// forget drops did.
func (s *seen) forget(did string) {
	h := xxhash.Sum64String(did)
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.cur, h)
	delete(s.old, h)
}
