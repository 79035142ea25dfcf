package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/s2"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

func testRecord(platform, id, country string, followers int64) *creator.Record {
	ref := creator.Ref{Platform: platform, ID: id, Handle: id + ".example"}
	return &creator.Record{
		Key: creator.Key(ref),
		Profile: creator.Profile{Ref: ref, DisplayName: "Name " + id, Bio: "vegan recipes", Country: country,
			Followers: followers, Posts: []creator.Post{{ID: "p", Text: "lentil soup"}}},
		Scores:    creator.Scores{Tier: creator.TierMicro, PrimaryNiche: "food", Overall: float64(followers % 100)},
		UpdatedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
	}
}

func schemaVersion(t *testing.T, s *Store) int {
	t.Helper()
	var v int
	if err := s.r.QueryRow(`SELECT max(version) FROM schema_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMigrateFromVersion1 opens a file written by the first schema (a
// summary column beside each document, no facet counts) and checks that
// migration 2 moves the summaries and computes the counts.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	old, err := open(path, index.Fields, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v := schemaVersion(t, old); v != 1 {
		t.Fatalf("schema version %d, want 1", v)
	}
	// Write a creator the way version 1 did.
	rec := testRecord(creator.Bluesky, "old", "US", 5000)
	p, err := old.prepare(index.Write{Record: rec, Snapshot: creator.Snapshot{At: rec.UpdatedAt}}, false)
	if err != nil {
		t.Fatal(err)
	}
	cols := []string{"key"}
	marks := []string{"?"}
	args := []any{p.key}
	for i, c := range old.schema.cols {
		cols, marks, args = append(cols, c.ident), append(marks, "?"), append(args, p.vals[i])
	}
	doc, err := unpackDoc(p.stored)
	if err != nil {
		t.Fatal(err)
	}
	words, err := unpackText(p.words)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		q    string
		args []any
	}{
		{`INSERT INTO creators(` + strings.Join(cols, ", ") + `) VALUES (` + strings.Join(marks, ", ") + `)`, args},
		{`INSERT INTO creator_docs(id, summary, doc) VALUES (1, ?, ?)`, []any{p.summary, doc}},
		{`INSERT INTO creators_fts(rowid, name, handle, bio, posts) VALUES (1, ?, ?, ?, ?)`, []any{words.Name, words.Handle, words.Bio, words.Posts}}, // version 1 has no tags
		{`INSERT INTO history(key, at, doc) VALUES (?, ?, ?)`, []any{p.key, p.at, p.snap}},
	} {
		if _, err := old.w.ExecContext(ctx, st.q, st.args...); err != nil {
			t.Fatalf("writing as version 1: %v", err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open after version 1: %v", err)
	}
	defer s.Close()
	if v := schemaVersion(t, s); v != len(migrations) {
		t.Errorf("schema version %d after Open, want %d", v, len(migrations))
	}
	got, err := s.Get(ctx, rec.Key)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rec, got); diff != "" {
		t.Errorf("record after migration (-want +got):\n%s", diff)
	}
	res, err := s.Search(ctx, index.Query{Text: "lentil", Facets: []string{"country"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || res.Hits[0].Key != rec.Key {
		t.Errorf("search after migration: %v", res.Hits)
	}
	res, err = s.Search(ctx, index.Query{Facets: []string{"country", "followers"}})
	if err != nil {
		t.Fatal(err)
	}
	want := &index.Result{Hits: []creator.Record{index.Summary(rec)}, Total: 1, Page: 1, PerPage: index.DefaultPerPage,
		Facets: map[string]map[string]int{"country": {"US": 1}}, Stats: map[string]index.Stat{"followers": {Min: 5000, Max: 5000}}}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("unfiltered search after migration (-want +got):\n%s", diff)
	}
	// Opening again applies nothing twice.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path)
	if err != nil {
		t.Fatalf("Open a second time: %v", err)
	}
	var n int
	s2.r.QueryRow(`SELECT count(*) FROM schema_version`).Scan(&n)
	if n != len(migrations) {
		t.Errorf("schema_version has %d rows, want %d", n, len(migrations))
	}
	s2.Close()
}

// TestMigrateFromVersion7 opens a file written by schema version 7 (words
// compressed in creator_text, summaries in creator_summaries) and checks
// that migration 8 moves both into creators: the record, its summary as a
// hit and its words for text search are as written.
func TestMigrateFromVersion7(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v7.db")
	old, err := open(path, index.Fields, 7)
	if err != nil {
		t.Fatal(err)
	}
	recs := []*creator.Record{testRecord(creator.Bluesky, "seven", "US", 5000), testRecord(creator.Mastodon, "eight", "DE", 70)}
	recs[1].Profile.Posts[0].Text = "quinoa salad"
	for i, rec := range recs {
		p, err := old.prepare(index.Write{Record: rec, Snapshot: creator.Snapshot{At: rec.UpdatedAt}}, false)
		if err != nil {
			t.Fatal(err)
		}
		id := i + 1
		cols, marks, args := []string{"id", "key", "seq"}, []string{"?", "?", "?"}, []any{id, p.key, 1}
		for i, c := range old.schema.cols {
			cols, marks, args = append(cols, c.ident), append(marks, "?"), append(args, p.vals[i])
		}
		for _, st := range []struct {
			q    string
			args []any
		}{
			{`INSERT INTO creators(` + strings.Join(cols, ", ") + `) VALUES (` + strings.Join(marks, ", ") + `)`, args},
			{`INSERT INTO creator_docs(id, doc) VALUES (?, ?)`, []any{id, p.stored}},
			{`INSERT INTO creator_summaries(id, summary) VALUES (?, ?)`, []any{id, p.summary}},
			{`INSERT INTO creator_text(id, words) VALUES (?, ?)`, []any{id, s2.Encode(nil, p.words)}},
			{`INSERT INTO history(key, at, doc) VALUES (?, ?, ?)`, []any{p.key, p.at, p.snap}},
		} {
			if _, err := old.w.ExecContext(ctx, st.q, st.args...); err != nil {
				t.Fatalf("writing as version 7: %v", err)
			}
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open after version 7: %v", err)
	}
	defer s.Close()
	if v := schemaVersion(t, s); v != len(migrations) {
		t.Errorf("schema version %d after Open, want %d", v, len(migrations))
	}
	for _, rec := range recs {
		got, err := s.Get(ctx, rec.Key)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(rec, got); diff != "" {
			t.Errorf("record after migration (-want +got):\n%s", diff)
		}
	}
	for _, tt := range []struct {
		text string
		want *creator.Record
	}{{"lentil", recs[0]}, {"quinoa", recs[1]}, {"seven", recs[0]}} {
		res, err := s.Search(ctx, index.Query{Text: tt.text})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]creator.Record{index.Summary(tt.want)}, res.Hits); diff != "" {
			t.Errorf("search %q after migration (-want +got):\n%s", tt.text, diff)
		}
	}
	var tables int
	s.r.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name IN ('creator_text', 'creator_summaries')`).Scan(&tables)
	if tables != 0 {
		t.Errorf("%d of creator_text and creator_summaries are left after migration 8", tables)
	}
}

