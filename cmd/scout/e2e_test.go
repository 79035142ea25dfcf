package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/internal/testredis"
	"github.com/creatorscout/scout/sim"
)

// redisDB is this package's database on a shared real Redis.
const redisDB = 4

// testConfig is an app config for tests: a fresh data dir, the Bluesky
// source pointed at base, loopback allowed, and the queue on the real
// Redis when SCOUT_TEST_REDIS_URL is set, else embedded miniredis.
func testConfig(t *testing.T, base, dataDir string) config {
	t.Helper()
	cfg := config{
		DataDir:     dataDir,
		BlueskyURL:  base,
		AllowNets:   []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Concurrency: 8,
		UniqueFor:   time.Hour,
		MaxRetry:    2,
		RetryBase:   10 * time.Millisecond,
	}
	if testredis.Real() {
		srv := testredis.New(t, redisDB) // flushes this package's database
		cfg.RedisURL = fmt.Sprintf("redis://%s/%d", srv.Opts.Addr, redisDB)
	}
	return cfg
}

func startApp(t *testing.T, cfg config, opts ...appOption) *app {
	t.Helper()
	u, _ := url.Parse(cfg.BlueskyURL)
	opts = append([]appOption{withHostPolicy(u.Host, fetch.HostPolicy{Rate: 1000, Burst: 100}), withLogger(quietLogger())}, opts...)
	a, err := newApp(context.Background(), cfg, opts...)
	if err != nil {
		t.Fatalf("newApp: %v", err)
	}
	return a
}

// runWorker runs a's worker until the test ends.
func runWorker(t *testing.T, a *app) {
	ctx, cancel := context.WithCancel(context.Background())
	a.startWorker(ctx) // Close waits for it
	t.Cleanup(cancel)
}

func getJSON(t *testing.T, base, path string, v any) int {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("GET %s: decoding %q: %v", path, b, err)
		}
	}
	return resp.StatusCode
}

