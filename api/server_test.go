package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/creatorscout/scout/api"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
)

func newServer(t *testing.T, key string) (*httptest.Server, *sqlite.Store) {
	t.Helper()
	return newServerWith(t, api.Config{APIKey: key})
}

// newServerWith serves cfg over a new SQLite store (cfg.Store) on
// loopback, logging nothing.
func newServerWith(t *testing.T, cfg api.Config) (*httptest.Server, *sqlite.Store) {
	t.Helper()
	st, err := sqlite.Open(t.TempDir() + "/scout.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg.Store = st
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	srv := httptest.NewServer(api.New(cfg))
	t.Cleanup(srv.Close)
	return srv, st
}

// recordingSubmitter records the jobs the API submits. It stands in for
// the pipeline, whose own tests and the end-to-end tests in cmd/scout run
// the real one; here only the API's side of the call is under test.
type recordingSubmitter struct {
	discovers []string
	crawls    []creator.Ref
}

func (r *recordingSubmitter) SubmitDiscover(_ context.Context, source, query string, limit int) (*index.Job, error) {
	r.discovers = append(r.discovers, fmt.Sprintf("%s %q %d", source, query, limit))
	return &index.Job{ID: "job-1", Kind: "discover", State: index.JobQueued}, nil
}

func (r *recordingSubmitter) SubmitCrawl(_ context.Context, ref creator.Ref) (*index.Job, error) {
	r.crawls = append(r.crawls, ref)
	return &index.Job{ID: "job-2", Kind: "crawl", State: index.JobQueued}, nil
}

func do(t *testing.T, method, url, auth, body string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func errorCode(t *testing.T, body string) string {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code == "" {
		t.Fatalf("body %q is not the API's error shape", body)
	}
	return e.Error.Code
}

func TestErrorsAreJSON(t *testing.T) {
	srv, st := newServerWith(t, api.Config{Submitter: &recordingSubmitter{}})
	rec := &creator.Record{Key: "bluesky-x", Profile: creator.Profile{Ref: creator.Ref{Platform: creator.Bluesky, ID: "x", Handle: "x.bsky.social"}, Followers: 10},
		FirstSeen: time.Unix(1, 0).UTC(), UpdatedAt: time.Unix(1, 0).UTC()}
	if err := st.Upsert(context.Background(), rec, creator.Snapshot{At: time.Unix(1, 0).UTC(), Followers: 10}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path, body string
		code                     int
		kind                     string
	}{
		{"unknown endpoint", "GET", "/v2/nothing", "", 404, "not_found"},
		{"unknown creator", "GET", "/v1/creators/bluesky-nobody", "", 404, "not_found"},
		{"invalid key", "GET", "/v1/creators/a%20b", "", 400, "invalid_parameter"},
		{"unknown job", "GET", "/v1/jobs/nope", "", 404, "not_found"},
		{"bad history limit", "GET", "/v1/creators/bluesky-x/history?limit=-1", "", 400, "invalid_parameter"},
		{"malformed body", "POST", "/v1/crawl", `{"platform":`, 400, "invalid_body"},
		{"trailing data", "POST", "/v1/crawl", `{"platform":"bluesky"} {}`, 400, "invalid_body"},
		{"huge body", "POST", "/v1/crawl", `{"handle":"` + strings.Repeat("a", api.MaxBody) + `"}`, 413, "too_large"},
		{"no watchlists", "GET", "/v1/watchlists", "", 503, "unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, h, body := do(t, tt.method, srv.URL+tt.path, "", tt.body)
			if code != tt.code || errorCode(t, body) != tt.kind {
				t.Errorf("%s %s = %d %s, want %d %s", tt.method, tt.path, code, body, tt.code, tt.kind)
			}
			if ct := h.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	code, _, body := do(t, "GET", srv.URL+"/v1/creators/bluesky-x/history", "", "")
	if code != 200 || !strings.Contains(body, `"followers":10`) {
		t.Errorf("history = %d %s", code, body)
	}
}

func TestAPIKey(t *testing.T) {
	srv, _ := newServer(t, "s3cret")
	for _, auth := range []string{"", "Bearer wrong", "s3cret"} {
		if code, _, body := do(t, "GET", srv.URL+"/v1/creators", auth, ""); code != 401 || errorCode(t, body) != "unauthorized" {
			t.Errorf("auth %q: %d %s, want 401", auth, code, body)
		}
	}
	if code, _, _ := do(t, "GET", srv.URL+"/v1/creators", "Bearer s3cret", ""); code != 200 {
		t.Errorf("right key: %d, want 200", code)
	}
	// Health and the page need no key.
	if code, _, _ := do(t, "GET", srv.URL+"/healthz", "", ""); code != 200 {
		t.Errorf("/healthz without a key: %d", code)
	}
}

func TestPageIsSafe(t *testing.T) {
	srv, _ := newServer(t, "")
	code, h, body := do(t, "GET", srv.URL+"/", "", "")
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || h.Get("Content-Security-Policy") == "" {
		t.Fatalf("GET / = %d %v", code, h)
	}
	// Stored text is attacker-controlled (bios, posts): the page must build
	// the DOM with textContent only.
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("} {
		if strings.Contains(body, bad) {
			t.Errorf("the page uses %s", bad)
		}
	}
}

func TestOpenAPIListsEveryFilter(t *testing.T) {
	srv, _ := newServer(t, "")
	_, _, body := do(t, "GET", srv.URL+"/v1/openapi.json", "", "")
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	for _, f := range index.Fields {
		name := f.Name
		if f.Kind == index.Numeric {
			name += "_min"
		}
		if f.Filterable && !strings.Contains(body, `"name":"`+name+`"`) {
			t.Errorf("OpenAPI document lacks parameter %s", name)
		}
	}
}

func TestBodiesMustBeJSON(t *testing.T) {
	srv, _ := newServerWith(t, api.Config{Submitter: &recordingSubmitter{}})
	// A cross-site form or no-cors fetch sends no JSON content type: refused
	// before anything runs.
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded"} {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/crawl", strings.NewReader(`{"platform":"bluesky","handle":"a.bsky.social"}`))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("Content-Type %q: %d, want 415", ct, resp.StatusCode)
		}
	}
}
