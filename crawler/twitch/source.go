package twitch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
)

// Default addresses of Helix and of Twitch's OAuth server.
const (
	DefaultBaseURL = "https://api.twitch.tv/helix"
	DefaultAuthURL = "https://id.twitch.tv/oauth2/token"
	TermsURL       = "https://www.twitch.tv/p/legal/developer-agreement/"
)

// Policy figures: Helix's bucket is 800 points a minute per client id.
const (
	RatePerSecond = 800.0 / 60
	Burst         = 80
	// Retention is how long Twitch data may be kept without the
	// operator's authorisation.
	Retention = 24 * time.Hour
)

// Defaults for the source's options and Helix's page limits.
const (
	DefaultVideos        = 30
	DefaultDiscoverLimit = 25
	pageMax              = 100
	maxPages             = 10
)

func init() {
	crawler.Register(creator.Twitch, func(cfg crawler.Config) (crawler.Source, error) {
		return New(cfg)
	})
}

// responseDoer is the part of *fetch.Client the source needs: requests
// with headers (Client-Id, Authorization) and answers of any status.
type responseDoer interface {
	Do(req *http.Request) (*fetch.Response, error)
}

type hostSetter interface {
	SetHost(host string, p fetch.HostPolicy)
}

// Source is the Twitch source. It is safe for concurrent use.
type Source struct {
	do           responseDoer
	base, auth   *url.URL
	clientID     string
	clientSecret string
	authorised   bool
	now          func() time.Time
	videos       int

	mu      sync.Mutex
	token   string
	expires time.Time
	issued  time.Time
}

var _ crawler.Source = (*Source)(nil)

