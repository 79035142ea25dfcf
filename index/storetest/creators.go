package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

func (s *suite) creators(t *testing.T) {
	t.Run("UpsertGetRoundTrip", func(t *testing.T) {
		st := s.open(t)
		ctx := ctxFor(t)
		r := newRecord(creator.Bluesky, "alice")
		if err := st.Upsert(ctx, r, snapOf(r, at(0))); err != nil {
			t.Fatalf("Upsert: %v", err)
		}
		got, err := st.Get(ctx, r.Key)
		if err != nil {
			t.Fatalf("Get(%s): %v", r.Key, err)
		}
		if diff := cmp.Diff(r, got, cmpOpts...); diff != "" {
			t.Errorf("Get(%s) mismatch (-want +got):\n%s", r.Key, diff)
		}
	})
	t.Run("UpsertReplaces", func(t *testing.T) {
		st := s.open(t)
		ctx := ctxFor(t)
		r := newRecord(creator.Bluesky, "alice")
		mustUpsert(t, st, r)
		r2 := newRecord(creator.Bluesky, "alice")
		r2.Profile.DisplayName = "Alice Renamed"
		r2.Profile.Followers = 4321
		r2.Profile.Posts = nil
		r2.Scores.Tier = creator.TierMicro
		if err := st.Upsert(ctx, r2, snapOf(r2, at(time.Hour))); err != nil {
			t.Fatalf("Upsert: %v", err)
		}
		got, err := st.Get(ctx, r.Key)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if diff := cmp.Diff(r2, got, cmpOpts...); diff != "" {
			t.Errorf("Get after second Upsert mismatch (-want +got):\n%s", diff)
		}
		// The search columns follow the new record, not the old one.
		res := mustSearch(t, st, index.Query{Filter: &index.Filter{Op: index.OpEq, Field: "tier", Values: []string{creator.TierMicro}}})
		if diff := cmp.Diff([]string{r.Key}, keysOf(res.Hits)); diff != "" {
			t.Errorf("search for the new tier (-want +got):\n%s", diff)
		}
		res = mustSearch(t, st, index.Query{Text: "ordinary"})
		if res.Total != 0 {
			t.Errorf("text of the replaced posts still matches: %d hits", res.Total)
		}
		res = mustSearch(t, st, index.Query{Text: "renamed"})
		if diff := cmp.Diff([]string{r.Key}, keysOf(res.Hits)); diff != "" {
			t.Errorf("text of the new name (-want +got):\n%s", diff)
		}
	})
	t.Run("GetUnknown", func(t *testing.T) {
		st := s.open(t)
		_, err := st.Get(ctxFor(t), "bluesky-nobody")
		wantErrIs(t, err, creator.ErrNotFound, "Get(unknown)")
	})
	t.Run("UpsertManyBatch", func(t *testing.T) {
		st := s.open(t)
		ctx := ctxFor(t)
		var ws []index.Write
		var want []string
		for i := range 30 {
			r := newRecord(creator.Mastodon, fmt.Sprintf("m%02d", i))
			ws = append(ws, index.Write{Record: r, Snapshot: snapOf(r, at(0))})
			want = append(want, r.Key)
		}
		if err := st.UpsertMany(ctx, ws); err != nil {
			t.Fatalf("UpsertMany: %v", err)
		}
		res := mustSearch(t, st, index.Query{PerPage: 100})
		if diff := cmp.Diff(sorted(want...), keysOf(res.Hits)); diff != "" {
			t.Errorf("keys after UpsertMany (-want +got):\n%s", diff)
		}
		if err := st.UpsertMany(ctx, nil); err != nil {
			t.Errorf("UpsertMany(nil): %v", err)
		}
	})
	t.Run("InvalidKey", func(t *testing.T) {
		st := s.open(t)
		for _, key := range []string{"", "has space", "semi;colon"} {
			r := newRecord(creator.Bluesky, "x")
			r.Key = key
			if err := st.Upsert(ctxFor(t), r, snapOf(r, at(0))); err == nil {
				t.Errorf("Upsert with key %q: no error", key)
			}
		}
	})
	t.Run("HitsAreSummaries", func(t *testing.T) {
		st := s.open(t)
		r := newRecord(creator.YouTube, "ytchan")
		mustUpsert(t, st, r)
		res := mustSearch(t, st, index.Query{})
		if len(res.Hits) != 1 {
			t.Fatalf("got %d hits, want 1", len(res.Hits))
		}
		if diff := cmp.Diff(index.Summary(r), res.Hits[0], cmpOpts...); diff != "" {
			t.Errorf("hit is not the record's summary (-want +got):\n%s", diff)
		}
	})
}

