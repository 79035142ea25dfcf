package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// tracking checks the optional index.Tracking: cursors are saved and
// replaced by name (none reads 0); tracked creators are replaced by key,
// found by key, listed when due least recently checked first, counted;
// and Delete forgets a tracked creator, so erasure reaches it.
func (s *suite) tracking(t *testing.T) {
	st := s.open(t)
	tr, ok := st.(index.Tracking)
	if !ok {
		t.Skip("the backend does not implement index.Tracking")
	}
	ctx := ctxFor(t)
	if c, err := tr.StreamCursor(ctx, "jetstream"); err != nil || c != 0 {
		t.Fatalf("StreamCursor before any = %d, %v; want 0, nil", c, err)
	}
	for _, c := range []int64{1783175888085434, 1783175899000000} {
		if err := tr.PutStreamCursor(ctx, "jetstream", c); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.PutStreamCursor(ctx, "other", 7); err != nil {
		t.Fatal(err)
	}
	if c, err := tr.StreamCursor(ctx, "jetstream"); err != nil || c != 1783175899000000 {
		t.Errorf("StreamCursor = %d, %v; want the last one saved, 1783175899000000", c, err)
	}
	if err := tr.PutStreamCursor(ctx, "", 1); err == nil {
		t.Error("PutStreamCursor with no name: no error")
	}

	mk := func(id string, checked time.Duration, followers int64) index.Tracked {
		ref := creator.Ref{Platform: creator.Bluesky, ID: "did:plc:" + id, Handle: id + ".bsky.social"}
		return index.Tracked{Key: creator.Key(ref), Ref: ref, Reason: "floor", Followers: followers, Since: at(0), CheckedAt: at(checked), CrawlQueuedAt: at(0)}
	}
	a, b, c := mk("aaa", 3*time.Hour, 1000), mk("bbb", time.Hour, 2000), mk("ccc", 2*time.Hour, 3000)
	if err := tr.PutTracked(ctx, []index.Tracked{a, b, c}); err != nil {
		t.Fatal(err)
	}
	b.Followers, b.CheckedAt = 2500, at(5*time.Hour) // a daily check replaces the row
	if err := tr.PutTracked(ctx, []index.Tracked{b}); err != nil {
		t.Fatal(err)
	}
	got, err := tr.GetTracked(ctx, []string{a.Key, b.Key, "bluesky-unknown"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]index.Tracked{a.Key: a, b.Key: b}
	if diff := cmp.Diff(want, got, cmpOpts...); diff != "" {
		t.Errorf("GetTracked (-want +got):\n%s", diff)
	}
	due, err := tr.DueTracked(ctx, at(4*time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]index.Tracked{c, a}, due, cmpOpts...); diff != "" {
		t.Errorf("DueTracked before 4h (-want +got):\n%s", diff)
	}
	if due, err := tr.DueTracked(ctx, at(4*time.Hour), 1); err != nil || len(due) != 1 || due[0].Key != c.Key {
		t.Errorf("DueTracked limit 1 = %v, %v; want only the least recently checked", due, err)
	}
	if n, err := tr.CountTracked(ctx); err != nil || n.Tracked != 3 {
		t.Errorf("CountTracked = %+v, %v; want 3", n, err)
	}
	if err := st.Delete(ctx, a.Key); err != nil {
		t.Fatal(err)
	}
	if got, err := tr.GetTracked(ctx, []string{a.Key}); err != nil || len(got) != 0 {
		t.Errorf("GetTracked after Delete = %v, %v; want nothing", got, err)
	}
	if n, err := tr.CountTracked(ctx); err != nil || n.Tracked != 2 {
		t.Errorf("CountTracked after Delete = %+v, %v; want 2", n, err)
	}
	if c, err := tr.StreamCursor(ctx, "jetstream"); err != nil || c != 1783175899000000 {
		t.Errorf("StreamCursor after Delete = %d, %v; want it kept", c, err)
	}
}
