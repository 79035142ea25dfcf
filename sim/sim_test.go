package sim

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type client struct {
	t   testing.TB
	url string
	hc  *http.Client
}

func serve(t testing.TB, w *World) *client {
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(srv.Close)
	return &client{t: t, url: srv.URL, hc: srv.Client()}
}

// raw fetches an XRPC method and returns its status and body.
func (c *client) raw(method string, q url.Values) (int, []byte) {
	c.t.Helper()
	resp, err := c.hc.Get(c.url + "/xrpc/" + method + "?" + q.Encode())
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, b
}

func (c *client) get(method string, q url.Values, v any) {
	c.t.Helper()
	status, b := c.raw(method, q)
	if status != http.StatusOK {
		c.t.Fatalf("%s %v: status %d: %s", method, q, status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

type feedResp struct {
	Feed []struct {
		Post   jPost           `json:"post"`
		Reason json.RawMessage `json:"reason"`
	} `json:"feed"`
	Cursor string `json:"cursor"`
}

type followersResp struct {
	Followers []jProfile `json:"followers"`
	Cursor    string     `json:"cursor"`
}

func TestPopulation(t *testing.T) {
	w := New(Config{Seed: 1})
	cs := w.Creators()
	if len(cs) < 500 {
		t.Fatalf("%d creators, want at least 500", len(cs))
	}
	handles, dids := map[string]bool{}, map[string]bool{}
	byNiche, byTier := map[string]int{}, map[string][]float64{}
	var bought, bots, opted, sponsored, undisclosed, multi int
	for _, c := range cs {
		if handles[c.Handle] || dids[c.DID] {
			t.Errorf("duplicate handle or DID: %s", c.Handle)
		}
		handles[c.Handle], dids[c.DID] = true, true
		if !strings.HasPrefix(c.DID, "did:plc:") || len(c.DID) != 32 {
			t.Errorf("DID %q does not look like a did:plc", c.DID)
		}
		byNiche[c.Niche]++
		byTier[c.Tier] = append(byTier[c.Tier], c.EngagementRate)
		if c.BoughtFollowers {
			bought++
		}
		if c.BotComments {
			bots++
		}
		if c.OptedOut {
			opted++
		}
		if c.SponsoredShare > 0 {
			sponsored++
			if c.DisclosedShare < 1 {
				undisclosed++
			}
		}
		if c.Secondary != "" {
			multi++
		}
	}
	if len(byNiche) < 8 {
		t.Errorf("%d niches, want at least 8", len(byNiche))
	}
	for n, k := range byNiche {
		if k < 20 {
			t.Errorf("niche %s has %d creators, want at least 20", n, k)
		}
	}
	// Engagement falls with tier: compare medians.
	tiers := []string{TierNano, TierMicro, TierMid, TierMacro, TierMega}
	prev := math.Inf(1)
	for _, tier := range tiers {
		ers := byTier[tier]
		if len(ers) == 0 {
			t.Errorf("no %s creators", tier)
			continue
		}
		sort.Float64s(ers)
		med := ers[len(ers)/2]
		if med >= prev {
			t.Errorf("median engagement of %s (%.4f) not below the tier before (%.4f)", tier, med, prev)
		}
		prev = med
	}
	n := float64(len(cs))
	checks := []struct {
		name   string
		got    int
		lo, hi float64
	}{
		{"bought followers", bought, 0.03, 0.15},
		{"bot commenters", bots, 0.05, 0.2},
		{"opted out", opted, 0.003, 0.05},
		{"sponsored", sponsored, 0.2, 0.5},
		{"undisclosed sponsors", undisclosed, 0.05, 0.4},
		{"multi-niche", multi, 0.1, 0.3},
	}
	for _, c := range checks {
		if f := float64(c.got) / n; f < c.lo || f > c.hi {
			t.Errorf("%s: %.3f of creators, want %.2f-%.2f", c.name, f, c.lo, c.hi)
		}
	}
}

func TestDeterministic(t *testing.T) {
	requests := []struct {
		method string
		q      url.Values
	}{
		{"app.bsky.actor.getProfile", url.Values{"actor": {HandleViral}}},
		{"app.bsky.feed.getAuthorFeed", url.Values{"actor": {HandleFake}, "limit": {"30"}}},
		{"app.bsky.graph.getFollowers", url.Values{"actor": {HandleBuyer}, "limit": {"100"}}},
		{"app.bsky.actor.searchActors", url.Values{"q": {"travel"}, "limit": {"50"}}},
	}
	bodies := func(w *World) []string {
		c := serve(t, w)
		var out []string
		for _, r := range requests {
			_, b := c.raw(r.method, r.q)
			out = append(out, string(b))
		}
		var f feedResp
		c.get("app.bsky.feed.getAuthorFeed", url.Values{"actor": {HandleFake}, "limit": {"5"}}, &f)
		_, b := c.raw("app.bsky.feed.getPostThread", url.Values{"uri": {f.Feed[0].Post.URI}})
		return append(out, string(b))
	}
	a, b := New(Config{Seed: 42}), New(Config{Seed: 42})
	a.Advance(36 * time.Hour)
	b.Advance(36 * time.Hour)
	first := bodies(a)
	if diff := cmp.Diff(first, bodies(b)); diff != "" {
		t.Errorf("same seed and clock, different responses (-a +b):\n%s", diff)
	}
	if diff := cmp.Diff(first, bodies(a)); diff != "" {
		t.Errorf("repeated requests disagree (-first +second):\n%s", diff)
	}
	if cmp.Equal(New(Config{Seed: 1}).Creators()[10:], New(Config{Seed: 2}).Creators()[10:]) {
		t.Errorf("different seeds gave the same creators")
	}
}

// engagementByDay returns the mean likes+reposts+replies+quotes of the
// creator's posts made on days [from, to), as seen at the world's clock.
func engagementByDay(t *testing.T, w *World, c *client, handle string, from, to int) float64 {
	t.Helper()
	var sum, n float64
	cursor := ""
	for page := 0; page < 20; page++ {
		q := url.Values{"actor": {handle}, "limit": {"100"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var f feedResp
		c.get("app.bsky.feed.getAuthorFeed", q, &f)
		for _, it := range f.Feed {
			if len(it.Reason) > 0 {
				continue
			}
			at, _ := time.Parse(time.RFC3339Nano, it.Post.Record.CreatedAt)
			if d := w.dayOf(at); d >= from && d < to {
				sum += float64(it.Post.LikeCount + it.Post.RepostCount + it.Post.ReplyCount + it.Post.QuoteCount)
				n++
			}
		}
		if f.Cursor == "" {
			break
		}
		cursor = f.Cursor
	}
	if n == 0 {
		return 0
	}
	return sum / n
}

func TestTrajectories(t *testing.T) {
	w := New(Config{Seed: 3})
	c := serve(t, w)
	w.SetNow(w.Day(30))
	followers := func(h string, d float64) float64 {
		f, ok := w.Followers(h, w.Start().Add(time.Duration(d*float64(day))))
		if !ok {
			t.Fatalf("unknown %s", h)
		}
		return float64(f)
	}
	tests := []struct {
		name               string
		handle             string
		fromDay, toDay     float64 // follower growth measured between these days
		minGrowth          float64
		maxGrowth          float64
		engBefore, engWhen [2]int // post days compared for engagement
		minEngRatio        float64
		maxEngRatio        float64
	}{
		{name: "steady", handle: HandleSteady, fromDay: 0, toDay: 30, minGrowth: 1.0, maxGrowth: 1.1,
			engBefore: [2]int{0, 10}, engWhen: [2]int{15, 25}, minEngRatio: 0.6, maxEngRatio: 1.6},
		{name: "rising", handle: HandleRising, fromDay: 0, toDay: 30, minGrowth: 1.2, maxGrowth: 2,
			engBefore: [2]int{-30, -10}, engWhen: [2]int{15, 29}, minEngRatio: 1.1, maxEngRatio: 3},
		{name: "buys followers on day 12: spike, engagement flat", handle: HandleBuyer, fromDay: 11.9, toDay: 13, minGrowth: 1.25, maxGrowth: 1.35,
			engBefore: [2]int{0, 12}, engWhen: [2]int{13, 29}, minEngRatio: 0.6, maxEngRatio: 1.5},
		{name: "viral on day 12: spike with engagement", handle: HandleViral, fromDay: 11.9, toDay: 14, minGrowth: 1.25, maxGrowth: 1.4,
			engBefore: [2]int{0, 12}, engWhen: [2]int{12, 15}, minEngRatio: 5, maxEngRatio: 30},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := followers(tc.handle, tc.toDay) / followers(tc.handle, tc.fromDay)
			if g < tc.minGrowth || g > tc.maxGrowth {
				t.Errorf("followers grew x%.3f from day %v to %v, want x%.2f-%.2f", g, tc.fromDay, tc.toDay, tc.minGrowth, tc.maxGrowth)
			}
			before := engagementByDay(t, w, c, tc.handle, tc.engBefore[0], tc.engBefore[1])
			when := engagementByDay(t, w, c, tc.handle, tc.engWhen[0], tc.engWhen[1])
			if before == 0 || when/before < tc.minEngRatio || when/before > tc.maxEngRatio {
				t.Errorf("mean engagement per post %.1f then %.1f (x%.2f), want x%.1f-%.1f", before, when, when/before, tc.minEngRatio, tc.maxEngRatio)
			}
		})
	}
	t.Run("goes quiet on day 10", func(t *testing.T) {
		var f feedResp
		c.get("app.bsky.feed.getAuthorFeed", url.Values{"actor": {HandleQuiet}, "limit": {"10"}}, &f)
		if len(f.Feed) == 0 {
			t.Fatal("no posts at all")
		}
		for _, it := range f.Feed {
			at, _ := time.Parse(time.RFC3339Nano, it.Post.Record.CreatedAt)
			if len(it.Reason) == 0 && !at.Before(w.Day(10)) {
				t.Errorf("post on %v, after going quiet on day 10", at)
			}
		}
	})
}

func TestScriptAndClock(t *testing.T) {
	w := New(Config{Seed: 5})
	before, _ := w.Followers(HandleSteady, w.Day(7))
	if err := w.Script(HandleSteady, Trajectory{Kind: BuyFollowers, At: 5, Size: 0.5}); err != nil {
		t.Fatal(err)
	}
	after, _ := w.Followers(HandleSteady, w.Day(7))
	if r := float64(after) / float64(before); r < 1.45 || r > 1.55 {
		t.Errorf("after scripting +50%% on day 5, followers on day 7 are x%.3f", r)
	}
	if err := w.Script("nobody.bsky.social", Trajectory{}); err == nil {
		t.Errorf("scripting an unknown creator did not fail")
	}
	c := serve(t, w)
	var p1, p2 jProfile
	c.get("app.bsky.actor.getProfile", url.Values{"actor": {HandleRising}}, &p1)
	w.Advance(10 * day)
	c.get("app.bsky.actor.getProfile", url.Values{"actor": {HandleRising}}, &p2)
	if *p2.FollowersCount <= *p1.FollowersCount || *p2.PostsCount <= *p1.PostsCount {
		t.Errorf("10 days later: followers %d -> %d, posts %d -> %d; want both up",
			*p1.FollowersCount, *p2.FollowersCount, *p1.PostsCount, *p2.PostsCount)
	}
}

// fakeShare returns the share of the newest n followers that look fake
// through getProfiles: no avatar, no posts, following > 1000.
func fakeShare(t *testing.T, c *client, handle string, n int) float64 {
	var f followersResp
	c.get("app.bsky.graph.getFollowers", url.Values{"actor": {handle}, "limit": {"100"}}, &f)
	f.Followers = f.Followers[:min(n, len(f.Followers))]
	fake := 0
	for i := 0; i < len(f.Followers); i += 25 {
		q := url.Values{}
		for _, p := range f.Followers[i:min(i+25, len(f.Followers))] {
			q.Add("actors", p.DID)
		}
		var ps struct{ Profiles []jProfile }
		c.get("app.bsky.actor.getProfiles", q, &ps)
		for _, p := range ps.Profiles {
			if p.Avatar == "" && *p.PostsCount == 0 && *p.FollowsCount > 1000 {
				fake++
			}
		}
	}
	return float64(fake) / float64(len(f.Followers))
}

func TestFollowerSamples(t *testing.T) {
	w := New(Config{Seed: 9})
	c := serve(t, w)
	tests := []struct {
		name   string
		handle string
		at     time.Time
		lo, hi float64
	}{
		{name: "organic creator", handle: HandleSteady, at: w.Day(1), lo: 0, hi: 0.12},
		{name: "long-bought followers", handle: HandleFake, at: w.Day(1), lo: 0.35, hi: 0.7},
		{name: "just bought followers", handle: HandleBuyer, at: w.Day(12).Add(8 * time.Hour), lo: 0.5, hi: 1},
		{name: "buyer before buying", handle: HandleBuyer, at: w.Day(11), lo: 0, hi: 0.12},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w.SetNow(tc.at)
			if got := fakeShare(t, c, tc.handle, 100); got < tc.lo || got > tc.hi {
				t.Errorf("fake-looking share of newest followers %.2f, want %.2f-%.2f", got, tc.lo, tc.hi)
			}
		})
	}
}

func TestBotCommenters(t *testing.T) {
	w := New(Config{Seed: 9})
	c := serve(t, w)
	var f feedResp
	c.get("app.bsky.feed.getAuthorFeed", url.Values{"actor": {HandleFake}, "limit": {"10"}}, &f)
	seen := map[string]int{}
	generic := 0
	total := 0
	for _, it := range f.Feed {
		var th struct {
			Thread struct {
				Post    jPost
				Replies []jThread
			}
		}
		c.get("app.bsky.feed.getPostThread", url.Values{"uri": {it.Post.URI}}, &th)
		if int64(len(th.Thread.Replies)) > th.Thread.Post.ReplyCount {
			t.Errorf("%d replies listed, more than the post's replyCount %d", len(th.Thread.Replies), th.Thread.Post.ReplyCount)
		}
		for _, r := range th.Thread.Replies {
			seen[r.Post.Author.DID]++
			total++
			for _, g := range botReplies {
				if r.Post.Record.Text == g {
					generic++
				}
			}
		}
	}
	regulars := 0
	for _, n := range seen {
		if n >= 5 {
			regulars++
		}
	}
	if regulars < 3 || generic < 30 {
		t.Errorf("%d commenters on 5+ of 10 posts and %d generic replies of %d; want a bot group", regulars, generic, total)
	}
}

func TestHandlerErrors(t *testing.T) {
	w := New(Config{Seed: 1})
	c := serve(t, w)
	tests := []struct {
		name       string
		method     string
		q          url.Values
		wantStatus int
		wantBody   string
	}{
		{"unknown actor profile", "app.bsky.actor.getProfile", url.Values{"actor": {"nobody.bsky.social"}}, 400, `{"error":"InvalidRequest","message":"Profile not found"}`},
		{"unknown actor feed", "app.bsky.feed.getAuthorFeed", url.Values{"actor": {"did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"}}, 400, `{"error":"InvalidRequest","message":"Profile not found"}`},
		{"unknown actor followers", "app.bsky.graph.getFollowers", url.Values{"actor": {"nobody.bsky.social"}}, 400, `{"error":"InvalidRequest","message":"Profile not found"}`},
		{"missing actor", "app.bsky.actor.getProfile", nil, 400, `{"error":"InvalidRequest","message":"Error: Params must have the property \"actor\""}`},
		{"limit too large", "app.bsky.feed.getAuthorFeed", url.Values{"actor": {HandleSteady}, "limit": {"101"}}, 400, `{"error":"InvalidRequest","message":"Error: limit can not be greater than 100"}`},
		{"unknown post", "app.bsky.feed.getPostThread", url.Values{"uri": {"at://" + HandleSteady + "/app.bsky.feed.post/3lof7sovfok2h"}}, 400, `{"error":"NotFound","message":"Post not found: at://steady-sam.bsky.social/app.bsky.feed.post/3lof7sovfok2h"}`},
		{"unknown method", "app.bsky.feed.searchPosts", url.Values{"q": {"x"}}, 501, `{"error":"MethodNotImplemented","message":"Method Not Implemented"}`},
		{"getProfiles skips unknown", "app.bsky.actor.getProfiles", url.Values{"actors": {"nobody.bsky.social", "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"}}, 200, `{"profiles":[]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := c.raw(tc.method, tc.q)
			if status != tc.wantStatus || string(body) != tc.wantBody {
				t.Errorf("got %d %s, want %d %s", status, body, tc.wantStatus, tc.wantBody)
			}
		})
	}
	many := url.Values{}
	for i := 0; i < 26; i++ {
		many.Add("actors", HandleSteady)
	}
	if status, _ := c.raw("app.bsky.actor.getProfiles", many); status != 400 {
		t.Errorf("26 actors: status %d, want 400", status)
	}
}

func TestCursors(t *testing.T) {
	w := New(Config{Seed: 11})
	c := serve(t, w)
	// Pages of 7 must give exactly the items of one page of 100.
	collect := func(method, field string, q url.Values, pageSize string, want int) []string {
		var out []string
		cursor := ""
		for len(out) < want {
			qq := url.Values{"limit": {pageSize}}
			for k, v := range q {
				qq[k] = v
			}
			if cursor != "" {
				qq.Set("cursor", cursor)
			}
			var resp map[string]json.RawMessage
			c.get(method, qq, &resp)
			var items []struct {
				URI  string `json:"uri"`
				DID  string `json:"did"`
				Post struct {
					URI string `json:"uri"`
				} `json:"post"`
			}
			json.Unmarshal(resp[field], &items)
			for _, it := range items {
				out = append(out, it.URI+it.DID+it.Post.URI)
			}
			cursor = ""
			json.Unmarshal(resp["cursor"], &cursor)
			if cursor == "" {
				break
			}
		}
		return out[:min(want, len(out))]
	}
	tests := []struct {
		name, method, field string
		q                   url.Values
	}{
		{"feed", "app.bsky.feed.getAuthorFeed", "feed", url.Values{"actor": {HandleFake}}},
		{"followers", "app.bsky.graph.getFollowers", "followers", url.Values{"actor": {HandleSteady}}},
		{"search", "app.bsky.actor.searchActors", "actors", url.Values{"q": {"books"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			one := collect(tc.method, tc.field, tc.q, "100", 100)
			paged := collect(tc.method, tc.field, tc.q, "7", len(one))
			if len(one) < 20 {
				t.Fatalf("only %d items", len(one))
			}
			if diff := cmp.Diff(one, paged); diff != "" {
				t.Errorf("pages of 7 differ from one page (-one +paged):\n%s", diff)
			}
			seen := map[string]bool{}
			for _, id := range one {
				if seen[id] {
					t.Errorf("%s listed twice", id)
				}
				seen[id] = true
			}
		})
	}
}

func TestSearchFindsNiches(t *testing.T) {
	w := New(Config{Seed: 1})
	c := serve(t, w)
	covered := map[string]bool{}
	for _, n := range Niches {
		var r struct{ Actors []jProfile }
		c.get("app.bsky.actor.searchActors", url.Values{"q": {n}, "limit": {"100"}}, &r)
		in := 0
		for _, a := range r.Actors {
			covered[a.DID] = true
			if cr, _ := w.Creator(a.DID); cr.Niche == n || cr.Secondary == n {
				in++
			}
		}
		if len(r.Actors) < 30 || float64(in) < 0.8*float64(len(r.Actors)) {
			t.Errorf("search %q: %d results, %d in the niche; want 30+ and 80%%", n, len(r.Actors), in)
		}
	}
	if len(covered) < 500 {
		t.Errorf("searching the niche names reaches %d creators, want 500+ for the demo", len(covered))
	}
}

func TestIDs(t *testing.T) {
	for _, tc := range []struct {
		kind byte
		a, b uint64
	}{{kindCreator, 0, 0}, {kindFollower, 612, 3999999}, {kindBot, 1, 5}} {
		did := encodeDID(77, tc.kind, tc.a, tc.b)
		k, a, b, ok := decodeDID(77, did)
		if !ok || k != tc.kind || a != tc.a || b != tc.b {
			t.Errorf("decodeDID(encodeDID(%v)) = %d %d %d %v", tc, k, a, b, ok)
		}
		if _, _, _, ok := decodeDID(78, did); ok {
			t.Errorf("a DID of seed 77 decoded under seed 78")
		}
	}
	us := time.Date(2026, 11, 1, 3, 4, 5, 678901000, time.UTC).UnixMicro()
	if gotUS, clock, ok := parseTID(tid(us, 17)); !ok || gotUS != us || clock != 17 {
		t.Errorf("parseTID(tid) = %d %d %v", gotUS, clock, ok)
	}
}

// TestSite: the creator with a site has a domain handle, its profile names
// the site (on the port the request came in on), and the simulator serves
// the site by its host name: a ProfilePage linking back with rel="me",
// robots.txt and an Atom feed of its posts.
func TestSite(t *testing.T) {
	w := New(Config{Seed: 3, Creators: 20})
	if hosts := w.SiteHosts(); len(hosts) != 1 || hosts[0] != HandleSite {
		t.Fatalf("SiteHosts = %v, want [%s]", hosts, HandleSite)
	}
	srv := httptest.NewServer(w.Handler())
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	_, port, _ := net.SplitHostPort(addr)
	site := "http://" + HandleSite + ":" + port + "/"

	resp, err := http.Get(srv.URL + "/xrpc/app.bsky.actor.getProfile?actor=" + HandleSite)
	if err != nil {
		t.Fatal(err)
	}
	var p struct{ Handle, Website string }
	json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if p.Handle != HandleSite || p.Website != site {
		t.Errorf("profile handle %q website %q, want %q and %q", p.Handle, p.Website, HandleSite, site)
	}
	if u, ok := w.SiteURL(HandleSite, addr); !ok || u != site {
		t.Errorf("SiteURL = %q, %v; want %q", u, ok, site)
	}

	get := func(path string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Host = HandleSite + ":" + port
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, tt := range []struct {
		path string
		want []string
	}{
		{"/", []string{`rel="me" href="https://bsky.app/profile/` + HandleSite + `"`, `"@type":"ProfilePage"`, `href="/feed.xml"`}},
		{"/robots.txt", []string{"User-agent: *"}},
		{"/feed.xml", []string{`<feed xmlns="http://www.w3.org/2005/Atom">`, "<entry>", "<published>"}},
	} {
		code, body := get(tt.path)
		if code != http.StatusOK {
			t.Errorf("GET %s: %d", tt.path, code)
		}
		for _, s := range tt.want {
			if !strings.Contains(body, s) {
				t.Errorf("GET %s: body lacks %q", tt.path, s)
			}
		}
	}
	if code, _ := get("/xrpc/app.bsky.actor.getProfile"); code != http.StatusNotFound {
		t.Errorf("the site served the AppView: %d", code)
	}
	// Other creators have no website.
	resp, err = http.Get(srv.URL + "/xrpc/app.bsky.actor.getProfile?actor=" + HandleSteady)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(b), `"website"`) {
		t.Errorf("a creator without a site has a website: %s", b)
	}
}

func TestResolverOnlySimulatedSites(t *testing.T) {
	w := New(Config{Seed: 11, Creators: 30})
	hosts := w.SiteHosts()
	if len(hosts) == 0 {
		t.Fatal("the world has no sites to resolve")
	}
	r := w.Resolver()
	addrs, err := r.LookupNetIP(context.Background(), "ip", strings.ToUpper(hosts[0]))
	if err != nil || len(addrs) != 1 || !addrs[0].IsLoopback() {
		t.Errorf("LookupNetIP(%s) = %v, %v; want loopback", hosts[0], addrs, err)
	}
	var dnsErr *net.DNSError
	if _, err := r.LookupNetIP(context.Background(), "ip", "example.com"); !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Errorf("LookupNetIP(example.com) = %v, want not found", err)
	}
}
