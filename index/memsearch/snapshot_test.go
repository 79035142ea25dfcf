package memsearch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/index"
)

// snapStore is a store that also holds a snapshot.
type snapStore struct {
	*store
	snap []byte
}

func (s *snapStore) Snapshot(context.Context) ([]byte, error) { return s.snap, nil }

// searchFrom runs q on x brought to s's generation from src.
func searchFrom(t *testing.T, x *Index, s *store, src Source, q index.Query) (*index.Result, []string) {
	t.Helper()
	if err := q.Normalize(); err != nil {
		t.Fatal(err)
	}
	p, err := x.Plan(&q)
	if err != nil {
		t.Fatal(err)
	}
	v, err := x.Acquire(context.Background(), s.gen, src)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Release()
	res, page := v.Search(p)
	var keys []string
	for _, id := range page {
		keys = append(keys, x.cols.keys[id])
	}
	return res, keys
}

func snapshotOf(t *testing.T, x *Index) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := x.WriteSnapshot(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestSnapshotMatchesLoad takes snapshots of an Index across rewrites and
// erasures; an Index started from each, brought up to date after more
// writes, answers varied queries exactly as one loaded whole.
func TestSnapshotMatchesLoad(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	words := []string{"vegan", "travel", "música", "vinyl", "yoga", "cats", "retro", "Zürich"}
	text := func(k int) string {
		s := ""
		for range k {
			s += words[rng.IntN(len(words))] + " "
		}
		return s
	}
	countries := []string{"US", "us", "DE", "FR", "", "JP"}
	niches := []string{"food", "Travel", "travel", "music", "", "art"}
	mk := func(id int64) Row {
		var followers any
		if rng.IntN(5) > 0 {
			followers = float64(rng.IntN(1000))
		}
		return row(id, text(1), text(3), text(8), countries[rng.IntN(len(countries))], niches[rng.IntN(len(niches))], followers)
	}
	s := newStore()
	var rows []Row
	for id := int64(1); id <= 300; id++ {
		rows = append(rows, mk(id))
	}
	s.write(rows...)
	live := New(testFields) // follows every generation; snapshots are taken of it
	lo := 300.0
	queries := []index.Query{
		{Facets: []string{"country", "niche", "followers"}},
		{Text: "vegan", Facets: []string{"country", "niche"}},
		{Text: "yoga ca", Filter: &index.Filter{Op: index.OpIn, Field: "country", Values: []string{"US", "DE"}}},
		{Text: "zurich", Filter: &index.Filter{Op: index.OpRange, Field: "followers", Min: &lo}, Facets: []string{"followers"}},
		{Text: "m", Sort: []index.Sort{{Field: "followers", Desc: true}}, PerPage: 50},
		{Filter: &index.Filter{Op: index.OpMissing, Field: "niche"}, Sort: []index.Sort{{Field: "followers"}}},
		{Filter: &index.Filter{Op: index.OpNot, Sub: []index.Filter{{Op: index.OpEq, Field: "niche", Values: []string{"travel"}}}}, Text: "retro"},
	}
	compared := 0
	for round := range 5 {
		if round > 0 {
			var again []Row
			for range 40 {
				again = append(again, mk(1+rng.Int64N(350)))
			}
			s.write(again...)
			s.erase(1+rng.Int64N(300), 1+rng.Int64N(300))
		}
		searchFrom(t, live, s, s.store(), index.Query{})
		snap := snapshotOf(t, live)
		// More writes after the snapshot, which a start from it reads.
		s.write(mk(1+rng.Int64N(350)), mk(400+int64(round)))
		s.erase(1 + rng.Int64N(300))
		whole := New(testFields)
		fromSnap := New(testFields)
		src := &snapStore{store: s, snap: snap}
		for i, q := range queries {
			want, wantKeys := searchFrom(t, whole, s, s, q)
			got, gotKeys := searchFrom(t, fromSnap, s, src, q)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("round %d query %d: results differ (-whole +snapshot):\n%s", round, i, diff)
			}
			if diff := cmp.Diff(wantKeys, gotKeys); diff != "" {
				t.Fatalf("round %d query %d: pages differ (-whole +snapshot):\n%s", round, i, diff)
			}
			if want.Total > 0 {
				compared++
			}
		}
		if l := fromSnap.Loads(); l != (Loads{Snapshot: 1}) {
			t.Fatalf("round %d: loads %+v, want one from the snapshot", round, l)
		}
	}
	if compared < 20 {
		t.Fatalf("only %d answers had matches: the test compares too little", compared)
	}
}

