package sqlite

import "github.com/creatorscout/scout/index"

// Prepared is what prepare produced for one write, for tests and
// benchmarks outside the package.
type Prepared struct {
	Summary, Doc, Snap []byte
	Text               string
}

// PrepareForTest runs the store's prepare on w: the encoding a write goes
// through before the writer stores it.
func PrepareForTest(s *Store, w index.Write) (Prepared, error) {
	p, err := s.prepare(w)
	if err != nil {
		return Prepared{}, err
	}
	return Prepared{Summary: p.summary, Doc: p.doc, Snap: p.snap, Text: p.text}, nil
}

// ColumnCopyBytes is about how much memory s's column copy takes.
func ColumnCopyBytes(s *Store) int { return s.cols.bytes() }
