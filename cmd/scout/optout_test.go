package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
	"github.com/creatorscout/scout/scoring"
	"github.com/creatorscout/scout/sim"
)

// TestIntegrationOptOutWinsEverywhere crawls a creator, records its
// opt-out by handle through the API, then tries every way back in: a
// watchlist created or extended with its DID URL, its profile URL or its
// store key, a crawl by handle and by id, and a discovery that finds it.
// Each is refused (or, for discovery, the creator is skipped) and the
// simulator sees no request naming the creator after the opt-out.
func TestIntegrationOptOutWinsEverywhere(t *testing.T) {
	world := sim.New(sim.Config{Seed: 7, Creators: 120})
	h := world.Handler()
	var mu sync.Mutex
	var queries []string
	simSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		q, _ := url.QueryUnescape(r.URL.RawQuery)
		queries = append(queries, r.URL.Path+"?"+q)
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	defer simSrv.Close()
	cfg := testConfig(t, simSrv.URL, t.TempDir())
	cfg.UniqueFor = time.Millisecond // a second discovery crawls again
	a := startApp(t, cfg)
	defer a.Close()
	runWorker(t, a)
	srv := httptest.NewServer(a.apiHandler())
	defer srv.Close()

	code, job := postJSON(t, srv.URL+"/v1/discover", `{"source":"bluesky","query":"fitness","limit":8}`)
	if code != http.StatusAccepted {
		t.Fatalf("discover: %d %v", code, job)
	}
	if j := waitJob(t, srv.URL, job["id"].(string)); j["state"] != index.JobDone {
		t.Fatalf("first discovery: %v", j)
	}
	items, err := a.store.JobItems(context.Background(), job["id"].(string), index.ItemDone)
	if err != nil || len(items) < 2 {
		t.Fatalf("first discovery stored %d creators (%v), want at least 2", len(items), err)
	}
	rec, err := a.store.Get(context.Background(), items[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	did, handle := rec.Profile.Ref.ID, rec.Profile.Ref.Handle
	if code, res := postJSON(t, srv.URL+"/v1/optout", `{"platform":"bluesky","handle":"`+strings.ToUpper(handle)+`"}`); code != http.StatusOK {
		t.Fatalf("opt-out: %d %v", code, res)
	}
	// The first discovery still counts the creator's crawl, but its items
	// no longer name it (the store behind the app's timing wrapper scrubs).
	first, err := a.store.JobItems(context.Background(), job["id"].(string), "")
	if err != nil {
		t.Fatal(err)
	}
	done := 0
	for _, it := range first {
		if it.Ref.ID == did || strings.Contains(it.Key, rec.Key) {
			t.Errorf("first discovery's item still names the opted-out creator: %+v", it)
		}
		if it.State == index.ItemDone {
			done++
		}
	}
	if done != len(items) {
		t.Errorf("first discovery: %d items done after the opt-out, want still %d", done, len(items))
	}
	mu.Lock()
	queries = nil
	mu.Unlock()

	code, wl := postJSON(t, srv.URL+"/v1/watchlists", `{"name":"w","members":["`+items[1].Key+`"]}`)
	if code != http.StatusCreated {
		t.Fatalf("create watchlist: %d %v", code, wl)
	}
	for _, member := range []string{"https://bsky.app/profile/" + did, "https://bsky.app/profile/" + handle, "https://bsky.app/profile/" + strings.ToUpper(handle) + "/post/3k", rec.Key} {
		for _, req := range []struct{ path, body string }{
			{"/v1/watchlists", `{"name":"x","members":["` + member + `"]}`},
			{"/v1/watchlists/" + wl["id"].(string) + "/members", `{"members":["` + member + `"]}`},
		} {
			code, body := postJSON(t, srv.URL+req.path, req.body)
			if code < 400 || code >= 500 {
				t.Errorf("POST %s with %s: %d %v, want it refused", req.path, member, code, body)
			}
		}
	}
	for _, body := range []string{`{"platform":"bluesky","handle":"` + handle + `"}`, `{"platform":"bluesky","id":"` + did + `"}`} {
		if code, res := postJSON(t, srv.URL+"/v1/crawl", body); code != http.StatusGone {
			t.Errorf("POST /v1/crawl %s: %d %v, want 410", body, code, res)
		}
	}
	code, job = postJSON(t, srv.URL+"/v1/discover", `{"source":"bluesky","query":"fitness","limit":8}`)
	if code != http.StatusAccepted {
		t.Fatalf("discover: %d %v", code, job)
	}
	if j := waitJob(t, srv.URL, job["id"].(string)); j["state"] != index.JobDone {
		t.Fatalf("second discovery: %v", j)
	}
	all, err := a.store.JobItems(context.Background(), job["id"].(string), "")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range all {
		if it.Ref.ID == did || strings.EqualFold(it.Ref.Handle, handle) {
			t.Errorf("second discovery's item names the opted-out creator: %+v", it)
		}
		if it.State == index.ItemSkipped && it.Error == "opted out" {
			found = true
		}
	}
	if !found {
		t.Errorf("the second discovery did not skip the opted-out creator; the test proves nothing")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, q := range queries {
		if strings.Contains(q, did) || strings.Contains(strings.ToLower(q), strings.ToLower(handle)) {
			t.Errorf("request naming the opted-out creator after the opt-out: %s", q)
		}
	}
	if len(queries) == 0 {
		t.Error("no requests at all after the opt-out; the second discovery did not run")
	}
}

// TestReindexLeavesOptedOutBehind copies a store in which an opted-out
// creator is still present (an erasure cut short) and checks the copy
// holds nothing of it: no record, history, job item, job request,
// watchlist member or alert.
func TestReindexLeavesOptedOutBehind(t *testing.T) {
	ctx := context.Background()
	src, err := sqlite.Open(t.TempDir() + "/src.db")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var recs []*creator.Record
	for _, name := range []string{"gone", "kept"} {
		ref := creator.Ref{Platform: creator.Bluesky, ID: "did:plc:" + name, Handle: name + ".bsky.social"}
		r := &creator.Record{Key: creator.Key(ref), Profile: creator.Profile{Ref: ref, Bio: name + " bio"}, FirstSeen: at, UpdatedAt: at}
		if err := src.Upsert(ctx, r, creator.Snapshot{At: at}); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
		req := fmt.Sprintf(`{"ref":{"platform":"bluesky","handle":%q},"reason":"request","job_id":"job-%s"}`, ref.Handle, name)
		if err := src.PutJob(ctx, &index.Job{ID: "job-" + name, Kind: "crawl", State: index.JobDone, Request: []byte(req), CreatedAt: at, UpdatedAt: at}); err != nil {
			t.Fatal(err)
		}
		if err := src.PutJobItems(ctx, &index.JobItem{JobID: "job-" + name, Key: r.Key, Ref: ref, State: index.ItemDone, UpdatedAt: at}); err != nil {
			t.Fatal(err)
		}
		if err := src.PutAlert(ctx, &index.AlertEvent{ID: "al-" + name, WatchlistID: "wl", CreatorKey: r.Key, Kind: "follower_spike", At: at}); err != nil {
			t.Fatal(err)
		}
	}
	if err := src.PutWatchlist(ctx, &index.Watchlist{ID: "wl", Name: "w", CreatedAt: at, UpdatedAt: at, NextRunAt: at, Members: []index.WatchMember{
		{Key: recs[0].Key, Ref: recs[0].Profile.Ref}, {Key: recs[1].Key, Ref: recs[1].Profile.Ref}}}); err != nil {
		t.Fatal(err)
	}
	// Opted out by handle, in another case; the record was not erased.
	if err := src.AddOptOut(ctx, &index.OptOut{Platform: creator.Bluesky, Handle: "GONE.bsky.social", CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dst, err := sqlite.Open(dir + "/dst.db")
	if err != nil {
		t.Fatal(err)
	}
	st, err := index.Copy(ctx, src, dst, index.CopyConfig{Batch: 10, SnapshotOf: scoring.RecordSnapshot})
	if err != nil {
		t.Fatal(err)
	}
	if st.Creators != 1 || st.OptedOut != 5 {
		t.Errorf("copied %d creators, left out %d things, want 1 and 5 (record, job item, job request, member, alert)", st.Creators, st.OptedOut)
	}
	if _, err := dst.Get(ctx, recs[0].Key); err == nil {
		t.Error("the opted-out creator's record was copied")
	}
	if j, err := dst.GetJob(ctx, "job-gone"); err != nil || strings.Contains(string(j.Request), "gone") {
		t.Errorf("job-gone in the copy: %+v, %v; want it without the request naming the creator", j, err)
	}
	if items, _ := dst.JobItems(ctx, "job-gone", ""); len(items) != 0 {
		t.Errorf("job-gone's items copied: %+v", items)
	}
	if w, err := dst.GetWatchlist(ctx, "wl"); err != nil || len(w.Members) != 1 || w.Members[0].Key != recs[1].Key {
		t.Errorf("watchlist in the copy: %+v, %v; want only the kept member", w, err)
	}
	if _, err := dst.GetAlert(ctx, "al-gone"); err == nil {
		t.Error("the opted-out creator's alert was copied")
	}
	dst.Close()
}
