package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/creatorscout/scout/creator"
)

// Page is what a web page says about its owner. Fields the page does not
// give are empty.
type Page struct {
	// URL is the page's canonical URL when it declares one, else where it
	// was fetched from.
	URL         string `json:"url"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Image       string `json:"image,omitempty"`
	SiteName    string `json:"site_name,omitempty"`
	// Person is the mainEntity of a schema.org ProfilePage, or a top-level
	// Person, when the page has one.
	Person *Person `json:"person,omitempty"`
	// Me lists rel="me" links, absolute.
	Me []string `json:"me,omitempty"`
	// Feeds lists RSS and Atom feeds the page links to, absolute.
	Feeds []string `json:"feeds,omitempty"`
	// NoIndex says the page asks not to be indexed (meta robots noindex).
	NoIndex bool `json:"noindex,omitempty"`
}

// Person is a schema.org Person or Organization that a page describes.
type Person struct {
	Name          string   `json:"name,omitempty"`
	AlternateName string   `json:"alternate_name,omitempty"`
	Description   string   `json:"description,omitempty"`
	Image         string   `json:"image,omitempty"`
	URL           string   `json:"url,omitempty"`
	SameAs        []string `json:"same_as,omitempty"`
	// Followers is the FollowAction interactionStatistic; nil when absent.
	Followers *int64 `json:"followers,omitempty"`
	// Posts is the WriteAction agentInteractionStatistic; nil when absent.
	Posts *int64 `json:"posts,omitempty"`
}

// Parse reads a page fetched from base. It fails with an error wrapping
// creator.ErrMalformed only when the HTML cannot be read at all; broken
// JSON-LD blocks are skipped.
func Parse(base *url.URL, html []byte) (*Page, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(html))
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w: %v", base, creator.ErrMalformed, err)
	}
	abs := func(href string) string {
		href = strings.TrimSpace(href)
		if href == "" {
			return ""
		}
		u, err := base.Parse(href)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return ""
		}
		return u.String()
	}
	p := &Page{URL: base.String()}
	if c, ok := doc.Find(`link[rel="canonical"]`).First().Attr("href"); ok {
		if a := abs(c); a != "" {
			p.URL = a
		}
	}
	meta := func(sel string) string {
		v, _ := doc.Find(sel).First().Attr("content")
		return strings.TrimSpace(v)
	}
	p.Title = firstNonEmpty(meta(`meta[property="og:title"]`), strings.TrimSpace(doc.Find("title").First().Text()))
	p.Description = firstNonEmpty(meta(`meta[property="og:description"]`), meta(`meta[name="description"]`))
	p.Image = abs(meta(`meta[property="og:image"]`))
	p.SiteName = meta(`meta[property="og:site_name"]`)
	doc.Find(`meta[name]`).Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		if n := strings.ToLower(strings.TrimSpace(name)); n != "robots" && n != "creatorscout" {
			return
		}
		c, _ := s.Attr("content")
		if hasToken(strings.ToLower(c), "noindex") || hasToken(strings.ToLower(c), "none") {
			p.NoIndex = true
		}
	})
	seen := map[string]bool{}
	doc.Find(`a[rel], link[rel]`).Each(func(_ int, s *goquery.Selection) {
		rel, _ := s.Attr("rel")
		href, _ := s.Attr("href")
		if !hasToken(strings.ToLower(rel), "me") {
			return
		}
		if a := abs(href); a != "" && !seen[a] {
			seen[a] = true
			p.Me = append(p.Me, a)
		}
	})
	doc.Find(`link[rel="alternate"]`).Each(func(_ int, s *goquery.Selection) {
		typ, _ := s.Attr("type")
		href, _ := s.Attr("href")
		switch strings.ToLower(strings.TrimSpace(typ)) {
		case "application/rss+xml", "application/atom+xml", "application/feed+json":
			if a := abs(href); a != "" {
				p.Feeds = append(p.Feeds, a)
			}
		}
	})
	doc.Find(`script[type="application/ld+json"]`).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		var v any
		if json.Unmarshal([]byte(s.Text()), &v) != nil {
			return true
		}
		if person := findPerson(v); person != nil {
			person.Image = abs(person.Image)
			person.URL = abs(person.URL)
			p.Person = person
			return false
		}
		return true
	})
	return p, nil
}

// findPerson looks through JSON-LD (an object, an array or an @graph) for
// a ProfilePage's mainEntity, else a top-level Person.
func findPerson(v any) *Person {
	var nodes []map[string]any
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			nodes = append(nodes, x)
			if g, ok := x["@graph"]; ok {
				walk(g)
			}
		}
	}
	walk(v)
	for _, n := range nodes {
		if hasType(n, "ProfilePage") {
			if m, ok := n["mainEntity"].(map[string]any); ok {
				return toPerson(m)
			}
		}
	}
	for _, n := range nodes {
		if hasType(n, "Person") {
			return toPerson(n)
		}
	}
	return nil
}

func hasType(n map[string]any, typ string) bool {
	for _, t := range strs(n["@type"]) {
		if strings.TrimPrefix(strings.TrimPrefix(t, "https://schema.org/"), "http://schema.org/") == typ {
			return true
		}
	}
	return false
}

func toPerson(m map[string]any) *Person {
	p := &Person{
		Name:          str(m["name"]),
		AlternateName: str(m["alternateName"]),
		Description:   str(m["description"]),
		URL:           str(m["url"]),
		SameAs:        strs(m["sameAs"]),
	}
	switch img := m["image"].(type) {
	case string:
		p.Image = img
	case map[string]any:
		p.Image = firstNonEmpty(str(img["url"]), str(img["contentUrl"]))
	case []any:
		if len(img) > 0 {
			if s, ok := img[0].(string); ok {
				p.Image = s
			} else if o, ok := img[0].(map[string]any); ok {
				p.Image = str(o["url"])
			}
		}
	}
	p.Followers = statistic(m["interactionStatistic"], "FollowAction")
	p.Posts = statistic(m["agentInteractionStatistic"], "WriteAction")
	return p
}

// statistic returns userInteractionCount of the InteractionCounter whose
// interactionType is action.
func statistic(v any, action string) *int64 {
	var counters []map[string]any
	switch x := v.(type) {
	case map[string]any:
		counters = append(counters, x)
	case []any:
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				counters = append(counters, m)
			}
		}
	}
	for _, c := range counters {
		it := c["interactionType"]
		var name string
		switch t := it.(type) {
		case string:
			name = t
		case map[string]any:
			name = str(t["@type"])
		}
		name = strings.TrimPrefix(strings.TrimPrefix(name, "https://schema.org/"), "http://schema.org/")
		if name != action {
			continue
		}
		switch n := c["userInteractionCount"].(type) {
		case float64:
			i := int64(n)
			return &i
		case string:
			if i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64); err == nil {
				return &i
			}
		}
	}
	return nil
}

func str(v any) string {
	s, _ := v.(string)
	return strings.TrimSpace(s)
}

func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func hasToken(list, tok string) bool {
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' }) {
		if f == tok {
			return true
		}
	}
	return false
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
