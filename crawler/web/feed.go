package web

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"golang.org/x/net/html/charset"

	"github.com/creatorscout/scout/creator"
)

// FeedItem is one entry of an RSS, Atom or JSON feed: what the source
// needs for posting cadence.
type FeedItem struct {
	ID        string
	URL       string
	Title     string
	Published time.Time // zero when the entry gives no date
}

// The wire types cover RSS 2.0 (rss/channel/item), RSS 1.0
// (rdf:RDF/item), Atom (feed/entry) and JSON Feed 1.x (items). Only the
// fields read are declared.
type xmlFeed struct {
	XMLName xml.Name
	Channel struct {
		Items []rssItem `xml:"item"`
	} `xml:"channel"`
	Items   []rssItem   `xml:"item"` // RSS 1.0 puts items beside the channel
	Entries []atomEntry `xml:"entry"`
}

type rssItem struct {
	Title   string `xml:"title"`
	Link    string `xml:"link"`
	GUID    string `xml:"guid"`
	PubDate string `xml:"pubDate"`
	DCDate  string `xml:"http://purl.org/dc/elements/1.1/ date"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Links     []atomLink `xml:"link"`
	Published string     `xml:"published"`
	Updated   string     `xml:"updated"`
}

type jsonFeed struct {
	Version string `json:"version"`
	Items   []struct {
		ID            any    `json:"id"`
		URL           string `json:"url"`
		Title         string `json:"title"`
		DatePublished string `json:"date_published"`
		DateModified  string `json:"date_modified"`
	} `json:"items"`
}

// feedTimeLayouts are the date forms feeds use: RFC 822/1123 with and
// without seconds or a day name, numeric or named zones, and RFC 3339.
var feedTimeLayouts = []string{
	time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 02 Jan 2006 15:04 -0700", "Mon, 2 Jan 2006 15:04 MST", "2 Jan 2006 15:04:05 -0700",
	"02 Jan 2006 15:04:05 MST", "Mon, 2 Jan 06 15:04:05 -0700", time.RFC822Z, time.RFC822,
	time.RFC3339Nano, time.RFC3339, "2006-01-02T15:04:05", "2006-01-02",
}

func feedTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, l := range feedTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// ParseFeed reads an RSS 2.0, RSS 1.0, Atom or JSON feed fetched from base
// into its items, newest first (undated items last, in feed order).
// Relative links are resolved against base. A body that is none of these
// gives an error wrapping creator.ErrMalformed.
func ParseFeed(base *url.URL, body []byte) ([]FeedItem, error) {
	var items []FeedItem
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
	trimmed := bytes.TrimSpace(body)
	if bytes.HasPrefix(trimmed, []byte("{")) {
		var f jsonFeed
		if err := json.Unmarshal(trimmed, &f); err != nil || !strings.HasPrefix(f.Version, "https://jsonfeed.org/version/") {
			return nil, fmt.Errorf("parsing feed %s: %w: not a JSON Feed", base, creator.ErrMalformed)
		}
		for _, it := range f.Items {
			id := fmt.Sprint(it.ID)
			if it.ID == nil {
				id = ""
			}
			items = append(items, FeedItem{ID: id, URL: abs(it.URL), Title: strings.TrimSpace(it.Title),
				Published: feedTime(firstNonEmpty(it.DatePublished, it.DateModified))})
		}
	} else {
		var f xmlFeed
		dec := xml.NewDecoder(bytes.NewReader(body))
		dec.Strict = false
		dec.CharsetReader = charset.NewReaderLabel
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("parsing feed %s: %w: %v", base, creator.ErrMalformed, err)
		}
		switch strings.ToLower(f.XMLName.Local) {
		case "rss", "rdf":
			for _, it := range append(f.Channel.Items, f.Items...) {
				items = append(items, FeedItem{ID: firstNonEmpty(strings.TrimSpace(it.GUID), abs(it.Link), strings.TrimSpace(it.Link)), URL: abs(it.Link),
					Title: strings.TrimSpace(it.Title), Published: feedTime(firstNonEmpty(it.PubDate, it.DCDate))})
			}
		case "feed":
			for _, e := range f.Entries {
				link := ""
				for _, l := range e.Links {
					if l.Rel == "" || l.Rel == "alternate" {
						link = abs(l.Href)
						break
					}
				}
				items = append(items, FeedItem{ID: strings.TrimSpace(e.ID), URL: link, Title: strings.TrimSpace(e.Title),
					Published: feedTime(firstNonEmpty(e.Published, e.Updated))})
			}
		default:
			return nil, fmt.Errorf("parsing feed %s: %w: root element %q is not rss, rdf or feed", base, creator.ErrMalformed, f.XMLName.Local)
		}
	}
	for i := range items {
		if items[i].ID == "" {
			items[i].ID = items[i].URL
		}
	}
	sort.SliceStable(items, func(a, b int) bool {
		ta, tb := items[a].Published, items[b].Published
		if ta.IsZero() || tb.IsZero() {
			return !ta.IsZero() && tb.IsZero()
		}
		return ta.After(tb)
	})
	return items, nil
}
