package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
)

func TestParseRates(t *testing.T) {
	sources := []string{"bluesky", "mastodon", "web"}
	tests := []struct {
		name    string
		env     []string
		want    map[string]rateOverride
		wantErr string
	}{
		{"none", []string{"HOME=/root"}, map[string]rateOverride{}, ""},
		{"rate", []string{"SCOUT_RATE_BLUESKY=50"}, map[string]rateOverride{"bluesky": {Rate: 50}}, ""},
		{"rate and burst", []string{"SCOUT_RATE_MASTODON=0.5:3", "SCOUT_RATE_WEB=2"},
			map[string]rateOverride{"mastodon": {Rate: 0.5, Burst: 3}, "web": {Rate: 2}}, ""},
		{"unknown source", []string{"SCOUT_RATE_MYSPACE=5"}, nil, `SCOUT_RATE_MYSPACE: no source is called "myspace"; valid sources: bluesky, mastodon, web`},
		{"zero", []string{"SCOUT_RATE_BLUESKY=0"}, nil, "SCOUT_RATE_BLUESKY: want requests per second"},
		{"words", []string{"SCOUT_RATE_BLUESKY=fast"}, nil, "SCOUT_RATE_BLUESKY: want requests per second"},
		{"NaN", []string{"SCOUT_RATE_BLUESKY=NaN"}, nil, "SCOUT_RATE_BLUESKY: want requests per second"},
		{"bad burst", []string{"SCOUT_RATE_BLUESKY=5:0"}, nil, "SCOUT_RATE_BLUESKY: want a burst of 1 to 1000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRates(tt.env, sources)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rates (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRateOverrideReachesHosts: SCOUT_RATE_<SOURCE> replaces the declared
// rate on the source's host, and SCOUT_RATE_WEB the policy of other hosts.
func TestRateOverrideReachesHosts(t *testing.T) {
	cfg := testConfig(t, "http://127.0.0.1:9", t.TempDir())
	cfg.Rates = map[string]rateOverride{creator.Bluesky: {Rate: 40, Burst: 7}, creator.Web: {Rate: 3}}
	a, err := newApp(t.Context(), cfg, withLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	u, _ := url.Parse("http://127.0.0.1:9/xrpc/app.bsky.actor.getProfile")
	if got := a.http.PolicyOf(u); got.Rate != 40 || got.Burst != 7 {
		t.Errorf("bluesky host policy %+v, want rate 40, burst 7", got)
	}
	site, _ := url.Parse("https://some.site/")
	if got, want := a.http.PolicyOf(site), (fetch.HostPolicy{Rate: 3, Burst: fetch.DefaultHostPolicy.Burst}); got != want {
		t.Errorf("web host policy %+v, want %+v", got, want)
	}
}

// TestPprofOptIn: SCOUT_PPROF_ADDR serves Go's profiles on a listener of
// its own.
func TestPprofOptIn(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	addr, err := servePprof(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr.String() + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "goroutine profile") {
		t.Errorf("GET /debug/pprof/goroutine: %d %.100q", resp.StatusCode, b)
	}
	if _, err := servePprof(ctx, "not an address"); err == nil || !strings.Contains(err.Error(), "SCOUT_PPROF_ADDR") {
		t.Errorf("bad address: err %v, want one naming SCOUT_PPROF_ADDR", err)
	}
}