func (s *suite) history(t *testing.T) {
	t.Run("AppendAndOrder", func(t *testing.T) {
		st := s.open(t)
		ctx := ctxFor(t)
		r := newRecord(creator.Bluesky, "hist")
		var snaps []creator.Snapshot
		for i := range 4 {
			r.Profile.Followers = int64(1000 + i*10)
			sn := snapOf(r, at(time.Duration(i)*24*time.Hour))
			snaps = append(snaps, sn)
			if err := st.Upsert(ctx, r, sn); err != nil {
				t.Fatalf("Upsert %d: %v", i, err)
			}
		}
		tests := []struct {
			name  string
			limit int
			want  []creator.Snapshot
		}{
			{"all", 0, snaps},
			{"negative means all", -1, snaps},
			{"newest two oldest first", 2, snaps[2:]},
			{"newest one", 1, snaps[3:]},
			{"limit above count", 10, snaps},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := st.History(ctx, r.Key, tt.limit)
				if err != nil {
					t.Fatalf("History: %v", err)
				}
				if diff := cmp.Diff(tt.want, got, cmpOpts...); diff != "" {
					t.Errorf("History(%d) (-want +got):\n%s", tt.limit, diff)
				}
			})
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		st := s.open(t)
		got, err := st.History(ctxFor(t), "bluesky-nobody", 0)
		if err != nil {
			t.Fatalf("History(unknown): %v", err)
		}
		if len(got) != 0 {
			t.Errorf("History(unknown) = %d snapshots, want none", len(got))
		}
	})
	t.Run("Cap", func(t *testing.T) {
		st := s.open(t)
		r := newRecord(creator.Bluesky, "capped")
		n := index.DefaultHistoryCap + 5
		ws := make([]index.Write, n)
		var last *creator.Record
		for i := range ws {
			ri := newRecord(creator.Bluesky, "capped")
			ri.Profile.Followers = int64(i)
			ws[i] = index.Write{Record: ri, Snapshot: snapOf(ri, at(time.Duration(i)*time.Minute))}
			last = ri
		}
		if err := st.UpsertMany(ctxFor(t), ws); err != nil {
			t.Fatalf("UpsertMany: %v", err)
		}
		got, err := st.History(ctxFor(t), r.Key, 0)
		if err != nil {
			t.Fatalf("History: %v", err)
		}
		if len(got) != index.DefaultHistoryCap {
			t.Fatalf("kept %d snapshots, want the cap %d", len(got), index.DefaultHistoryCap)
		}
		if got[0].Followers != 5 || got[len(got)-1].Followers != int64(n-1) {
			t.Errorf("kept snapshots %d..%d, want the newest: 5..%d", got[0].Followers, got[len(got)-1].Followers, n-1)
		}
		rec, err := st.Get(ctxFor(t), r.Key)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if diff := cmp.Diff(last, rec, cmpOpts...); diff != "" {
			t.Errorf("record after a batch writing one key many times is not the last write (-want +got):\n%s", diff)
		}
	})
}

