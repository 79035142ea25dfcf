package youtube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the quota day needs America/Los_Angeles on hosts without a zone database

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
)

// DefaultBaseURL is the YouTube Data API v3.
const DefaultBaseURL = "https://www.googleapis.com/youtube/v3"

// TermsURL is where the YouTube API Services terms are.
const TermsURL = "https://developers.google.com/youtube/terms/api-services-terms-of-service"

// Policy figures.
const (
	// DailyQuota is the default Data API quota, in units per day per
	// project (key).
	DailyQuota = 10000
	// CostSearch is the cost of a search.list call; every other call the
	// source makes costs CostOther.
	CostSearch = 100
	CostOther  = 1
	// Retention is how long data not authorised by the channel owner may be
	// kept without being refreshed.
	Retention = 30 * 24 * time.Hour
	// RatePerSecond and Burst keep the source from spending the quota in a
	// burst; the Data API announces no per-second limit.
	RatePerSecond = 5.0
	Burst         = 10
)

// Defaults for the source's options and the API's page limits.
const (
	DefaultVideos        = 30
	DefaultCommentVideos = 5
	DefaultComments      = 100
	// DefaultDiscoverLimit is used when a DiscoverQuery has no Limit.
	DefaultDiscoverLimit = 25

	pageMax          = 50  // playlistItems, videos and search maxResults
	commentsPageMax  = 100 // commentThreads maxResults
	maxPages         = 10
	maxDiscoverPages = 4 // 400 units at most per discovery
)

// QuotaLocation is where the Data API's quota day starts at midnight.
var QuotaLocation = mustLoadLocation("America/Los_Angeles")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("youtube: loading time zone " + name + ": " + err.Error())
	}
	return loc
}

func init() {
	crawler.Register(creator.YouTube, func(cfg crawler.Config) (crawler.Source, error) {
		return New(cfg)
	})
}

// responseDoer is the part of *fetch.Client that returns error bodies,
// which the source needs to tell quotaExceeded from other 403s.
type responseDoer interface {
	Do(req *http.Request) (*fetch.Response, error)
}

// hostSetter is the part of *fetch.Client that sets a host's policy.
type hostSetter interface {
	SetHost(host string, p fetch.HostPolicy)
}

// Source is the YouTube source. It is safe for concurrent use.
type Source struct {
	http          crawler.Doer
	do            responseDoer // nil: errors come from GetJSON without their bodies
	base          *url.URL
	key           string
	now           func() time.Time
	scoring       bool
	videos        int
	commentVideos int
	comments      int

	mu          sync.Mutex
	quotaBackAt time.Time // no request before this (quota exhausted)
}

var _ crawler.Source = (*Source)(nil)

// New builds a YouTube source from cfg. cfg.HTTP and the "api_key" option
// are required; without a key New fails with an error wrapping
// creator.ErrInvalid. When cfg.HTTP accepts host policies (as
// *fetch.Client does), New sets the API host's rate, burst and daily quota
// with its day in America/Los_Angeles. See the package documentation for
// the options.
func New(cfg crawler.Config) (*Source, error) {
	if cfg.HTTP == nil {
		return nil, fmt.Errorf("building youtube source: %w: no HTTP client", creator.ErrInvalid)
	}
	key := strings.TrimSpace(cfg.Options["api_key"])
	if key == "" {
		return nil, fmt.Errorf("building youtube source: %w: missing API key (option api_key)", creator.ErrInvalid)
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("building youtube source: %w: base URL %q", creator.ErrInvalid, base)
	}
	s := &Source{http: cfg.HTTP, base: u, key: key, now: cfg.Now,
		videos: DefaultVideos, commentVideos: DefaultCommentVideos, comments: DefaultComments}
	if s.now == nil {
		s.now = time.Now
	}
	switch v := strings.TrimSpace(cfg.Options["derived_metrics_approved"]); v {
	case "true":
		s.scoring = true
	case "", "false":
	default:
		return nil, fmt.Errorf("building youtube source: %w: option derived_metrics_approved=%q is neither true nor false", creator.ErrInvalid, v)
	}
	if err := cfg.IntOptions(map[string]*int{"videos": &s.videos, "comment_videos": &s.commentVideos, "comments": &s.comments}); err != nil {
		return nil, fmt.Errorf("building youtube source: %w", err)
	}
	if d, ok := cfg.HTTP.(responseDoer); ok {
		s.do = d
	}
	if h, ok := cfg.HTTP.(hostSetter); ok {
		h.SetHost(u.Host, HostPolicy())
	}
	return s, nil
}

