package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/memsearch"
)

func writeCreators(t *testing.T, s *Store, from, to int, country string) {
	t.Helper()
	var ws []index.Write
	for i := from; i < to; i++ {
		ws = append(ws, index.Write{Record: testRecord(creator.Bluesky, fmt.Sprintf("c%d", i), country, int64(1000+i))})
	}
	if err := s.UpsertMany(context.Background(), ws); err != nil {
		t.Fatal(err)
	}
}

func snapshotRow(t *testing.T, s *Store) (gen int64, data []byte) {
	t.Helper()
	err := s.r.QueryRow(`SELECT gen, data FROM mem_snapshot`).Scan(&gen, &data)
	if err != nil {
		return -1, nil
	}
	return gen, data
}

// TestSnapshotStart: a store that loaded its index whole writes a snapshot;
// the next store opened on the file starts from it, reads what was written
// since, and answers as a store loading whole does.
func TestSnapshotStart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "snap.db")
	a := openAt(t, path)
	writeCreators(t, a, 0, 200, "DE")
	if _, err := a.Search(ctx, index.Query{}); err != nil {
		t.Fatal(err)
	}
	a.snapWG.Wait() // the snapshot written in the background after the whole load
	if gen, _ := snapshotRow(t, a); gen != a.mem.Gen() {
		t.Fatalf("snapshot of generation %d after the whole load at %d", gen, a.mem.Gen())
	}
	// Written after the snapshot: a start from it reads these.
	writeCreators(t, a, 180, 220, "FR") // 20 rewritten, 20 new
	a.Close()

	b := openAt(t, path)
	whole := openAt(t, path, WithSnapshots(false))
	for _, q := range []index.Query{
		{Facets: []string{"country", "followers"}},
		{Text: "name c2", Facets: []string{"country"}},
		{Text: "lentil", Filter: &index.Filter{Op: index.OpEq, Field: "country", Values: []string{"FR"}}, Sort: []index.Sort{{Field: "followers", Desc: true}}},
	} {
		want, err := whole.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%+v: answers differ (-whole +snapshot):\n%s", q, diff)
		}
	}
	if l := b.mem.Loads(); l != (memsearch.Loads{Snapshot: 1}) {
		t.Errorf("started with loads %+v, want one from the snapshot", l)
	}
	if l := whole.mem.Loads(); l != (memsearch.Loads{Whole: 1}) {
		t.Errorf("without snapshots: loads %+v, want one whole", l)
	}
}

// TestSnapshotStale: a snapshot more than a quarter of whose creators
// changed since is not used.
func TestSnapshotStale(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "stale.db")
	a := openAt(t, path)
	writeCreators(t, a, 0, 100, "DE")
	a.Search(ctx, index.Query{})
	a.Close() // writes the snapshot (if the background one has not)
	w := openAt(t, path, WithSnapshots(false))
	writeCreators(t, w, 0, 40, "FR")
	w.Close()
	b := openAt(t, path)
	res, err := b.Search(ctx, index.Query{Facets: []string{"country"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Facets["country"]["FR"] != 40 {
		t.Fatalf("facets %v, want 40 in FR", res.Facets)
	}
	if l := b.mem.Loads(); l != (memsearch.Loads{Whole: 1}) {
		t.Errorf("loads %+v, want one whole (40 of 100 changed)", l)
	}
}

// TestSnapshotErase: erasing a creator deletes the snapshot, a snapshot of
// a generation before the erasure is not written after it, and the next
// one holds nothing of the erased creator.
func TestSnapshotErase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "erase.db")
	s := openAt(t, path)
	writeCreators(t, s, 0, 20, "DE")
	gone := testRecord(creator.Bluesky, "zzgone", "DE", 5)
	gone.Profile.Bio = "quokkawrangler"
	if err := s.UpsertMany(ctx, []index.Write{{Record: gone}}); err != nil {
		t.Fatal(err)
	}
	s.Search(ctx, index.Query{})
	s.snapWG.Wait()
	if _, data := snapshotRow(t, s); data == nil {
		t.Fatal("no snapshot after the whole load")
	}
	if err := s.Delete(ctx, gone.Key); err != nil {
		t.Fatal(err)
	}
	if _, data := snapshotRow(t, s); data != nil {
		t.Fatal("the snapshot outlived the erasure")
	}
	// The index is still at the generation before the erasure: its
	// snapshot must not be written.
	if err := s.saveSnapshot(ctx, false); err != nil {
		t.Fatal(err)
	}
	if _, data := snapshotRow(t, s); data != nil {
		t.Fatal("a snapshot from before the erasure was written after it")
	}
	s.Search(ctx, index.Query{}) // reads the erasure
	if err := s.saveSnapshot(ctx, false); err != nil {
		t.Fatal(err)
	}
	_, z := snapshotRow(t, s)
	if z == nil {
		t.Fatal("no snapshot after the index read the erasure")
	}
	data, err := txSourceDecode(z)
	if err != nil {
		t.Fatal(err)
	}
	for _, needle := range []string{"quokkawrangler", "zzgone"} {
		if bytes.Contains(data, []byte(needle)) {
			t.Errorf("the snapshot holds %q of the erased creator", needle)
		}
	}
}

