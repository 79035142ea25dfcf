package mastodon

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

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
)

// Defaults for the source's options and the API's page limits.
const (
	DefaultPosts      = 40
	DefaultReplyPosts = 5
	DefaultFollowers  = 80
	// DefaultDiscoverLimit is used when a DiscoverQuery has no Limit.
	DefaultDiscoverLimit = 25

	statusesPageMax  = 40 // /api/v1/accounts/:id/statuses limit
	followersPageMax = 80 // /api/v1/accounts/:id/followers limit
	directoryPageMax = 80 // /api/v1/directory limit
	searchPageMax    = 40 // /api/v2/search limit
	maxPages         = 10 // guards against a Link chain or directory that never ends
)

// Rate limit of every instance: 300 requests per 5 minutes per IP.
const (
	RatePerSecond = 1.0
	Burst         = 10
)

// TermsURL says where an instance's terms are: each instance has its own,
// at /terms-of-service (also announced in /api/v2/instance as
// configuration.urls.terms_of_service).
const TermsURL = "https://{instance}/terms-of-service"

func init() {
	crawler.Register(creator.Mastodon, func(cfg crawler.Config) (crawler.Source, error) {
		return New(cfg)
	})
}

// responseDoer is the part of *fetch.Client that returns response headers,
// which the source needs to follow Link pagination.
type responseDoer interface {
	Do(req *http.Request) (*fetch.Response, error)
}

// hostSetter is the part of *fetch.Client that sets a host's rate limit.
type hostSetter interface {
	SetHost(host string, p fetch.HostPolicy)
}

// Source is the Mastodon source. It is safe for concurrent use.
type Source struct {
	http       crawler.Doer
	do         responseDoer // nil: no Link pagination, one page of each list
	hosts      hostSetter   // nil: per-instance rate limits left to the client's default
	base       *url.URL     // nil: https://<instance>
	now        func() time.Time
	instances  *InstancePolicy
	discoverOn []string
	posts      int
	replyPosts int
	followers  int

	limitedMu sync.Mutex
	limited   map[string]bool
}

var _ crawler.Source = (*Source)(nil)

// New builds a Mastodon source from cfg. cfg.HTTP is required; when it
// also has Do (as *fetch.Client does) lists are paged through the Link
// header, otherwise only their first page is read. An empty BaseURL means
// each account's home instance over HTTPS; a BaseURL stands in for every
// instance (tests). See the package documentation for the options.
func New(cfg crawler.Config) (*Source, error) {
	if cfg.HTTP == nil {
		return nil, fmt.Errorf("building mastodon source: %w: no HTTP client", creator.ErrInvalid)
	}
	s := &Source{http: cfg.HTTP, now: cfg.Now, limited: map[string]bool{},
		posts: DefaultPosts, replyPosts: DefaultReplyPosts, followers: DefaultFollowers}
	if s.now == nil {
		s.now = time.Now
	}
	if d, ok := cfg.HTTP.(responseDoer); ok {
		s.do = d
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("building mastodon source: %w: base URL %q", creator.ErrInvalid, cfg.BaseURL)
		}
		s.base = u
	} else if h, ok := cfg.HTTP.(hostSetter); ok {
		s.hosts = h
	}
	var err error
	if s.instances, err = NewInstancePolicy(cfg.Options["instances_allow"], cfg.Options["instances_deny"]); err != nil {
		return nil, fmt.Errorf("building mastodon source: %w", err)
	}
	for _, item := range strings.Split(cfg.Options["discover_instances"], ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		inst, err := normalizeInstance(item)
		if err != nil {
			return nil, fmt.Errorf("building mastodon source: reading option discover_instances: %w", err)
		}
		s.discoverOn = append(s.discoverOn, inst)
	}
	if err := cfg.IntOptions(map[string]*int{"posts": &s.posts, "reply_posts": &s.replyPosts, "followers": &s.followers}); err != nil {
		return nil, fmt.Errorf("building mastodon source: %w", err)
	}
	return s, nil
}

// Name returns creator.Mastodon.
func (s *Source) Name() string { return creator.Mastodon }

