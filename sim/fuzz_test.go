package sim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzHandler sends arbitrary query strings to every method: the handler
// must answer JSON, 200 or 4xx, and never panic.
func FuzzHandler(f *testing.F) {
	w := New(Config{Seed: 1, Creators: 30})
	h := w.Handler()
	methods := []string{"app.bsky.actor.getProfile", "app.bsky.actor.getProfiles", "app.bsky.actor.searchActors",
		"app.bsky.feed.getAuthorFeed", "app.bsky.feed.getPostThread", "app.bsky.graph.getFollowers"}
	for _, seed := range []string{"actor=" + HandleSteady, "actors=" + HandleFake + "&actors=x", "q=vegan&limit=3&cursor=2",
		"actor=" + HandleViral + "&cursor=2026-10-01T00:00:00Z&limit=100", "uri=at://" + HandleSteady + "/app.bsky.feed.post/3lof7sovfok2h",
		"actor=did:plc:aaaaaaaaaaaaaaaaaaaaaaaa&cursor=-5", "limit=0", "actor=%ff", "q="} {
		for i := range methods {
			f.Add(uint8(i), seed)
		}
	}
	f.Fuzz(func(t *testing.T, m uint8, query string) {
		req := httptest.NewRequest(http.MethodGet, "/xrpc/"+methods[int(m)%len(methods)], nil)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && (rec.Code < 400 || rec.Code > 499) {
			t.Fatalf("status %d for %q", rec.Code, query)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("invalid JSON for %q: %s", query, rec.Body.Bytes())
		}
	})
}
