package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/creatorscout/scout/sim"
)

// TestIntegrationDemoOnce runs `scout demo --once` small: it must exit 0
// with a summary whose counts add up, and its watchlist part must flag the
// creator who bought followers and not the one who went viral.
func TestIntegrationDemoOnce(t *testing.T) {
	t.Setenv("SCOUT_DATA_DIR", t.TempDir())
	t.Setenv("SCOUT_REDIS_URL", "") // the demo is always embedded
	var out, errb bytes.Buffer
	code := cmdDemo(context.Background(), []string{"--once", "--creators", "80", "--limit", "25", "--days", "14"}, &out, &errb)
	if code != 0 {
		t.Fatalf("demo --once exited %d: %s", code, errb.String())
	}
	var sum demoSummary
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("summary %q: %v", out.String(), err)
	}
	total := 0
	for _, n := range sum.ByTier {
		total += n
	}
	if sum.Creators == 0 || total != sum.Creators || sum.Failed != 0 {
		t.Errorf("summary %+v: want creators stored, tiers adding up to them, no failures", sum)
	}
	// The simulated creator with a site is linked across Bluesky and the
	// web by its domain handle, and its site is crawled, stored and linked
	// back by their mutual links.
	linked := false
	for _, l := range sum.Linked {
		if l.Handle == sim.HandleSite && l.Platform == "bluesky" && l.LinkedPlatform == "web" && l.Kind == "bluesky_domain_handle" && l.LinkedStored && l.LinkedBack {
			linked = true
		}
	}
	if !linked {
		t.Errorf("no creator linked across Bluesky and its stored site: %+v", sum.Linked)
	}
	if sum.Watch == nil {
		t.Fatal("summary has no watchlist part")
	}
	kinds := map[string]map[string]bool{}
	for _, a := range sum.Watch.Alerts {
		if kinds[a.Handle] == nil {
			kinds[a.Handle] = map[string]bool{}
		}
		kinds[a.Handle][a.Kind] = true
	}
	if !kinds[sim.HandleBuyer]["follower_spike"] {
		t.Errorf("no follower_spike alert for %s: %+v", sim.HandleBuyer, sum.Watch.Alerts)
	}
	if len(kinds[sim.HandleViral]) != 0 {
		t.Errorf("viral creator alerted: %v", kinds[sim.HandleViral])
	}
	if sum.Watch.Webhook != len(sum.Watch.Alerts) {
		t.Errorf("%d verified webhook deliveries for %d alerts", sum.Watch.Webhook, len(sum.Watch.Alerts))
	}
}
