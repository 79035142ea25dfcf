package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// TestMemIndexFollowsOtherWriters opens one file twice, as two processes
// would: what one store writes or erases, the other's searches see at
// once, and the other reads only what changed.
func TestMemIndexFollowsOtherWriters(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "two.db")
	a := openAt(t, path)
	b := openAt(t, path)
	var ws []index.Write
	for i := range 50 {
		ws = append(ws, index.Write{Record: testRecord(creator.Bluesky, fmt.Sprintf("c%d", i), "DE", int64(1000+i))})
	}
	if err := a.UpsertMany(ctx, ws); err != nil {
		t.Fatal(err)
	}
	de := index.Eq("country", "DE")
	search := func(s *Store, q index.Query) *index.Result {
		t.Helper()
		res, err := s.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := search(b, index.Query{Filter: &de, Facets: []string{"country"}}); res.Total != 50 || res.Facets["country"]["DE"] != 50 {
		t.Fatalf("b after a's first write: total %d, facets %v; want 50", res.Total, res.Facets)
	}
	genBefore := b.mem.Gen()

	// a moves one creator to FR and erases another.
	moved := testRecord(creator.Bluesky, "c7", "FR", 5)
	if err := a.Upsert(ctx, moved, creator.Snapshot{}); err != nil {
		t.Fatal(err)
	}
	if err := a.Delete(ctx, creator.Key(creator.Ref{Platform: creator.Bluesky, ID: "c8"})); err != nil {
		t.Fatal(err)
	}
	res := search(b, index.Query{Filter: &de, Facets: []string{"country"}, Sort: []index.Sort{{Field: "followers"}}})
	if res.Total != 48 || res.Facets["country"]["DE"] != 48 || res.Facets["country"]["FR"] != 0 {
		t.Errorf("b after a's changes: total %d, facets %v; want 48 DE", res.Total, res.Facets)
	}
	if b.mem.Gen() != genBefore+2 {
		t.Errorf("b's in-memory index is at generation %d, want %d (two write transactions later)", b.mem.Gen(), genBefore+2)
	}
	all := search(b, index.Query{Facets: []string{"country", "followers"}, Sort: []index.Sort{{Field: "followers"}}, PerPage: 1})
	if all.Total != 49 || all.Facets["country"]["FR"] != 1 || all.Stats["followers"].Min != 5 || all.Hits[0].Key != moved.Key {
		t.Errorf("b over everything: total %d, facets %v, stats %v, first %v", all.Total, all.Facets, all.Stats, keys(all.Hits))
	}
	// The erased creator's row id comes back for a new creator.
	if err := a.Upsert(ctx, testRecord(creator.Mastodon, "new", "", 9), creator.Snapshot{}); err != nil {
		t.Fatal(err)
	}
	if res := search(b, index.Query{Text: "name new"}); res.Total != 1 || res.Hits[0].Profile.Ref.ID != "new" {
		t.Errorf("b finds the new creator by text: %v", keys(res.Hits))
	}
}

func keys(rs []creator.Record) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Key)
	}
	return out
}
