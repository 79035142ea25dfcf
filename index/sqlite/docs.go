package sqlite

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/klauspost/compress/s2"

	"github.com/creatorscout/scout/creator"
)

// Stored documents. A creator's record is stored compressed with S2 (a
// Snappy extension: about 1 GB/s each way on one core), behind a one-byte
// mark, which makes it about a third of its JSON: the file is smaller and
// a write copies fewer pages into the write-ahead log. Documents stored
// before as plain JSON (which starts with '{') are read as they are.

const docS2 = 0x01 // mark of an S2-compressed document

// packDoc appends the stored form of a record's JSON to dst, allocating
// only when dst has too little room.
func packDoc(dst, doc []byte) []byte {
	dst = slices.Grow(append(dst, docS2), s2.MaxEncodedLen(len(doc)))
	n := len(dst)
	z := s2.Encode(dst[n:cap(dst)], doc)
	return dst[:n+len(z)]
}

// unpackDoc returns the JSON of a stored document.
func unpackDoc(stored []byte) ([]byte, error) {
	if len(stored) == 0 || stored[0] != docS2 {
		return stored, nil
	}
	doc, err := s2.Decode(nil, stored[1:])
	if err != nil {
		return nil, fmt.Errorf("decompressing document: %w", err)
	}
	return doc, nil
}

// unpackDocLine is unpackDoc into a new slice that ends with a newline,
// whatever stored's memory is (the driver's, for sql.RawBytes).
func unpackDocLine(stored []byte) ([]byte, error) {
	if len(stored) == 0 || stored[0] != docS2 {
		return append(append(make([]byte, 0, len(stored)+1), stored...), '\n'), nil
	}
	n, err := s2.DecodedLen(stored[1:])
	if err != nil {
		return nil, fmt.Errorf("decompressing document: %w", err)
	}
	doc := make([]byte, n+1)
	if _, err := s2.Decode(doc[:n], stored[1:]); err != nil {
		return nil, fmt.Errorf("decompressing document: %w", err)
	}
	doc[n] = '\n'
	return doc, nil
}

// decodeRecord returns the record of a stored document.
func decodeRecord(stored []byte) (*creator.Record, error) {
	doc, err := unpackDoc(stored)
	if err != nil {
		return nil, err
	}
	var rec creator.Record
	if err := json.Unmarshal(doc, &rec); err != nil {
		return nil, fmt.Errorf("decoding record: %w", err)
	}
	return &rec, nil
}
