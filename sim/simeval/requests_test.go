package simeval

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/creatorscout/scout/scoring"
	"github.com/creatorscout/scout/sim"
)

// countRequests wraps h and counts requests by XRPC method.
type countRequests struct {
	h  http.Handler
	mu sync.Mutex
	n  map[string]int
}

func (c *countRequests) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.n[strings.TrimPrefix(r.URL.Path, "/xrpc/")]++
	c.mu.Unlock()
	c.h.ServeHTTP(w, r)
}

func (c *countRequests) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = map[string]int{}
	return n
}

// TestRequestsPerCreator crawls simulated creators by DID (as discovery
// and rescans name them) through the Bluesky source and counts the
// requests each takes (-v lists them by method): at the default sample
// sizes at most 7 (followers, feed, at most 4 threads, the profile with
// 24 followers' counts), with follower_counts 99 (75 more in three) at
// most 10.
// SCOUT_SIMEVAL_SCORES=file writes every creator's scores there, for
// comparing two versions of the source.
func TestRequestsPerCreator(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts map[string]string
		want float64
	}{
		{"defaults", nil, 7},
		{"follower_counts 99", map[string]string{"follower_counts": "99"}, 10},
	} {
		t.Run(tc.name, func(t *testing.T) { requestsPerCreator(t, tc.opts, tc.want) })
	}
}

func requestsPerCreator(t *testing.T, opts map[string]string, want float64) {
	world := sim.New(sim.Config{Seed: 7, Creators: 200})
	cnt := &countRequests{h: world.Handler(), n: map[string]int{}}
	c, err := newCrawler(world, cnt, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	total, creators, most := 0, 0, 0
	byMethod := map[string]int{}
	scores := map[string]any{}
	for _, sc := range world.Creators() {
		if sc.OptedOut {
			continue
		}
		p, err := c.Fetch(ctx, sc.DID)
		n := cnt.reset()
		if err != nil {
			continue
		}
		k := 0
		for m, v := range n {
			byMethod[m] += v
			k += v
		}
		total += k
		most = max(most, k)
		creators++
		s := scoring.Score(p, nil, scoring.Options{Now: world.Now()})
		scores[sc.Handle] = map[string]any{"overall": s.Overall, "authenticity": s.Authenticity, "fake": s.FakeFollowerShare,
			"niche": s.PrimaryNiche, "engagement": s.EngagementRate, "comments": len(p.Comments), "audience": len(p.Audience)}
	}
	if creators == 0 {
		t.Fatal("no creator crawled")
	}
	methods := make([]string, 0, len(byMethod))
	for m := range byMethod {
		methods = append(methods, m)
	}
	sort.Strings(methods)
	var b strings.Builder
	for _, m := range methods {
		b.WriteString("  " + m + ": " + fmt.Sprintf("%.2f", float64(byMethod[m])/float64(creators)) + "\n")
	}
	mean := float64(total) / float64(creators)
	t.Logf("%d creators, %.2f requests each (at most %d):\n%s", creators, mean, most, b.String())
	if mean > want {
		t.Errorf("%.2f requests per creator, want at most %.0f", mean, want)
	}
	if f := os.Getenv("SCOUT_SIMEVAL_SCORES"); f != "" {
		bs, _ := json.MarshalIndent(scores, "", " ")
		os.WriteFile(f, bs, 0o644)
	}
}
