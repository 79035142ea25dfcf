package simeval

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/scoring"
	"github.com/creatorscout/scout/sim"
)

// TestSimRescansTellOneStory crawls simulated creators once a day through
// the Bluesky source, as the pipeline does, and
// scores each crawl with the history of the ones before. Creators whose
// world does not change keep their authenticity within 3 points of its
// mean over the rescans (each crawl counts a different 24 of the 100
// newest followers, and the steady creator drifts about 2 points in 30
// days; an alert takes a 15-point drop); the creator who buys followers on day 12 stays lower
// for the 90 days the spike counts, and the alert-facing snapshot carries
// the number the record shows.
func TestSimRescansTellOneStory(t *testing.T) {
	world := sim.New(sim.Config{Seed: 7, Creators: 20})
	c, err := NewCrawler(world)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dids := map[string]string{}
	for _, c := range world.Creators() {
		switch c.Handle {
		case sim.HandleSteady, sim.HandleRising, sim.HandleBuyer:
			dids[c.Handle] = c.DID
		}
	}
	if len(dids) != 3 {
		t.Fatalf("simulator creators %v, want steady, rising and buyer", dids)
	}
	history := map[string][]creator.Snapshot{}
	series := map[string][]float64{}
	for d := 0; d <= 110; d++ {
		world.SetNow(world.Day(d).Add(12 * time.Hour))
		for h, did := range dids {
			if h != sim.HandleBuyer && d > 30 {
				continue
			}
			p, err := c.Fetch(context.Background(), did)
			if err != nil {
				t.Fatalf("day %d: fetching %s: %v", d, h, err)
			}
			s := scoring.Score(p, history[h], scoring.Options{Now: world.Now()})
			snap := scoring.Snapshot(p, s)
			if snap.Authenticity != s.Authenticity {
				t.Fatalf("day %d %s: snapshot authenticity %v, record %v", d, h, snap.Authenticity, s.Authenticity)
			}
			history[h] = append(history[h], snap)
			series[h] = append(series[h], s.Authenticity)
		}
	}
	for _, h := range []string{sim.HandleSteady, sim.HandleRising} {
		v := series[h][1:]
		var mean float64
		for _, x := range v {
			mean += x / float64(len(v))
		}
		for d, x := range v {
			if math.Abs(x-mean) > 3 {
				t.Errorf("%s day %d: authenticity %.1f, more than 3 points from its mean %.1f over 30 days of rescans", h, d+1, x, mean)
			}
		}
	}
	b := series[sim.HandleBuyer]
	before := b[11]
	for d := 12; d <= 12+89; d++ {
		if b[d] > before-10 {
			t.Errorf("buyer day %d, %d days after buying followers: authenticity %.1f, want at least 10 below the %.1f before", d, d-12, b[d], before)
		}
	}
	if last := b[len(b)-1]; last <= b[12+89] {
		t.Errorf("buyer day %d, after the 90-day window: authenticity %.1f, want above the %.1f inside it", len(b)-1, last, b[12+89])
	}
	t.Logf("steady %.1f", series[sim.HandleSteady])
	t.Logf("rising %.1f", series[sim.HandleRising])
	t.Logf("buyer %.0f", b)
}
