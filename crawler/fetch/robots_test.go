package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
)

// site is a test web site that records the paths it was asked for.
type site struct {
	mu     sync.Mutex
	paths  []string
	robots func(w http.ResponseWriter, r *http.Request)
	srv    *httptest.Server
}

func newSite(t *testing.T, robots func(w http.ResponseWriter, r *http.Request)) *site {
	s := &site{robots: robots}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.paths = append(s.paths, r.URL.RequestURI())
		robots := s.robots
		s.mu.Unlock()
		switch r.URL.Path {
		case "/robots.txt":
			robots(w, r)
		case "/go-private":
			http.Redirect(w, r, "/private/secret", http.StatusFound)
		case "/go-public":
			http.Redirect(w, r, "/public/page", http.StatusFound)
		case "/moved-robots.txt":
			w.Write([]byte("User-agent: *\nDisallow: /private\n"))
		default:
			w.Write([]byte("<html>ok</html>"))
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) setRobots(f func(w http.ResponseWriter, r *http.Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.robots = f
}

func (s *site) requested() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.paths...)
}

func (s *site) count(path string) int {
	n := 0
	for _, p := range s.requested() {
		if p == path {
			n++
		}
	}
	return n
}

func robotsText(body string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }
}

func robotsStatus(code int) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }
}

func TestRobotsRules(t *testing.T) {
	tests := []struct {
		name    string
		robots  func(w http.ResponseWriter, r *http.Request)
		path    string
		allowed bool
	}{
		{"disallowed path", robotsText("User-agent: *\nDisallow: /private\n"), "/private/x", false},
		{"other path", robotsText("User-agent: *\nDisallow: /private\n"), "/public/x", true},
		{"group for our agent wins over *", robotsText("User-agent: *\nAllow: /\n\nUser-agent: CreatorScout\nDisallow: /no-scouts\n"), "/no-scouts/x", false},
		{"longest match wins", robotsText("User-agent: *\nDisallow: /a\nAllow: /a/b\n"), "/a/b/c", true},
		{"longest match wins, disallow", robotsText("User-agent: *\nAllow: /a\nDisallow: /a/b\n"), "/a/b/c", false},
		{"query is part of the path", robotsText("User-agent: *\nDisallow: /search?q=\n"), "/search?q=x", false},
		{"non-ASCII rule matches the escaped path", robotsText("User-agent: *\nDisallow: /ツ\n"), "/%E3%83%84", false},
		{"# starts a comment inside a rule", robotsText("User-agent: *\nDisallow: /private#no bots\n"), "/private/a", false},
		{"wildcard rules ranked by matched length", robotsText("User-agent: *\nAllow: /page\nDisallow: /*.html\n"), "/page.html", false},
		{"tie won by Allow", robotsText("User-agent: *\nDisallow: /a\nAllow: /a\n"), "/a/b", true},
		{"user-agent is not matched by prefix", robotsText("User-agent: c\nDisallow: /\n"), "/page", true},
		{"user-agent read up to its first non-identifier character, as Google does", robotsText("User-agent: CreatorScout2\nDisallow: /\n"), "/page", false},
		{"user-agent with a version names us", robotsText("User-agent: CreatorScout/1.0\nDisallow: /\n"), "/page", false},
		{"rule before the first user-agent is ignored", robotsText("Disallow: /\nUser-agent: *\nDisallow: /private\n"), "/public/x", true},
		{"unreadable Crawl-delay is ignored", robotsText("User-agent: *\nCrawl-delay: 1s\nDisallow: /private\n"), "/public/x", true},
		{"HTML served as robots.txt allows everything", robotsText("<html><body>Not a robots file</body></html>"), "/private/x", true},
		{"binary served as robots.txt allows everything", robotsText("\x00\xff\xfe\x01garbage"), "/private/x", true},
		{"404 allows everything", robotsStatus(http.StatusNotFound), "/private/x", true},
		{"403 allows everything", robotsStatus(http.StatusForbidden), "/private/x", true},
		{"500 disallows everything", robotsStatus(http.StatusInternalServerError), "/public/x", false},
		{"429 disallows everything", robotsStatus(http.StatusTooManyRequests), "/public/x", false},
		{"redirected robots.txt is followed", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/moved-robots.txt", http.StatusMovedPermanently)
		}, "/private/x", false},
		{"more than five redirects: unavailable, allowed", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/robots.txt", http.StatusFound)
		}, "/private/x", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t, tt.robots)
			rdb, prefix := newTestRedis(t)
			c := mustNew(t, fakeOpts(newFakeClock(), WithRedis(rdb), WithKeyPrefix(prefix), WithRetries(0, 0))...)
			_, err := c.Get(context.Background(), mustURL(t, s.srv.URL+tt.path))
			if tt.allowed {
				if err != nil {
					t.Fatalf("Get %s: %v", tt.path, err)
				}
				return
			}
			if !errors.Is(err, creator.ErrForbidden) {
				t.Fatalf("Get %s error %v, want one wrapping creator.ErrForbidden", tt.path, err)
			}
			if n := s.count(tt.path); n != 0 {
				t.Errorf("disallowed %s was requested %d times", tt.path, n)
			}
		})
	}
}

