package sqlite_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
	"github.com/creatorscout/scout/internal/corpus"
)

// encodeAsAPI is what the API writes for v without the store's JSON.
func encodeAsAPI(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestJSONAnswersMatchDecoded checks that SearchJSON and GetJSON give the
// very bytes the API would write from Search's and Get's decoded answers,
// that cached answers follow writes (of this store and of another one on
// the same file, as another process), and that a missing creator is
// ErrNotFound.
func TestJSONAnswersMatchDecoded(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "json.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	g := corpus.New(3)
	var ws []index.Write
	for i := range 300 {
		ws = append(ws, g.Record(i))
	}
	ws[0].Record.Profile.Bio = `<b>"quoted"</b> & café ` + "\u2028"
	if err := s.UpsertMany(ctx, ws); err != nil {
		t.Fatal(err)
	}
	queries := []index.Query{{}, {Text: "vegan"}, {Text: "nothingmatchesthis"}, {Page: 40}}
	for range 20 {
		queries = append(queries, g.Query())
	}
	check := func(s *sqlite.Store, q index.Query) {
		t.Helper()
		res, err := s.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if res.Hits == nil {
			res.Hits = []creator.Record{}
		}
		for try := range 2 { // computed, then cached
			got, err := s.SearchJSON(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if want := encodeAsAPI(t, res); !bytes.Equal(got, want) {
				t.Fatalf("SearchJSON(%+v) (try %d) =\n%s\nwant\n%s", q, try, got, want)
			}
		}
	}
	for _, q := range queries {
		check(s, q)
	}
	for _, key := range []string{ws[0].Record.Key, ws[299].Record.Key} {
		rec, err := s.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.GetJSON(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if want := encodeAsAPI(t, rec); !bytes.Equal(got, want) {
			t.Fatalf("GetJSON(%s) =\n%s\nwant\n%s", key, got, want)
		}
	}
	if _, err := s.GetJSON(ctx, "bluesky-nobody"); !errors.Is(err, creator.ErrNotFound) {
		t.Errorf("GetJSON of a missing creator: %v, want ErrNotFound", err)
	}

	// Another store on the file changes what a cached query answers.
	other, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	q := index.Query{Text: "zzyzx"}
	if b, err := s.SearchJSON(ctx, q); err != nil || !bytes.Contains(b, []byte(`"total":0`)) {
		t.Fatalf("before the write: %s, %v", b, err)
	}
	w := g.Record(1000)
	w.Record.Profile.Bio = "zzyzx road"
	if err := other.Upsert(ctx, w.Record, w.Snapshot); err != nil {
		t.Fatal(err)
	}
	if b, err := s.SearchJSON(ctx, q); err != nil || !bytes.Contains(b, []byte(`"total":1`)) {
		t.Errorf("after another store's write the cached answer stays: %s, %v", b, err)
	}
	for _, q := range queries[:6] {
		check(s, q)
	}
}
