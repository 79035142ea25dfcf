package web

import (
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/creatorscout/scout/creator"
)

// FuzzWebParse feeds arbitrary pages, seeded from the recorded ones, to
// Parse and ParseFeed: neither may panic; a failure is ErrMalformed; every
// link kept (canonical, image, rel="me", feeds, item links) is an absolute
// http(s) URL, whatever scheme the page wrote (javascript:, data:, file:);
// a page's profile encodes as JSON.
func FuzzWebParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`<link rel="canonical" href="javascript:alert(1)"><a rel="me" href="file:///etc/passwd">x</a><link rel="alternate" type="application/rss+xml" href="data:,x">`))
	f.Add([]byte(`<script type="application/ld+json">{"@type":"ProfilePage","mainEntity":{"@type":"Person","sameAs":["//x"],"interactionStatistic":{"userInteractionCount":"9e99"}}}</script>`))
	f.Add([]byte(`<rss version="2.0"><channel><item><link>javascript:x</link><pubDate>Mon, 99 Feb 2026</pubDate></item></channel></rss>`))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","url":"ftp://x"}]}`))
	base, _ := url.Parse("https://site.example/about/")
	web := func(t *testing.T, what, u string) {
		t.Helper()
		if u == "" {
			return
		}
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			t.Fatalf("%s %q is not an absolute http(s) URL", what, u)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := Parse(base, body)
		if err != nil {
			if !errors.Is(err, creator.ErrMalformed) || page != nil {
				t.Fatalf("Parse: %v (page %v)", err, page)
			}
		} else {
			web(t, "url", page.URL)
			web(t, "image", page.Image)
			for _, l := range append(append([]string{}, page.Me...), page.Feeds...) {
				web(t, "link", l)
			}
			if _, err := json.Marshal(page.Profile(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))); err != nil {
				t.Fatalf("profile does not encode: %v", err)
			}
		}
		items, err := ParseFeed(base, body)
		if err != nil {
			if !errors.Is(err, creator.ErrMalformed) || items != nil {
				t.Fatalf("ParseFeed: %v (%d items)", err, len(items))
			}
			return
		}
		for _, it := range items {
			web(t, "item url", it.URL)
		}
	})
}
