package api_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/creatorscout/scout/api"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
	"github.com/creatorscout/scout/internal/testredis"
	"github.com/creatorscout/scout/watch"
)

// keyed serves a real store's keys with rate limits in a real Redis (or
// miniredis without SCOUT_TEST_REDIS_URL).
func keyed(t *testing.T, st *sqlite.Store, rdb *testredis.Server, envKey string) string {
	t.Helper()
	srv := httptest.NewServer(api.New(api.Config{Store: st, Keys: st, APIKey: envKey, Redis: rdb.Client,
		Submitter: &recordingSubmitter{}, OptOuts: stubOptOuts{st}, Watchlists: watch.New(st), Logger: slog.New(slog.DiscardHandler),
		Registry: prometheus.NewRegistry(), Gatherer: prometheus.NewRegistry()}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func addKey(t *testing.T, st *sqlite.Store, name, scope string, rate int) string {
	t.Helper()
	secret := "sk_test_" + name
	k := &index.APIKey{Name: name, Hash: api.HashSecret(secret), Scope: scope, RatePerMinute: rate, CreatedAt: time.Now().UTC()}
	if err := st.PutAPIKey(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	return secret
}

func TestKeyScopes(t *testing.T) {
	st, err := sqlite.Open(t.TempDir() + "/scout.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rdb := testredis.New(t, redisDB)
	base := keyed(t, st, rdb, "")

	// No key exists yet: the API is open (local use).
	if code, _, _ := do(t, "GET", base+"/v1/creators", "", ""); code != 200 {
		t.Fatalf("no keys yet: %d, want 200", code)
	}
	read := addKey(t, st, "reader", api.ScopeRead, 0)
	write := addKey(t, st, "writer", api.ScopeWrite, 0)
	admin := addKey(t, st, "admin", api.ScopeAdmin, 0)
	revoked := addKey(t, st, "gone", api.ScopeAdmin, 0)
	k, _ := st.APIKeyByHash(context.Background(), api.HashSecret(revoked))
	k.RevokedAt = time.Now().UTC()
	if err := st.PutAPIKey(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	// A new server (a server that saw no key asks again only after 2 s).
	base = keyed(t, st, rdb, "")

	crawl, optout := `{"handle":"a.bsky.social"}`, `{"platform":"bluesky","handle":"a.bsky.social"}`
	tests := []struct {
		name, key, method, path, body string
		code                          int
	}{
		{"no key", "", "GET", "/v1/creators", "", 401},
		{"wrong key", "sk_nope", "GET", "/v1/creators", "", 401},
		{"revoked key", revoked, "GET", "/v1/creators", "", 401},
		{"read reads", read, "GET", "/v1/creators", "", 200},
		{"read cannot write", read, "POST", "/v1/crawl", crawl, 403},
		{"write writes", write, "POST", "/v1/crawl", crawl, 202},
		{"write reads", write, "GET", "/v1/creators", "", 200},
		{"write cannot opt out", write, "POST", "/v1/optout", optout, 403},
		{"admin opts out", admin, "POST", "/v1/optout", optout, 200},
		{"admin lists opt-outs", admin, "GET", "/v1/optouts", "", 200},
		{"public route needs none", "", "GET", "/healthz", "", 200},
		{"write creates a watchlist", write, "POST", "/v1/watchlists", `{"name":"by writer"}`, 201},
		{"read cannot create one", read, "POST", "/v1/watchlists", `{"name":"by reader"}`, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth := ""
			if tt.key != "" {
				auth = "Bearer " + tt.key
			}
			code, _, body := do(t, tt.method, base+tt.path, auth, tt.body)
			if code != tt.code {
				t.Errorf("%s %s = %d %s, want %d", tt.method, tt.path, code, body, tt.code)
			}
			if code == 403 && !strings.Contains(body, "needs") {
				t.Errorf("403 does not say which scope is needed: %s", body)
			}
		})
	}

	// Writes record the key's name.
	_, _, body := do(t, "GET", base+"/v1/watchlists", "Bearer "+read, "")
	if !strings.Contains(body, `"created_by":"writer"`) || !strings.Contains(body, `"updated_by":"writer"`) {
		t.Errorf("the watchlist does not name the key that made it: %s", body)
	}

	// SCOUT_API_KEY is an admin key beside the named ones.
	base2 := keyed(t, st, rdb, "env-secret")
	if code, _, body := do(t, "GET", base2+"/v1/optouts", "Bearer env-secret", ""); code != 200 {
		t.Errorf("SCOUT_API_KEY: %d %s", code, body)
	}
	if code, _, _ := do(t, "GET", base2+"/v1/creators", "Bearer "+read, ""); code != 200 {
		t.Errorf("named key beside SCOUT_API_KEY: %d", code)
	}
}

// TestRateLimits checks per-key limits kept in Redis: the RateLimit-*
// headers count down, the request past the limit is a 429 with
// Retry-After, a second server on the same Redis (another replica) shares
// the count, and another key has its own.
func TestRateLimits(t *testing.T) {
	st, err := sqlite.Open(t.TempDir() + "/scout.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rdb := testredis.New(t, redisDB)
	slow := addKey(t, st, "slow", api.ScopeRead, 3)
	other := addKey(t, st, "other", api.ScopeRead, 3)
	a, b := keyed(t, st, rdb, ""), keyed(t, st, rdb, "")

	var remaining []string
	for i, base := range []string{a, b, a} {
		code, h, body := do(t, "GET", base+"/v1/creators", "Bearer "+slow, "")
		if code != 200 {
			t.Fatalf("request %d = %d %s", i, code, body)
		}
		if h.Get("RateLimit-Limit") != "3" || h.Get("RateLimit-Policy") != "3;w=60" {
			t.Errorf("request %d: RateLimit-Limit %q, Policy %q", i, h.Get("RateLimit-Limit"), h.Get("RateLimit-Policy"))
		}
		remaining = append(remaining, h.Get("RateLimit-Remaining"))
	}
	if strings.Join(remaining, ",") != "2,1,0" {
		t.Errorf("RateLimit-Remaining over three requests on two replicas = %v, want 2,1,0", remaining)
	}
	code, h, body := do(t, "GET", b+"/v1/creators", "Bearer "+slow, "")
	if code != 429 || errorCode(t, body) != "rate_limited" {
		t.Fatalf("fourth request = %d %s, want 429", code, body)
	}
	ra, err := strconv.Atoi(h.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 60 {
		t.Errorf("Retry-After %q, want 1 to 60 seconds", h.Get("Retry-After"))
	}
	if code, _, _ := do(t, "GET", a+"/v1/creators", "Bearer "+other, ""); code != 200 {
		t.Errorf("another key = %d, want its own limit", code)
	}
}

// TestKeysStoreDown: when the key store fails, a request is a 503 with
// Retry-After, never a 500 nor let through.
func TestKeysStoreDown(t *testing.T) {
	st, err := sqlite.Open(t.TempDir() + "/scout.db")
	if err != nil {
		t.Fatal(err)
	}
	addKey(t, st, "reader", api.ScopeRead, 0)
	rdb := testredis.New(t, redisDB)
	base := keyed(t, st, rdb, "")
	st.Close() // the store goes away under the server
	code, h, body := do(t, "GET", base+"/v1/creators", "Bearer sk_test_reader", "")
	if code != 503 || h.Get("Retry-After") == "" {
		t.Errorf("key store down: %d %s (Retry-After %q), want 503", code, body, h.Get("Retry-After"))
	}
}
