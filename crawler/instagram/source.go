package instagram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
)

// DefaultBaseURL is the Graph API with the version the source was written
// against.
const DefaultBaseURL = "https://graph.facebook.com/v21.0"

// TermsURL is where Meta's Platform Terms are.
const TermsURL = "https://developers.facebook.com/terms/"

// Policy figures: 200 calls an hour for the operator's account, the
// Instagram Graph API's base allowance; the usage headers slow or pause
// the source further.
const (
	RatePerSecond = 200.0 / 3600
	Burst         = 5
)

// Defaults for the source's options.
const (
	DefaultMedia = 25
	mediaPageMax = 50
	maxPages     = 8
)

func init() {
	crawler.Register(creator.Instagram, func(cfg crawler.Config) (crawler.Source, error) {
		return New(cfg)
	})
}

// responseDoer is the part of *fetch.Client that returns a response of any
// status with its headers, which the source needs for Graph API errors.
type responseDoer interface {
	Do(req *http.Request) (*fetch.Response, error)
}

type hostSetter interface {
	SetHost(host string, p fetch.HostPolicy)
}

// Source is the Instagram source. It is safe for concurrent use.
type Source struct {
	http   crawler.Doer
	do     responseDoer // nil: errors come through GetJSON's *fetch.StatusError
	base   *url.URL
	token  string
	userID string
	now    func() time.Time
	media  int
}

var _ crawler.Source = (*Source)(nil)

// New builds the source. cfg.HTTP and the options "token" and "user_id"
// (the operator's Business or Creator account) are required; without them
// New fails with an error wrapping creator.ErrInvalid that names the
// settings. Option "media" (default DefaultMedia) caps the media read per
// creator. When cfg.HTTP accepts host policies, New sets the API host's.
func New(cfg crawler.Config) (*Source, error) {
	if cfg.HTTP == nil {
		return nil, fmt.Errorf("building instagram source: %w: no HTTP client", creator.ErrInvalid)
	}
	token, userID := strings.TrimSpace(cfg.Options["token"]), strings.TrimSpace(cfg.Options["user_id"])
	if token == "" || userID == "" {
		return nil, fmt.Errorf("building instagram source: %w: needs the operator's access token and Instagram user id (SCOUT_INSTAGRAM_TOKEN, SCOUT_INSTAGRAM_USER_ID)", creator.ErrInvalid)
	}
	if !numericIDRE.MatchString(userID) {
		return nil, fmt.Errorf("building instagram source: %w: user id %q is not a number (SCOUT_INSTAGRAM_USER_ID)", creator.ErrInvalid, userID)
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("building instagram source: %w: base URL %q", creator.ErrInvalid, base)
	}
	s := &Source{http: cfg.HTTP, base: u, token: token, userID: userID, now: cfg.Now, media: DefaultMedia}
	if s.now == nil {
		s.now = time.Now
	}
	if d, ok := cfg.HTTP.(responseDoer); ok {
		s.do = d
	}
	if err := cfg.IntOptions(map[string]*int{"media": &s.media}); err != nil {
		return nil, fmt.Errorf("building instagram source: %w", err)
	}
	if h, ok := cfg.HTTP.(hostSetter); ok {
		h.SetHost(u.Host, s.Policy().Host())
	}
	return s, nil
}

// Name returns creator.Instagram.
func (s *Source) Name() string { return creator.Instagram }

// Policy returns the source's policy: credentials needed, 200 calls an
// hour (slowed or paused further by Meta's usage headers), no platform
// opt-out signal beyond what business_discovery refuses (personal and
// private accounts cannot be looked up), no retention limit beyond Meta's
// terms (delete on request), scoring allowed.
func (s *Source) Policy() crawler.Policy {
	return crawler.Policy{
		RatePerSecond:    RatePerSecond,
		Burst:            Burst,
		NeedsCredentials: true,
		OptOutSignals:    []string{"account type: only Business and Creator accounts are reachable"},
		ScoringAllowed:   true,
		Terms:            TermsURL,
	}
}

// Discover is not supported: hashtag search needs Meta's app review and
// allows 30 hashtags a week. Submit usernames instead.
func (s *Source) Discover(context.Context, crawler.DiscoverQuery) ([]creator.Ref, error) {
	return nil, fmt.Errorf("discovering instagram creators: %w: hashtag search needs Meta's app review; crawl Business or Creator usernames instead", creator.ErrInvalid)
}

const profileFields = "id,username,name,biography,website,profile_picture_url,followers_count,follows_count,media_count"
const mediaFields = "id,caption,like_count,comments_count,timestamp,permalink,media_type,media_product_type"