// New builds the source. cfg.HTTP must be the fetch client (the source
// sends headers and reads answers of any status); options "client_id" and
// "client_secret" are required, "videos" (default DefaultVideos) caps the
// videos read, "data_authorised" ("true") says the operator may keep
// Twitch data past 24 hours, and "auth_url" overrides DefaultAuthURL.
func New(cfg crawler.Config) (*Source, error) {
	do, ok := cfg.HTTP.(responseDoer)
	if !ok {
		return nil, fmt.Errorf("building twitch source: %w: the HTTP client cannot send headers", creator.ErrInvalid)
	}
	id, secret := strings.TrimSpace(cfg.Options["client_id"]), strings.TrimSpace(cfg.Options["client_secret"])
	if id == "" || secret == "" {
		return nil, fmt.Errorf("building twitch source: %w: needs the operator's app client id and secret (SCOUT_TWITCH_CLIENT_ID, SCOUT_TWITCH_CLIENT_SECRET)", creator.ErrInvalid)
	}
	parse := func(name, raw, def string) (*url.URL, error) {
		if raw == "" {
			raw = def
		}
		u, err := url.Parse(strings.TrimRight(raw, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("building twitch source: %w: %s %q", creator.ErrInvalid, name, raw)
		}
		return u, nil
	}
	base, err := parse("base URL", cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	auth, err := parse("auth_url", cfg.Options["auth_url"], DefaultAuthURL)
	if err != nil {
		return nil, err
	}
	s := &Source{do: do, base: base, auth: auth, clientID: id, clientSecret: secret, now: cfg.Now, videos: DefaultVideos}
	if s.now == nil {
		s.now = time.Now
	}
	switch v := strings.ToLower(strings.TrimSpace(cfg.Options["data_authorised"])); v {
	case "", "false", "0", "no":
	case "true", "1", "yes":
		s.authorised = true
	default:
		return nil, fmt.Errorf("building twitch source: %w: data_authorised %q is not true or false (SCOUT_TWITCH_DATA_AUTHORISED)", creator.ErrInvalid, v)
	}
	if err := cfg.IntOptions(map[string]*int{"videos": &s.videos}); err != nil {
		return nil, fmt.Errorf("building twitch source: %w", err)
	}
	if h, ok := cfg.HTTP.(hostSetter); ok {
		h.SetHost(base.Host, s.Policy().Host())
	}
	return s, nil
}

// Name returns creator.Twitch.
func (s *Source) Name() string { return creator.Twitch }

// Policy returns the source's policy: credentials needed, 800 requests a
// minute, data kept 24 hours unless the operator is authorised to keep it
// longer, scoring allowed.
func (s *Source) Policy() crawler.Policy {
	p := crawler.Policy{
		RatePerSecond:    RatePerSecond,
		Burst:            Burst,
		NeedsCredentials: true,
		Retention:        Retention,
		ScoringAllowed:   true,
		Terms:            TermsURL,
	}
	if s.authorised {
		p.Retention = 0
	}
	return p
}

// appToken returns a valid app access token, fetching one by the client
// credentials grant when there is none, when it expires within a tenth of
// its life (at least a minute), or when stale names the token Helix just
// refused.
func (s *Source) appToken(ctx context.Context, stale string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	margin := max(s.expires.Sub(s.issued)/10, time.Minute)
	if s.token != "" && s.token != stale && now.Add(margin).Before(s.expires) {
		return s.token, nil
	}
	form := url.Values{"client_id": {s.clientID}, "client_secret": {s.clientSecret}, "grant_type": {"client_credentials"}}
	req, err := http.NewRequestWithContext(fetch.WithRobotsCheck(ctx, false), http.MethodPost, s.auth.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("getting a twitch app token: %w: %v", creator.ErrInvalid, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.do.Do(req)
	if err != nil {
		return "", fmt.Errorf("getting a twitch app token: %w", err)
	}
	if resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return "", fmt.Errorf("getting a twitch app token: %w: client id or secret refused (status %d%s); check SCOUT_TWITCH_CLIENT_ID and SCOUT_TWITCH_CLIENT_SECRET",
			creator.ErrForbidden, resp.StatusCode, helixMessage(resp.Body))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", fmt.Errorf("getting a twitch app token: %w", &fetch.StatusError{StatusCode: resp.StatusCode, URL: s.auth.String()})
	}
	tok, exp, err := parseToken(resp.Body, now)
	if err != nil {
		return "", fmt.Errorf("getting a twitch app token: %w", err)
	}
	s.token, s.expires, s.issued = tok, exp, now
	return tok, nil
}

func helixMessage(body []byte) string {
	var e helixError
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		return ": " + e.Message
	}
	return ""
}

// get sends a Helix GET of path with q and decodes the answer into v. A
// 401 fetches a new token and tries once more; 404 is creator.ErrNotFound;
// other failures keep Helix's message.
func (s *Source) get(ctx context.Context, path string, q url.Values, v any) error {
	ctx = fetch.WithRobotsCheck(fetch.WithCredential(ctx, "twitch:"+s.clientID), false)
	u := *s.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawQuery = q.Encode()
	stale := ""
	for attempt := 0; ; attempt++ {
		tok, err := s.appToken(ctx, stale)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return fmt.Errorf("%w: %v", creator.ErrInvalid, err)
		}
		req.Header.Set("Client-Id", s.clientID)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/json")
		resp, err := s.do.Do(req)
		if err != nil {
			return err
		}
		switch {
		case resp.StatusCode == http.StatusUnauthorized && attempt == 0:
			stale = tok
			continue
		case resp.StatusCode == http.StatusNotFound:
			return fmt.Errorf("%w%s", creator.ErrNotFound, helixMessage(resp.Body))
		case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
			return fmt.Errorf("%w: helix refused the app token (status %d%s)", creator.ErrForbidden, resp.StatusCode, helixMessage(resp.Body))
		case resp.StatusCode < 200 || resp.StatusCode > 299:
			return fmt.Errorf("helix %s: %w%s", path, &fetch.StatusError{StatusCode: resp.StatusCode, URL: "helix " + path}, helixMessage(resp.Body))
		}
		return decode(resp.Body, v)
	}
}

// validLogin reports whether s is a Twitch login (1 to 25 letters, digits
// and underscores).
func validLogin(s string) bool {
	if len(s) < 1 || len(s) > 25 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// Fetch returns the creator's profile, follower total and recent videos.
// ref.ID is a Twitch user id; without one ref.Handle is the login.
func (s *Source) Fetch(ctx context.Context, ref creator.Ref) (*creator.Profile, error) {
	q := url.Values{}
	switch login := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(ref.Handle), "@")); {
	case ref.ID != "":
		if _, err := strconv.ParseUint(ref.ID, 10, 64); err != nil {
			return nil, fmt.Errorf("fetching twitch user %q: %w: not a Twitch user id", ref.ID, creator.ErrInvalid)
		}
		q.Set("id", ref.ID)
	case login != "":
		if !validLogin(login) {
			return nil, fmt.Errorf("fetching twitch user %q: %w: not a Twitch login", login, creator.ErrInvalid)
		}
		q.Set("login", login)
	default:
		return nil, fmt.Errorf("fetching twitch user: %w: ref has neither id nor handle", creator.ErrInvalid)
	}
	var ur usersResponse
	if err := s.get(ctx, "/users", q, &ur); err != nil {
		return nil, fmt.Errorf("fetching twitch user %s: %w", q.Encode(), err)
	}
	ps, err := profilesFrom(&ur)
	if err != nil {
		return nil, fmt.Errorf("fetching twitch user %s: %w", q.Encode(), err)
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("fetching twitch user %s: %w", q.Encode(), creator.ErrNotFound)
	}
	p := ps[0]
	id := p.Ref.ID
	var fr followersResponse
	switch err := s.get(ctx, "/channels/followers", url.Values{"broadcaster_id": {id}, "first": {"1"}}, &fr); {
	case err == nil && fr.Total != nil:
		p.Followers = *fr.Total
		p.UnknownCounts = removeString(p.UnknownCounts, creator.CountFollowers)
	case err != nil && !errors.Is(err, creator.ErrForbidden):
		return nil, fmt.Errorf("fetching followers of twitch user %s: %w", id, err)
	}
	if p.Posts, err = s.videoPosts(ctx, id); err != nil {
		return nil, fmt.Errorf("fetching videos of twitch user %s: %w", id, err)
	}
	p.Language = crawler.MainLanguage(p.Posts)
	p.FetchedAt = s.now().UTC()
	return p, nil
}

