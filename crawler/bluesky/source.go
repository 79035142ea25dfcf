package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
)

// DefaultBaseURL is the public AppView, which needs no credentials.
const DefaultBaseURL = "https://public.api.bsky.app"

// Defaults for the source's sample sizes (options "posts", "reply_posts",
// "min_threads", "comments", "min_replies", "followers", "follower_counts").
const (
	// DefaultPosts is how many recent original posts are read.
	DefaultPosts = 30
	// DefaultReplyPosts is the most posts whose replies are read (one
	// getPostThread each), the most engaged first. With 5 a crawl takes
	// 7.22 requests on average on the simulator, with 4 exactly 7; the
	// simulator's scores were the same either way.
	DefaultReplyPosts = 4
	// DefaultMinThreads is how many threads are read whatever they hold
	// (when that many posts have replies): the comment score looks for
	// pods, a few accounts commenting on most posts, among at least 4.
	DefaultMinThreads = 4
	// DefaultComments is the replies by others wanted: past
	// DefaultMinThreads, threads are read until they hold this many (or
	// DefaultReplyPosts are read). The comment score's confidence is 0.86
	// at 80.
	DefaultComments = 80
	// DefaultMinReplies is the fewest replies a post must show for its
	// thread to be read (on the simulator, skipping posts with one reply
	// lost bot commenters: AUC 0.989 against 0.991).
	DefaultMinReplies = 1
	// DefaultFollowers is how many followers are listed (getFollowers).
	DefaultFollowers = 100
	// DefaultFollowerCounts is how many of the listed followers are read
	// with their own counts (getProfiles, 25 a request), spread evenly over
	// the list; the others are scored on what getFollowers gives (name,
	// bio, avatar, age). 24 ride in one request with the creator's own
	// profile: 7 requests a crawl on the simulator (99, in three requests
	// more, make it 10). Counts are the account model's strongest inputs
	// (held out, without them its sensitivity falls from 0.37-0.74 to
	// 0.19-0.39), so the audience estimate corrects the uncounted followers
	// by how much the counts moved the counted ones (scoring.TwoPhase): on
	// audiences drawn from the labeled sets its mean is within half a
	// point of counting all 100, where leaving them uncorrected read 17-28
	// points low at 50% fake; the cost is precision, a range about twice
	// as wide and 5-11 points of RMS distance from counting all (`scout
	// eval`, "Fake share with 24 of 100"). An operator who wants the
	// narrower range sets follower_counts 99.
	DefaultFollowerCounts = 24
	// DefaultDiscoverLimit is used when a DiscoverQuery has no Limit.
	DefaultDiscoverLimit = 25

	pageMax       = 100 // getAuthorFeed, getFollowers and searchActors limit
	profilesBatch = 25  // getProfiles limit
	maxPages      = 50  // guards against a server that never ends a cursor chain
)

func init() {
	crawler.Register(creator.Bluesky, func(cfg crawler.Config) (crawler.Source, error) {
		return New(cfg)
	})
}

// Source is the Bluesky source. It is safe for concurrent use.
type Source struct {
	http         crawler.Doer
	base         *url.URL
	now          func() time.Time
	posts        int
	replyPosts   int
	wantComments int
	minThreads   int
	minReplies   int
	followers    int
	counted      int
}

var _ crawler.Source = (*Source)(nil)

// New builds a Bluesky source from cfg. cfg.HTTP is required; an empty
// BaseURL means DefaultBaseURL; options "posts", "reply_posts" and
// "followers" must be non-negative integers.
func New(cfg crawler.Config) (*Source, error) {
	if cfg.HTTP == nil {
		return nil, fmt.Errorf("building bluesky source: %w: no HTTP client", creator.ErrInvalid)
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("building bluesky source: %w: base URL %q", creator.ErrInvalid, base)
	}
	s := &Source{http: cfg.HTTP, base: u, now: cfg.Now,
		posts: DefaultPosts, replyPosts: DefaultReplyPosts, wantComments: DefaultComments, minThreads: DefaultMinThreads, minReplies: DefaultMinReplies,
		followers: DefaultFollowers, counted: DefaultFollowerCounts}
	if s.now == nil {
		s.now = time.Now
	}
	if err := cfg.IntOptions(map[string]*int{"posts": &s.posts, "reply_posts": &s.replyPosts, "comments": &s.wantComments, "min_threads": &s.minThreads,
		"min_replies": &s.minReplies, "followers": &s.followers, "follower_counts": &s.counted}); err != nil {
		return nil, fmt.Errorf("building bluesky source: %w", err)
	}
	return s, nil
}