// store returns s itself (a Source without a snapshot).
func (s *store) store() *store { return s }

// TestSnapshotKeepsNothingErased: a snapshot taken after an erasure holds
// neither the erased creator's key nor a word or keyword value only it had.
func TestSnapshotKeepsNothingErased(t *testing.T) {
	s := newStore()
	s.write(row(1, "Alice", "uniqueword", "posts here", "US", "food", 1.0),
		row(2, "Bob", "bio", "posts", "DE", "onlybobsniche", 2.0))
	x := New(testFields)
	search(t, x, s, index.Query{})
	if snap := snapshotOf(t, x); !bytes.Contains(snap, []byte("onlybobsniche")) || !bytes.Contains(snap, []byte("uniqueword")) {
		t.Fatal("the snapshot before the erasure lacks what the test looks for")
	}
	s.erase(2)
	s.write(row(1, "Alice", "other", "posts here", "US", "food", 1.0)) // rewritten: uniqueword is no one's now
	search(t, x, s, index.Query{})
	snap := snapshotOf(t, x)
	for _, gone := range []string{"onlybobsniche", "k002", "h2.example", "uniqueword"} {
		if bytes.Contains(snap, []byte(gone)) {
			t.Errorf("the snapshot still holds %q", gone)
		}
	}
	y := New(testFields)
	res, keys := searchFrom(t, y, s, &snapStore{store: s, snap: snap}, index.Query{Text: "alice", Facets: []string{"niche"}})
	if res.Total != 1 || keys[0] != "k001" || fmt.Sprint(res.Facets) != "map[niche:map[food:1]]" {
		t.Fatalf("from the snapshot: total %d, keys %v, facets %v", res.Total, keys, res.Facets)
	}
}

// TestSnapshotDamaged: a snapshot cut short, of other fields or of another
// version is refused, and the Index is loaded whole instead.
func TestSnapshotDamaged(t *testing.T) {
	s := newStore()
	for id := int64(1); id <= 50; id++ {
		s.write(row(id, fmt.Sprintf("name%d", id), "bio", "vegan posts", "US", "food", float64(id)))
	}
	x := New(testFields)
	search(t, x, s, index.Query{})
	good := snapshotOf(t, x)
	other := New(testFields[:2])
	searchFrom(t, other, s, &store{gen: s.gen, rows: map[int64]stored{}, erased: map[int64]int64{}}, index.Query{})
	for name, snap := range map[string][]byte{
		"cut short":    good[:len(good)/2],
		"one byte off": good[:len(good)-1],
		"other fields": snapshotOf(t, other),
		"not one":      []byte("hello"),
	} {
		y := New(testFields)
		if err := y.readSnapshot(snap); !errors.Is(err, ErrSnapshot) {
			t.Errorf("%s: readSnapshot error %v, want ErrSnapshot", name, err)
		}
		y = New(testFields)
		res, _ := searchFrom(t, y, s, &snapStore{store: s, snap: snap}, index.Query{Text: "vegan"})
		if res.Total != 50 || y.Loads() != (Loads{Whole: 1}) {
			t.Errorf("%s: total %d, loads %+v; want 50 from a whole load", name, res.Total, y.Loads())
		}
	}
}
