package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/internal/testredis"
	"github.com/creatorscout/scout/sim"
)

// TestIntegrationTwoWorkersShareRateLimit runs two worker "processes" (two
// apps, each with its own Redis client, outbound client and asynq server)
// on one Redis and one store, crawling one simulator host limited to 10
// requests a second. The server counts requests per wall-clock second: no
// second may exceed the limit, and every discovered creator is stored.
func TestIntegrationTwoWorkersShareRateLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 15 s of rate-limited crawling")
	}
	world := sim.New(sim.Config{Seed: 21, Creators: 100})
	h := world.Handler()
	var mu sync.Mutex
	perSecond := map[int64]int{}
	perWorker := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		perSecond[time.Now().Unix()]++
		perWorker[r.UserAgent()]++
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()

	rs := testredis.New(t, redisDB)
	dir := t.TempDir()
	cfg := testConfig(t, srv.URL, dir)
	cfg.RedisURL = fmt.Sprintf("redis://%s/%d", rs.Opts.Addr, rs.Opts.DB) // both share it, real or in-process
	cfg.Concurrency = 2                                                   // so that one worker cannot take every task
	u, _ := url.Parse(srv.URL)
	limit := withHostPolicy(u.Host, fetch.HostPolicy{Rate: 10, Burst: 1})
	cfg.UserAgent = "CreatorScout-test/worker-1"
	a1 := startApp(t, cfg, limit)
	defer a1.Close()
	cfg.UserAgent = "CreatorScout-test/worker-2"
	a2 := startApp(t, cfg, limit)
	defer a2.Close()
	runWorker(t, a1)
	runWorker(t, a2)

	apiSrv := httptest.NewServer(a1.apiHandler())
	defer apiSrv.Close()
	code, job := postJSON(t, apiSrv.URL+"/v1/discover", `{"source":"bluesky","query":"fitness","limit":20}`)
	if code != http.StatusAccepted {
		t.Fatalf("discover: %d %v", code, job)
	}
	j := waitJob(t, apiSrv.URL, job["id"].(string))
	counts := j["counts"].(map[string]any)
	if j["state"] != index.JobDone || counts["failed"].(float64) != 0 {
		t.Fatalf("job %v: %v", j["state"], j)
	}
	var res searchResult
	getJSON(t, apiSrv.URL, "/v1/creators?per_page=100", &res)
	if want := int(counts["done"].(float64)); res.Total != want || want < 5 {
		t.Errorf("%d creators stored, want all %d crawled (at least 5)", res.Total, want)
	}

	mu.Lock()
	defer mu.Unlock()
	total, worst := 0, 0
	for _, n := range perSecond {
		total += n
		worst = max(worst, n)
	}
	if worst > 10 {
		t.Errorf("the server saw %d requests in one second, over the limit of 10 (per second: %v)", worst, perSecond)
	}
	if perWorker["CreatorScout-test/worker-1"] == 0 || perWorker["CreatorScout-test/worker-2"] == 0 {
		t.Errorf("requests per worker %v: both workers should have crawled", perWorker)
	}
	if total < 80 {
		t.Errorf("only %d requests: the crawl was too small to test the limit", total)
	}
	t.Logf("%d requests over %d seconds, at most %d in one second; per worker %v", total, len(perSecond), worst, perWorker)
}
