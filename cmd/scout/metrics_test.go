package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
	"github.com/creatorscout/scout/sim"
)

// TestIntegrationMetrics crawls a creator through the API, the queue and
// the store, then scrapes /metrics and finds the series of each part with
// the counts the crawl must have added.
func TestIntegrationMetrics(t *testing.T) {
	world := sim.New(sim.Config{Seed: 3, Creators: 10})
	simSrv := httptest.NewServer(world.Handler())
	defer simSrv.Close()
	a := startApp(t, testConfig(t, simSrv.URL, t.TempDir()))
	defer a.Close()
	runWorker(t, a)
	apiSrv := httptest.NewServer(a.apiHandler())
	defer apiSrv.Close()

	before := scrape(t, apiSrv.URL)
	code, job := postJSON(t, apiSrv.URL+"/v1/crawl", `{"platform":"bluesky","handle":"`+sim.HandleRising+`"}`)
	if code != http.StatusAccepted {
		t.Fatalf("POST /v1/crawl = %d %v", code, job)
	}
	if j := waitJob(t, apiSrv.URL, job["id"].(string)); j["state"] != index.JobDone {
		t.Fatalf("job ended %v", j)
	}
	after := scrape(t, apiSrv.URL)
	tests := []struct {
		name, series string
		atLeast      float64
	}{
		{"crawl task ok", `scout_tasks_total{outcome="ok",type="crawl"}`, 1},
		{"crawl task timed", `scout_task_duration_seconds_count{type="crawl"}`, 1},
		{"store write latency (crawls share Commit transactions, records and job items)", `scout_store_write_duration_seconds_count{op="commit"}`, 1},
		{"job item write", `scout_store_write_duration_seconds_count{op="put_job_items"}`, 1},
		{"request latency by route and status", `scout_http_request_duration_seconds_count{method="POST",route="/v1/crawl",status="202"}`, 1},
		{"job polls", `scout_http_request_duration_seconds_count{method="GET",route="/v1/jobs/{id}",status="200"}`, 1},
		{"outbound fetches by source and status", `scout_fetch_requests_total{source="bluesky",status="200"}`, 1},
		{"rate-limit waits by source", `scout_fetch_rate_limit_wait_seconds_count{source="bluesky"}`, 1},
	}
	for _, tt := range tests {
		if d := value(after, tt.series) - value(before, tt.series); d < tt.atLeast {
			t.Errorf("%s: %s rose by %v, want at least %v", tt.name, tt.series, d, tt.atLeast)
		}
	}
	if !regexp.MustCompile(`(?m)^scout_queue_tasks\{queue="[a-z]+",state="pending"\} \d+`).MatchString(after) {
		t.Errorf("no queue depth series in /metrics")
	}
	// Every series the Grafana dashboard queries is served.
	dash, err := os.ReadFile("../../deploy/grafana/creatorscout.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct{ Targets []struct{ Expr string } }
	}
	if err := json.Unmarshal(dash, &d); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			for _, name := range regexp.MustCompile(`scout_[a-z0-9_]+`).FindAllString(tg.Expr, -1) {
				if name == "scout_http_rate_limited_total" {
					continue // by key name: it appears with the first 429 (api's TestRateLimits)
				}
				if !regexp.MustCompile(`(?m)^` + name + `[{ ]`).MatchString(after) {
					t.Errorf("the dashboard queries %s, which /metrics does not serve (after a crawl)", name)
				}
			}
		}
	}
}

func scrape(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics = %d", resp.StatusCode)
	}
	return string(b)
}

// value reads one series' value from a text exposition (0 when absent).
func value(expo, series string) float64 {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` ([0-9.e+-]+)$`).FindStringSubmatch(expo)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// TestWithCommit: the pipeline's store offers the one-transaction Commit
// only when the store beneath has it (SQLite), so that the crawl's group
// commit never makes two separate calls of one shared batch.
func TestWithCommit(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "scout.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, ok := withCommit(timedStore{Store: st}).(index.Committer); !ok {
		t.Error("on SQLite: no Commit")
	}
	if _, ok := withCommit(timedStore{Store: struct{ index.Store }{st}}).(index.Committer); ok {
		t.Error("on a store without Commit: Commit offered")
	}
}
