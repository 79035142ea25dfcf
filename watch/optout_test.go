package watch

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
	"github.com/creatorscout/scout/internal/testredis"
)

// TestOptedOutNeverAdded checks, on a real SQLite store, that a creator on
// the opt-out list is refused as a member however it is named (store key,
// DID URL, handle URL, another case of the handle) before the
// HandleLookup, which may fetch from the platform, is asked; and that a
// saved search and a rescan leave it out even while its record is still
// stored (an erasure not yet done).
func TestOptedOutNeverAdded(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(t.TempDir() + "/scout.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clk := newClock(day(0))
	gone := storeCreator(t, st, "did:plc:gone", "gone.bsky.social", day(0).Add(-time.Hour))
	kept := storeCreator(t, st, "did:plc:kept", "kept.bsky.social", day(0).Add(-time.Hour))
	if err := st.AddOptOut(ctx, &index.OptOut{Platform: creator.Bluesky, ID: "did:plc:gone", Handle: "gone.bsky.social", CreatedAt: day(0)}); err != nil {
		t.Fatal(err)
	}
	// Opted out by handle only, never stored: no id to compare.
	if err := st.AddOptOut(ctx, &index.OptOut{Platform: creator.Bluesky, Handle: "never.bsky.social", CreatedAt: day(0)}); err != nil {
		t.Fatal(err)
	}
	lookups := 0
	svc := New(st, WithProfileURLs(parseProfileURL), WithClock(clk.Now), WithHandleLookup(func(_ context.Context, r creator.Ref) (creator.Ref, error) {
		lookups++
		return creator.Ref{Platform: r.Platform, ID: "did:plc:" + strings.Split(r.Handle, ".")[0], Handle: r.Handle}, nil
	}))
	w, err := svc.Create(ctx, Spec{Name: "l", Members: []string{kept.Key}})
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range []string{
		gone.Key,
		"https://bsky.app/profile/did:plc:gone",
		"https://bsky.app/profile/gone.bsky.social",
		"https://bsky.app/profile/GONE.bsky.social/post/3k",
		"https://bsky.app/profile/never.bsky.social",
	} {
		_, err := svc.AddMembers(ctx, w.ID, "https://bsky.app/profile/new.bsky.social", item)
		if !errors.Is(err, creator.ErrOptedOut) || !strings.Contains(err.Error(), "members[1]") {
			t.Errorf("AddMembers(%s) = %v, want ErrOptedOut naming members[1]", item, err)
		}
		if _, err := svc.Create(ctx, Spec{Name: "x", Members: []string{item}}); !errors.Is(err, creator.ErrOptedOut) {
			t.Errorf("Create with %s = %v, want ErrOptedOut", item, err)
		}
	}
	// Only "new" was looked up (once per AddMembers, all or nothing), never
	// an opted-out handle.
	if lookups != 5 {
		t.Errorf("%d handle lookups, want 5 (new.bsky.social only)", lookups)
	}
	if got, _ := svc.Get(ctx, w.ID); len(got.Members) != 1 {
		t.Errorf("members after refused adds: %+v, want only %s", got.Members, kept.Key)
	}

	// A saved search that finds both (gone is still stored) adds only kept,
	// and a rescan is queued for kept only.
	rs := testredis.New(t, redisDB)
	sw, err := svc.Create(ctx, Spec{Name: "s", SavedSearch: &index.Query{PerPage: 10}})
	if err != nil {
		t.Fatal(err)
	}
	enq := newAsynqRescans(t, rs.Client, "rescan-optout")
	s := newScheduler(t, svc, rs.Client, enq, "t-optout", time.Minute)
	if _, err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := svc.Get(ctx, sw.ID)
	var keys []string
	for _, m := range got.Members {
		keys = append(keys, m.Key)
	}
	if diff := cmp.Diff([]string{kept.Key}, keys); diff != "" {
		t.Errorf("saved search members (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{kept.Key}, enq.pending(t)); diff != "" {
		t.Errorf("rescans queued (-want +got):\n%s", diff)
	}
}
