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

func init() { crawler.Register(creator.Web, New) }

// Source is the "web" source: a creator's own page. It is safe for
// concurrent use.
type Source struct {
	t   Transporter
	now func() time.Time
}

var _ crawler.Source = (*Source)(nil)

// New builds the source. cfg.HTTP must be the fetch client (it needs its
// Transport for colly).
func New(cfg crawler.Config) (crawler.Source, error) {
	t, ok := cfg.HTTP.(Transporter)
	if !ok {
		return nil, fmt.Errorf("building web source: %w: HTTP client has no Transport method", creator.ErrInvalid)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Source{t: t, now: now}, nil
}

// Name implements crawler.Source.
func (s *Source) Name() string { return creator.Web }

// Policy implements crawler.Source: one request per second per site,
// robots.txt and noindex honoured.
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
	return prof, nil
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