// HostPolicy is the outbound client's policy for the API host: the
// source's rate and burst and the daily quota, whose day starts at
// midnight America/Los_Angeles.
func HostPolicy() fetch.HostPolicy {
	return fetch.HostPolicy{Rate: RatePerSecond, Burst: Burst, DailyQuota: DailyQuota, QuotaLocation: QuotaLocation}
}

// Name returns creator.YouTube.
func (s *Source) Name() string { return creator.YouTube }

// Policy returns the source's declared policy: an API key needed, 10,000
// quota units a day, data kept at most 30 days, scoring only when the
// operator declared the API project approved for derived metrics.
func (s *Source) Policy() crawler.Policy {
	return crawler.Policy{
		RatePerSecond:    RatePerSecond,
		Burst:            Burst,
		DailyQuota:       DailyQuota,
		NeedsCredentials: true,
		OptOutSignals:    []string{},
		Retention:        Retention,
		ScoringAllowed:   s.scoring,
		Terms:            TermsURL,
	}
}

// nextQuotaDay returns the next midnight in America/Los_Angeles after t.
func nextQuotaDay(t time.Time) time.Time {
	l := t.In(QuotaLocation)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, QuotaLocation)
}

func (s *Source) endpoint(method string, q url.Values) *url.URL {
	u := *s.base
	u.Path = strings.TrimRight(u.Path, "/") + "/" + method
	q.Set("key", s.key)
	u.RawQuery = q.Encode()
	return &u
}

