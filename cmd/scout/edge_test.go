package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/creatorscout/scout/sim"
)

// edgeResolver answers the webhook hosts of TestIntegrationEdgeInput.
type edgeResolver struct{}

func (edgeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	switch host {
	case "nxdomain.example":
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	case "dnsdown.example":
		return nil, &net.DNSError{Err: "server misbehaving", Name: host, IsTemporary: true}
	case "private.example":
		return []netip.Addr{netip.MustParseAddr("10.0.0.5")}, nil
	}
	return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
}

// TestIntegrationEdgeInput sends the API input that used to be accepted or
// to fail with a 500, through the real wiring (the fetch client's SSRF
// guard checks webhook hosts): an unresolvable or refused webhook host is
// a 400 naming the field, a failing name server a 503 with Retry-After,
// "@every 1s" a 400, and a crawl of a handle no platform has a 400 that
// creates no job.
func TestIntegrationEdgeInput(t *testing.T) {
	world := sim.New(sim.Config{Seed: 3, Creators: 5})
	simSrv := httptest.NewServer(world.Handler())
	defer simSrv.Close()
	cfg := testConfig(t, simSrv.URL, t.TempDir())
	a := startApp(t, cfg, withResolver(edgeResolver{}))
	defer a.Close()
	srv := httptest.NewServer(a.apiHandler())
	defer srv.Close()

	for _, tc := range []struct {
		path, body string
		code       int
		mention    string
	}{
		{"/v1/watchlists", `{"name":"w","webhooks":[{"url":"https://nxdomain.example/hook"}]}`, 400, "webhooks[0].url"},
		{"/v1/watchlists", `{"name":"w","webhooks":[{"url":"https://ok.example/a"},{"url":"https://private.example/hook"}]}`, 400, "webhooks[1].url"},
		{"/v1/watchlists", `{"name":"w","webhooks":[{"url":"https://10.1.2.3/hook"}]}`, 400, "webhooks[0].url"},
		{"/v1/watchlists", `{"name":"w","webhooks":[{"url":"https://dnsdown.example/hook"}]}`, 503, "retry"},
		{"/v1/watchlists", `{"name":"w","cadence":"@every 1s"}`, 400, "cadence"},
		{"/v1/watchlists", `{"name":"w","cadence":"1s"}`, 400, "cadence"},
		{"/v1/crawl", `{"platform":"bluesky","handle":"../../etc/passwd"}`, 400, "handle"},
		{"/v1/crawl", `{"platform":"bluesky","handle":"a b c"}`, 400, "handle"},
		{"/v1/crawl", `{"platform":"bluesky","id":"did:plc:../../x"}`, 400, "id"},
		{"/v1/watchlists", `{"name":"w","cadence":"@every 1h","webhooks":[{"url":"https://ok.example/hook"}]}`, 201, ""},
	} {
		req, _ := http.NewRequest("POST", srv.URL+tc.path, strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Error struct{ Message string } `json:"error"`
		}
		decodeJSON(t, resp, &body)
		if resp.StatusCode != tc.code || !strings.Contains(body.Error.Message, tc.mention) {
			t.Errorf("POST %s %s = %d %q, want %d mentioning %q", tc.path, tc.body, resp.StatusCode, body.Error.Message, tc.code, tc.mention)
		}
		if tc.code == 503 && resp.Header.Get("Retry-After") == "" {
			t.Errorf("POST %s %s: 503 without Retry-After", tc.path, tc.body)
		}
	}
	if jobs, err := a.store.UnfinishedJobs(context.Background()); err != nil || len(jobs) != 0 {
		t.Errorf("jobs created by refused crawls: %d (%v)", len(jobs), err)
	}
}

// decodeJSON reads resp's JSON body into v and closes it.
func decodeJSON(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decoding %s answer: %v", resp.Request.URL.Path, err)
	}
}
