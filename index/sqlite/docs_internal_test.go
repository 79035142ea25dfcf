package sqlite

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/creatorscout/scout/creator"
)

// TestStoredDocuments checks that records are stored compressed, that the
// stored form unpacks to the JSON, and that documents stored as plain JSON
// by earlier versions are still read.
func TestStoredDocuments(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	rec := testRecord(creator.Bluesky, "packed", "DE", 42)
	if err := s.Upsert(ctx, rec, creator.Snapshot{}); err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := s.r.QueryRow(`SELECT d.doc FROM creators c JOIN creator_docs d ON d.id = c.id WHERE c.key = ?`, rec.Key).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(rec)
	if len(stored) == 0 || stored[0] != docS2 {
		t.Fatalf("stored document starts with %q, want the S2 mark", stored[:min(len(stored), 1)])
	}
	got, err := unpackDoc(stored)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("unpacked document = %s, %v; want %s", got, err, want)
	}
	if _, err := unpackDoc([]byte{docS2, 0xff, 0xff, 0xff}); err == nil {
		t.Error("a corrupt compressed document unpacked without error")
	}
	// A plain JSON document, as version 5 stored it.
	old := testRecord(creator.Bluesky, "packed", "FR", 7)
	plain, _ := json.Marshal(old)
	if _, err := s.w.Exec(`UPDATE creator_docs SET doc = ? WHERE id = (SELECT id FROM creators WHERE key = ?)`, plain, rec.Key); err != nil {
		t.Fatal(err)
	}
	r, err := s.Get(ctx, rec.Key)
	if err != nil || r.Profile.Country != "FR" {
		t.Errorf("Get of a plain JSON document: %v, %v", r, err)
	}
}
