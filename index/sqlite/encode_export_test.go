package sqlite

import (
	"github.com/creatorscout/scout/index"
)

// Prepared is what prepare produced for one write, for tests and
// benchmarks outside the package.
type Prepared struct {
	Summary, Snap []byte
	Stored, Words []byte // as stored: compressed
}

// Doc is the record's JSON, decompressed from what is stored.
func (p Prepared) Doc() ([]byte, error) { return unpackDoc(p.Stored) }

// PrepareForTest runs the store's prepare on w: the encoding a write goes
// through before the writer stores it.
func PrepareForTest(s *Store, w index.Write) (Prepared, error) {
	p, err := s.prepare(w, false)
	if err != nil {
		return Prepared{}, err
	}
	return Prepared{Summary: p.summary, Snap: p.snap, Stored: p.stored, Words: p.words}, nil
}

// MemIndexBytes is about how much memory s's in-memory index takes.
func MemIndexBytes(s *Store) int { return s.mem.Bytes() }