// get calls one API method costing cost units and decodes its JSON body
// into v. A 403 quotaExceeded gives an error wrapping a *creator.RetryAfter
// until the next quota day, and no request is sent before then.
func (s *Source) get(ctx context.Context, method string, q url.Values, cost int, v any) error {
	s.mu.Lock()
	back := s.quotaBackAt
	s.mu.Unlock()
	if s.now().Before(back) {
		return fmt.Errorf("calling %s: quota exceeded: %w", method, &creator.RetryAfter{Until: back})
	}
	ctx = fetch.WithCredential(fetch.WithCost(ctx, cost), s.key)
	u := s.endpoint(method, q)
	if s.do == nil {
		return s.http.GetJSON(ctx, u, v)
	}
	req, err := http.NewRequestWithContext(fetch.WithRobotsCheck(ctx, false), http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("calling %s: %w: %v", method, creator.ErrInvalid, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.do.Do(req)
	if err != nil {
		return fmt.Errorf("calling %s: %w", method, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		if err := json.Unmarshal(resp.Body, v); err != nil {
			return fmt.Errorf("decoding %s: %w: %v", method, creator.ErrMalformed, err)
		}
		return nil
	}
	return s.apiError(method, resp)
}

// Errors the Data API reports by reason.
var (
	errCommentsDisabled = errors.New("comments disabled")
)

// apiError turns an error response into an error: quota errors wrap a
// *creator.RetryAfter, not-found ones creator.ErrNotFound.
func (s *Source) apiError(method string, resp *fetch.Response) error {
	var e errorResponse
	_ = json.Unmarshal(resp.Body, &e)
	reason := ""
	if len(e.Error.Errors) > 0 {
		reason = e.Error.Errors[0].Reason
	}
	serr := &fetch.StatusError{StatusCode: resp.StatusCode, URL: method}
	switch {
	case reason == "quotaExceeded" || reason == "dailyLimitExceeded":
		until := nextQuotaDay(s.now())
		s.mu.Lock()
		if until.After(s.quotaBackAt) {
			s.quotaBackAt = until
		}
		s.mu.Unlock()
		return fmt.Errorf("calling %s: %s: %w", method, reason, &creator.RetryAfter{Until: until})
	case reason == "rateLimitExceeded" || reason == "userRateLimitExceeded":
		return fmt.Errorf("calling %s: %s: %w", method, reason, &creator.RetryAfter{Until: s.now().Add(time.Minute)})
	case reason == "commentsDisabled":
		return fmt.Errorf("calling %s: %w: %w", method, errCommentsDisabled, serr)
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return fmt.Errorf("calling %s: %s: %w", method, reason, creator.ErrNotFound)
	}
	if reason == "" {
		reason = e.Error.Message
	}
	return fmt.Errorf("calling %s: %w: %s", method, serr, reason)
}

// Fetch returns the channel's profile, its recent uploads with their
// counts, comments on its most-engaged videos and the commenters as the
// audience sample. The ref's ID is a channel id; without one its Handle
// ("@name") is looked up. See crawler.Source for the errors.
func (s *Source) Fetch(ctx context.Context, ref creator.Ref) (*creator.Profile, error) {
	q := url.Values{"part": {"snippet,statistics,contentDetails"}}
	name := ref.ID
	switch {
	case ref.ID != "":
		q.Set("id", ref.ID)
	case strings.TrimPrefix(ref.Handle, "@") != "":
		name = "@" + strings.TrimPrefix(ref.Handle, "@")
		q.Set("forHandle", name)
	default:
		return nil, fmt.Errorf("fetching youtube channel: %w: ref has neither id nor handle", creator.ErrInvalid)
	}
	var cr channelListResponse
	if err := s.get(ctx, "channels", q, CostOther, &cr); err != nil {
		return nil, fmt.Errorf("fetching channel %s: %w", name, err)
	}
	p, uploads, err := profileFromChannels(&cr)
	if err != nil {
		return nil, fmt.Errorf("fetching channel %s: %w", name, err)
	}
	if ref.ID != "" && p.Ref.ID != ref.ID {
		return nil, fmt.Errorf("fetching channel %s: %w: the API answered with channel %s", name, creator.ErrMalformed, p.Ref.ID)
	}
	id := p.Ref.ID
	if p.Posts, err = s.uploads(ctx, uploads); err != nil {
		return nil, fmt.Errorf("fetching videos of %s: %w", id, err)
	}
	p.Language = crawler.MainLanguage(p.Posts)
	if p.Comments, err = s.commentsOn(ctx, id, p.Posts); err != nil {
		return nil, fmt.Errorf("fetching comments on videos of %s: %w", id, err)
	}
	p.Audience = Commenters(p.Comments)
	p.AudienceKind = "commenters"
	p.FetchedAt = s.now().UTC()
	return p, nil
}

// uploads lists up to s.videos videos of the uploads playlist, newest
// first, with their statistics.
func (s *Source) uploads(ctx context.Context, playlist string) ([]creator.Post, error) {
	posts := []creator.Post{}
	if playlist == "" || s.videos == 0 {
		return posts, nil
	}
	var ids []string
	seen := map[string]bool{}
	token := ""
	for page := 0; page < maxPages && len(ids) < s.videos; page++ {
		q := url.Values{"part": {"contentDetails"}, "playlistId": {playlist}, "maxResults": {strconv.Itoa(min(pageMax, s.videos-len(ids)))}}
		if token != "" {
			q.Set("pageToken", token)
		}
		var r playlistItemListResponse
		if err := s.get(ctx, "playlistItems", q, CostOther, &r); err != nil {
			if errors.Is(err, creator.ErrNotFound) && page == 0 {
				return posts, nil // a channel without uploads has no playlist
			}
			return nil, err
		}
		for _, id := range videoIDsFrom(&r) {
			if !seen[id] && len(ids) < s.videos {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		if r.NextPageToken == "" || r.NextPageToken == token || len(r.Items) == 0 {
			break
		}
		token = r.NextPageToken
	}
	byID := map[string]creator.Post{}
	for start := 0; start < len(ids); start += pageMax {
		end := min(start+pageMax, len(ids))
		var r videoListResponse
		q := url.Values{"part": {"snippet,statistics"}, "id": {strings.Join(ids[start:end], ",")}, "maxResults": {strconv.Itoa(end - start)}}
		if err := s.get(ctx, "videos", q, CostOther, &r); err != nil {
			return nil, err
		}
		for _, p := range postsFromVideos(&r) {
			byID[p.ID] = p
		}
	}
	for _, id := range ids {
		if p, ok := byID[id]; ok { // private or deleted videos are missing
			posts = append(posts, p)
		}
	}
	return posts, nil
}

// engagement is a post's likes + replies + reposts + quotes.
func engagement(p creator.Post) int64 { return p.Likes + p.Replies + p.Reposts + p.Quotes }

// commentsOn fetches up to s.comments top-level comments on each of the
// s.commentVideos most-engaged videos that have comments.
func (s *Source) commentsOn(ctx context.Context, channelID string, posts []creator.Post) ([]creator.Comment, error) {
	idx := make([]int, 0, len(posts))
	for i, p := range posts {
		if p.Replies > 0 {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return engagement(posts[idx[a]]) > engagement(posts[idx[b]]) })
	if len(idx) > s.commentVideos {
		idx = idx[:s.commentVideos]
	}
	out := []creator.Comment{}
	if s.comments == 0 {
		return out, nil
	}
	for _, i := range idx {
		videoID := posts[i].ID
		n := 0
		token := ""
		for page := 0; page < maxPages && n < s.comments; page++ {
			q := url.Values{"part": {"snippet"}, "videoId": {videoID}, "textFormat": {"plainText"},
				"maxResults": {strconv.Itoa(min(commentsPageMax, s.comments-n))}}
			if token != "" {
				q.Set("pageToken", token)
			}
			var r commentThreadListResponse
			if err := s.get(ctx, "commentThreads", q, CostOther, &r); err != nil {
				if errors.Is(err, errCommentsDisabled) || errors.Is(err, creator.ErrNotFound) {
					break
				}
				return nil, fmt.Errorf("fetching comments on %s: %w", videoID, err)
			}
			for _, c := range commentsFromThreads(&r, channelID) {
				if n < s.comments {
					out = append(out, c)
					n++
				}
			}
			if r.NextPageToken == "" || r.NextPageToken == token || len(r.Items) == 0 {
				break
			}
			token = r.NextPageToken
		}
	}
	return out, nil
}

// Discover searches channels with search.list (type=channel), 100 quota
// units a page of up to 50, until q.Limit refs (default
// DefaultDiscoverLimit) are found, the results end or 4 pages were read.
func (s *Source) Discover(ctx context.Context, q crawler.DiscoverQuery) ([]creator.Ref, error) {
	query := strings.TrimSpace(q.Query)
	if query == "" {
		return nil, fmt.Errorf("discovering youtube channels: %w: empty query", creator.ErrInvalid)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultDiscoverLimit
	}
	refs := []creator.Ref{}
	seen := map[string]bool{}
	token := ""
	for page := 0; page < maxDiscoverPages && len(refs) < limit; page++ {
		v := url.Values{"part": {"snippet"}, "type": {"channel"}, "q": {query}, "maxResults": {strconv.Itoa(min(pageMax, limit-len(refs)))}}
		if token != "" {
			v.Set("pageToken", token)
		}
		var r searchListResponse
		if err := s.get(ctx, "search", v, CostSearch, &r); err != nil {
			return nil, fmt.Errorf("discovering youtube channels for %q: %w", query, err)
		}
		for _, ref := range refsFromSearch(&r) {
			if !seen[ref.ID] && len(refs) < limit {
				seen[ref.ID] = true
				refs = append(refs, ref)
			}
		}
		if r.NextPageToken == "" || r.NextPageToken == token || len(r.Items) == 0 {
			break
		}
		token = r.NextPageToken
	}
	return refs, nil
}
