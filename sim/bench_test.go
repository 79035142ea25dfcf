package sim

import (
	"net/url"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// crawl makes the requests one crawl of a creator makes: profile, a feed
// page of 30, the threads of the 5 most-engaged posts, 100 followers and
// their profiles in 4 batches of 25 (12 requests).
func crawl(c *client, handle string) {
	var p jProfile
	c.get("app.bsky.actor.getProfile", url.Values{"actor": {handle}}, &p)
	var f feedResp
	c.get("app.bsky.feed.getAuthorFeed", url.Values{"actor": {p.DID}, "limit": {"30"}, "filter": {"posts_no_replies"}}, &f)
	sort.Slice(f.Feed, func(i, j int) bool { return f.Feed[i].Post.LikeCount > f.Feed[j].Post.LikeCount })
	for i := 0; i < 5 && i < len(f.Feed); i++ {
		var th map[string]any
		c.get("app.bsky.feed.getPostThread", url.Values{"uri": {f.Feed[i].Post.URI}, "depth": {"1"}}, &th)
	}
	var fl followersResp
	c.get("app.bsky.graph.getFollowers", url.Values{"actor": {p.DID}, "limit": {"100"}}, &fl)
	for i := 0; i < len(fl.Followers); i += 25 {
		q := url.Values{}
		for _, a := range fl.Followers[i:min(i+25, len(fl.Followers))] {
			q.Add("actors", a.DID)
		}
		var ps map[string]any
		c.get("app.bsky.actor.getProfiles", q, &ps)
	}
}

// BenchmarkCrawl measures how fast the simulator serves whole crawls over
// loopback HTTP, both cores busy. The demo needs 500+ crawls within 2
// minutes: at least ~4.2 crawls a second.
func BenchmarkCrawl(b *testing.B) {
	w := New(Config{Seed: 1})
	c := serve(b, w)
	cs := w.Creators()
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			cc := cs[int(i)%len(cs)]
			if cc.OptedOut {
				continue
			}
			crawl(c, cc.Handle)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "crawls/s")
}

// TestConcurrentUse runs crawls while the clock moves; run it with -race.
func TestConcurrentUse(t *testing.T) {
	w := New(Config{Seed: 2, Creators: 50})
	c := serve(t, w)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, cr := range w.Creators()[g*10 : g*10+5] {
				if !cr.OptedOut {
					crawl(c, cr.Handle)
				}
			}
		}()
	}
	for i := 0; i < 20; i++ {
		w.Advance(time.Hour)
		_ = w.Script(HandleSteady, Trajectory{Kind: Steady, At: i})
	}
	wg.Wait()
	if got := w.Now().Sub(w.Start().Add(12 * time.Hour)); got != 20*time.Hour {
		t.Errorf("clock moved %v, want 20h", got)
	}
}
