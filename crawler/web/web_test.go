package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
)

func ptr(n int64) *int64 { return &n }

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestParse(t *testing.T) {
	html, err := os.ReadFile("testdata/profile.html")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		html []byte
		want *Page
	}{
		{
			name: "ProfilePage JSON-LD, OpenGraph, rel=me and feeds",
			html: html,
			want: &Page{
				URL:         "https://ada.example/",
				Title:       "Ada Greens",
				Description: "Weeknight vegan recipes and meal prep.",
				Image:       "https://ada.example/img/ada.jpg",
				SiteName:    "Ada's Kitchen",
				Person: &Person{
					Name:          "Ada Greens",
					AlternateName: "adagreens",
					Description:   "Vegan recipe developer.",
					Image:         "https://ada.example/img/ada-square.jpg",
					SameAs:        []string{"https://bsky.app/profile/ada.example", "https://www.youtube.com/@adagreens"},
					Followers:     ptr(12840),
					Posts:         ptr(312),
				},
				Me:    []string{"https://mastodon.example/@ada", "https://github.com/adagreens"},
				Feeds: []string{"https://ada.example/feed.xml"},
			},
		},
		{
			name: "plain page falls back to title and meta description",
			html: []byte(`<html><head><title> Plain </title><meta name="description" content="Just a page"></head></html>`),
			want: &Page{URL: "https://ada.example/about", Title: "Plain", Description: "Just a page"},
		},
		{
			name: "top-level Person",
			html: []byte(`<script type="application/ld+json">[{"@type":"Person","name":"Bo","url":"/bo"}]</script>`),
			want: &Page{URL: "https://ada.example/about", Person: &Person{Name: "Bo", URL: "https://ada.example/bo"}},
		},
		{
			name: "meta robots noindex",
			html: []byte(`<meta name="Robots" content="NOINDEX, follow">`),
			want: &Page{URL: "https://ada.example/about", NoIndex: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(mustURL(t, "https://ada.example/about"), tt.html)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}

// testSite serves the profile fixture and records requests.
type testSite struct {
	mu    sync.Mutex
	paths []string
	uas   []string
	srv   *httptest.Server
}

func newTestSite(t *testing.T) *testSite {
	t.Helper()
	html, err := os.ReadFile("testdata/profile.html")
	if err != nil {
		t.Fatal(err)
	}
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write(make([]byte, 4<<20))
	zw.Close()
	s := &testSite{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.paths = append(s.paths, r.URL.Path)
		s.uas = append(s.uas, r.UserAgent())
		s.mu.Unlock()
		switch r.URL.Path {
		case "/robots.txt":
			w.Write([]byte("User-agent: *\nDisallow: /private\n"))
		case "/ada", "/private/ada":
			w.Write(html)
		case "/to-private":
			http.Redirect(w, r, "/private/ada", http.StatusFound)
		case "/hidden":
			w.Write([]byte(`<meta name="robots" content="noindex">`))
		case "/hidden-header":
			w.Header().Set("X-Robots-Tag", "noindex")
			w.Write(html)
		case "/busy":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/bomb":
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb.Bytes())
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *testSite) requested(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.paths {
		if p == path {
			return true
		}
	}
	return false
}

// noDNS resolves no name, so a test never looks up a host outside it.
type noDNS struct{}

func (noDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	return nil, &net.DNSError{Err: "no DNS in tests", Name: host, IsNotFound: true}
}

func newClient(t *testing.T) *fetch.Client {
	t.Helper()
	c, err := fetch.New(
		fetch.WithResolver(noDNS{}),
		fetch.WithAllowNets(netip.MustParsePrefix("127.0.0.0/8")),
		fetch.WithDefaultHostPolicy(fetch.HostPolicy{Rate: 1000, Burst: 100}),
		fetch.WithMaxBodyBytes(1<<20),
		fetch.WithRetries(0, 0),
	)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFetchThroughClient(t *testing.T) {
	s := newTestSite(t)
	c := newClient(t)
	tests := []struct {
		name      string
		path      string
		wantErr   error
		neverSent string // a path the server must not see
	}{
		{name: "profile page", path: "/ada"},
		{name: "disallowed by robots.txt", path: "/private/ada", wantErr: creator.ErrForbidden, neverSent: "/private/ada"},
		{name: "redirect to a disallowed path", path: "/to-private", wantErr: creator.ErrForbidden, neverSent: "/private/ada"},
		{name: "meta noindex is an opt-out", path: "/hidden", wantErr: creator.ErrOptedOut},
		{name: "X-Robots-Tag noindex is an opt-out", path: "/hidden-header", wantErr: creator.ErrOptedOut},
		{name: "missing page", path: "/nobody", wantErr: creator.ErrNotFound},
		{name: "gzip bomb fails instead of truncating", path: "/bomb", wantErr: creator.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := Fetch(context.Background(), c, mustURL(t, s.srv.URL+tt.path))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Fetch error %v, want one wrapping %v", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("Fetch: %v", err)
			} else if page.Person == nil || page.Person.Name != "Ada Greens" {
				t.Errorf("Fetch parsed %+v, want Ada Greens's profile", page)
			}
			if tt.neverSent != "" && s.requested(tt.neverSent) {
				t.Errorf("%s was requested", tt.neverSent)
			}
		})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ua := range s.uas {
		if ua != fetch.DefaultUserAgent {
			t.Errorf("request with User-Agent %q, want the client's", ua)
		}
	}
}

func TestSSRFThroughColly(t *testing.T) {
	c, err := fetch.New(fetch.WithRetries(0, 0)) // loopback not allowed
	if err != nil {
		t.Fatal(err)
	}
	s := newTestSite(t)
	_, err = Fetch(context.Background(), c, mustURL(t, s.srv.URL+"/ada"))
	if !errors.Is(err, creator.ErrForbidden) {
		t.Fatalf("Fetch of loopback: %v, want creator.ErrForbidden", err)
	}
	if s.requested("/ada") || s.requested("/robots.txt") {
		t.Error("the server was reached")
	}
}

func TestSourceFetch(t *testing.T) {
	s := newTestSite(t)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	src, err := crawler.New(creator.Web, crawler.Config{HTTP: newClient(t), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ref := creator.Ref{Platform: creator.Web, ID: s.srv.URL + "/ada"}
	got, err := src.Fetch(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	want := &creator.Profile{
		Ref:         creator.Ref{Platform: creator.Web, ID: ref.ID, Handle: ref.ID},
		DisplayName: "Ada Greens",
		Bio:         "Vegan recipe developer.",
		AvatarURL:   "https://ada.example/img/ada-square.jpg",
		URL:         "https://ada.example/",
		Links: []string{"https://mastodon.example/@ada", "https://github.com/adagreens",
			"https://bsky.app/profile/ada.example", "https://www.youtube.com/@adagreens"},
		Followers:  12840,
		PostsCount: 312,
		FetchedAt:  now,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Fetch (-want +got):\n%s", diff)
	}
	if _, err := src.Fetch(context.Background(), creator.Ref{Platform: creator.Web, ID: "file:///etc/passwd"}); !errors.Is(err, creator.ErrInvalid) {
		t.Errorf("Fetch of a file URL: %v, want creator.ErrInvalid", err)
	}
}

func TestFetchRateLimited(t *testing.T) {
	s := newTestSite(t)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	_, err := fetchPage(context.Background(), newClient(t), mustURL(t, s.srv.URL+"/busy"), func() time.Time { return now })
	var ra *creator.RetryAfter
	if !errors.As(err, &ra) || !errors.Is(err, creator.ErrRateLimited) {
		t.Fatalf("Fetch of a 429 page: %v, want a *creator.RetryAfter rate limit", err)
	}
	if want := now.Add(120 * time.Second); !ra.Until.Equal(want) {
		t.Errorf("RetryAfter.Until = %v, want %v", ra.Until, want)
	}
}