// Name returns creator.Bluesky.
func (s *Source) Name() string { return creator.Bluesky }

// Policy returns the source's declared policy: 3000 requests per 5 minutes
// (10 per second), the !no-unauthenticated label honoured, no retention
// limit, scoring allowed.
func (s *Source) Policy() crawler.Policy {
	return crawler.Policy{
		RatePerSecond:  10,
		Burst:          10,
		OptOutSignals:  []string{"label:" + LabelNoUnauthenticated},
		Retention:      0,
		ScoringAllowed: true,
		Terms:          "https://bsky.social/about/support/tos",
	}
}

// get fetches u into v. An XRPC error the AppView answered with (a 400
// whose body names "NotFound", "AccountTakedown", ...) is classified by
// xrpcErr and wrapped around the client's error, so a deleted post or a
// suspended account reads as creator.ErrNotFound rather than a failure.
func (s *Source) get(ctx context.Context, u *url.URL, v any) error {
	err := s.http.GetJSON(ctx, u, v)
	var se *fetch.StatusError
	if err == nil || !errors.As(err, &se) || se.StatusCode < 400 || se.StatusCode > 499 {
		return err
	}
	var e xrpcError
	if json.Unmarshal(se.Body, &e) != nil || e.Error == "" {
		return err
	}
	return fmt.Errorf("%w (status %d)", xrpcErr(e), se.StatusCode)
}

func (s *Source) endpoint(method string, q url.Values) *url.URL {
	u := *s.base
	u.Path = strings.TrimRight(u.Path, "/") + "/xrpc/" + method
	u.RawQuery = q.Encode()
	return &u
}

// Discover pages through searchActors until q.Limit refs (default
// DefaultDiscoverLimit) are found or the results end. Opted-out accounts are
// left out; each account appears once.
func (s *Source) Discover(ctx context.Context, q crawler.DiscoverQuery) ([]creator.Ref, error) {
	query := strings.TrimSpace(q.Query)
	if query == "" {
		return nil, fmt.Errorf("discovering bluesky creators: %w: empty query", creator.ErrInvalid)
	}
	return crawler.PageRefs(q.Limit, DefaultDiscoverLimit, maxPages, func(cursor string, want int) ([]creator.Ref, string, error) {
		v := url.Values{"q": {query}, "limit": {strconv.Itoa(min(pageMax, want))}}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		var r searchActorsResponse
		if err := s.get(ctx, s.endpoint("app.bsky.actor.searchActors", v), &r); err != nil {
			return nil, "", fmt.Errorf("discovering bluesky creators for %q: %w", query, err)
		}
		got, next, err := refsFromSearch(&r)
		if err != nil {
			return nil, "", fmt.Errorf("discovering bluesky creators for %q: %w", query, err)
		}
		if len(*r.Actors) == 0 {
			next = "" // an empty page ends the results whatever its cursor
		}
		return got, next, nil
	})
}

