package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// longValues stores creators under keys of creator.MaxKeyLen bytes that
// share their first 470 bytes, with ids and handles of hundreds of bytes,
// and checks that every lookup by them works and that keys order by their
// bytes. (Meilisearch keeps only the first 468 bytes of a filterable or
// sortable string, so a backend that stores such values as they are finds
// nothing by them, and orders keys that share 468 bytes arbitrarily.)
// Unlike the rest of the suite, these keys hold upper-case letters and
// '_', which sort before and between lower-case letters by bytes.
func (s *suite) longValues(t *testing.T) {
	st := s.open(t)
	ctx := ctxFor(t)
	stem := "bluesky-" + strings.Repeat("Ab9_z-", 77) // 470 bytes
	keys := []string{
		stem[:468], // a prefix of the others
		stem,
		stem + strings.Repeat("A", 41),
		stem + strings.Repeat("_", 41),
		stem + strings.Repeat("a", 40) + "A",
		stem + strings.Repeat("a", 41),
		"Bluesky-short",
		"bluesky-short",
	}
	for _, k := range keys {
		if !creator.ValidKey(k) {
			t.Fatalf("test key %q is not valid", k)
		}
	}
	gone, kept := keys[2], keys[5]
	if len(gone) != creator.MaxKeyLen || len(kept) != creator.MaxKeyLen {
		t.Fatalf("test keys of %d and %d bytes, want %d", len(gone), len(kept), creator.MaxKeyLen)
	}
	var recs []*creator.Record
	for i, k := range keys {
		r := newRecord(creator.Bluesky, "long"+string(rune('a'+i)))
		r.Key = k
		recs = append(recs, r)
	}
	mustUpsert(t, st, recs...)
	if err := st.Upsert(ctx, recs[2], snapOf(recs[2], at(time.Hour))); err != nil {
		t.Fatal(err)
	}

	jobID := strings.Repeat("job-", 100)
	wlID := strings.Repeat("wl", 200)
	kind := strings.Repeat("kind", 100)
	alertIDs := []string{strings.Repeat("x", 400) + "1", strings.Repeat("x", 400) + "0"}
	if err := st.PutJob(ctx, &index.Job{ID: jobID, Kind: "crawl", State: index.JobRunning, CreatedAt: at(0), UpdatedAt: at(0)}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{gone, kept} {
		if err := st.PutJobItems(ctx, &index.JobItem{JobID: jobID, Key: k, State: index.ItemDone, UpdatedAt: at(0)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range alertIDs {
		if err := st.PutAlert(ctx, &index.AlertEvent{ID: id, WatchlistID: wlID, CreatorKey: gone, Kind: kind, At: at(0)}); err != nil {
			t.Fatal(err)
		}
	}
	wl := &index.Watchlist{ID: wlID, Name: "long", CreatedAt: at(0), UpdatedAt: at(0), Members: []index.WatchMember{
		{Key: gone, AddedAt: at(0), Source: "key"}, {Key: kept, AddedAt: at(0), Source: "key"},
	}}
	if err := st.PutWatchlist(ctx, wl); err != nil {
		t.Fatal(err)
	}

	t.Run("KeyOrder", func(t *testing.T) {
		want := sorted(keys...)
		res := mustSearch(t, st, index.Query{PerPage: 100})
		if diff := cmp.Diff(want, keysOf(res.Hits)); diff != "" {
			t.Errorf("search without text or sort, by key (-want +got):\n%s", diff)
		}
		// Equal followers everywhere: the tie is broken by key.
		res = mustSearch(t, st, index.Query{Sort: []index.Sort{{Field: "followers", Desc: true}}, PerPage: 100})
		if diff := cmp.Diff(want, keysOf(res.Hits)); diff != "" {
			t.Errorf("search sorted by equal followers, ties by key (-want +got):\n%s", diff)
		}
		var paged []string
		for page := 1; page <= 3; page++ {
			res := mustSearch(t, st, index.Query{Page: page, PerPage: 3})
			paged = append(paged, keysOf(res.Hits)...)
		}
		if diff := cmp.Diff(want, paged); diff != "" {
			t.Errorf("pages of 3 by key (-want +got):\n%s", diff)
		}
	})
	t.Run("History", func(t *testing.T) {
		for _, tt := range []struct {
			key  string
			want int
		}{{gone, 2}, {kept, 1}, {keys[0], 1}, {keys[1], 1}} {
			h, err := st.History(ctx, tt.key, 0)
			if err != nil || len(h) != tt.want {
				t.Errorf("History(%d-byte key ...%s) = %d snapshots, %v; want %d", len(tt.key), tt.key[len(tt.key)-3:], len(h), err, tt.want)
			}
		}
	})
	t.Run("JobsAndAlerts", func(t *testing.T) {
		items, err := st.JobItems(ctx, jobID, index.ItemDone)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.Key)
		}
		if diff := cmp.Diff([]string{gone, kept}, got); diff != "" {
			t.Errorf("JobItems of a long job id, by key (-want +got):\n%s", diff)
		}
		j, err := st.GetJob(ctx, jobID)
		if err != nil || j.Counts.Done != 2 {
			t.Errorf("GetJob(long id) = %+v, %v; want 2 items done", j, err)
		}
		for _, f := range []index.AlertFilter{{WatchlistID: wlID}, {CreatorKey: gone}, {Kind: kind}, {WatchlistID: wlID, CreatorKey: gone, Kind: kind}} {
			evs, err := st.ListAlerts(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range evs {
				ids = append(ids, e.ID)
			}
			// Same time: by id.
			if diff := cmp.Diff([]string{alertIDs[1], alertIDs[0]}, ids); diff != "" {
				t.Errorf("ListAlerts by long values (-want +got):\n%s", diff)
			}
		}
	})
	t.Run("OptOut", func(t *testing.T) {
		id := "did:plc:" + strings.Repeat("q", 300)
		handle := strings.Repeat("Handle.", 50)
		if err := st.AddOptOut(ctx, &index.OptOut{Platform: creator.Bluesky, ID: id, Handle: handle, CreatedAt: at(0)}); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name, id, handle string
			want             bool
		}{
			{"by id", id, "", true},
			{"by handle any case", "", strings.ToUpper(handle), true},
			{"id differing at its end", id[:len(id)-1] + "r", "", false},
			{"handle differing at its end", "", handle + "x", false},
		} {
			got, err := st.IsOptedOut(ctx, creator.Bluesky, tt.id, tt.handle)
			if err != nil || got != tt.want {
				t.Errorf("IsOptedOut %s = %v, %v; want %v", tt.name, got, err, tt.want)
			}
		}
	})
	t.Run("Erasure", func(t *testing.T) {
		if err := st.Delete(ctx, gone); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		_, err := st.Get(ctx, gone)
		wantErrIs(t, err, creator.ErrNotFound, "Get after Delete")
		if h, err := st.History(ctx, gone, 0); err != nil || len(h) != 0 {
			t.Errorf("History after Delete = %d snapshots, %v; want none", len(h), err)
		}
		if h, err := st.History(ctx, kept, 0); err != nil || len(h) != 1 {
			t.Errorf("History of the creator kept = %d snapshots, %v; want 1", len(h), err)
		}
		items, err := st.JobItems(ctx, jobID, "")
		if err != nil || len(items) != 1 || items[0].Key != kept {
			t.Errorf("JobItems after Delete = %d items, %v; want only the creator kept", len(items), err)
		}
		evs, err := st.ListAlerts(ctx, index.AlertFilter{WatchlistID: wlID})
		if err != nil || len(evs) != 0 {
			t.Errorf("ListAlerts after Delete = %d events, %v; want none", len(evs), err)
		}
		w, err := st.GetWatchlist(ctx, wlID)
		if err != nil {
			t.Fatal(err)
		}
		var members []string
		for _, m := range w.Members {
			members = append(members, m.Key)
		}
		if diff := cmp.Diff([]string{kept}, members); diff != "" {
			t.Errorf("watchlist members after Delete (-want +got):\n%s", diff)
		}
		var want []string
		for _, k := range sorted(keys...) {
			if k != gone {
				want = append(want, k)
			}
		}
		res := mustSearch(t, st, index.Query{PerPage: 100})
		if diff := cmp.Diff(want, keysOf(res.Hits)); diff != "" || res.Total != len(want) {
			t.Errorf("search after Delete: total %d (-want +got):\n%s", res.Total, diff)
		}
	})
}