func TestRobotsDisallowedNeverRequested(t *testing.T) {
	s := newSite(t, robotsText("User-agent: *\nDisallow: /private\n"))
	rdb, prefix := newTestRedis(t)
	c := mustNew(t, fakeOpts(newFakeClock(), WithRedis(rdb), WithKeyPrefix(prefix))...)
	ctx := context.Background()
	for _, p := range []string{"/public/1", "/private/1", "/public/2", "/private/2", "/go-private", "/go-public"} {
		_, _ = c.Get(ctx, mustURL(t, s.srv.URL+p))
	}
	want := []string{"/robots.txt", "/public/1", "/public/2", "/go-private", "/go-public", "/public/page"}
	if diff := cmp.Diff(want, s.requested()); diff != "" {
		t.Errorf("requested paths (-want +got):\n%s", diff)
	}
}

func TestRobotsRedirectToDisallowedNotFollowed(t *testing.T) {
	s := newSite(t, robotsText("User-agent: *\nDisallow: /private\n"))
	c := mustNew(t, fakeOpts(newFakeClock())...)
	_, err := c.Get(context.Background(), mustURL(t, s.srv.URL+"/go-private"))
	if !errors.Is(err, creator.ErrForbidden) {
		t.Fatalf("Get /go-private error %v, want one wrapping creator.ErrForbidden", err)
	}
	if n := s.count("/private/secret"); n != 0 {
		t.Errorf("redirect target /private/secret was requested %d times", n)
	}
}

func TestRobots5xxBlocksThenRecovers(t *testing.T) {
	s := newSite(t, robotsStatus(http.StatusServiceUnavailable))
	rdb, prefix := newTestRedis(t)
	clk := newFakeClock()
	const retry = time.Minute
	a := mustNew(t, fakeOpts(clk, WithRedis(rdb), WithKeyPrefix(prefix), WithRobotsCache(0, retry), WithRetries(0, 0))...)
	b := mustNew(t, fakeOpts(clk, WithRedis(rdb), WithKeyPrefix(prefix), WithRobotsCache(0, retry), WithRetries(0, 0))...)
	ctx := context.Background()
	page := mustURL(t, s.srv.URL+"/page")

	if _, err := a.Get(ctx, page); !errors.Is(err, creator.ErrForbidden) {
		t.Fatalf("Get with robots.txt 503: %v, want creator.ErrForbidden", err)
	}
	s.setRobots(robotsText("User-agent: *\nAllow: /\n"))
	clk.Advance(retry / 2)
	// Still within the retry interval: blocked for every worker, without
	// asking again.
	if _, err := b.Get(ctx, page); !errors.Is(err, creator.ErrForbidden) {
		t.Fatalf("second worker within the retry interval: %v, want creator.ErrForbidden", err)
	}
	if n := s.count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt fetched %d times within the retry interval, want 1", n)
	}
	if n := s.count("/page"); n != 0 {
		t.Errorf("/page requested %d times while robots.txt was unavailable", n)
	}
	clk.Advance(retry)
	if _, err := a.Get(ctx, page); err != nil {
		t.Fatalf("Get after the retry interval: %v", err)
	}
	if _, err := b.Get(ctx, page); err != nil {
		t.Fatalf("second worker after the retry interval: %v", err)
	}
	if n := s.count("/robots.txt"); n != 2 {
		t.Errorf("robots.txt fetched %d times, want 2", n)
	}
}