// Fetch returns the creator's profile, recent posts, replies on its
// most-engaged posts and a follower sample. See crawler.Source for the
// errors.
func (s *Source) Fetch(ctx context.Context, ref creator.Ref) (*creator.Profile, error) {
	actor := ref.ID
	if actor == "" {
		actor = strings.TrimPrefix(ref.Handle, "@")
	}
	if actor == "" {
		return nil, fmt.Errorf("fetching bluesky profile: %w: ref has neither id nor handle", creator.ErrInvalid)
	}
	if !validActor(actor) {
		return nil, fmt.Errorf("fetching profile %q: %w: not a handle or DID", actor, creator.ErrInvalid)
	}
	smp := &creator.Sample{}
	var p *creator.Profile
	var aud []creator.Account
	var err error
	if strings.HasPrefix(actor, "did:") {
		if p, aud, err = s.profileAndAudience(ctx, actor, smp); err != nil {
			return nil, err
		}
	}
	if p == nil {
		if p, err = s.profile(ctx, actor); err != nil {
			return nil, fmt.Errorf("fetching profile %s: %w", actor, err)
		}
	}
	if OptedOut(p) {
		return nil, fmt.Errorf("fetching profile %s: %w: labelled %s", actor, creator.ErrOptedOut, LabelNoUnauthenticated)
	}
	did := p.Ref.ID
	if p.Posts, err = s.authorFeed(ctx, did); err != nil {
		return nil, fmt.Errorf("fetching posts of %s: %w", did, err)
	}
	smp.Posts = len(p.Posts)
	p.Language = crawler.MainLanguage(p.Posts)
	if p.Comments, err = s.comments(ctx, did, p.Posts, smp); err != nil {
		return nil, fmt.Errorf("fetching replies to %s: %w", did, err)
	}
	if aud == nil {
		if aud, err = s.audience(ctx, did, smp); err != nil {
			return nil, fmt.Errorf("fetching followers of %s: %w", did, err)
		}
	}
	p.Audience = aud
	p.AudienceKind = "followers"
	p.Sample = smp
	p.FetchedAt = s.now().UTC()
	return p, nil
}

// validActor reports whether s is a DID or a handle by the AT Protocol's
// syntax rules (validRef's, which ValidateRef applies to every submission), so
// that a typo is an invalid request rather than a request the AppView
// refuses.
func validActor(s string) bool {
	return s != "" && validRef("handle", s)
}

// profile fetches one profile. The AppView answers an unknown actor with
// 400 InvalidRequest "Profile not found"; depending on the Doer that shows
// as a *fetch.StatusError holding that body (classified by get), an error
// that only says 400, or an error body decoded into the response (caught
// by checkXRPC). When getProfile fails
// with anything but a not-found, rate-limit, policy or size error, the
// actor is looked up once through getProfiles, which answers 200 with no
// profile for an unknown actor.
func (s *Source) profile(ctx context.Context, actor string) (*creator.Profile, error) {
	var r profileResponse
	err := s.get(ctx, s.endpoint("app.bsky.actor.getProfile", url.Values{"actor": {actor}}), &r)
	if err == nil {
		if err := checkXRPC(r.xrpcError); err != nil {
			return nil, err
		}
		return profileFromView(&r.profileView)
	}
	if errors.Is(err, creator.ErrNotFound) || errors.Is(err, creator.ErrRateLimited) ||
		errors.Is(err, creator.ErrForbidden) || errors.Is(err, creator.ErrTooLarge) ||
		errors.Is(err, creator.ErrMalformed) || ctx.Err() != nil {
		return nil, err
	}
	if isNotFoundMessage("", err.Error()) {
		return nil, fmt.Errorf("%w: %w", creator.ErrNotFound, err)
	}
	var pr profilesResponse
	if err2 := s.get(ctx, s.endpoint("app.bsky.actor.getProfiles", url.Values{"actors": {actor}}), &pr); err2 != nil {
		return nil, err
	}
	views, err2 := profilesFromResponse(&pr)
	if err2 != nil {
		return nil, err
	}
	if len(views) == 0 {
		return nil, fmt.Errorf("%w: %w", creator.ErrNotFound, err)
	}
	return profileFromView(&views[0])
}

