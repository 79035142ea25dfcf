package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
)

// sites is a set of hand-made web sites on loopback servers: each serves
// the pages the test writes for it, and records what it was asked for.
type sites struct {
	mu    sync.Mutex
	pages map[string]map[string]string // site -> path -> body
	asked []string
	srv   map[string]*httptest.Server
}

func newSites(t *testing.T, names ...string) *sites {
	s := &sites{pages: map[string]map[string]string{}, srv: map[string]*httptest.Server{}}
	for _, name := range names {
		s.pages[name] = map[string]string{}
		s.srv[name] = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.asked = append(s.asked, name+r.URL.Path)
			body, ok := s.pages[name][r.URL.Path]
			s.mu.Unlock()
			if !ok {
				http.NotFound(w, r)
				return
			}
			switch {
			case strings.HasSuffix(r.URL.Path, ".xml"):
				w.Header().Set("Content-Type", "application/xml")
			case strings.HasSuffix(r.URL.Path, ".json"):
				w.Header().Set("Content-Type", "application/feed+json")
			default:
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
			}
			fmt.Fprint(w, body)
		}))
		t.Cleanup(s.srv[name].Close)
	}
	return s
}

func (s *sites) url(name, path string) string { return s.srv[name].URL + path }

func (s *sites) set(name, path, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[name][path] = body
}

func (s *sites) wasAsked(p string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.asked {
		if a == p {
			return true
		}
	}
	return false
}

// TestLinkedIdentities: a creator's site claims three accounts with
// rel="me"; the first links back, the second does not, and the third's
// robots.txt forbids the page. Only the first is linked, with the evidence
// both ways; names are never compared (all three pages carry the same
// name).
func TestLinkedIdentities(t *testing.T) {
	s := newSites(t, "home", "social", "other", "closed")
	home := s.url("home", "/")
	s.set("home", "/", `<html><head><title>Ada Greens</title>
		<link rel="me" href="`+s.url("social", "/@ada")+`">
		<link rel="alternate" type="application/atom+xml" href="/feed.xml"></head>
		<body><a rel="me" href="`+s.url("other", "/ada")+`">elsewhere</a>
		<a rel="me" href="`+s.url("closed", "/ada")+`">closed</a></body></html>`)
	s.set("social", "/@ada", `<html><title>Ada Greens</title><a rel="me nofollow" href="`+home+`">my site</a></html>`)
	s.set("other", "/ada", `<html><title>Ada Greens</title><a href="`+home+`">my site, without rel=me</a></html>`)
	s.set("closed", "/robots.txt", "User-agent: *\nDisallow: /\n")
	s.set("closed", "/ada", `<html><title>Ada Greens</title><a rel="me" href="`+home+`">my site</a></html>`)
	s.set("home", "/feed.xml", `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Ada</title>
<entry><id>tag:ada,2026:2</id><title>Lentil soup</title><link href="/soup"/><published>2026-11-20T10:00:00Z</published></entry>
<entry><id>tag:ada,2026:1</id><title>Tofu scramble</title><link rel="alternate" href="/tofu"/><updated>2026-11-13T10:00:00+01:00</updated></entry>
</feed>`)

	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	src, err := crawler.New(creator.Web, crawler.Config{HTTP: newClient(t), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	p, err := src.Fetch(context.Background(), creator.Ref{Platform: creator.Web, ID: home})
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	social := s.url("social", "/@ada")
	host := strings.TrimPrefix(s.srv["social"].URL, "http://")
	want := []creator.LinkedAccount{{
		Platform: creator.Mastodon, ID: "ada@" + strings.Split(host, ":")[0], Handle: "ada@" + strings.Split(host, ":")[0], URL: social,
		Evidence: []creator.LinkEvidence{{
			Kind:    creator.EvidenceRelMe,
			Forward: home + ` links to ` + social + ` with rel="me"`,
			Back:    social + ` links back to ` + home + ` with rel="me"`,
			At:      now,
		}},
	}}
	if diff := cmp.Diff(want, p.Linked); diff != "" {
		t.Errorf("linked accounts (-want +got):\n%s", diff)
	}
	if !s.wasAsked("other/ada") {
		t.Error("the page that does not link back was never checked")
	}
	if s.wasAsked("closed/ada") {
		t.Error("a page robots.txt disallows was fetched")
	}
	wantPosts := []creator.Post{
		{ID: "tag:ada,2026:2", URL: s.url("home", "/soup"), Text: "Lentil soup", CreatedAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), Views: -1},
		{ID: "tag:ada,2026:1", URL: s.url("home", "/tofu"), Text: "Tofu scramble", CreatedAt: time.Date(2026, 11, 13, 9, 0, 0, 0, time.UTC), Views: -1},
	}
	if diff := cmp.Diff(wantPosts, p.Posts); diff != "" {
		t.Errorf("posts from the feed (-want +got):\n%s", diff)
	}
}

// TestNoBacklinkNoLink: a site whose only claimed account does not link
// back has no linked account.
func TestNoBacklinkNoLink(t *testing.T) {
	s := newSites(t, "home", "other")
	s.set("home", "/", `<a rel="me" href="`+s.url("other", "/bo")+`">me</a>`)
	s.set("other", "/bo", `<a rel="me" href="https://somewhere-else.example/">not the site</a>`)
	src, err := crawler.New(creator.Web, crawler.Config{HTTP: newClient(t)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := src.Fetch(context.Background(), creator.Ref{Platform: creator.Web, ID: s.url("home", "/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Linked) != 0 {
		t.Errorf("linked %+v, want none", p.Linked)
	}
}

func TestParseFeed(t *testing.T) {
	base := mustURL(t, "https://ada.example/feed")
	day := func(d int) time.Time { return time.Date(2026, 11, d, 8, 0, 0, 0, time.UTC) }
	tests := []struct {
		name    string
		body    string
		want    []FeedItem
		wantErr bool
	}{
		{
			name: "RSS 2.0, out of order, RFC 822 dates",
			body: `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>
<item><title>Old</title><link>https://ada.example/old</link><guid>old</guid><pubDate>Sun, 01 Nov 2026 08:00:00 GMT</pubDate></item>
<item><title>New</title><link>/new</link><pubDate>Tue, 10 Nov 2026 09:00:00 +0100</pubDate></item>
<item><title>Undated</title><link>/undated</link></item>
</channel></rss>`,
			want: []FeedItem{
				{ID: "https://ada.example/new", URL: "https://ada.example/new", Title: "New", Published: day(10)},
				{ID: "old", URL: "https://ada.example/old", Title: "Old", Published: day(1)},
				{ID: "https://ada.example/undated", URL: "https://ada.example/undated", Title: "Undated"},
			},
		},
		{
			name: "RSS 1.0 with dc:date",
			body: `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>x</title></channel><item><title>A</title><link>https://ada.example/a</link><dc:date>2026-11-02T08:00:00Z</dc:date></item></rdf:RDF>`,
			want: []FeedItem{{ID: "https://ada.example/a", URL: "https://ada.example/a", Title: "A", Published: day(2)}},
		},
		{
			name: "JSON Feed",
			body: `{"version":"https://jsonfeed.org/version/1.1","title":"x","items":[{"id":"1","url":"https://ada.example/1","title":"One","date_published":"2026-11-03T08:00:00Z"}]}`,
			want: []FeedItem{{ID: "1", URL: "https://ada.example/1", Title: "One", Published: day(3)}},
		},
		{name: "HTML is no feed", body: `<html><body>hi</body></html>`, wantErr: true},
		{name: "JSON that is not a feed", body: `{"a":1}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFeed(base, []byte(tt.body))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseFeed = %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
