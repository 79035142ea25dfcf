package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/creatorscout/scout/api"
	"github.com/creatorscout/scout/compliance"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
	"github.com/creatorscout/scout/internal/testredis"
	"github.com/creatorscout/scout/watch"
)

// redisDB is this package's database on a real test Redis.
const redisDB = 9

// stubOptOuts records opt-outs in the store as the pipeline does, without
// the erasure (crawler's tests cover that).
type stubOptOuts struct{ st *sqlite.Store }

func (o stubOptOuts) OptOut(ctx context.Context, r compliance.OptOutRequest) (*compliance.OptOutResult, error) {
	oo := index.OptOut{Platform: r.Platform, Handle: r.Handle, Reason: r.Reason, CreatedAt: time.Unix(1, 0).UTC()}
	if err := o.st.AddOptOut(ctx, &oo); err != nil {
		return nil, err
	}
	return &compliance.OptOutResult{OptOut: oo, Erased: []string{}}, nil
}

func (o stubOptOuts) ListOptOuts(ctx context.Context) ([]index.OptOut, error) {
	return o.st.ListOptOuts(ctx)
}

// documented is an API server with every part configured and data behind
// every route: creators, a job, a watchlist with members, alerts (one
// failed delivery) and an opt-out.
type documented struct {
	url   string
	st    *sqlite.Store
	recs  []*creator.Record
	redis *testredis.Server
	reg   *prometheus.Registry
}

