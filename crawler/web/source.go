package web

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
)

func init() {
	crawler.Register(creator.Web, New)
	crawler.RegisterNaming(creator.Web, crawler.Naming{Hint: "an http(s) URL (https://example.com/)", Valid: validRef})
}

// validRef: a web creator is named by the http(s) URL of its page, with
// no credentials and no white space.
func validRef(_, v string) bool {
	if len(v) > 2048 {
		return false
	}
	if u, err := url.Parse(v); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil {
		return !strings.ContainsAny(v, " \t\r\n")
	}
	return false
}

// DefaultPosts is how many feed entries become posts.
const DefaultPosts = 30

// Source is the "web" source: a creator's own page. It is safe for
// concurrent use.
type Source struct {
	t     Transporter
	now   func() time.Time
	posts int
}

var _ crawler.Source = (*Source)(nil)

// New builds the source. cfg.HTTP must be the fetch client (it needs its
// Transport for colly); option "posts" (default DefaultPosts) caps the
// feed entries read.
func New(cfg crawler.Config) (crawler.Source, error) {
	t, ok := cfg.HTTP.(Transporter)
	if !ok {
		return nil, fmt.Errorf("building web source: %w: HTTP client has no Transport method", creator.ErrInvalid)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	s := &Source{t: t, now: now, posts: DefaultPosts}
	if err := cfg.IntOptions(map[string]*int{"posts": &s.posts}); err != nil {
		return nil, fmt.Errorf("building web source: %w", err)
	}
	return s, nil
}

// Name implements crawler.Source.
func (s *Source) Name() string { return creator.Web }

// Policy implements crawler.Source: one request per second per site,
// robots.txt and noindex honoured, scoring allowed (on what the page and
// its feed say).
func (s *Source) Policy() crawler.Policy {
	return crawler.Policy{
		RatePerSecond:  1,
		Burst:          2,
		OptOutSignals:  []string{"robots.txt", "meta:robots=noindex", "header:X-Robots-Tag=noindex"},
		ScoringAllowed: true,
		Terms:          "https://www.rfc-editor.org/rfc/rfc9309",
	}
}

// Discover implements crawler.Source; the web source cannot discover.
func (s *Source) Discover(context.Context, crawler.DiscoverQuery) ([]creator.Ref, error) {
	return nil, fmt.Errorf("discovering on the web: %w: submit page URLs instead", creator.ErrInvalid)
}

// Fetch implements crawler.Source: ref.ID (or ref.Handle) is the page URL.
// Besides the page it reads the first feed the page links to (RSS, Atom or
// JSON Feed) into posts for posting cadence (feeds carry no engagement
// counts: they are 0, views -1), and links the accounts the page claims
// (rel="me", sameAs) that link back to it with rel="me". Every request
// goes through the fetch client, robots.txt included; a feed or a claimed
// page that cannot be read is left out, not an error.
func (s *Source) Fetch(ctx context.Context, ref creator.Ref) (*creator.Profile, error) {
	raw := ref.ID
	if raw == "" {
		raw = ref.Handle
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("fetching %s: %w: not an http(s) URL", ref, creator.ErrInvalid)
	}
	page, err := fetchPage(ctx, s.t, u, s.now)
	if err != nil {
		return nil, err
	}
	prof := page.Profile(s.now())
	// The submitted URL stays the key: a page's canonical link is its own
	// claim and could point anywhere.
	prof.Ref = creator.Ref{Platform: creator.Web, ID: raw, Handle: raw}
	if len(page.Feeds) > 0 && s.posts > 0 {
		if prof.Posts, err = s.feedPosts(ctx, page.Feeds[0]); err != nil {
			return nil, err
		}
	}
	if prof.Linked, err = VerifyLinks(ctx, s.t, page, []string{raw, page.URL}, s.now); err != nil {
		return nil, fmt.Errorf("checking the links of %s: %w", raw, err)
	}
	return prof, nil
}

// feedPosts reads the feed at raw into at most s.posts posts, newest
// first. An unreadable feed gives no posts; only a cancelled ctx is an
// error.
func (s *Source) feedPosts(ctx context.Context, raw string) ([]creator.Post, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, nil
	}
	final, body, _, err := get(ctx, s.t, u, s.now)
	if err != nil {
		return nil, ctx.Err()
	}
	items, err := ParseFeed(final, body)
	if err != nil {
		return nil, nil
	}
	var posts []creator.Post
	for _, it := range items {
		if len(posts) == s.posts {
			break
		}
		if it.ID == "" {
			continue
		}
		posts = append(posts, creator.Post{ID: it.ID, URL: it.URL, Text: it.Title, CreatedAt: it.Published, Views: -1})
	}
	return posts, nil
}

// Profile turns a page into a creator profile keyed by its URL.
func (p *Page) Profile(fetchedAt time.Time) *creator.Profile {
	prof := &creator.Profile{
		Ref:         creator.Ref{Platform: creator.Web, ID: p.URL, Handle: p.URL},
		DisplayName: p.Title,
		Bio:         p.Description,
		AvatarURL:   p.Image,
		URL:         p.URL,
		Links:       slices.Clone(p.Me),
		FetchedAt:   fetchedAt,
	}
	if ps := p.Person; ps != nil {
		prof.DisplayName = firstNonEmpty(ps.Name, prof.DisplayName)
		prof.Bio = firstNonEmpty(ps.Description, prof.Bio)
		prof.AvatarURL = firstNonEmpty(ps.Image, prof.AvatarURL)
		for _, l := range ps.SameAs {
			if l = strings.TrimSpace(l); l != "" && !slices.Contains(prof.Links, l) {
				prof.Links = append(prof.Links, l)
			}
		}
		if ps.Followers != nil {
			prof.Followers = *ps.Followers
		}
		if ps.Posts != nil {
			prof.PostsCount = *ps.Posts
		}
	}
	return prof
}
