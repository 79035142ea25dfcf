package meili

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// TestContractTracking checks the requests of index.Tracking against the
// recording fake: a cursor and tracked creators are documents of the
// tracking index, due creators a search filtered on the checked time in
// unix milliseconds and sorted by it, and a count a search of no hits.
func TestContractTracking(t *testing.T) {
	f := newFake(t)
	s := openFake(t, f, Config{})
	ctx := context.Background()
	at := time.Date(2026, 7, 4, 14, 38, 0, 0, time.UTC)
	ref := creator.Ref{Platform: creator.Bluesky, ID: "did:plc:abc", Handle: "a.bsky.social"}
	tr := index.Tracked{Key: creator.Key(ref), Ref: ref, Reason: "floor", Followers: 1200, Since: at, CheckedAt: at}
	trJSON, _ := json.Marshal(&tr)
	var searches []map[string]any
	f.search = func(uid string, b map[string]any) (int, any) {
		b["index"] = uid
		searches = append(searches, b)
		return 200, map[string]any{"hits": []any{map[string]any{"data": string(trJSON)}}, "totalHits": 1}
	}
	f.getDoc = func(uid, id string) (int, any) { return 200, map[string]any{"data": "1783175888085434"} }
	if err := s.PutStreamCursor(ctx, "jetstream", 1783175888085434); err != nil {
		t.Fatal(err)
	}
	if c, err := s.StreamCursor(ctx, "jetstream"); err != nil || c != 1783175888085434 {
		t.Errorf("StreamCursor = %d, %v", c, err)
	}
	if err := s.PutTracked(ctx, []index.Tracked{tr}); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueTracked(ctx, at.Add(time.Hour), 50)
	if err != nil || len(due) != 1 || due[0].Key != tr.Key {
		t.Fatalf("DueTracked = %v, %v", due, err)
	}
	if n, err := s.CountTracked(ctx); err != nil || n.Tracked != 1 {
		t.Errorf("CountTracked = %v, %v", n, err)
	}
	reqs := f.requests()
	want := []recorded{
		{Method: "POST", Path: "/indexes/scout_tracking/documents", Query: "primaryKey=id", Body: []any{map[string]any{
			"id": docID("cursor", "jetstream"), "kind": enc("cursor"), "data": "1783175888085434"}}},
		{Method: "GET", Path: "/indexes/scout_tracking/documents/" + docID("cursor", "jetstream"), Query: "fields=data"},
		{Method: "POST", Path: "/indexes/scout_tracking/documents", Query: "primaryKey=id", Body: []any{map[string]any{
			"id": docID("tracked", tr.Key), "kind": enc("tracked"), "ckey": enc(tr.Key),
			"checked": float64(at.UnixMilli()), "data": string(trJSON)}}},
	}
	if diff := cmp.Diff(want, reqs[:3]); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	wantSearches := []map[string]any{
		{"index": "scout_tracking", "q": "", "hybrid": nil, "hitsPerPage": 50.0, "attributesToRetrieve": []any{"data"},
			"filter": `kind = "` + enc("tracked") + `" AND checked <= ` + jsonInt(at.Add(time.Hour).UnixMilli()-1),
			"sort":   []any{"checked:asc", "id:asc"}},
		{"index": "scout_tracking", "q": "", "hybrid": nil, "hitsPerPage": 0.0, "filter": `kind = "` + enc("tracked") + `"`},
	}
	if diff := cmp.Diff(wantSearches, searches); diff != "" {
		t.Errorf("searches (-want +got):\n%s", diff)
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }
