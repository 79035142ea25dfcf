package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

func (s *suite) jobs(t *testing.T) {
	st := s.open(t)
	ctx := ctxFor(t)
	mkJob := func(id, state string, created time.Duration) *index.Job {
		return &index.Job{ID: id, Kind: "discover", Request: json.RawMessage(`{"source":"bluesky","query":"vegan","limit":5}`),
			State: state, CreatedAt: at(created), UpdatedAt: at(created + time.Minute)}
	}
	jobs := []*index.Job{
		mkJob("j1", index.JobQueued, 0),
		mkJob("j2", index.JobRunning, 2*time.Second),
		mkJob("j3", index.JobDone, time.Second),
		mkJob("j4", index.JobFailed, 3*time.Second),
		mkJob("j5", index.JobQueued, -time.Second),
	}
	jobs[3].Error = "source unavailable"
	jobs[1].Discovered = 12
	jobs[0].Counts = index.JobCounts{Done: 99} // not stored: counts are computed
	for _, j := range jobs {
		if err := st.PutJob(ctx, j); err != nil {
			t.Fatalf("PutJob(%s): %v", j.ID, err)
		}
	}
	item := func(job, key, state string) *index.JobItem {
		return &index.JobItem{JobID: job, Key: key, Ref: creator.Ref{Platform: creator.Bluesky, ID: key}, State: state, UpdatedAt: at(time.Minute)}
	}
	// j1's items in one batch (an item twice in a batch: the last wins),
	// j2's alone.
	if err := st.PutJobItems(ctx,
		item("j1", "bluesky-a", index.ItemPending),
		item("j1", "bluesky-b", index.ItemFailed),
		item("j1", "bluesky-c", index.ItemPending),
		item("j1", "bluesky-d", index.ItemSkipped),
		item("j1", "bluesky-a", index.ItemDone),
	); err != nil {
		t.Fatalf("PutJobItems(j1's five): %v", err)
	}
	if err := st.PutJobItems(ctx, item("j1", "bluesky-a", index.ItemDone)); err != nil { // the same outcome twice counts once
		t.Fatalf("PutJobItems(j1/bluesky-a): %v", err)
	}
	if err := st.PutJobItems(ctx, item("j2", "bluesky-a", index.ItemPending)); err != nil {
		t.Fatalf("PutJobItems(j2/bluesky-a): %v", err)
	}
	t.Run("BatchWithInvalidItemStoresNone", func(t *testing.T) {
		err := st.PutJobItems(ctx, item("j5", "bluesky-x", index.ItemDone), &index.JobItem{JobID: "j5"})
		wantErrIs(t, err, creator.ErrInvalid, "PutJobItems(valid, no key)")
		items, err := st.JobItems(ctx, "j5", "")
		if err != nil || len(items) != 0 {
			t.Errorf("after a refused batch, j5 has items %v (err %v), want none", items, err)
		}
	})
	t.Run("GetJob", func(t *testing.T) {
		got, err := st.GetJob(ctx, "j1")
		if err != nil {
			t.Fatal(err)
		}
		want := *jobs[0]
		want.Counts = index.JobCounts{Pending: 1, Done: 1, Failed: 1, Skipped: 1}
		if diff := cmp.Diff(&want, got, cmpOpts...); diff != "" {
			t.Errorf("GetJob(j1) (-want +got):\n%s", diff)
		}
		got, err = st.GetJob(ctx, "j4")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(jobs[3], got, cmpOpts...); diff != "" {
			t.Errorf("GetJob(j4) (-want +got):\n%s", diff)
		}
	})
	t.Run("GetJobUnknown", func(t *testing.T) {
		_, err := st.GetJob(ctx, "nope")
		wantErrIs(t, err, creator.ErrNotFound, "GetJob(unknown)")
	})
	t.Run("JobItems", func(t *testing.T) {
		tests := []struct {
			name, job, state string
			want             []string
		}{
			{"all by key", "j1", "", []string{"bluesky-a", "bluesky-b", "bluesky-c", "bluesky-d"}},
			{"one state", "j1", index.ItemDone, []string{"bluesky-a"}},
			{"other job", "j2", "", []string{"bluesky-a"}},
			{"unknown job", "nope", "", nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				items, err := st.JobItems(ctx, tt.job, tt.state)
				if err != nil {
					t.Fatal(err)
				}
				var keys []string
				for _, it := range items {
					keys = append(keys, it.Key)
				}
				if diff := cmp.Diff(tt.want, keys, cmpOpts...); diff != "" {
					t.Errorf("JobItems(%s, %q) (-want +got):\n%s", tt.job, tt.state, diff)
				}
			})
		}
		items, err := st.JobItems(ctx, "j1", index.ItemFailed)
		if err != nil || len(items) != 1 {
			t.Fatalf("JobItems(j1, failed) = %v, %v", items, err)
		}
		if diff := cmp.Diff(*item("j1", "bluesky-b", index.ItemFailed), items[0], cmpOpts...); diff != "" {
			t.Errorf("job item round trip (-want +got):\n%s", diff)
		}
	})
	t.Run("ItemStateChange", func(t *testing.T) {
		it := item("j1", "bluesky-c", index.ItemFailed)
		it.Error = "timeout"
		if err := st.PutJobItems(ctx, it); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetJob(ctx, "j1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(index.JobCounts{Done: 1, Failed: 2, Skipped: 1}, got.Counts); diff != "" {
			t.Errorf("counts after an item changed state (-want +got):\n%s", diff)
		}
	})
	t.Run("UnfinishedJobs", func(t *testing.T) {
		got, err := st.UnfinishedJobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, j := range got {
			ids = append(ids, j.ID)
		}
		if diff := cmp.Diff([]string{"j5", "j1", "j2"}, ids); diff != "" {
			t.Errorf("UnfinishedJobs oldest first (-want +got):\n%s", diff)
		}
		// Finishing a job takes it off the list.
		done := *jobs[1]
		done.State = index.JobDone
		if err := st.PutJob(ctx, &done); err != nil {
			t.Fatal(err)
		}
		got, err = st.UnfinishedJobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ids = nil
		for _, j := range got {
			ids = append(ids, j.ID)
		}
		if diff := cmp.Diff([]string{"j5", "j1"}, ids); diff != "" {
			t.Errorf("UnfinishedJobs after j2 finished (-want +got):\n%s", diff)
		}
		if len(got) > 0 {
			if diff := cmp.Diff(jobs[4], &got[0], cmpOpts...); diff != "" {
				t.Errorf("UnfinishedJobs()[0] (-want +got):\n%s", diff)
			}
		}
	})
}

