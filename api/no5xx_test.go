package api_test

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/creatorscout/scout/api"
)

// TestBadInputNever5xx sends a few thousand malformed requests (random
// parameters, values, escapes, methods and bodies, seeded) to every route
// of a fully configured server: none may answer 5xx.
func TestBadInputNever5xx(t *testing.T) {
	d := newDocumented(t, api.Config{})
	rng := rand.New(rand.NewPCG(1, 2))
	paths := []string{"/v1/creators", "/v1/creators/lookup", "/v1/creators/bluesky-x", "/v1/creators/bluesky-x/history",
		"/v1/discover", "/v1/crawl", "/v1/jobs/x", "/v1/optout", "/v1/optouts", "/v1/watchlists", "/v1/watchlists/wl1",
		"/v1/watchlists/wl1/members", "/v1/watchlists/wl1/members/bluesky-x", "/v1/watchlists/wl1/alerts", "/v1/alerts/al-0",
		"/v1/alerts/al-0/redeliver", "/healthz", "/readyz", "/docs", "/v1/openapi.json", "/v1/creators/%ZZ", "/v1/watchlists/%00"}
	names := []string{"q", "tier", "niche", "platform", "sort", "facets", "page", "per_page", "format", "url", "handle", "limit",
		"kind", "creator", "followers_min", "updated_at_max", "country", "language", "profile_url", "", "x", "%", "a%2"}
	values := []string{"", "-", "micro", "1", "-1", "0", "1e309", "NaN", "99999999999999999999", "%", "%zz", "%00", "a,b,,c",
		"https://bsky.app/profile/x", "http://[::1", "2026-13-45", "2026-11-15T25:00:00Z", strings.Repeat("a", 700), "' OR 1=1", "\u202e",
		"did:plc:x", "@", "csv", "jsonl", "-followers", "=cmd"}
	bodies := []string{"", "{", "[]", "null", `{"name":1}`, `{"handle":"a b"}`, `{"query":"x","limit":-1}`, `{"members":[""]}`,
		`{"members":["https://bsky.app/profile/nobody"]}`, `{"platform":"bluesky","url":"ftp://x"}`, `{"cadence":"@every 1s","name":"x"}`,
		`{"webhooks":[{"url":"http://169.254.169.254/"}],"name":"x"}`, `{"rules":{"quiet_days":-5},"name":"x"}`, strings.Repeat("[", 5000)}
	methods := []string{"GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS"}
	pick := func(l []string) string { return l[rng.IntN(len(l))] }
	for i := range 1500 {
		var q []string
		for range rng.IntN(4) {
			q = append(q, pick(names)+"="+pick(values))
		}
		path := pick(paths)
		if len(q) > 0 {
			path += "?" + strings.Join(q, "&")
		}
		method, body := pick(methods), ""
		if method == "POST" || method == "PATCH" {
			body = pick(bodies)
		}
		code, resp := rawDo(t, d.url, method, path, body)
		if code >= 500 && !(code == 503 && strings.Contains(path, "redeliver")) {
			t.Errorf("request %d: %s %s %.80q = %d %s", i, method, path, body, code, resp)
		}
	}
}

// rawDo sends one request as written, without Go's client checking the
// target (a bad escape in the path stays as it is).
func rawDo(t *testing.T, base, method, target, body string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		method, target, len(body), body)
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
