package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// Defects a review found; each test failed before its fix.

// TestSearchesDoNotDeadlockOnThePool runs many searches of every page size
// at once on a pool of one read connection and on the default pool: a
// search holding a connection must never wait for another one.
func TestSearchesDoNotDeadlockOnThePool(t *testing.T) {
	for _, conns := range []int{1, 0} {
		t.Run(fmt.Sprintf("read-conns=%d", conns), func(t *testing.T) {
			ctx := context.Background()
			var opts []Option
			if conns > 0 {
				opts = append(opts, WithReadConns(conns))
			}
			s := openTest(t, opts...)
			var ws []index.Write
			for i := range 150 {
				ws = append(ws, index.Write{Record: testRecord(creator.Bluesky, fmt.Sprintf("p%d", i), "DE", int64(i))})
			}
			if err := s.UpsertMany(ctx, ws); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			var wg sync.WaitGroup
			errs := make(chan error, 64)
			for g := range 12 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for per := 1 + g; per <= 100; per += 12 {
						q := index.Query{PerPage: per}
						if per%2 == 0 {
							q.Text = "vegan"
						}
						res, err := s.Search(ctx, q)
						if err != nil {
							errs <- err
							return
						}
						if len(res.Hits) != min(per, res.Total) {
							errs <- fmt.Errorf("per_page %d: %d hits of %d", per, len(res.Hits), res.Total)
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

// TestCancelledSearchKeepsTheMemIndex cancels a search whose copy has writes
// to read: the copy must still reach the new generation, not be dropped
// to be read whole by the next search.
func TestCancelledSearchKeepsTheMemIndex(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	write := func(prefix string) {
		var ws []index.Write
		for i := range 500 {
			ws = append(ws, index.Write{Record: testRecord(creator.Bluesky, fmt.Sprintf("%s%d", prefix, i), "DE", int64(i))})
		}
		if err := s.UpsertMany(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	write("a")
	if _, err := s.Search(ctx, index.Query{}); err != nil {
		t.Fatal(err)
	}
	write("b")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Search(cancelled, index.Query{Text: "vegan"}); err == nil {
		t.Error("a cancelled search returned no error")
	}
	gen := s.mem.Gen()
	tx, err := s.r.Begin()
	if err != nil {
		t.Fatal(err)
	}
	want, err := readGen(ctx, tx)
	tx.Rollback()
	if err != nil {
		t.Fatal(err)
	}
	if gen != want {
		t.Errorf("after a cancelled search the copy is at generation %d, want %d", gen, want)
	}
}

func TestCloseTwice(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "twice.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestFacetLabelFollowsLiveCreators stores "de", then "DE", then erases
// the "de" creator: the facet is labelled as the creator left spells it.
func TestFacetLabelFollowsLiveCreators(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	lower := testRecord(creator.Bluesky, "lower", "de", 1)
	if err := s.Upsert(ctx, lower, creator.Snapshot{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Search(ctx, index.Query{Facets: []string{"country"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, lower.Key); err != nil {
		t.Fatal(err)
	}
	if err := s.Upsert(ctx, testRecord(creator.Bluesky, "upper", "DE", 2), creator.Snapshot{}); err != nil {
		t.Fatal(err)
	}
	res, err := s.Search(ctx, index.Query{Facets: []string{"country"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Facets["country"]["DE"] != 1 || len(res.Facets["country"]) != 1 {
		t.Errorf("facets %v, want DE: 1", res.Facets["country"])
	}
}

// TestBatchWritesOneCreatorTwice writes a stored creator and a new one
// twice each in one batch: the last write of each wins, one row each, and
// every snapshot is kept.
func TestBatchWritesOneCreatorTwice(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	old := testRecord(creator.Bluesky, "old", "DE", 1)
	if err := s.Upsert(ctx, old, creator.Snapshot{At: time.Unix(1, 0)}); err != nil {
		t.Fatal(err)
	}
	var ws []index.Write
	for i, id := range []string{"old", "new", "old", "new"} {
		r := testRecord(creator.Bluesky, id, []string{"FR", "FR", "US", "US"}[i], int64(10+i))
		ws = append(ws, index.Write{Record: r, Snapshot: creator.Snapshot{At: time.Unix(int64(10+i), 0), Followers: int64(10 + i)}})
	}
	if err := s.UpsertMany(ctx, ws); err != nil {
		t.Fatal(err)
	}
	res, err := s.Search(ctx, index.Query{Facets: []string{"country"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 || res.Facets["country"]["US"] != 2 {
		t.Errorf("after the batch: total %d, countries %v; want 2 creators, both US", res.Total, res.Facets["country"])
	}
	for id, want := range map[string]int{"old": 3, "new": 2} {
		h, err := s.History(ctx, creator.Key(creator.Ref{Platform: creator.Bluesky, ID: id}), 0)
		if err != nil || len(h) != want {
			t.Errorf("history of %s: %d snapshots (%v), want %d", id, len(h), err, want)
		}
	}
}

// TestBatchWritesOneKeyTwice writes a batch in which one creator comes
// twice (as a reindex writes a creator once per snapshot): only the later
// record is stored, so the search copy, the words and the facets must show
// it and not the earlier one, while both snapshots are kept. The earlier
// one is encoded only as a snapshot, which the test sees as the stored
// words and summary of the later record.
func TestBatchWritesOneKeyTwice(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	first := testRecord(creator.Bluesky, "twice", "DE", 100)
	first.Profile.Bio = "alpha"
	first.Scores.PrimaryNiche = "food"
	later := testRecord(creator.Bluesky, "twice", "FR", 200)
	later.Profile.Bio = "beta"
	later.Scores.PrimaryNiche = "travel"
	other := testRecord(creator.Bluesky, "other", "DE", 300)
	snap := func(r *creator.Record, d int) creator.Snapshot {
		return creator.Snapshot{At: r.UpdatedAt.Add(time.Duration(d) * time.Hour), Followers: r.Profile.Followers}
	}
	if err := s.UpsertMany(ctx, []index.Write{{Record: first, Snapshot: snap(first, 1)}, {Record: other, Snapshot: snap(other, 1)}, {Record: later, Snapshot: snap(later, 2)}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, later.Key)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(later, got); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	hist, err := s.History(ctx, later.Key, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].Followers != 100 || hist[1].Followers != 200 {
		t.Errorf("history %+v, want the snapshots of both writes", hist)
	}
	for _, tt := range []struct {
		text, country string
		want          []string
	}{
		{"beta", "", []string{later.Key}},
		{"alpha", "", nil},
		{"", "FR", []string{later.Key}},
		{"", "DE", []string{other.Key}},
	} {
		q := index.Query{Text: tt.text, Facets: []string{"niche"}}
		if tt.country != "" {
			f := index.In("country", tt.country)
			q.Filter = &f
		}
		res, err := s.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, h := range res.Hits {
			keys = append(keys, h.Key)
			if h.Key == later.Key && h.Profile.Bio != "beta" {
				t.Errorf("hit %s has the summary of the earlier write (bio %q)", h.Key, h.Profile.Bio)
			}
		}
		if diff := cmp.Diff(tt.want, keys); diff != "" {
			t.Errorf("search %q country %q (-want +got):\n%s", tt.text, tt.country, diff)
		}
	}
	res, err := s.Search(ctx, index.Query{Facets: []string{"niche"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"travel": 1, "food": 1}, res.Facets["niche"]); diff != "" {
		t.Errorf("niche facet (-want +got):\n%s", diff)
	}
}