// waitJob polls the job until it leaves queued/running.
func waitJob(t *testing.T, base, id string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		var j map[string]any
		if code := getJSON(t, base, "/v1/jobs/"+id, &j); code != http.StatusOK {
			t.Fatalf("GET job: status %d", code)
		}
		if s := j["state"]; s == index.JobDone || s == index.JobFailed {
			return j
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("job %s did not finish", id)
	return nil
}

func postJSON(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

type searchResult struct {
	Hits []struct {
		Key     string `json:"key"`
		Profile struct {
			Ref struct {
				ID     string `json:"id"`
				Handle string `json:"handle"`
			} `json:"ref"`
			Followers int64 `json:"followers"`
		} `json:"profile"`
		Scores struct {
			Tier string `json:"tier"`
		} `json:"scores"`
	} `json:"hits"`
	Total  int                       `json:"total"`
	Facets map[string]map[string]int `json:"facets"`
	Stats  map[string]index.Stat     `json:"stats"`
}

// TestIntegrationEndToEnd runs simulator -> discover -> crawl -> store ->
// GET /v1/creators through the real wiring: the Bluesky source, the fetch
// client, asynq (on real Redis when SCOUT_TEST_REDIS_URL is set, else the
// embedded miniredis) and a SQLite file.
func TestIntegrationEndToEnd(t *testing.T) {
	world := sim.New(sim.Config{Seed: 7, Creators: 120})
	simSrv := httptest.NewServer(world.Handler())
	defer simSrv.Close()

	a := startApp(t, testConfig(t, simSrv.URL, t.TempDir()))
	defer a.Close()
	runWorker(t, a)
	apiSrv := httptest.NewServer(a.apiHandler())
	defer apiSrv.Close()

	code, job := postJSON(t, apiSrv.URL+"/v1/discover", `{"source":"bluesky","query":"fitness","limit":40}`)
	if code != http.StatusAccepted {
		t.Fatalf("POST /v1/discover: status %d, body %v", code, job)
	}
	j := waitJob(t, apiSrv.URL, job["id"].(string))
	if j["state"] != index.JobDone {
		t.Fatalf("job ended %v: %v", j["state"], j["error"])
	}
	counts := j["counts"].(map[string]any)
	done := int(counts["done"].(float64))
	if done == 0 {
		t.Fatalf("job crawled nothing: %v", j)
	}

	// Particular creators: the named fitness creators are found, crawled
	// and searchable by their handle; the opted-out one is never stored.
	for _, h := range []string{sim.HandleRising, sim.HandleFake} {
		var res searchResult
		if code := getJSON(t, apiSrv.URL, "/v1/creators?q="+url.QueryEscape(strings.Split(h, ".")[0]), &res); code != 200 {
			t.Fatalf("search %s: status %d", h, code)
		}
		found := false
		for _, hit := range res.Hits {
			if hit.Profile.Ref.Handle == h {
				found = true
				c, _ := world.Creator(h)
				if hit.Profile.Ref.ID != c.DID {
					t.Errorf("%s stored with id %q, want %q", h, hit.Profile.Ref.ID, c.DID)
				}
				if h == sim.HandleFake {
					checkStoredSamples(t, apiSrv.URL, hit.Key)
				}
			}
		}
		if !found {
			t.Errorf("creator %s not found by searching its handle", h)
		}
	}

	// A facet count: tiers add up to the total, which is what the job crawled.
	var all searchResult
	getJSON(t, apiSrv.URL, "/v1/creators?facets=tier,followers&per_page=100&sort=-followers", &all)
	if all.Total != done {
		t.Errorf("total %d, want the %d creators the job crawled", all.Total, done)
	}
	sum := 0
	for _, n := range all.Facets["tier"] {
		sum += n
	}
	if sum != all.Total {
		t.Errorf("tier facet counts add up to %d, want %d: %v", sum, all.Total, all.Facets["tier"])
	}
	// The fake-follower creator (240k) is a mid-tier account.
	if all.Facets["tier"]["mid"] < 1 {
		t.Errorf("tier facet %v has no mid-tier creator", all.Facets["tier"])
	}
	// Sort order: followers descending, matching the simulator's counts.
	var followers []int64
	for _, h := range all.Hits {
		followers = append(followers, h.Profile.Followers)
		if want, ok := world.Followers(h.Profile.Ref.Handle, world.Now()); ok && want != h.Profile.Followers {
			t.Errorf("%s: stored followers %d, simulator says %d", h.Profile.Ref.Handle, h.Profile.Followers, want)
		}
	}
	if !sort.SliceIsSorted(followers, func(i, j int) bool { return followers[i] > followers[j] }) {
		t.Errorf("sort=-followers gave %v", followers)
	}
	if st := all.Stats["followers"]; len(followers) > 0 && float64(followers[0]) != st.Max {
		t.Errorf("followers stats max %v, first hit %d", st.Max, followers[0])
	}

	// The opted-out creator is not stored even when asked for directly.
	code, job = postJSON(t, apiSrv.URL+"/v1/crawl", `{"platform":"bluesky","handle":"`+sim.HandleOptedOut+`"}`)
	if code != http.StatusAccepted {
		t.Fatalf("POST /v1/crawl: %d %v", code, job)
	}
	waitJob(t, apiSrv.URL, job["id"].(string))
	var res searchResult
	getJSON(t, apiSrv.URL, "/v1/creators?q=private", &res)
	for _, h := range res.Hits {
		if h.Profile.Ref.Handle == sim.HandleOptedOut {
			t.Errorf("opted-out creator %s was stored", sim.HandleOptedOut)
		}
	}
}

// checkStoredSamples reads a stored record whole and checks it keeps what
// creator.Retain says: of the audience only the accounts the evidence
// names (each with its handle, for the page), at most StoredComments
// comments, while the scores still count every account and reply read.
func checkStoredSamples(t *testing.T, base, key string) {
	t.Helper()
	var rec creator.Record
	if code := getJSON(t, base, "/v1/creators/"+url.PathEscape(key), &rec); code != 200 {
		t.Fatalf("GET /v1/creators/%s: status %d", key, code)
	}
	named := map[string]bool{}
	sampled := 0
	for _, d := range rec.Scores.Details {
		for _, e := range d.Evidence {
			if e.AccountID != "" {
				named[e.AccountID] = true
			}
			if d.Name == "audience" && e.Signal == "fake_share" {
				sampled = e.SampleSize
			}
		}
	}
	if len(named) == 0 || sampled < 50 {
		t.Fatalf("%s: evidence names %d accounts of %d sampled; the fake-follower creator should have some named out of a full sample", key, len(named), sampled)
	}
	if len(rec.Profile.Audience) != len(named) {
		t.Errorf("%s: stored %d audience accounts, want the %d the evidence names (of %d sampled)", key, len(rec.Profile.Audience), len(named), sampled)
	}
	for _, a := range rec.Profile.Audience {
		if !named[a.ID] || a.Handle == "" {
			t.Errorf("%s: stored audience account %q (handle %q) is not one the evidence names with a handle", key, a.ID, a.Handle)
		}
	}
	if n := len(rec.Profile.Comments); n > creator.StoredComments || rec.Profile.Sample == nil || rec.Profile.Sample.Comments < n {
		t.Errorf("%s: %d comments stored, sample %+v; want at most %d, and no more than were read", key, n, rec.Profile.Sample, creator.StoredComments)
	}
}

// TestIntegrationRestart accepts a crawl, stops the process before any
// worker ran it, starts again on the same data dir, and checks the creator
// is stored exactly once (one record, one snapshot).
func TestIntegrationRestart(t *testing.T) {
	world := sim.New(sim.Config{Seed: 3, Creators: 20})
	simSrv := httptest.NewServer(world.Handler())
	defer simSrv.Close()
	cfg := testConfig(t, simSrv.URL, t.TempDir())

	a1 := startApp(t, cfg)
	api1 := httptest.NewServer(a1.apiHandler())
	code, job := postJSON(t, api1.URL+"/v1/crawl", `{"platform":"bluesky","handle":"`+sim.HandleSteady+`"}`)
	api1.Close()
	if code != http.StatusAccepted {
		t.Fatalf("POST /v1/crawl: %d %v", code, job)
	}
	a1.Close() // no worker ever ran

	a2 := startApp(t, cfg)
	defer a2.Close()
	if n, err := a2.pipe.Resume(context.Background()); err != nil || n != 1 {
		t.Fatalf("Resume = %d, %v; want 1 task", n, err)
	}
	runWorker(t, a2)
	api2 := httptest.NewServer(a2.apiHandler())
	defer api2.Close()
	j := waitJob(t, api2.URL, job["id"].(string))
	if j["state"] != index.JobDone {
		t.Fatalf("job ended %v: %v", j["state"], j["error"])
	}
	var res searchResult
	getJSON(t, api2.URL, "/v1/creators?q=steady", &res)
	if res.Total != 1 {
		t.Fatalf("search total %d, want the creator stored once", res.Total)
	}
	var hist struct {
		Snapshots []json.RawMessage `json:"snapshots"`
	}
	getJSON(t, api2.URL, "/v1/creators/"+res.Hits[0].Key+"/history", &hist)
	if len(hist.Snapshots) != 1 {
		t.Errorf("%d snapshots, want exactly 1", len(hist.Snapshots))
	}
	// Resuming again finds nothing left to do.
	if n, err := a2.pipe.Resume(context.Background()); err != nil || n != 0 {
		t.Errorf("second Resume = %d, %v; want 0", n, err)
	}
}

// TestIntegrationBadInput checks that a malformed source response fails
// the task with a clear error, is retried, then archived, storing nothing;
// that an unknown handle ends its job "not found" without retries; and that
// invalid search parameters give 400s naming the parameter.
func TestIntegrationBadInput(t *testing.T) {
	world := sim.New(sim.Config{Seed: 5, Creators: 20})
	simHandler := world.Handler()
	var profileHits, unknownHits atomic.Int32
	// A proxy in front of the simulator that truncates one creator's
	// profile response mid-JSON and counts requests.
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor := r.URL.Query().Get("actor")
		if strings.HasSuffix(r.URL.Path, "getProfile") && actor == sim.HandleSteady {
			profileHits.Add(1)
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"did":"did:plc:abc","handle":"steady-sam.bsky.social","followersCount":12`)
			return
		}
		if strings.HasSuffix(r.URL.Path, "getProfile") && actor == "nobody-here.bsky.social" {
			unknownHits.Add(1)
		}
		simHandler.ServeHTTP(w, r)
	}))
	defer front.Close()

	a := startApp(t, testConfig(t, front.URL, t.TempDir()))
	defer a.Close()
	runWorker(t, a)
	apiSrv := httptest.NewServer(a.apiHandler())
	defer apiSrv.Close()

	_, job := postJSON(t, apiSrv.URL+"/v1/crawl", `{"platform":"bluesky","handle":"`+sim.HandleSteady+`"}`)
	j := waitJob(t, apiSrv.URL, job["id"].(string))
	if j["state"] != index.JobFailed || !strings.Contains(fmt.Sprint(j["error"]), "malformed") {
		t.Errorf("truncated response: job %v with error %q, want failed with a malformed-response error", j["state"], j["error"])
	}
	if got := profileHits.Load(); got != 3 {
		t.Errorf("truncated profile fetched %d times, want 3 (1 try + 2 retries)", got)
	}
	insp := asynq.NewInspectorFromRedisClient(a.rdb)
	archived, err := insp.ListArchivedTasks(crawler.QueueInteractive)
	if err != nil || len(archived) != 1 {
		t.Errorf("archived tasks = %d (%v), want the one failed crawl", len(archived), err)
	} else if !strings.Contains(archived[0].LastErr, "malformed") {
		t.Errorf("archived task's last error %q does not say malformed", archived[0].LastErr)
	}
	var res searchResult
	getJSON(t, apiSrv.URL, "/v1/creators", &res)
	if res.Total != 0 {
		t.Errorf("%d creators stored after a malformed response, want none", res.Total)
	}

	_, job = postJSON(t, apiSrv.URL+"/v1/crawl", `{"platform":"bluesky","handle":"nobody-here.bsky.social"}`)
	j = waitJob(t, apiSrv.URL, job["id"].(string))
	if j["state"] != index.JobFailed || !strings.Contains(fmt.Sprint(j["error"]), "not found") {
		t.Errorf("unknown handle: job %v with error %q, want failed with not found", j["state"], j["error"])
	}
	if got := unknownHits.Load(); got != 1 {
		t.Errorf("unknown handle fetched %d times, want 1 (not found is not retried)", got)
	}

	for _, tc := range []struct{ query, param string }{
		{"followers_min=abc", "followers_min"},
		{"sort=nonsense", "sort"},
		{"per_page=5000", "per_page"},
		{"colour=red", "colour"},
	} {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		code := getJSON(t, apiSrv.URL, "/v1/creators?"+tc.query, &e)
		if code != http.StatusBadRequest || !strings.HasPrefix(e.Error.Message, tc.param) {
			t.Errorf("GET /v1/creators?%s = %d %+v, want 400 naming %s", tc.query, code, e, tc.param)
		}
	}
	code, body := postJSON(t, apiSrv.URL+"/v1/discover", `{"source":"bluesky","query":"","limit":5}`)
	if code != http.StatusBadRequest {
		t.Errorf("discover with empty query = %d %v, want 400", code, body)
	}
	code, body = postJSON(t, apiSrv.URL+"/v1/discover", `{"source":"myspace","query":"x"}`)
	if code != http.StatusBadRequest {
		t.Errorf("discover on unknown source = %d %v, want 400", code, body)
	}
	code, body = postJSON(t, apiSrv.URL+"/v1/crawl", `{"platform":"bluesky","handle":"x","extra":1}`)
	if code != http.StatusBadRequest {
		t.Errorf("crawl with an unknown field = %d %v, want 400", code, body)
	}
}

// TestIntegrationWatchlistAPI drives the watchlist endpoints: create with a
// member found by profile URL, list with secrets masked, refusals of a
// private webhook and a bad cadence, alerts, delete.
func TestIntegrationWatchlistAPI(t *testing.T) {
	world := sim.New(sim.Config{Seed: 9, Creators: 10})
	simSrv := httptest.NewServer(world.Handler())
	defer simSrv.Close()
	a := startApp(t, testConfig(t, simSrv.URL, t.TempDir()))
	defer a.Close()
	apiSrv := httptest.NewServer(a.apiHandler())
	defer apiSrv.Close()

	for _, tc := range []struct {
		name, body string
		code       int
		mention    string
	}{
		{"private webhook", `{"name":"x","webhooks":[{"url":"http://169.254.169.254/latest"}]}`, http.StatusBadRequest, "webhooks[0].url"},
		{"bad cadence", `{"name":"x","cadence":"every full moon"}`, http.StatusBadRequest, "cadence"},
		{"no name", `{"members":[]}`, http.StatusBadRequest, "name"},
		{"unknown field", `{"name":"x","colour":"red"}`, http.StatusBadRequest, "colour"},
	} {
		code, body := postJSON(t, apiSrv.URL+"/v1/watchlists", tc.body)
		if code != tc.code || !strings.Contains(fmt.Sprint(body), tc.mention) {
			t.Errorf("%s: POST /v1/watchlists = %d %v, want %d mentioning %s", tc.name, code, body, tc.code, tc.mention)
		}
	}

	c, _ := world.Creator(sim.HandleBuyer)
	code, wl := postJSON(t, apiSrv.URL+"/v1/watchlists",
		`{"name":"Shortlist","cadence":"daily","members":["https://bsky.app/profile/`+c.DID+`"],"webhooks":[{"url":"http://127.0.0.1:9/hook"}]}`)
	if code != http.StatusCreated {
		t.Fatalf("POST /v1/watchlists = %d %v", code, wl)
	}
	hooks := wl["webhooks"].([]any)
	if secret := hooks[0].(map[string]any)["secret"].(string); !strings.HasPrefix(secret, "whsec_") {
		t.Errorf("created webhook secret %q, want a generated whsec_ secret shown once", secret)
	}
	id := wl["id"].(string)
	var got map[string]any
	if code := getJSON(t, apiSrv.URL, "/v1/watchlists/"+id, &got); code != http.StatusOK {
		t.Fatalf("GET watchlist: %d", code)
	}
	if s := got["webhooks"].([]any)[0].(map[string]any)["secret"]; s == hooks[0].(map[string]any)["secret"] {
		t.Errorf("GET shows the webhook secret in full")
	}
	members := got["members"].([]any)
	if len(members) != 1 || members[0].(map[string]any)["ref"].(map[string]any)["id"] != c.DID {
		t.Errorf("members %v, want the creator named by the profile URL", members)
	}
	var alerts struct {
		Alerts []any `json:"alerts"`
	}
	if code := getJSON(t, apiSrv.URL, "/v1/watchlists/"+id+"/alerts", &alerts); code != http.StatusOK || len(alerts.Alerts) != 0 {
		t.Errorf("alerts of a new watchlist = %d %v", code, alerts)
	}
	if code := getJSON(t, apiSrv.URL, "/v1/watchlists/"+id+"/alerts?since=yesterday", nil); code != http.StatusBadRequest {
		t.Errorf("alerts with an unknown parameter = %d, want 400", code)
	}
	req, _ := http.NewRequest(http.MethodDelete, apiSrv.URL+"/v1/watchlists/"+id, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE watchlist: %v %v", resp, err)
	}
	if code := getJSON(t, apiSrv.URL, "/v1/watchlists/"+id, nil); code != http.StatusNotFound {
		t.Errorf("GET deleted watchlist = %d, want 404", code)
	}
}
