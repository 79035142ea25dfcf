package sim

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// readFrames reads n frames from the stream at query q.
func readFrames(t *testing.T, url, q string, n int) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"/subscribe?"+q, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	var out []map[string]any
	for len(out) < n {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("reading frame %d: %v", len(out), err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("frame %d is not JSON: %v", len(out), err)
		}
		out = append(out, m)
	}
	return out
}

// TestJetstreamMixAndCursor: the stream's mix follows the recording,
// wantedCollections filters commits (not #identity/#account), and a
// cursor replays exactly from the event at or after it.
func TestJetstreamMixAndCursor(t *testing.T) {
	w := New(Config{Seed: 5, Creators: 50})
	now := time.Now()
	w.Jetstream().Configure(JetstreamConfig{Rate: 1000, Start: now.Add(-time.Hour)})
	srv := httptest.NewServer(w.Handler())
	defer srv.Close()
	start := now.Add(-30 * time.Minute).UnixMicro()
	all := readFrames(t, srv.URL, "cursor="+strconv.FormatInt(start, 10), 3000)
	kinds := map[string]int{}
	for _, e := range all {
		k := e["kind"].(string)
		if c, ok := e["commit"].(map[string]any); ok {
			k = c["collection"].(string)
		}
		kinds[k]++
	}
	if f := float64(kinds["app.bsky.feed.like"]) / 3000; f < 0.6 || f > 0.78 {
		t.Errorf("likes are %.2f of the events, want about 0.69 (%v)", f, kinds)
	}
	for _, k := range []string{"app.bsky.feed.post", "app.bsky.feed.repost", "app.bsky.graph.follow", "identity", "account"} {
		if kinds[k] == 0 {
			t.Errorf("no %s in 3000 events: %v", k, kinds)
		}
	}
	if first := int64(all[0]["time_us"].(float64)); first < start || first > start+1000 {
		t.Errorf("first event at %d, want the first at or after the cursor %d", first, start)
	}
	// The same cursor replays the same events.
	again := readFrames(t, srv.URL, "cursor="+strconv.FormatInt(start, 10), 50)
	for i := range again {
		a, _ := json.Marshal(again[i])
		b, _ := json.Marshal(all[i])
		if string(a) != string(b) {
			t.Fatalf("replay differs at %d:\n%s\n%s", i, a, b)
		}
	}
	posts := readFrames(t, srv.URL, "wantedCollections=app.bsky.feed.post&cursor="+strconv.FormatInt(start, 10), 200)
	for _, e := range posts {
		if c, ok := e["commit"].(map[string]any); ok && c["collection"] != "app.bsky.feed.post" {
			t.Fatalf("filtered stream sent %v", c["collection"])
		}
	}
}

// TestJetstreamEndAccount: an ended account gets an #account event with
// active false at its time, and the AppView no longer knows it.
func TestJetstreamEndAccount(t *testing.T) {
	w := New(Config{Seed: 5, Creators: 20})
	now := time.Now()
	w.Jetstream().Configure(JetstreamConfig{Rate: 200, Start: now.Add(-time.Hour)})
	srv := httptest.NewServer(w.Handler())
	defer srv.Close()
	c := w.Creators()[3]
	end := now.Add(-10 * time.Minute)
	w.EndAccount(c.DID, end)
	w.SetNow(end.Add(time.Minute))
	frames := readFrames(t, srv.URL, "wantedCollections=app.bsky.graph.follow&cursor="+strconv.FormatInt(end.Add(-time.Second).UnixMicro(), 10), 400)
	found := false
	for _, e := range frames {
		if e["kind"] == "account" && e["did"] == c.DID {
			acc := e["account"].(map[string]any)
			found = acc["active"] == false && acc["status"] == "deleted"
		}
	}
	if !found {
		t.Error("no #account event with active false for the ended account")
	}
	rec := httptest.NewRecorder()
	w.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/xrpc/app.bsky.actor.getProfile?actor="+c.DID, nil))
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "not found") {
		t.Errorf("getProfile of an ended account = %d %s, want 400 Profile not found", rec.Code, rec.Body)
	}
}