func (s *suite) optOuts(t *testing.T) {
	st := s.open(t)
	ctx := ctxFor(t)
	list := []*index.OptOut{
		{Platform: creator.Bluesky, ID: "did:plc:abc", Handle: "Alice.bsky.social", Reason: "asked by email", CreatedAt: at(time.Minute)},
		{Platform: creator.Mastodon, Handle: "Bob@Mastodon.social", CreatedAt: at(0)},
		{Platform: creator.Bluesky, ID: "did:plc:xyz", CreatedAt: at(2 * time.Minute)},
	}
	for _, o := range list {
		if err := st.AddOptOut(ctx, o); err != nil {
			t.Fatalf("AddOptOut: %v", err)
		}
	}
	tests := []struct {
		name                 string
		platform, id, handle string
		want                 bool
	}{
		{"by id", creator.Bluesky, "did:plc:abc", "", true},
		{"by id only entry", creator.Bluesky, "did:plc:xyz", "someone", true},
		{"by handle any case", creator.Bluesky, "", "alice.BSKY.social", true},
		{"by handle only entry", creator.Mastodon, "", "bob@mastodon.social", true},
		{"handle matches though id differs", creator.Bluesky, "did:plc:other", "alice.bsky.social", true},
		{"other platform", creator.Mastodon, "did:plc:abc", "", false},
		{"other creator", creator.Bluesky, "did:plc:other", "carol.bsky.social", false},
		{"nothing given", creator.Bluesky, "", "", false},
		{"id is not a handle", creator.Bluesky, "", "did:plc:xyz", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.IsOptedOut(ctx, tt.platform, tt.id, tt.handle)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("IsOptedOut(%q, %q, %q) = %v, want %v", tt.platform, tt.id, tt.handle, got, tt.want)
			}
		})
	}
	t.Run("List", func(t *testing.T) {
		got, err := st.ListOptOuts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []index.OptOut{*list[1], *list[0], *list[2]}
		if diff := cmp.Diff(want, got, cmpOpts...); diff != "" {
			t.Errorf("ListOptOuts oldest first (-want +got):\n%s", diff)
		}
	})
}