// Policy returns the source's declared policy: 1 request per second with
// bursts of 10 per instance (300 per 5 minutes), the noindex, discoverable,
// indexable, #nobot, #noindex (in the bio or a profile field) and
// hide_collections signals honoured, no retention
// limit, scoring allowed, terms per instance.
func (s *Source) Policy() crawler.Policy {
	return crawler.Policy{
		RatePerSecond:  RatePerSecond,
		Burst:          Burst,
		OptOutSignals:  []string{SignalNoindex, SignalNotDiscoverable, SignalNotIndexable, SignalNobot, SignalNoindexTag, SignalHideCollections},
		Retention:      0,
		ScoringAllowed: true,
		Terms:          TermsURL,
	}
}

// Allowed reports whether the operator's instance policy lets the source
// talk to instance, and if not, why.
func (s *Source) Allowed(instance string) (bool, string) { return s.instances.Allowed(instance) }

// endpoint returns the URL of path on instance.
func (s *Source) endpoint(instance, path string, q url.Values) *url.URL {
	var u url.URL
	if s.base != nil {
		u = *s.base
	} else {
		u = url.URL{Scheme: "https", Host: instance}
	}
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawQuery = q.Encode()
	return &u
}

// limit sets the per-instance rate limit on the outbound client the first
// time the source talks to an instance.
func (s *Source) limit(instance string) {
	if s.hosts == nil {
		return
	}
	s.limitedMu.Lock()
	defer s.limitedMu.Unlock()
	if s.limited[instance] {
		return
	}
	s.limited[instance] = true
	s.hosts.SetHost(instance, s.Policy().Host())
}

// get fetches u on instance and decodes its JSON body into v. It returns
// the URL of the next page announced by the Link header, if any.
func (s *Source) get(ctx context.Context, instance string, u *url.URL, v any) (*url.URL, error) {
	if err := s.instances.check(instance); err != nil {
		return nil, err
	}
	s.limit(instance)
	if s.do == nil {
		return nil, s.http.GetJSON(ctx, u, v)
	}
	req, err := http.NewRequestWithContext(fetch.WithRobotsCheck(ctx, false), http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w: %v", u.Redacted(), creator.ErrInvalid, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.do.Do(req)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, fmt.Errorf("fetching %s: %w", u.Redacted(), creator.ErrNotFound)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		serr := &fetch.StatusError{StatusCode: resp.StatusCode, URL: u.Redacted()}
		var e apiError
		if json.Unmarshal(resp.Body, &e) == nil && e.Error != "" {
			return nil, fmt.Errorf("fetching %s: %w: %s", u.Redacted(), serr, e.Error)
		}
		return nil, fmt.Errorf("fetching %s: %w", u.Redacted(), serr)
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return nil, fmt.Errorf("decoding %s: %w: %v", u.Redacted(), creator.ErrMalformed, err)
	}
	return nextLink(resp.Header, u), nil
}

// nextLink returns the rel="next" target of the Link header when it stays
// on cur's scheme and host, else nil.
func nextLink(h http.Header, cur *url.URL) *url.URL {
	for _, v := range h.Values("Link") {
		for _, part := range strings.Split(v, ",") {
			target, params, ok := strings.Cut(part, ";")
			if !ok {
				continue
			}
			target = strings.TrimSpace(target)
			if !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			next := false
			for _, p := range strings.Split(params, ";") {
				k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(strings.TrimSpace(k), "rel") {
					for _, r := range strings.Fields(strings.Trim(strings.TrimSpace(val), `"`)) {
						if strings.EqualFold(r, "next") {
							next = true
						}
					}
				}
			}
			if !next {
				continue
			}
			u, err := cur.Parse(target[1 : len(target)-1])
			if err != nil || u.Scheme != cur.Scheme || !strings.EqualFold(u.Host, cur.Host) {
				return nil
			}
			return u
		}
	}
	return nil
}