func newDocumented(t *testing.T, cfg api.Config) *documented {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(t.TempDir() + "/scout.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d := &documented{st: st, recs: fixture(t, st), redis: testredis.New(t, redisDB), reg: prometheus.NewRegistry()}
	q := asynq.NewClientFromRedisClient(d.redis.Client)
	svc := watch.New(st, watch.WithTaskEnqueuer(q))
	now := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	wl := &index.Watchlist{ID: "wl1", Name: "clients", CreatedAt: now, UpdatedAt: now,
		Webhooks: []index.Webhook{{URL: "https://hooks.example.com/scout", Secret: "s3cret"}},
		Members:  []index.WatchMember{{Key: d.recs[0].Key, Ref: d.recs[0].Profile.Ref, AddedAt: now, Source: "key"}}}
	if err := st.PutWatchlist(ctx, wl); err != nil {
		t.Fatal(err)
	}
	for i, state := range []string{"failed", "delivered"} {
		ev := &index.AlertEvent{ID: fmt.Sprintf("al-%d", i), WatchlistID: "wl1", CreatorKey: d.recs[0].Key, Kind: watch.KindQuiet,
			At: now.Add(time.Duration(i) * time.Hour), Message: "=cmd|' /C calc'!A0 no posts for 15 days", DeliveryState: state,
			Deliveries: []index.Delivery{{URL: "https://hooks.example.com/scout", Attempt: 1, At: now, StatusCode: 500, Error: "status 500"}}}
		if err := st.PutAlert(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutJob(ctx, &index.Job{ID: "job1", Kind: "crawl", State: index.JobDone, Request: json.RawMessage(`{"x":1}`), CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	cfg.Store, cfg.Submitter, cfg.Watchlists, cfg.OptOuts = st, &recordingSubmitter{}, svc, stubOptOuts{st}
	cfg.Enums, cfg.Redis, cfg.Registry, cfg.Gatherer = testEnums(), d.redis.Client, d.reg, d.reg
	cfg.Logger = slog.New(slog.DiscardHandler)
	cfg.Ready = map[string]func(context.Context) error{"redis": func(ctx context.Context) error { return d.redis.Client.Ping(ctx).Err() }}
	srv := httptest.NewServer(api.New(cfg))
	t.Cleanup(srv.Close)
	d.url = srv.URL
	return d
}

// call is one request of the walk.
type call struct {
	method, path, body string
	code               int
}

// TestOpenAPI walks every operation of the document with real requests
// against real parts (SQLite, Redis, the watch service) and checks each
// answer against the document: its status is documented for the
// operation, its body matches the schema of that status and content type,
// its headers are documented. Every operation must be walked.
func TestOpenAPI(t *testing.T) {
	d := newDocumented(t, api.Config{})
	code, _, raw := do(t, "GET", d.url+"/v1/openapi.json", "", "")
	if code != 200 {
		t.Fatalf("GET /v1/openapi.json = %d", code)
	}
	docAny, err := jsonschema.UnmarshalJSON(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	doc := docAny.(map[string]any)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource("mem://openapi.json", docAny); err != nil {
		t.Fatal(err)
	}
	if doc["openapi"] != "3.1.0" || len(doc["servers"].([]any)) == 0 {
		t.Errorf("openapi %v, servers %v", doc["openapi"], doc["servers"])
	}

	key := url(d.recs[0].Key)
	calls := []call{
		{"GET", "/healthz", "", 200},
		{"GET", "/readyz", "", 200},
		{"GET", "/metrics", "", 200},
		{"GET", "/v1/openapi.json", "", 200},
		{"GET", "/docs", "", 200},
		{"GET", "/", "", 200},
		{"GET", "/v1/creators?q=name&facets=tier,followers&sort=-followers", "", 200},
		{"GET", "/v1/creators?format=csv", "", 200},
		{"GET", "/v1/creators?format=jsonl", "", 200},
		{"GET", "/v1/creators?tier=gigantic", "", 400},
		{"GET", "/v1/creators/lookup?platform=bluesky&handle=thestrongtheo.bsky.social", "", 200},
		{"GET", "/v1/creators/lookup?url=https://bsky.app/profile/nobody", "", 404},
		{"GET", "/v1/creators/lookup?nope=1", "", 400},
		{"GET", "/v1/creators/" + key, "", 200},
		{"GET", "/v1/creators/bluesky-nobody", "", 404},
		{"GET", "/v1/creators/a%20b", "", 400},
		{"GET", "/v1/creators/" + key + "/history?limit=5", "", 200},
		{"GET", "/v1/creators/bluesky-nobody/history", "", 404},
		{"GET", "/v1/creators/" + key + "/history?limit=x", "", 400},
		{"POST", "/v1/discover", `{"query":"fitness","limit":10}`, 202},
		{"POST", "/v1/discover", `{"query":""}`, 400},
		{"POST", "/v1/crawl", `{"platform":"bluesky","handle":"a.bsky.social"}`, 202},
		{"POST", "/v1/crawl", `{"platform":"nope","handle":"a"}`, 400},
		{"GET", "/v1/jobs/job1", "", 200},
		{"GET", "/v1/jobs/nope", "", 404},
		{"POST", "/v1/optout", `{"platform":"bluesky","handle":"gone.bsky.social","reason":"asked"}`, 200},
		{"POST", "/v1/optout", `{"platform":"myspace"}`, 400},
		{"GET", "/v1/optouts", "", 200},
		{"GET", "/v1/optouts?format=csv", "", 200},
		{"GET", "/v1/optouts?format=pdf", "", 400},
		{"POST", "/v1/watchlists", `{"name":"new list","members":["` + d.recs[1].Key + `"],"cadence":"24h"}`, 201},
		{"POST", "/v1/watchlists", `{"name":""}`, 400},
		{"POST", "/v1/watchlists", `{"name":"x","members":["bluesky-nobody"]}`, 404},
		{"GET", "/v1/watchlists", "", 200},
		{"GET", "/v1/watchlists/wl1", "", 200},
		{"GET", "/v1/watchlists/nope", "", 404},
		{"PATCH", "/v1/watchlists/wl1", `{"name":"renamed"}`, 200},
		{"PATCH", "/v1/watchlists/wl1", `{"cadence":"1s"}`, 400},
		{"PATCH", "/v1/watchlists/nope", `{"name":"x"}`, 404},
		{"GET", "/v1/watchlists/wl1/members", "", 200},
		{"GET", "/v1/watchlists/wl1/members?format=csv", "", 200},
		{"GET", "/v1/watchlists/wl1/members?format=x", "", 400},
		{"GET", "/v1/watchlists/nope/members", "", 404},
		{"POST", "/v1/watchlists/wl1/members", `{"members":["` + d.recs[2].Key + `"]}`, 200},
		{"POST", "/v1/watchlists/wl1/members", `{"members":[]}`, 400},
		{"POST", "/v1/watchlists/nope/members", `{"members":["` + d.recs[2].Key + `"]}`, 404},
		{"DELETE", "/v1/watchlists/wl1/members/" + url(d.recs[2].Key), "", 200},
		{"DELETE", "/v1/watchlists/wl1/members/bluesky-nobody", "", 404},
		{"GET", "/v1/watchlists/wl1/alerts?kind=quiet&limit=10", "", 200},
		{"GET", "/v1/watchlists/wl1/alerts?format=jsonl", "", 200},
		{"GET", "/v1/watchlists/wl1/alerts?kind=bogus", "", 400},
		{"GET", "/v1/watchlists/nope/alerts", "", 404},
		{"GET", "/v1/alerts/al-0", "", 200},
		{"GET", "/v1/alerts/nope", "", 404},
		{"POST", "/v1/alerts/al-1/redeliver", "", 409},
		{"POST", "/v1/alerts/al-0/redeliver", "", 202},
		{"POST", "/v1/alerts/nope/redeliver", "", 404},
		{"DELETE", "/v1/watchlists/nope", "", 404},
		{"DELETE", "/v1/watchlists/wl1", "", 204},
		{"PUT", "/v1/creators", "", 405},
	}
	walked := map[string]bool{}
	for _, cl := range calls {
		t.Run(cl.method+" "+cl.path, func(t *testing.T) {
			code, h, body := do(t, cl.method, d.url+cl.path, "", cl.body)
			if code != cl.code {
				t.Fatalf("= %d %s, want %d", code, body, cl.code)
			}
			pathKey, method, op := findOperation(t, doc, cl.method, cl.path)
			walked[method+" "+pathKey] = true
			resp, ok := op["responses"].(map[string]any)[strconv.Itoa(code)].(map[string]any)
			if !ok {
				t.Fatalf("status %d is not documented for %s %s", code, cl.method, pathKey)
			}
			for name := range h {
				if (strings.HasPrefix(name, "Ratelimit") || strings.HasPrefix(name, "X-")) && name != "X-Content-Type-Options" {
					if _, ok := resp["headers"].(map[string]any)[http.CanonicalHeaderKey(name)]; !ok && !documentedHeader(resp, name) {
						t.Errorf("header %s is not documented for %d", name, code)
					}
				}
			}
			content, _ := resp["content"].(map[string]any)
			if code == 204 || cl.method == "HEAD" {
				return
			}
			ct, _, _ := strings.Cut(h.Get("Content-Type"), ";")
			media, ok := content[ct].(map[string]any)
			if !ok {
				t.Fatalf("content type %q is not documented for %d (documented: %v)", ct, code, keys(content))
			}
			if ct != "application/json" {
				return
			}
			ptr := "mem://openapi.json#/paths/" + escapePtr(pathKey) + "/" + method + "/responses/" + strconv.Itoa(code) + "/content/application~1json/schema"
			if _, ok := media["schema"]; !ok {
				t.Fatalf("no schema for %d", code)
			}
			sch, err := c.Compile(ptr)
			if err != nil {
				t.Fatalf("compiling %s: %v", ptr, err)
			}
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
			if err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			if err := sch.Validate(inst); err != nil {
				t.Errorf("body does not match the document:\n%v\nbody: %.600s", err, body)
			}
		})
	}
	var missed []string
	for p, item := range doc["paths"].(map[string]any) {
		for m := range item.(map[string]any) {
			if !walked[m+" "+p] {
				missed = append(missed, m+" "+p)
			}
		}
	}
	sort.Strings(missed)
	if len(missed) > 0 {
		t.Errorf("operations not walked: %v", missed)
	}
	t.Run("EveryOperation", func(t *testing.T) { checkOperations(t, doc) })
}

// checkOperations checks what a linter would: operation ids unique, a
// summary, a 4xx answer, a schema for every parameter and JSON content.
func checkOperations(t *testing.T, doc map[string]any) {
	ids := map[string]bool{}
	for p, item := range doc["paths"].(map[string]any) {
		for m, o := range item.(map[string]any) {
			op := o.(map[string]any)
			id, _ := op["operationId"].(string)
			if id == "" || ids[id] {
				t.Errorf("%s %s: operationId %q missing or repeated", m, p, id)
			}
			ids[id] = true
			if op["summary"] == "" || op["summary"] == nil {
				t.Errorf("%s %s: no summary", m, p)
			}
			has4xx := false
			for code := range op["responses"].(map[string]any) {
				has4xx = has4xx || strings.HasPrefix(code, "4")
			}
			if !has4xx {
				t.Errorf("%s %s: no 4xx answer", m, p)
			}
			for _, prm := range asList(op["parameters"]) {
				pm := prm.(map[string]any)
				if pm["schema"] == nil || pm["description"] == "" {
					t.Errorf("%s %s: parameter %v has no schema or description", m, p, pm["name"])
				}
			}
		}
	}
}

func asList(v any) []any { l, _ := v.([]any); return l }

func documentedHeader(resp map[string]any, name string) bool {
	for h := range resp["headers"].(map[string]any) {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func url(key string) string { return strings.ReplaceAll(key, ":", "%3A") }

func escapePtr(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// findOperation finds the documented path template and operation that a
// request path matches (a literal segment before a parameter).
func findOperation(t *testing.T, doc map[string]any, method, path string) (string, string, map[string]any) {
	t.Helper()
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(path, "/")
	var best string
	bestLit := -1
	for p := range doc["paths"].(map[string]any) {
		ps := strings.Split(p, "/")
		if len(ps) != len(segs) {
			continue
		}
		lit, ok := 0, true
		for i := range ps {
			switch {
			case strings.HasPrefix(ps[i], "{"):
			case ps[i] == segs[i]:
				lit++
			default:
				ok = false
			}
		}
		if ok && lit > bestLit {
			best, bestLit = p, lit
		}
	}
	if best == "" {
		t.Fatalf("no documented path matches %s", path)
	}
	item := doc["paths"].(map[string]any)[best].(map[string]any)
	m := strings.ToLower(method)
	op, ok := item[m].(map[string]any)
	if !ok {
		// A wrong method: the 405 is documented on every operation.
		for m, o := range item {
			return best, m, o.(map[string]any)
		}
	}
	return best, m, op
}

// TestExports checks the CSV and JSON Lines exports: every match past one
// page, spreadsheet-friendly headers, formula cells defused.
func TestExports(t *testing.T) {
	d := newDocumented(t, api.Config{})
	ctx := context.Background()
	// 250 more creators: three pages of 100.
	var ws []index.Write
	for i := range 250 {
		ref := creator.Ref{Platform: creator.Bluesky, ID: fmt.Sprintf("did:plc:x%03d", i), Handle: fmt.Sprintf("x%03d.bsky.social", i)}
		r := &creator.Record{Key: creator.Key(ref), Profile: creator.Profile{Ref: ref, DisplayName: "@evil" + strconv.Itoa(i), Followers: int64(i)},
			Scores: creator.Scores{Tier: creator.TierEmerging}, UpdatedAt: time.Unix(1_790_000_000, 0).UTC()}
		ws = append(ws, index.Write{Record: r, Snapshot: creator.Snapshot{At: r.UpdatedAt}})
	}
	if err := d.st.UpsertMany(ctx, ws); err != nil {
		t.Fatal(err)
	}
	code, h, body := do(t, "GET", d.url+"/v1/creators?tier=emerging&format=csv", "", "")
	if code != 200 || h.Get("X-Total-Count") != "250" || h.Get("X-Export-Truncated") != "false" {
		t.Fatalf("csv export = %d, headers %v", code, h)
	}
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	if len(lines) != 251 {
		t.Errorf("csv export has %d lines, want a header and 250 rows", len(lines))
	}
	if !strings.HasPrefix(lines[0], "Key,Platform,Handle,Display name,Profile URL,Followers") || !strings.Contains(lines[0], "Engagement rate (%)") {
		t.Errorf("csv header %q", lines[0])
	}
	if !strings.Contains(body, ",'@evil7,") {
		t.Errorf("a display name starting with @ is not defused:\n%.300s", body)
	}
	code, h, body = do(t, "GET", d.url+"/v1/creators?tier=emerging&format=jsonl&sort=followers", "", "")
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/jsonl") {
		t.Fatalf("jsonl export = %d %v", code, h)
	}
	n := 0
	for line := range strings.SplitSeq(strings.TrimSpace(body), "\n") {
		var r creator.Record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		if r.Profile.Followers != int64(n) {
			t.Errorf("line %d has followers %d: not in order", n, r.Profile.Followers)
		}
		n++
	}
	if n != 250 {
		t.Errorf("jsonl export has %d lines, want 250", n)
	}
	// Alerts: a message that starts with a formula.
	_, _, body = do(t, "GET", d.url+"/v1/watchlists/wl1/alerts?format=csv", "", "")
	if !strings.Contains(body, `'=cmd|`) || !strings.HasPrefix(body, "Alert ID,Watchlist,Creator key,Kind,At (UTC),Message,Delivery") {
		t.Errorf("alerts csv:\n%s", body)
	}
	_, _, body = do(t, "GET", d.url+"/v1/watchlists/wl1/members?format=jsonl", "", "")
	var m index.WatchMember
	if err := json.Unmarshal(bytes.TrimSpace([]byte(body)), &m); err != nil || m.Key != d.recs[0].Key {
		t.Errorf("members jsonl %q: %v", body, err)
	}
}

// TestRedeliver checks that a failed alert is enqueued again, as new tasks
// in the real queue, and that only a failed one is.
func TestRedeliver(t *testing.T) {
	d := newDocumented(t, api.Config{})
	code, _, body := do(t, "POST", d.url+"/v1/alerts/al-0/redeliver", "", "")
	if code != 202 || !strings.Contains(body, `"delivery_state":"pending"`) {
		t.Fatalf("redeliver = %d %s", code, body)
	}
	insp := asynq.NewInspectorFromRedisClient(d.redis.Client)
	var ids []string
	for _, q := range []string{"default", "webhooks"} {
		tasks, _ := insp.ListPendingTasks(q)
		for _, tk := range tasks {
			ids = append(ids, tk.ID)
		}
	}
	if !slices.Contains(ids, watch.DeliverTaskID("al-0", 0)+"-r1") {
		t.Errorf("pending tasks %v, want the redelivery of al-0", ids)
	}
	// Again: it is pending now, not failed.
	if code, _, body := do(t, "POST", d.url+"/v1/alerts/al-0/redeliver", "", ""); code != 409 {
		t.Errorf("second redeliver = %d %s, want 409", code, body)
	}
}

// TestDocsPage checks the reference page: every operation with its
// parameters and their values, every schema, and no script.
func TestDocsPage(t *testing.T) {
	d := newDocumented(t, api.Config{})
	code, h, body := do(t, "GET", d.url+"/docs", "", "")
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /docs = %d %v", code, h)
	}
	for _, want := range []string{`id="lookupCreator"`, `id="redeliverAlert"`, `id="searchCreators"`, "<code>updated_at_min</code>",
		"one of: emerging, nano, micro, mid, macro, mega", "RFC 3339", `id="schema-Record"`, `id="schema-Spec"`, "scope: admin"} {
		if !strings.Contains(body, want) {
			t.Errorf("/docs lacks %q", want)
		}
	}
	if strings.Contains(body, "<script") {
		t.Error("/docs has a script")
	}
}
