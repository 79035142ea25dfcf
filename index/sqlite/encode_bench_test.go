package sqlite_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
	"github.com/creatorscout/scout/internal/corpus"
)

// BenchmarkPrepare measures the per-creator encoding UpsertMany does on
// all CPUs before the writer stores a write: JSON of the record, its
// summary and snapshot, and the distinct words of the posts. Records are
// the generator's "full" ones (10 posts, 5 comments, 20 followers).
func BenchmarkPrepare(b *testing.B) {
	s, err := sqlite.Open(filepath.Join(b.TempDir(), "prepare.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	g := corpus.New(1)
	ws := make([]index.Write, 512)
	size := 0
	for i := range ws {
		ws[i] = g.Record(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := sqlite.PrepareForTest(s, ws[i%len(ws)])
		if err != nil {
			b.Fatal(err)
		}
		size += len(p.Stored)
	}
	b.StopTimer()
	b.ReportMetric(float64(size)/float64(b.N), "stored-bytes/op")
}

// TestPrepareMatchesEncodingJSON checks prepare's JSON against
// encoding/json's on generated records, byte for byte. (The internal
// tests check odder records.)
func TestPrepareMatchesEncodingJSON(t *testing.T) {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "prepare.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	g := corpus.New(7)
	for i := range 2000 {
		w := g.Record(i)
		p, err := sqlite.PrepareForTest(s, w)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := p.Doc()
		if err != nil {
			t.Fatal(err)
		}
		sum := index.Summary(w.Record)
		for _, c := range []struct {
			name string
			got  []byte
			v    any
		}{{"record", doc, w.Record}, {"summary", p.Summary, &sum}, {"snapshot", p.Snap, &w.Snapshot}} {
			want, err := json.Marshal(c.v)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(c.got, want) {
				t.Fatalf("record %d: %s encodes to\n%s\nwant\n%s", i, c.name, c.got, want)
			}
		}
	}
}