// Fetch returns the creator's profile, recent original posts, replies on
// its most-engaged posts and a follower sample (none when the account
// hides its collections). The ref's ID or Handle is "user@instance". A
// denied instance gives an error wrapping creator.ErrForbidden before any
// request; an account that opted out, creator.ErrOptedOut. See
// crawler.Source for the other errors.
func (s *Source) Fetch(ctx context.Context, ref creator.Ref) (*creator.Profile, error) {
	raw := ref.ID
	if raw == "" {
		raw = ref.Handle
	}
	user, instance, err := SplitAcct(raw)
	if err != nil {
		return nil, fmt.Errorf("fetching mastodon profile: %w", err)
	}
	acct := user + "@" + instance
	if err := s.instances.check(instance); err != nil {
		return nil, fmt.Errorf("fetching profile %s: %w", acct, err)
	}
	var a account
	if _, err := s.get(ctx, instance, s.endpoint(instance, "/api/v1/accounts/lookup", url.Values{"acct": {user}}), &a); err != nil {
		return nil, fmt.Errorf("fetching profile %s: %w", acct, err)
	}
	p, err := profileFromAccount(&a, instance)
	if err != nil {
		return nil, fmt.Errorf("fetching profile %s: %w", acct, err)
	}
	if p.Ref.ID != acct {
		return nil, fmt.Errorf("fetching profile %s: %w: the instance answered with account %s", acct, creator.ErrMalformed, p.Ref.ID)
	}
	if p.Posts, err = s.statuses(ctx, instance, a.ID); err != nil {
		return nil, fmt.Errorf("fetching statuses of %s: %w", acct, err)
	}
	p.Language = crawler.MainLanguage(p.Posts)
	if p.Comments, err = s.comments(ctx, instance, a.ID, p.Posts); err != nil {
		return nil, fmt.Errorf("fetching replies to %s: %w", acct, err)
	}
	if a.HideCollections == nil || !*a.HideCollections {
		if p.Audience, err = s.audience(ctx, instance, a.ID); err != nil {
			return nil, fmt.Errorf("fetching followers of %s: %w", acct, err)
		}
		p.AudienceKind = "followers"
	}
	p.FetchedAt = s.now().UTC()
	return p, nil
}

func (s *Source) statuses(ctx context.Context, instance, id string) ([]creator.Post, error) {
	posts := []creator.Post{}
	if s.posts == 0 {
		return posts, nil
	}
	seen := map[string]bool{}
	u := s.endpoint(instance, "/api/v1/accounts/"+url.PathEscape(id)+"/statuses",
		url.Values{"limit": {strconv.Itoa(min(statusesPageMax, s.posts))}, "exclude_reblogs": {"true"}})
	for page := 0; u != nil && page < maxPages && len(posts) < s.posts; page++ {
		var sts []status
		next, err := s.get(ctx, instance, u, &sts)
		if err != nil {
			return nil, err
		}
		for _, p := range postsFromStatuses(sts, id) {
			if !seen[p.ID] && len(posts) < s.posts {
				seen[p.ID] = true
				posts = append(posts, p)
			}
		}
		if len(sts) == 0 {
			break
		}
		u = next
	}
	return posts, nil
}

// engagement is a post's likes + replies + reposts + quotes.
func engagement(p creator.Post) int64 { return p.Likes + p.Replies + p.Reposts + p.Quotes }

// comments fetches the replies on the replyPosts most-engaged posts that
// have any replies.
func (s *Source) comments(ctx context.Context, instance, id string, posts []creator.Post) ([]creator.Comment, error) {
	idx := make([]int, 0, len(posts))
	for i, p := range posts {
		if p.Replies > 0 {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return engagement(posts[idx[a]]) > engagement(posts[idx[b]]) })
	if len(idx) > s.replyPosts {
		idx = idx[:s.replyPosts]
	}
	out := []creator.Comment{}
	for _, i := range idx {
		var c statusContext
		u := s.endpoint(instance, "/api/v1/statuses/"+url.PathEscape(posts[i].ID)+"/context", nil)
		if _, err := s.get(ctx, instance, u, &c); err != nil {
			if errors.Is(err, creator.ErrNotFound) {
				continue // deleted since it was listed
			}
			return nil, fmt.Errorf("fetching context of %s: %w", posts[i].ID, err)
		}
		out = append(out, commentsFromContext(&c, posts[i].ID, id, instance)...)
	}
	return out, nil
}

// audience samples up to s.followers followers, newest first as the
// instance lists them, following the Link header. Followers that opted
// out are left out.
func (s *Source) audience(ctx context.Context, instance, id string) ([]creator.Account, error) {
	out := []creator.Account{}
	if s.followers == 0 {
		return out, nil
	}
	seen := map[string]bool{}
	u := s.endpoint(instance, "/api/v1/accounts/"+url.PathEscape(id)+"/followers",
		url.Values{"limit": {strconv.Itoa(min(followersPageMax, s.followers))}})
	for page := 0; u != nil && page < maxPages && len(out) < s.followers; page++ {
		var as []account
		next, err := s.get(ctx, instance, u, &as)
		if err != nil {
			return nil, err
		}
		for _, a := range accountsFrom(as, instance) {
			if !seen[a.ID] && len(out) < s.followers {
				seen[a.ID] = true
				out = append(out, a)
			}
		}
		if len(as) == 0 {
			break
		}
		u = next
	}
	return out, nil
}