func removeString(list []string, s string) []string {
	out := list[:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func (s *Source) videoPosts(ctx context.Context, id string) ([]creator.Post, error) {
	posts := []creator.Post{}
	seen := map[string]bool{}
	cursor := ""
	for page := 0; page < maxPages && len(posts) < s.videos; page++ {
		q := url.Values{"user_id": {id}, "first": {strconv.Itoa(min(pageMax, s.videos-len(posts)))}, "type": {"all"}}
		if cursor != "" {
			q.Set("after", cursor)
		}
		var r videosResponse
		if err := s.get(ctx, "/videos", q, &r); err != nil {
			return nil, err
		}
		got, next, err := postsFrom(&r)
		if err != nil {
			return nil, err
		}
		for _, p := range got {
			if !seen[p.ID] && len(posts) < s.videos {
				seen[p.ID] = true
				posts = append(posts, p)
			}
		}
		if next == "" || next == cursor || len(*r.Data) == 0 {
			break
		}
		cursor = next
	}
	return posts, nil
}

// Discover pages through /search/channels until q.Limit refs (default
// DefaultDiscoverLimit) are found or the results end.
func (s *Source) Discover(ctx context.Context, q crawler.DiscoverQuery) ([]creator.Ref, error) {
	query := strings.TrimSpace(q.Query)
	if query == "" {
		return nil, fmt.Errorf("discovering twitch channels: %w: empty query", creator.ErrInvalid)
	}
	return crawler.PageRefs(q.Limit, DefaultDiscoverLimit, maxPages, func(cursor string, want int) ([]creator.Ref, string, error) {
		v := url.Values{"query": {query}, "first": {strconv.Itoa(min(pageMax, want))}}
		if cursor != "" {
			v.Set("after", cursor)
		}
		var r channelsResponse
		if err := s.get(ctx, "/search/channels", v, &r); err != nil {
			return nil, "", fmt.Errorf("discovering twitch channels for %q: %w", query, err)
		}
		got, next, err := refsFrom(&r)
		if err != nil {
			return nil, "", fmt.Errorf("discovering twitch channels for %q: %w", query, err)
		}
		if len(got) == 0 {
			next = ""
		}
		return got, next, nil
	})
}