func watchlistFixture(id, name string) *index.Watchlist {
	saved := index.And(index.Eq("niche", "vegan"), index.Range("followers", f64(1000), nil))
	return &index.Watchlist{
		ID:   id,
		Name: name,
		Members: []index.WatchMember{
			{Key: "bluesky-a", Ref: creator.Ref{Platform: creator.Bluesky, ID: "a", Handle: "a.bsky.social"}, AddedAt: at(0), Source: "key"},
			{Key: "mastodon-b", Ref: creator.Ref{Platform: creator.Mastodon, ID: "b"}, AddedAt: at(time.Minute), Source: "url"},
		},
		SavedSearch: &index.Query{Text: "plant based", Filter: &saved, Sort: []index.Sort{{Field: "overall", Desc: true}}, PerPage: 50},
		Cadence:     "0 6 * * *",
		Rules:       index.AlertRules{AuthenticityBelow: 40, EngagementDropPct: 30, DisableSpike: true},
		Webhooks:    []index.Webhook{{URL: "https://hooks.example/x", Secret: "s3cret"}},
		LastRunAt:   at(-time.Hour),
		NextRunAt:   at(23 * time.Hour),
		CreatedAt:   at(-48 * time.Hour),
		UpdatedAt:   at(-time.Hour),
	}
}