// parseQuery splits a discovery query into its search terms and the
// instances it names with "instance:<domain>" tokens.
func parseQuery(q string) (terms string, instances []string, err error) {
	var words []string
	for _, w := range strings.Fields(q) {
		if len(w) > len("instance:") && strings.EqualFold(w[:len("instance:")], "instance:") {
			inst, err := normalizeInstance(w[len("instance:"):])
			if err != nil {
				return "", nil, err
			}
			instances = append(instances, inst)
			continue
		}
		words = append(words, w)
	}
	return strings.Join(words, " "), instances, nil
}

// Discover finds creators on the instances the query names
// ("instance:art.example" tokens) or, when it names none, on the
// "discover_instances". The rest of the query is searched for with
// /api/v2/search (type=accounts, no resolve); a query of instances only
// lists their profile directories (order=active, local=true). Only
// discoverable accounts that did not opt out, whose home instance is
// allowed, are returned, each once, up to q.Limit (default
// DefaultDiscoverLimit). A denied instance gives an error wrapping
// creator.ErrForbidden before any request is sent.
func (s *Source) Discover(ctx context.Context, q crawler.DiscoverQuery) ([]creator.Ref, error) {
	terms, instances, err := parseQuery(q.Query)
	if err != nil {
		return nil, fmt.Errorf("discovering mastodon creators: %w", err)
	}
	if len(instances) == 0 {
		instances = s.discoverOn
	}
	if len(instances) == 0 {
		return nil, fmt.Errorf("discovering mastodon creators: %w: no instance to discover on: name one with instance:<domain> in the query or set the discover_instances option", creator.ErrInvalid)
	}
	for _, inst := range instances {
		if err := s.instances.check(inst); err != nil {
			return nil, fmt.Errorf("discovering mastodon creators on %s: %w", inst, err)
		}
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultDiscoverLimit
	}
	refs := []creator.Ref{}
	seen := map[string]bool{}
	add := func(got []creator.Ref) {
		for _, r := range got {
			if seen[r.ID] || len(refs) >= limit {
				continue
			}
			_, home, err := SplitAcct(r.ID)
			if err != nil {
				continue
			}
			if ok, _ := s.instances.Allowed(home); !ok {
				continue
			}
			seen[r.ID] = true
			refs = append(refs, r)
		}
	}
	for _, inst := range instances {
		if len(refs) >= limit {
			break
		}
		if terms == "" {
			err = s.directory(ctx, inst, limit, func(got []creator.Ref) int { add(got); return len(refs) })
		} else {
			err = s.search(ctx, inst, terms, add)
		}
		if err != nil {
			return nil, err
		}
	}
	return refs, nil
}

// directory pages through inst's profile directory by offset until found
// reports limit refs or the directory ends.
func (s *Source) directory(ctx context.Context, inst string, limit int, found func([]creator.Ref) int) error {
	offset := 0
	for page := 0; page < maxPages; page++ {
		n := directoryPageMax
		u := s.endpoint(inst, "/api/v1/directory", url.Values{"order": {"active"}, "local": {"true"},
			"limit": {strconv.Itoa(n)}, "offset": {strconv.Itoa(offset)}})
		var as []account
		if _, err := s.get(ctx, inst, u, &as); err != nil {
			if errors.Is(err, creator.ErrNotFound) {
				return fmt.Errorf("listing the profile directory of %s: the instance has turned its directory off: %w", inst, err)
			}
			return fmt.Errorf("listing the profile directory of %s: %w", inst, err)
		}
		if found(refsFrom(as, inst)) >= limit || len(as) < n {
			return nil
		}
		offset += len(as)
	}
	return nil
}

// search asks inst's account search for terms, one page (the API needs
// authentication for offsets), without resolving remote accounts.
func (s *Source) search(ctx context.Context, inst, terms string, found func([]creator.Ref)) error {
	u := s.endpoint(inst, "/api/v2/search", url.Values{"q": {terms}, "type": {"accounts"},
		"resolve": {"false"}, "limit": {strconv.Itoa(searchPageMax)}})
	var r searchResults
	if _, err := s.get(ctx, inst, u, &r); err != nil {
		return fmt.Errorf("searching %s for %q: %w", inst, terms, err)
	}
	found(refsFrom(r.Accounts, inst))
	return nil
}