// TestNewFieldColumn opens a store whose schema lacks a field, writes, and
// reopens it with the field: the column is added and filled from the
// stored records, and filters and facets on it work.
func TestNewFieldColumn(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fields.db")
	without := slices.DeleteFunc(slices.Clone(index.Fields), func(f index.Field) bool { return f.Name == "country" || f.Name == "overall" })
	s, err := open(path, without, len(migrations))
	if err != nil {
		t.Fatal(err)
	}
	a, b := testRecord(creator.Bluesky, "a", "US", 1234), testRecord(creator.Mastodon, "b", "DE", 5678)
	ws := []index.Write{{Record: a}, {Record: b}}
	for i := range 8 {
		ws = append(ws, index.Write{Record: testRecord(creator.YouTube, fmt.Sprintf("o%d", i), "", 100)})
	}
	if err := s.UpsertMany(ctx, ws); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Search(ctx, index.Query{Filter: &index.Filter{Op: index.OpEq, Field: "country", Values: []string{"US"}}}); err == nil {
		t.Error("filter on a field the store does not have: no error")
	}
	s.Close()

	s, err = Open(path)
	if err != nil {
		t.Fatalf("Open with the full schema: %v", err)
	}
	defer s.Close()
	f := index.Eq("country", "DE")
	res, err := s.Search(ctx, index.Query{Filter: &f, Facets: []string{"country", "overall"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || res.Hits[0].Key != b.Key {
		t.Errorf("filter on the new column: %v", res.Hits)
	}
	res, err = s.Search(ctx, index.Query{Facets: []string{"country", "overall"}})
	if err != nil {
		t.Fatal(err)
	}
	wantF := map[string]map[string]int{"country": {"US": 1, "DE": 1}}
	wantS := map[string]index.Stat{"overall": {Min: 0, Max: 78}}
	if diff := cmp.Diff(wantF, res.Facets); diff != "" {
		t.Errorf("facets of the new column (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantS, res.Stats); diff != "" {
		t.Errorf("stats of the new column (-want +got):\n%s", diff)
	}
}

func TestOptions(t *testing.T) {
	ctx := context.Background()
	t.Run("history cap", func(t *testing.T) {
		s := openTest(t, WithHistoryCap(3))
		rec := testRecord(creator.Bluesky, "capped", "US", 10)
		for i := range 5 {
			if err := s.Upsert(ctx, rec, creator.Snapshot{At: rec.UpdatedAt.Add(time.Duration(i) * time.Hour), Followers: int64(i)}); err != nil {
				t.Fatal(err)
			}
		}
		h, err := s.History(ctx, rec.Key, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, sn := range h {
			got = append(got, sn.Followers)
		}
		if diff := cmp.Diff([]int64{2, 3, 4}, got); diff != "" {
			t.Errorf("history with cap 3 (-want +got):\n%s", diff)
		}
	})
	t.Run("bad synchronous mode", func(t *testing.T) {
		_, err := Open(filepath.Join(t.TempDir(), "x.db"), WithSynchronous("sometimes"))
		if err == nil || !strings.Contains(err.Error(), "synchronous") {
			t.Errorf("Open with a bad synchronous mode: %v", err)
		}
	})
	t.Run("newer file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "new.db")
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		s.w.Exec(`INSERT INTO schema_version(version, name, applied_at) VALUES (99, 'future', 0)`)
		s.Close()
		if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "newer") {
			t.Errorf("Open of a file from a newer build: %v", err)
		}
	})
}

// openTest opens a store in a new file of the test's temporary directory,
// closed when the test ends.
func openTest(t testing.TB, opts ...Option) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "store.db"), opts...)
}

// openAt opens the store at path, closed when t ends (a test may close it
// sooner: Close is idempotent).
func openAt(t testing.TB, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
