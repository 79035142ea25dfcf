package sim

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"net"
	"net/http"
	"strings"
	"time"
)

// HandleSite has a domain handle and a web site at that domain, which the
// simulator serves too (music, nano): the creator a crawl can link across
// Bluesky and the web. Its Bluesky profile names the site as its website;
// the site's ProfilePage links back to the Bluesky profile with rel="me"
// and has an Atom feed of the creator's posts.
const HandleSite = "mara-sings.test"

// siteCreators are named creators with a site. They are generated after
// every other creator, so adding one changes nothing else of a world.
var siteCreators = []named{
	{handle: HandleSite, name: "Mara Lind", niche: "music", followers: 4200, traj: Trajectory{Kind: Steady}, site: true,
		bio: "Singer-songwriter. Home recording, music production tips and new songs every month. Tour dates on my site."},
}

// SiteHosts returns the host names of the creators' sites the simulator
// serves: a client that resolves them to the simulator's address reaches
// them.
func (w *World) SiteHosts() []string {
	var out []string
	for _, m := range w.list {
		if m.site {
			out = append(out, m.Handle)
		}
	}
	return out
}

// SiteURL returns the address of the site of the creator with the given
// handle when the simulator listens on addr (host:port), and whether the
// creator has a site.
func (w *World) SiteURL(handle, addr string) (string, bool) {
	m := w.lookup(handle)
	if m == nil || !m.site {
		return "", false
	}
	return siteURL(m.Handle, addr), true
}

func siteURL(domain, addr string) string {
	if _, port, err := net.SplitHostPort(addr); err == nil && port != "" {
		return "http://" + net.JoinHostPort(domain, port) + "/"
	}
	return "http://" + domain + "/"
}

// siteFor returns the creator whose site host names, or nil.
func (w *World) siteFor(host string) *model {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	m := w.handle[strings.ToLower(h)]
	if m == nil || !m.site {
		return nil
	}
	return m
}

// website sets the profile's website for a creator with a site, on the
// port the request came in on.
func (w *World) website(p *jProfile, a actor, r *http.Request) {
	if a.acc == nil && a.m.site {
		p.Website = siteURL(a.m.Handle, r.Host)
	}
}

// serveSite serves a creator's site: robots.txt, the home page (OpenGraph,
// a schema.org ProfilePage with the current follower and post counts,
// rel="me" to the Bluesky profile, a feed link) and /feed.xml (Atom, the
// latest 20 posts).
func (w *World) serveSite(rw http.ResponseWriter, r *http.Request, m *model) {
	now := w.Now()
	tr := m.trajectory()
	switch r.URL.Path {
	case "/robots.txt":
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(rw, "User-agent: *\nAllow: /\n")
	case "/":
		ld, _ := json.Marshal(map[string]any{
			"@context": "https://schema.org",
			"@type":    "ProfilePage",
			"mainEntity": map[string]any{
				"@type":       "Person",
				"name":        m.DisplayName,
				"description": m.bio,
				"sameAs":      []string{"https://bsky.app/profile/" + m.Handle},
				"interactionStatistic": map[string]any{"@type": "InteractionCounter",
					"interactionType": "https://schema.org/FollowAction", "userInteractionCount": w.followersAt(m, tr, now)},
				"agentInteractionStatistic": map[string]any{"@type": "InteractionCounter",
					"interactionType": "https://schema.org/WriteAction", "userInteractionCount": w.postsCount(m, tr, now)},
			},
		})
		e := html.EscapeString
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(rw, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>%s</title>
<meta property="og:title" content="%s"><meta property="og:description" content="%s">
<link rel="me" href="https://bsky.app/profile/%s">
<link rel="alternate" type="application/atom+xml" title="News" href="/feed.xml">
<script type="application/ld+json">%s</script></head>
<body><h1>%s</h1><p>%s</p><a rel="me" href="https://bsky.app/profile/%s">Bluesky</a></body></html>
`, e(m.DisplayName), e(m.DisplayName), e(m.bio), e(m.Handle), ld, e(m.DisplayName), e(m.bio), e(m.Handle))
	case "/feed.xml":
		type link struct {
			Href string `xml:"href,attr"`
		}
		type entry struct {
			ID        string `xml:"id"`
			Title     string `xml:"title"`
			Link      link   `xml:"link"`
			Published string `xml:"published"`
		}
		type feed struct {
			XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
			Title   string   `xml:"title"`
			ID      string   `xml:"id"`
			Updated string   `xml:"updated"`
			Entries []entry  `xml:"entry"`
		}
		base := siteURL(m.Handle, r.Host)
		f := feed{Title: m.DisplayName, ID: base, Updated: now.UTC().Format(time.RFC3339)}
		stubs, _ := w.feed(m, now, time.Time{}, 20)
		for _, s := range stubs {
			if s.repost != nil {
				continue
			}
			p := w.postView(m, tr, s, now)
			rkey := p.URI[strings.LastIndex(p.URI, "/")+1:]
			f.Entries = append(f.Entries, entry{ID: p.URI, Title: p.Record.Text, Link: link{base + "news/" + rkey},
				Published: s.at.UTC().Format(time.RFC3339)})
		}
		rw.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
		fmt.Fprint(rw, xml.Header)
		xml.NewEncoder(rw).Encode(f)
	default:
		http.NotFound(rw, r)
	}
}