func (s *suite) watchlists(t *testing.T) {
	st := s.open(t)
	ctx := ctxFor(t)
	w2 := watchlistFixture("wl-b", "second")
	w1 := watchlistFixture("wl-a", "first")
	w1.LastRunAt = time.Time{}
	for _, w := range []*index.Watchlist{w2, w1} {
		if err := st.PutWatchlist(ctx, w); err != nil {
			t.Fatalf("PutWatchlist(%s): %v", w.ID, err)
		}
	}
	t.Run("Get", func(t *testing.T) {
		got, err := st.GetWatchlist(ctx, "wl-b")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(w2, got, cmpOpts...); diff != "" {
			t.Errorf("GetWatchlist round trip (-want +got):\n%s", diff)
		}
		_, err = st.GetWatchlist(ctx, "nope")
		wantErrIs(t, err, creator.ErrNotFound, "GetWatchlist(unknown)")
	})
	t.Run("ListByID", func(t *testing.T) {
		got, err := st.ListWatchlists(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]index.Watchlist{*w1, *w2}, got, cmpOpts...); diff != "" {
			t.Errorf("ListWatchlists (-want +got):\n%s", diff)
		}
	})
	t.Run("Replace", func(t *testing.T) {
		w := watchlistFixture("wl-a", "renamed")
		w.Members = w.Members[:1]
		if err := st.PutWatchlist(ctx, w); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetWatchlist(ctx, "wl-a")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(w, got, cmpOpts...); diff != "" {
			t.Errorf("GetWatchlist after replace (-want +got):\n%s", diff)
		}
		all, err := st.ListWatchlists(ctx)
		if err != nil || len(all) != 2 {
			t.Errorf("ListWatchlists after replace: %d lists, %v; want 2", len(all), err)
		}
	})
	t.Run("DeleteRemovesAlerts", func(t *testing.T) {
		for i, wl := range []string{"wl-a", "wl-a", "wl-b"} {
			e := &index.AlertEvent{ID: fmt.Sprintf("ev%d", i), WatchlistID: wl, CreatorKey: "bluesky-a", Kind: "quiet", At: at(time.Duration(i) * time.Minute)}
			if err := st.PutAlert(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.DeleteWatchlist(ctx, "wl-a"); err != nil {
			t.Fatalf("DeleteWatchlist: %v", err)
		}
		_, err := st.GetWatchlist(ctx, "wl-a")
		wantErrIs(t, err, creator.ErrNotFound, "GetWatchlist after delete")
		_, err = st.GetAlert(ctx, "ev0")
		wantErrIs(t, err, creator.ErrNotFound, "GetAlert of a deleted watchlist")
		evs, err := st.ListAlerts(ctx, index.AlertFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 || evs[0].ID != "ev2" {
			t.Errorf("alerts left after deleting wl-a: %v, want only ev2", evs)
		}
		if err := st.DeleteWatchlist(ctx, "wl-a"); err != nil {
			t.Errorf("DeleteWatchlist(unknown): %v", err)
		}
	})
}

func (s *suite) alerts(t *testing.T) {
	st := s.open(t)
	ctx := ctxFor(t)
	mk := func(id, wl, key, kind string, when time.Duration) *index.AlertEvent {
		return &index.AlertEvent{ID: id, WatchlistID: wl, CreatorKey: key, Kind: kind, At: at(when),
			Message: "authenticity fell from 78 to 41",
			Before:  map[string]any{"authenticity": 78.0}, After: map[string]any{"authenticity": 41.0, "note": "x"},
			Evidence:      []creator.Evidence{{Signal: "generic_comment_share", Value: 0.36, SampleSize: 180, Text: "36% of 180 sampled comments are generic"}},
			DeliveryState: "pending"}
	}
	evs := []*index.AlertEvent{
		mk("a1", "w1", "bluesky-k1", "authenticity_drop", time.Minute),
		mk("a2", "w1", "bluesky-k2", "quiet", 3*time.Minute),
		mk("a3", "w2", "bluesky-k1", "quiet", 2*time.Minute),
	}
	for _, e := range evs {
		if err := st.PutAlert(ctx, e); err != nil {
			t.Fatalf("PutAlert(%s): %v", e.ID, err)
		}
	}
	t.Run("Get", func(t *testing.T) {
		got, err := st.GetAlert(ctx, "a1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(evs[0], got, cmpOpts...); diff != "" {
			t.Errorf("GetAlert round trip (-want +got):\n%s", diff)
		}
		_, err = st.GetAlert(ctx, "nope")
		wantErrIs(t, err, creator.ErrNotFound, "GetAlert(unknown)")
	})
	tests := []struct {
		name string
		f    index.AlertFilter
		want []string
	}{
		{"all newest first", index.AlertFilter{}, []string{"a2", "a3", "a1"}},
		{"by watchlist", index.AlertFilter{WatchlistID: "w1"}, []string{"a2", "a1"}},
		{"by creator", index.AlertFilter{CreatorKey: "bluesky-k1"}, []string{"a3", "a1"}},
		{"by kind", index.AlertFilter{Kind: "quiet"}, []string{"a2", "a3"}},
		{"combined", index.AlertFilter{WatchlistID: "w1", Kind: "quiet"}, []string{"a2"}},
		{"limit", index.AlertFilter{Limit: 2}, []string{"a2", "a3"}},
		{"no match", index.AlertFilter{Kind: "spike"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.ListAlerts(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range got {
				ids = append(ids, e.ID)
			}
			if diff := cmp.Diff(tt.want, ids, cmpOpts...); diff != "" {
				t.Errorf("ListAlerts(%+v) (-want +got):\n%s", tt.f, diff)
			}
		})
	}
	t.Run("ReplaceDelivery", func(t *testing.T) {
		e := mk("a1", "w1", "bluesky-k1", "authenticity_drop", time.Minute)
		e.DeliveryState = "delivered"
		e.Deliveries = []index.Delivery{{URL: "https://hooks.example/x", Attempt: 1, At: at(2 * time.Minute), StatusCode: 204}}
		if err := st.PutAlert(ctx, e); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetAlert(ctx, "a1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(e, got, cmpOpts...); diff != "" {
			t.Errorf("GetAlert after replace (-want +got):\n%s", diff)
		}
		all, err := st.ListAlerts(ctx, index.AlertFilter{})
		if err != nil || len(all) != 3 {
			t.Errorf("ListAlerts after replace: %d events, %v; want 3", len(all), err)
		}
	})
	t.Run("DefaultLimit", func(t *testing.T) {
		st := s.open(t)
		for i := range 105 {
			e := &index.AlertEvent{ID: fmt.Sprintf("e%03d", i), WatchlistID: "w", CreatorKey: "bluesky-x", Kind: "quiet", At: at(time.Duration(i) * time.Second)}
			if err := st.PutAlert(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		got, err := st.ListAlerts(ctx, index.AlertFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 100 || got[0].ID != "e104" {
			first := ""
			if len(got) > 0 {
				first = got[0].ID
			}
			t.Errorf("ListAlerts() = %d events starting at %q, want 100 starting at e104", len(got), first)
		}
	})
}
