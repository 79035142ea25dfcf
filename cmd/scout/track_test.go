package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/sim"
)

// TestIntegrationJetstream runs the whole path as `scout all` does with
// SCOUT_JETSTREAM_URL set: the simulator's stream, the tracker, the crawl
// pipeline and a worker. Creators above the floor appear in search, each
// crawled once; /jetstream/status, the page and the metrics show the
// progress.
func TestIntegrationJetstream(t *testing.T) {
	world := sim.New(sim.Config{Seed: 11, Creators: 60})
	world.Jetstream().Configure(sim.JetstreamConfig{Rate: 400})
	var mu sync.Mutex
	feeds := map[string]int{}
	var lookups atomic.Int64
	h := world.Handler()
	simSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/xrpc/app.bsky.actor.getProfile": // one a crawl
			mu.Lock()
			feeds[r.URL.Query().Get("actor")]++
			mu.Unlock()
		case "/xrpc/app.bsky.actor.getProfiles":
			lookups.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	defer simSrv.Close()
	cfg := testConfig(t, simSrv.URL, t.TempDir())
	cfg.Jetstream = jetstreamConfig{Endpoints: []string{simSrv.URL + "/subscribe"}, Floor: 5000, SaveEvery: 200 * time.Millisecond}
	a := startApp(t, cfg)
	defer a.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.alongsideTracking(ctx, a.worker) }()
	defer func() { cancel(); <-done }()
	apiSrv := httptest.NewServer(a.apiHandler())
	defer apiSrv.Close()

	deadline := time.Now().Add(60 * time.Second)
	var res searchResult
	for {
		getJSON(t, apiSrv.URL, "/v1/creators?per_page=100", &res)
		if res.Total >= 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stream brought %d creators in a minute, want 5", res.Total)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, hit := range res.Hits {
		c, ok := world.Creator(hit.Profile.Ref.ID)
		if !ok {
			t.Errorf("stored %s, which is not a simulated creator", hit.Profile.Ref.ID)
			continue
		}
		if f, _ := world.Followers(c.DID, world.Now()); f < 5000 {
			t.Errorf("stored %s with %d followers, below the floor", c.Handle, f)
		}
		if c.OptedOut {
			t.Errorf("stored the opted-out %s", c.Handle)
		}
	}
	var st progressDoc
	waitUntil(t, 10*time.Second, func() bool {
		getJSON(t, apiSrv.URL, "/jetstream/status", &st)
		return st.Running && st.Events > 0 && st.Discovered >= 5 && st.Tracked >= 5
	})
	if !st.Leader || st.Lookups == 0 {
		t.Errorf("status %+v: want the leader, with lookups", st)
	}
	if ts, ok := a.store.(index.Tracking); ok {
		n, err := ts.CountTracked(context.Background())
		if err != nil || int64(n.Tracked) != st.Tracked && n.Tracked < 5 {
			t.Errorf("store tracks %d (%v), status says %d", n.Tracked, err, st.Tracked)
		}
	}
	mu.Lock()
	for did, n := range feeds {
		if n > 1 {
			t.Errorf("%s crawled %d times, want once", did, n)
		}
	}
	mu.Unlock()
	// The newest creators found, for the page: the stored ones crawled,
	// over the floor, each with its handle.
	var recent recentDoc
	getJSON(t, apiSrv.URL, "/jetstream/recent", &recent)
	crawled := 0
	for _, c := range recent.Creators {
		if c.Handle == "" || c.FoundAt.IsZero() {
			t.Errorf("a newest creator without a handle or a time: %+v", c)
		}
		if c.Crawled {
			crawled++
			if c.Followers < 5000 {
				t.Errorf("newest creator %s has %d followers, below the floor", c.Handle, c.Followers)
			}
		}
	}
	if len(recent.Creators) < 5 || crawled == 0 {
		t.Errorf("/jetstream/recent lists %d creators, %d crawled; want 5 or more, some crawled", len(recent.Creators), crawled)
	}
	resp, err := http.Get(apiSrv.URL + "/jetstream")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `data-nav="jetstream"`) {
		t.Errorf("/jetstream is not the web app's page: %.200s", page)
	}
	resp, err = http.Get(apiSrv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"scout_jetstream_events_total", "scout_jetstream_lag_seconds", "scout_jetstream_tracked", "scout_jetstream_leader 1"} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func waitUntil(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