// Fetch returns the creator's profile and recent media. ref.Handle (or a
// non-numeric ref.ID) is the username; business_discovery cannot look
// accounts up by id. See crawler.Source for the errors.
func (s *Source) Fetch(ctx context.Context, ref creator.Ref) (*creator.Profile, error) {
	name := strings.TrimPrefix(strings.TrimSpace(ref.Handle), "@")
	if name == "" && !numericIDRE.MatchString(ref.ID) {
		name = strings.TrimPrefix(strings.TrimSpace(ref.ID), "@")
	}
	if name == "" {
		return nil, fmt.Errorf("fetching instagram profile: %w: business_discovery needs the username", creator.ErrInvalid)
	}
	if !validRef("handle", name) {
		return nil, fmt.Errorf("fetching instagram profile %q: %w: not an Instagram username", name, creator.ErrInvalid)
	}
	name = strings.ToLower(name)
	ctx = fetch.WithCredential(ctx, "instagram:"+s.userID)
	limit := min(s.media, mediaPageMax)
	fields := fmt.Sprintf("business_discovery.username(%s){%s,media.limit(%d){%s}}", name, profileFields, limit, mediaFields)
	var r discoveryResponse
	if err := s.get(ctx, fields, &r); err != nil {
		return nil, fmt.Errorf("fetching instagram profile %s: %w", name, err)
	}
	p, cursor, err := fromResponse(&r, s.now())
	if err != nil {
		return nil, fmt.Errorf("fetching instagram profile %s: %w", name, err)
	}
	if len(p.Posts) > s.media {
		p.Posts = p.Posts[:s.media]
	}
	seen := map[string]bool{}
	for _, post := range p.Posts {
		seen[post.ID] = true
	}
	for page := 1; page < maxPages && cursor != "" && len(p.Posts) < s.media; page++ {
		fields := fmt.Sprintf("business_discovery.username(%s){media.after(%s).limit(%d){%s}}", name, cursor, min(mediaPageMax, s.media-len(p.Posts)), mediaFields)
		var r discoveryResponse
		if err := s.get(ctx, fields, &r); err != nil {
			return nil, fmt.Errorf("fetching media of instagram %s: %w", name, err)
		}
		if r.Error != nil {
			return nil, fmt.Errorf("fetching media of instagram %s: %w", name, codeError(r.Error, s.now(), throttleWait))
		}
		if r.BusinessDiscovery == nil {
			break
		}
		posts, next, err := postsFrom(r.BusinessDiscovery.Media)
		if err != nil {
			return nil, fmt.Errorf("fetching media of instagram %s: %w", name, err)
		}
		added := 0
		for _, post := range posts {
			if !seen[post.ID] && len(p.Posts) < s.media {
				seen[post.ID] = true
				p.Posts = append(p.Posts, post)
				added++
			}
		}
		if added == 0 || next == cursor {
			break
		}
		cursor = next
	}
	p.Language = crawler.MainLanguage(p.Posts)
	p.FetchedAt = s.now().UTC()
	return p, nil
}

// get asks for fields on the operator's own IG user and decodes the
// answer into r. An error body (Graph API errors come as 400 or 403 with
// {"error": {...}}) is decoded into r.Error, with the throttling time
// taken from Meta's usage headers when they give one.
func (s *Source) get(ctx context.Context, fields string, r *discoveryResponse) error {
	u := *s.base
	u.Path = strings.TrimRight(u.Path, "/") + "/" + s.userID
	u.RawQuery = url.Values{"fields": {fields}, "access_token": {s.token}}.Encode()
	if s.do == nil {
		err := s.http.GetJSON(ctx, &u, r)
		var se *fetch.StatusError
		if err != nil && errors.As(err, &se) && json.Unmarshal(se.Body, r) == nil && r.Error != nil {
			return codeError(r.Error, s.now(), throttleWait)
		}
		return err
	}
	// A documented API, governed by its terms and rate limits, not robots.txt.
	req, err := http.NewRequestWithContext(fetch.WithRobotsCheck(ctx, false), http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("%w: %v", creator.ErrInvalid, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.do.Do(req)
	if err != nil {
		return err
	}
	if json.Unmarshal(resp.Body, r) != nil && resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return fmt.Errorf("decoding instagram response: %w: not JSON", creator.ErrMalformed)
	}
	if r.Error != nil {
		now := s.now()
		wait := throttleWait
		if _, regain, ok := fetch.MetaUsage(resp.Header, now); ok && regain.After(now) {
			wait = regain.Sub(now)
		}
		return codeError(r.Error, now, wait)
	}
	if resp.StatusCode == http.StatusNotFound {
		return creator.ErrNotFound
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &fetch.StatusError{StatusCode: resp.StatusCode, URL: "graph api " + strconv.Quote(u.Path), Body: bytes.Clone(resp.Body[:min(len(resp.Body), fetch.StatusBodyMax)])}
	}
	return nil
}
