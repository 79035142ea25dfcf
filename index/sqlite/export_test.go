package sqlite_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
)

// TestExportEverything checks that the Exporter lists every creator (more
// than one page of them) with its whole history, every job with its items,
// and every alert: what `scout reindex` copies.
func TestExportEverything(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(t.TempDir() + "/scout.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 1203 // over two pages of 500
	var ws []index.Write
	for i := 0; i < n; i++ {
		ref := creator.Ref{Platform: creator.Bluesky, ID: fmt.Sprintf("did:plc:%05d", i)}
		ws = append(ws, index.Write{Record: &creator.Record{Key: creator.Key(ref), Profile: creator.Profile{Ref: ref, Followers: int64(i)}, FirstSeen: t0, UpdatedAt: t0},
			Snapshot: creator.Snapshot{At: t0, Followers: int64(i)}})
	}
	if err := st.UpsertMany(ctx, ws); err != nil {
		t.Fatal(err)
	}
	second := *ws[7].Record
	second.UpdatedAt = t0.Add(time.Hour)
	if err := st.Upsert(ctx, &second, creator.Snapshot{At: t0.Add(time.Hour), Followers: 99}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		id := fmt.Sprintf("job-%d", i)
		if err := st.PutJob(ctx, &index.Job{ID: id, Kind: "crawl", State: index.JobDone, Request: []byte(`{}`), CreatedAt: t0, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if err := st.PutJobItems(ctx, &index.JobItem{JobID: id, Key: ws[i].Record.Key, State: index.ItemDone, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutWatchlist(ctx, &index.Watchlist{ID: "wl-1", Name: "x", CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if err := st.PutAlert(ctx, &index.AlertEvent{ID: fmt.Sprintf("al-%d", i), WatchlistID: "wl-1", CreatorKey: ws[i].Record.Key, Kind: "quiet", At: t0}); err != nil {
			t.Fatal(err)
		}
	}

	seen := map[string]int{}
	var order []string
	if err := st.ForEachCreator(ctx, func(rec *creator.Record, h []creator.Snapshot) error {
		seen[rec.Key] = len(h)
		order = append(order, rec.Key)
		// Decoded on several CPUs, each is still the record and history
		// of its own key.
		want, err := st.Get(ctx, rec.Key)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(want, rec); diff != "" {
			t.Errorf("record %s (-Get +export):\n%s", rec.Key, diff)
		}
		wantH, err := st.History(ctx, rec.Key, 0)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(wantH, h); diff != "" {
			t.Errorf("history of %s (-History +export):\n%s", rec.Key, diff)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(order) {
		t.Error("creators not exported in key order")
	}
	if len(seen) != n {
		t.Errorf("exported %d creators, want %d", len(seen), n)
	}
	if seen[ws[7].Record.Key] != 2 || seen[ws[8].Record.Key] != 1 {
		t.Errorf("history lengths %d and %d, want 2 and 1", seen[ws[7].Record.Key], seen[ws[8].Record.Key])
	}
	jobs, items := 0, 0
	if err := st.ForEachJob(ctx, func(j *index.Job, its []index.JobItem) error {
		jobs++
		items += len(its)
		if j.Counts.Done != len(its) {
			t.Errorf("job %s counts %+v with %d items", j.ID, j.Counts, len(its))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if jobs != 3 || items != 3 {
		t.Errorf("exported %d jobs with %d items, want 3 and 3", jobs, items)
	}
	alerts := 0
	if err := st.ForEachAlert(ctx, func(*index.AlertEvent) error { alerts++; return nil }); err != nil {
		t.Fatal(err)
	}
	if alerts != 4 {
		t.Errorf("exported %d alerts, want 4", alerts)
	}
	stop := fmt.Errorf("stop")
	if err := st.ForEachCreator(ctx, func(*creator.Record, []creator.Snapshot) error { return stop }); err != stop {
		t.Errorf("ForEachCreator returned %v, want the callback's error", err)
	}
}