func (s *Source) authorFeed(ctx context.Context, did string) ([]creator.Post, error) {
	posts := []creator.Post{}
	seen := map[string]bool{}
	cursor := ""
	for page := 0; page < maxPages && len(posts) < s.posts; page++ {
		// Reposts share the feed with the creator's own posts: ask for
		// twice what is missing, so that a second page is needed only
		// when the sample is still short.
		want := s.posts - len(posts)
		v := url.Values{"actor": {did}, "filter": {"posts_no_replies"},
			"limit": {strconv.Itoa(min(pageMax, max(2*want, want+10)))}}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		var r authorFeedResponse
		if err := s.get(ctx, s.endpoint("app.bsky.feed.getAuthorFeed", v), &r); err != nil {
			return nil, err
		}
		got, next, err := postsFromFeed(&r, did)
		if err != nil {
			return nil, err
		}
		for _, p := range got {
			if !seen[p.ID] && len(posts) < s.posts {
				seen[p.ID] = true
				posts = append(posts, p)
			}
		}
		if next == "" || next == cursor || len(*r.Feed) == 0 {
			break
		}
		cursor = next
	}
	return posts, nil
}

// engagement is a post's likes + replies + reposts + quotes.
func engagement(p creator.Post) int64 { return p.Likes + p.Replies + p.Reposts + p.Quotes }

// comments reads the replies on the creator's most engaged posts with at
// least minReplies replies: minThreads of them, then more until the
// replies by others reach s.wantComments or replyPosts threads are read
// (threads past the wanted sample barely move the scores).
func (s *Source) comments(ctx context.Context, did string, posts []creator.Post, smp *creator.Sample) ([]creator.Comment, error) {
	idx := make([]int, 0, len(posts))
	for i, p := range posts {
		if p.Replies >= int64(max(s.minReplies, 1)) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		return engagement(posts[idx[a]]) > engagement(posts[idx[b]])
	})
	out := []creator.Comment{}
	others := 0
	for _, i := range idx {
		if smp.Threads >= s.replyPosts || (smp.Threads >= s.minThreads && others >= s.wantComments) {
			break
		}
		var r threadResponse
		u := s.endpoint("app.bsky.feed.getPostThread", url.Values{"uri": {posts[i].ID}, "depth": {"1"}, "parentHeight": {"0"}})
		smp.Threads++
		if err := s.get(ctx, u, &r); err != nil {
			if errors.Is(err, creator.ErrNotFound) {
				continue // deleted since the feed listed it
			}
			return nil, fmt.Errorf("fetching thread %s: %w", posts[i].ID, err)
		}
		cs, err := commentsFromThread(&r, did)
		if errors.Is(err, creator.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("fetching thread %s: %w", posts[i].ID, err)
		}
		for _, c := range cs {
			if c.Author.ID != did {
				others++
			}
		}
		out = append(out, cs...)
	}
	smp.RepliedPosts, smp.Comments = len(idx), others
	return out, nil
}

// listFollowers lists up to s.followers followers of did, newest first
// as the AppView lists them, and returns the subject the AppView
// described with them (did's own profile view, nil when absent).
func (s *Source) listFollowers(ctx context.Context, did string) ([]profileView, *profileView, error) {
	var views []profileView
	var subject *profileView
	seen := map[string]bool{}
	cursor := ""
	for page := 0; page < maxPages && len(views) < s.followers; page++ {
		v := url.Values{"actor": {did}, "limit": {strconv.Itoa(min(pageMax, s.followers-len(views)))}}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		var r followersResponse
		if err := s.get(ctx, s.endpoint("app.bsky.graph.getFollowers", v), &r); err != nil {
			return nil, nil, err
		}
		got, next, err := followersFromResponse(&r)
		if err != nil {
			return nil, nil, err
		}
		if subject == nil {
			subject = r.Subject
		}
		for _, f := range got {
			if !seen[f.DID] && len(views) < s.followers {
				seen[f.DID] = true
				views = append(views, f)
			}
		}
		if next == "" || next == cursor || len(*r.Followers) == 0 {
			break
		}
		cursor = next
	}
	return views, subject, nil
}