func TestRobotsSharedAndExpires(t *testing.T) {
	s := newSite(t, robotsText("User-agent: *\nDisallow: /private\n"))
	rdb, prefix := newTestRedis(t)
	clk := newFakeClock()
	a := mustNew(t, fakeOpts(clk, WithRedis(rdb), WithKeyPrefix(prefix))...)
	b := mustNew(t, fakeOpts(clk, WithRedis(rdb), WithKeyPrefix(prefix))...)
	ctx := context.Background()
	for _, c := range []*Client{a, b, a, b} {
		if _, err := c.Get(ctx, mustURL(t, s.srv.URL+"/public")); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt fetched %d times by two workers, want 1", n)
	}
	clk.Advance(24*time.Hour + time.Second)
	if _, err := b.Get(ctx, mustURL(t, s.srv.URL+"/public")); err != nil {
		t.Fatal(err)
	}
	if n := s.count("/robots.txt"); n != 2 {
		t.Errorf("robots.txt fetched %d times after 24 h, want 2", n)
	}
}

func TestRobotsScope(t *testing.T) {
	var robotsHits atomic.Int32
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		robotsHits.Add(1)
		w.Write([]byte("User-agent: *\nDisallow: /private\n"))
	})
	c := mustNew(t, fakeOpts(newFakeClock())...)
	ctx := context.Background()
	// GetJSON is the API path: not robots-gated unless asked.
	if err := c.GetJSON(ctx, mustURL(t, s.srv.URL+"/private/api"), new(any)); err == nil || errors.Is(err, creator.ErrForbidden) {
		// The page is HTML, so decoding fails; what matters is that it was fetched.
		if errors.Is(err, creator.ErrForbidden) {
			t.Fatalf("GetJSON was robots-gated: %v", err)
		}
	}
	if robotsHits.Load() != 0 {
		t.Errorf("GetJSON fetched robots.txt")
	}
	err := c.GetJSON(WithRobotsCheck(ctx, true), mustURL(t, s.srv.URL+"/private/api"), new(any))
	if !errors.Is(err, creator.ErrForbidden) {
		t.Errorf("GetJSON with WithRobotsCheck(true): %v, want creator.ErrForbidden", err)
	}
	if _, err := c.Get(WithRobotsCheck(ctx, false), mustURL(t, s.srv.URL+"/private/x")); err != nil {
		t.Errorf("Get with WithRobotsCheck(false): %v", err)
	}
}

func TestRobotsCrawlDelaySlowsDown(t *testing.T) {
	s := newSite(t, robotsText("User-agent: *\nCrawl-delay: 2\n"))
	clk := newFakeClock()
	// In-process state, so the GCRA runs on the fake clock.
	c := mustNew(t, fakeOpts(clk, WithDefaultHostPolicy(HostPolicy{Rate: 100, Burst: 10}))...)
	for range 3 {
		if _, err := c.Get(context.Background(), mustURL(t, s.srv.URL+"/page")); err != nil {
			t.Fatal(err)
		}
	}
	want := intervalFor(0.5 * headroom)
	slept := clk.Slept()
	if len(slept) == 0 || slept[len(slept)-1] != want {
		t.Errorf("sleeps %v, want the last to be %v (Crawl-delay: 2)", slept, want)
	}
}

func TestRobotsCrawlDelay(t *testing.T) {
	tests := []struct {
		name, robots string
		want         time.Duration
	}{
		{"none", "User-agent: *\nDisallow: /x\n", 0},
		{"global", "User-agent: *\nCrawl-delay: 2\n", 2 * time.Second},
		{"fraction", "User-agent: *\nCrawl-delay: 0.5\n", 500 * time.Millisecond},
		{"our group wins over *", "User-agent: *\nCrawl-delay: 9\n\nUser-agent: CreatorScout\nCrawl-delay: 3\n", 3 * time.Second},
		{"other agent's group ignored", "User-agent: OtherBot\nCrawl-delay: 30\n", 0},
		{"prefix of our agent ignored", "User-agent: Creator\nCrawl-delay: 30\n", 0},
		{"unreadable value ignored", "User-agent: *\nCrawl-delay: 1s\n", 0},
		{"negative ignored", "User-agent: *\nCrawl-delay: -4\n", 0},
		{"capped", "User-agent: *\nCrawl-delay: 86400\n", maxCrawlDelay},
		{"outside any group ignored", "Crawl-delay: 5\nUser-agent: *\nDisallow: /x\n", 0},
		{"group ends at a user-agent after rules", "User-agent: *\nDisallow: /x\nUser-agent: OtherBot\nCrawl-delay: 7\n", 0},
		{"agents sharing a group", "User-agent: OtherBot\nUser-agent: creatorscout\nCrawl-delay: 4\n", 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := robotsEntry{Status: 200, Body: []byte(tt.robots)}.rules("CreatorScout")
			if got := r.crawlDelay(); got != tt.want {
				t.Errorf("crawl delay %v, want %v", got, tt.want)
			}
		})
	}
}