func (s *suite) erasure(t *testing.T) {
	st := s.open(t)
	ctx := ctxFor(t)
	gone := newRecord(creator.Bluesky, "gone")
	gone.Profile.Bio = "zanzibarian kite surfer"
	kept := newRecord(creator.Bluesky, "kept")
	kept.Profile.Bio = "zanzibarian chef"
	mustUpsert(t, st, gone, kept)
	if err := st.Upsert(ctx, gone, snapOf(gone, at(time.Hour))); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{gone.Key, kept.Key} {
		if err := st.PutJobItems(ctx, &index.JobItem{JobID: "job1", Key: k, State: index.ItemDone, UpdatedAt: at(0)}); err != nil {
			t.Fatal(err)
		}
		if err := st.PutAlert(ctx, &index.AlertEvent{ID: "alert-" + k, WatchlistID: "wl1", CreatorKey: k, Kind: "quiet", At: at(0)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutJob(ctx, &index.Job{ID: "job1", Kind: "discover", State: index.JobDone, CreatedAt: at(0), UpdatedAt: at(0)}); err != nil {
		t.Fatal(err)
	}
	wl := &index.Watchlist{ID: "wl1", Name: "list", CreatedAt: at(0), UpdatedAt: at(0), Members: []index.WatchMember{
		{Key: gone.Key, Ref: gone.Profile.Ref, AddedAt: at(0), Source: "key"},
		{Key: kept.Key, Ref: kept.Profile.Ref, AddedAt: at(0), Source: "key"},
	}}
	if err := st.PutWatchlist(ctx, wl); err != nil {
		t.Fatal(err)
	}

	if err := st.Delete(ctx, gone.Key); err != nil {
		t.Fatalf("Delete: %v", err)
	}

	t.Run("Record", func(t *testing.T) {
		_, err := st.Get(ctx, gone.Key)
		wantErrIs(t, err, creator.ErrNotFound, "Get after Delete")
		if _, err := st.Get(ctx, kept.Key); err != nil {
			t.Errorf("Get(other creator): %v", err)
		}
	})
	t.Run("History", func(t *testing.T) {
		h, err := st.History(ctx, gone.Key, 0)
		if err != nil || len(h) != 0 {
			t.Errorf("History after Delete = %d snapshots, %v; want none", len(h), err)
		}
		h, err = st.History(ctx, kept.Key, 0)
		if err != nil || len(h) != 1 {
			t.Errorf("History(other creator) = %d snapshots, %v; want 1", len(h), err)
		}
	})
	t.Run("Search", func(t *testing.T) {
		res := mustSearch(t, st, index.Query{Text: "zanzibarian"})
		if diff := cmp.Diff([]string{kept.Key}, keysOf(res.Hits)); diff != "" {
			t.Errorf("text search after Delete (-want +got):\n%s", diff)
		}
		res = mustSearch(t, st, index.Query{Facets: []string{"platform"}})
		if res.Total != 1 || res.Facets["platform"][creator.Bluesky] != 1 {
			t.Errorf("after Delete: total %d, platform facet %v; want 1 and bluesky:1", res.Total, res.Facets["platform"])
		}
	})
	t.Run("JobItems", func(t *testing.T) {
		items, err := st.JobItems(ctx, "job1", "")
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, it := range items {
			keys = append(keys, it.Key)
		}
		if diff := cmp.Diff([]string{kept.Key}, keys); diff != "" {
			t.Errorf("job items after Delete (-want +got):\n%s", diff)
		}
		j, err := st.GetJob(ctx, "job1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(index.JobCounts{Done: 1}, j.Counts); diff != "" {
			t.Errorf("job counts after Delete (-want +got):\n%s", diff)
		}
	})
	t.Run("Alerts", func(t *testing.T) {
		_, err := st.GetAlert(ctx, "alert-"+gone.Key)
		wantErrIs(t, err, creator.ErrNotFound, "GetAlert after Delete")
		evs, err := st.ListAlerts(ctx, index.AlertFilter{CreatorKey: gone.Key})
		if err != nil || len(evs) != 0 {
			t.Errorf("ListAlerts(deleted creator) = %d events, %v; want none", len(evs), err)
		}
		if _, err := st.GetAlert(ctx, "alert-"+kept.Key); err != nil {
			t.Errorf("GetAlert(other creator): %v", err)
		}
	})
	t.Run("WatchlistMembership", func(t *testing.T) {
		got, err := st.GetWatchlist(ctx, "wl1")
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, m := range got.Members {
			keys = append(keys, m.Key)
		}
		if diff := cmp.Diff([]string{kept.Key}, keys); diff != "" {
			t.Errorf("watchlist members after Delete (-want +got):\n%s", diff)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		if err := st.Delete(ctx, "bluesky-nobody"); err != nil {
			t.Errorf("Delete(unknown): %v", err)
		}
		if err := st.Delete(ctx, gone.Key); err != nil {
			t.Errorf("Delete twice: %v", err)
		}
	})
	t.Run("Reinsert", func(t *testing.T) {
		if err := st.Upsert(ctx, gone, snapOf(gone, at(2*time.Hour))); err != nil {
			t.Fatal(err)
		}
		h, err := st.History(ctx, gone.Key, 0)
		if err != nil || len(h) != 1 {
			t.Errorf("History after re-adding = %d snapshots, %v; want only the new one", len(h), err)
		}
	})
}

func (s *suite) concurrency(t *testing.T) {
	st := s.open(t)
	ctx := ctxFor(t)
	const n = 8
	recs := make([]*creator.Record, n)
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		r := newRecord(creator.Bluesky, "same")
		r.Profile.Followers = int64(100 + i)
		r.Profile.Bio = "concurrent writer"
		recs[i] = r
		wg.Add(2)
		go func() {
			defer wg.Done()
			errs <- st.Upsert(ctx, r, snapOf(r, at(time.Duration(i)*time.Minute)))
		}()
		go func() { // a different creator at the same time
			defer wg.Done()
			o := newRecord(creator.Mastodon, fmt.Sprintf("other%d", i))
			errs <- st.Upsert(ctx, o, snapOf(o, at(0)))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Upsert: %v", err)
		}
	}
	key := recs[0].Key
	h, err := st.History(ctx, key, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != n {
		t.Fatalf("History has %d snapshots after %d concurrent upserts, want all of them", len(h), n)
	}
	seen := map[int64]bool{}
	for _, sn := range h {
		seen[sn.Followers] = true
	}
	if len(seen) != n {
		t.Errorf("History holds %d distinct snapshots, want %d", len(seen), n)
	}
	got, err := st.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs {
		if cmp.Diff(r, got, cmpOpts...) == "" {
			found = true
		}
	}
	if !found {
		t.Errorf("stored record is none of the records written: followers %d", got.Profile.Followers)
	}
	res := mustSearch(t, st, index.Query{Text: "concurrent writer", Facets: []string{"platform"}})
	if res.Total != 1 || len(res.Hits) != 1 {
		t.Errorf("text search finds the creator %d times (%d hits), want once", res.Total, len(res.Hits))
	}
	res = mustSearch(t, st, index.Query{Facets: []string{"platform"}})
	want := map[string]int{creator.Bluesky: 1, creator.Mastodon: n}
	if diff := cmp.Diff(want, res.Facets["platform"]); diff != "" {
		t.Errorf("platform facet after concurrent upserts (-want +got):\n%s", diff)
	}
}