// countFollowers reads s.counted of views with their counts through
// getProfiles, 25 a request: a systematic sample spread evenly over the
// list (newest to oldest), so that which followers are counted has nothing
// to do with what they are, as the audience estimate's two-phase
// correction needs (scoring.TwoPhase). self, when not empty, rides in the
// first request (the creator's own profile) and is returned apart.
func (s *Source) countFollowers(ctx context.Context, views []profileView, self string) (map[string]*profileView, *profileView, error) {
	actors := make([]string, 0, s.counted+1)
	if self != "" {
		actors = append(actors, self)
	}
	for _, i := range countedIndexes(len(views), s.counted) {
		if views[i].DID != self {
			actors = append(actors, views[i].DID)
		}
	}
	detailed := map[string]*profileView{}
	var own *profileView
	for start := 0; start < len(actors); start += profilesBatch {
		v := url.Values{"actors": actors[start:min(start+profilesBatch, len(actors))]}
		var r profilesResponse
		if err := s.get(ctx, s.endpoint("app.bsky.actor.getProfiles", v), &r); err != nil {
			return nil, nil, fmt.Errorf("fetching follower profiles: %w", err)
		}
		got, err := profilesFromResponse(&r)
		if err != nil {
			return nil, nil, fmt.Errorf("fetching follower profiles: %w", err)
		}
		for i := range got {
			if self != "" && got[i].DID == self {
				own = &got[i]
				continue
			}
			detailed[got[i].DID] = &got[i]
		}
	}
	return detailed, own, nil
}

// countedIndexes returns k of the indexes 0..n-1 spread evenly over them
// (all n when k >= n): index j*n/k for j below k.
func countedIndexes(n, k int) []int {
	k = min(max(k, 0), n)
	out := make([]int, k)
	for j := range out {
		out[j] = j * n / k
	}
	return out
}

// accounts is the audience sample: views completed with the counts read,
// opted-out accounts left out. A follower getProfiles did not return
// (deleted, taken down) keeps what getFollowers said, its counts unknown.
func accounts(views []profileView, detailed map[string]*profileView, smp *creator.Sample) []creator.Account {
	smp.Followers, smp.Counted = len(views), len(detailed)
	out := make([]creator.Account, 0, len(views))
	for i := range views {
		if optedOut(views[i].Labels) {
			continue
		}
		if d, ok := detailed[views[i].DID]; ok {
			if optedOut(d.Labels) {
				continue
			}
			out = append(out, accountFromView(d, true))
			continue
		}
		out = append(out, accountFromView(&views[i], false))
	}
	return out
}

// audience samples s.followers followers of did and completes s.counted of
// them, spread over the list, with their counts.
func (s *Source) audience(ctx context.Context, did string, smp *creator.Sample) ([]creator.Account, error) {
	views, _, err := s.listFollowers(ctx, did)
	if err != nil {
		return nil, err
	}
	detailed, _, err := s.countFollowers(ctx, views, "")
	if err != nil {
		return nil, err
	}
	return accounts(views, detailed, smp), nil
}

// profileAndAudience serves a crawl by DID in fewer requests: the
// followers first (their subject carries the creator's labels, so an
// opted-out creator is refused before anything else is read), then the
// creator's profile in the first getProfiles batch of its followers'
// counts. It returns a nil profile when that did not work out (an error
// the AppView answers getProfile more clearly for, a profile missing from
// getProfiles), for the caller to ask getProfile; the audience is kept
// when it was read.
func (s *Source) profileAndAudience(ctx context.Context, did string, smp *creator.Sample) (*creator.Profile, []creator.Account, error) {
	views, subject, err := s.listFollowers(ctx, did)
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, creator.ErrRateLimited) || errors.Is(err, creator.ErrForbidden) || errors.Is(err, creator.ErrTooLarge) {
			return nil, nil, err
		}
		return nil, nil, nil
	}
	if subject != nil && optedOut(subject.Labels) {
		return nil, nil, fmt.Errorf("fetching profile %s: %w: labelled %s", did, creator.ErrOptedOut, LabelNoUnauthenticated)
	}
	detailed, own, err := s.countFollowers(ctx, views, did)
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, creator.ErrRateLimited) || errors.Is(err, creator.ErrForbidden) {
			return nil, nil, err
		}
		return nil, nil, nil
	}
	aud := accounts(views, detailed, smp)
	if own == nil {
		return nil, aud, nil
	}
	p, err := profileFromView(own)
	if err != nil {
		return nil, aud, nil
	}
	return p, aud, nil
}