// TestSnapshotUnusableReplaced: a snapshot the first search cannot use (of
// another version, say) is replaced after the whole load, though of the
// same generation, and the next start uses the new one.
func TestSnapshotUnusableReplaced(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "unusable.db")
	a := openAt(t, path)
	writeCreators(t, a, 0, 50, "DE")
	a.Search(ctx, index.Query{})
	a.Close()
	w := openAt(t, path, WithSnapshots(false))
	if _, err := w.w.Exec(`UPDATE mem_snapshot SET data = ?`, s2Encode([]byte("memsearch snapshot of an older build"))); err != nil {
		t.Fatal(err)
	}
	w.Close()
	for i, want := range []memsearch.Loads{{Whole: 1}, {Snapshot: 1}} {
		s := openAt(t, path)
		res, err := s.Search(ctx, index.Query{Text: "lentil"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 50 || s.mem.Loads() != want {
			t.Errorf("start %d: total %d, loads %+v; want 50, %+v", i, res.Total, s.mem.Loads(), want)
		}
		s.Close()
	}
}

// TestSummaryCacheFollowsWrites: a hit's summary, cached by version, is
// the current one after the creator is written again (by this store or
// another on the file), and an erased creator's is not served.
func TestSummaryCacheFollowsWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sums.db")
	s := openAt(t, path)
	other := openAt(t, path)
	writeCreators(t, s, 0, 5, "DE")
	bio := func(want string) {
		t.Helper()
		for try := range 2 { // read, then cached
			res, err := s.Search(ctx, index.Query{Text: "name c3"})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) != 1 || res.Hits[0].Profile.Bio != want {
				t.Fatalf("try %d: hits %+v, want one with bio %q", try, res.Hits, want)
			}
		}
	}
	bio("vegan recipes")
	r := testRecord(creator.Bluesky, "c3", "DE", 1003)
	r.Profile.Bio = "rewritten here"
	if err := s.UpsertMany(ctx, []index.Write{{Record: r}}); err != nil {
		t.Fatal(err)
	}
	bio("rewritten here")
	r.Profile.Bio = "rewritten elsewhere"
	if err := other.UpsertMany(ctx, []index.Write{{Record: r}}); err != nil {
		t.Fatal(err)
	}
	bio("rewritten elsewhere")
	if err := other.Delete(ctx, r.Key); err != nil {
		t.Fatal(err)
	}
	if res, err := s.Search(ctx, index.Query{Text: "name c3"}); err != nil || len(res.Hits) != 0 {
		t.Fatalf("after the erasure: %v, %+v; want no hit", err, res)
	}
}
