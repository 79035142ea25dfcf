package bluesky_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/bluesky"
	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/sim"
)

// realDoer is the project's outbound client (crawler/fetch), allowed to
// reach the loopback test servers, without rate limits or retries.
func realDoer(t testing.TB) crawler.Doer {
	t.Helper()
	loopback, err := fetch.ParseNets("127.0.0.0/8,::1/128")
	if err != nil {
		t.Fatal(err)
	}
	c, err := fetch.New(fetch.WithAllowNets(loopback...), fetch.WithRetries(0, 0),
		fetch.WithDefaultHostPolicy(fetch.HostPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testDoer is a tiny test-only crawler.Doer over net/http, for the cases the
// real client (crawler/fetch) does not cover. Strict mode reports non-2xx
// answers as errors (404 wrapping creator.ErrNotFound, 429
// creator.ErrRateLimited, anything else a plain error); lax mode decodes
// every body whatever its status, as a careless client would. The source
// must find "Profile not found" either way.
type testDoer struct {
	client *http.Client
	lax    bool
}

func (d testDoer) GetJSON(ctx context.Context, u *url.URL, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	c := d.client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if !d.lax {
		switch {
		case resp.StatusCode == http.StatusNotFound:
			return fmt.Errorf("getting %s: %w", u.Path, creator.ErrNotFound)
		case resp.StatusCode == http.StatusTooManyRequests:
			return fmt.Errorf("getting %s: %w", u.Path, creator.ErrRateLimited)
		case resp.StatusCode/100 != 2:
			return fmt.Errorf("getting %s: status %d", u.Path, resp.StatusCode)
		}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decoding %s: %w: %v", u.Path, creator.ErrMalformed, err)
	}
	return nil
}

type env struct {
	world *sim.World
	src   *bluesky.Source
	now   time.Time
}

func newEnv(t *testing.T, lax bool, opts map[string]string) *env {
	t.Helper()
	return newEnvWith(t, func(srv *httptest.Server) crawler.Doer {
		if lax {
			return testDoer{client: srv.Client(), lax: true}
		}
		return realDoer(t)
	}, opts)
}

// newEnvWith serves a fresh simulated world and builds a source on it with
// the Doer mk returns and the given options.
func newEnvWith(t *testing.T, mk func(*httptest.Server) crawler.Doer, opts map[string]string) *env {
	t.Helper()
	w := sim.New(sim.Config{Seed: 7, Creators: 500})
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(srv.Close)
	now := w.Now()
	src, err := bluesky.New(crawler.Config{
		HTTP: mk(srv), BaseURL: srv.URL, Options: opts,
		Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	return &env{world: w, src: src, now: now}
}

func TestFetchFromSimulator(t *testing.T) {
	e := newEnv(t, false, nil)
	truth, _ := e.world.Creator(sim.HandleSteady)
	p, err := e.src.Fetch(context.Background(), creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleSteady})
	if err != nil {
		t.Fatal(err)
	}
	followers, _ := e.world.Followers(sim.HandleSteady, e.now)
	type summary struct {
		Ref                 creator.Ref
		Followers           int64
		Posts, Audience     int
		AudienceKind, Lang  string
		FetchedAt           time.Time
		AllOwn, NewestFirst bool
		CountsKnown         bool
		Commented           bool
	}
	got := summary{
		Ref: p.Ref, Followers: p.Followers, Posts: len(p.Posts), Audience: len(p.Audience),
		AudienceKind: p.AudienceKind, Lang: p.Language, FetchedAt: p.FetchedAt,
		AllOwn: true, NewestFirst: true, CountsKnown: true, Commented: len(p.Comments) > 0,
	}
	for i, post := range p.Posts {
		if !strings.HasPrefix(post.ID, "at://"+truth.DID+"/") {
			got.AllOwn = false
		}
		if i > 0 && post.CreatedAt.After(p.Posts[i-1].CreatedAt) {
			got.NewestFirst = false
		}
	}
	// DefaultFollowerCounts followers spread evenly over the list (every
	// 100/24th: 0, 4, 8, 12, 16, 20, 25, ...) are read with their counts,
	// the others as getFollowers lists them.
	counted := map[int]bool{}
	for j := range bluesky.DefaultFollowerCounts {
		counted[j*len(p.Audience)/bluesky.DefaultFollowerCounts] = true
	}
	if len(counted) != bluesky.DefaultFollowerCounts || !counted[0] || counted[1] || !counted[4] || counted[24] || !counted[25] {
		t.Fatalf("the expected counted followers %v are not spread as the source spreads them", counted)
	}
	for i, a := range p.Audience {
		known := a.Followers != nil && a.Following != nil && a.Posts != nil && a.Bio != nil
		if known != counted[i] {
			got.CountsKnown = false
		}
	}
	want := summary{
		Ref:       creator.Ref{Platform: creator.Bluesky, ID: truth.DID, Handle: sim.HandleSteady},
		Followers: followers, Posts: bluesky.DefaultPosts, Audience: bluesky.DefaultFollowers,
		AudienceKind: "followers", Lang: "en", FetchedAt: e.now,
		AllOwn: true, NewestFirst: true, CountsKnown: true, Commented: true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Fetch (-want +got):\n%s", diff)
	}
	// What was sampled is said, and threads stop once enough replies are in.
	others := 0
	for _, c := range p.Comments {
		if c.Author.ID != truth.DID {
			others++
		}
	}
	sm := p.Sample
	if sm == nil || sm.Posts != len(p.Posts) || sm.Followers != len(p.Audience) || sm.Counted != bluesky.DefaultFollowerCounts ||
		sm.Comments != others || sm.Threads < 1 || sm.Threads > bluesky.DefaultReplyPosts || sm.RepliedPosts < sm.Threads {
		t.Errorf("sample %+v does not match the profile (%d posts, %d followers, %d comments by others)", sm, len(p.Posts), len(p.Audience), others)
	} else if sm.Threads < bluesky.DefaultReplyPosts && sm.Threads < sm.RepliedPosts && others < bluesky.DefaultComments {
		t.Errorf("threads stopped at %d with %d comments, fewer than the %d wanted", sm.Threads, others, bluesky.DefaultComments)
	}
	// Replies come from the most-engaged posts only.
	posts := map[string]bool{}
	for _, c := range p.Comments {
		posts[c.PostID] = true
		if c.Author.ID == truth.DID {
			t.Errorf("the creator's own reply was kept as a comment")
		}
	}
	if len(posts) > bluesky.DefaultReplyPosts {
		t.Errorf("comments from %d posts, want at most %d", len(posts), bluesky.DefaultReplyPosts)
	}
}

func TestFetchSeesFakeAudience(t *testing.T) {
	e := newEnv(t, false, nil)
	p, err := e.src.Fetch(context.Background(), creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleFake})
	if err != nil {
		t.Fatal(err)
	}
	fake, counted := 0, 0
	for _, a := range p.Audience {
		if a.Posts == nil {
			continue // listed only, without counts
		}
		counted++
		if !*a.HasAvatar && *a.Posts == 0 && *a.Following > 1000 {
			fake++
		}
	}
	if counted == 0 || fake*100 < 30*counted {
		t.Errorf("%d of %d followers read with counts look fake, want at least 30%% for a creator with 55%% bought followers", fake, counted)
	}
	onPosts := map[string]map[string]bool{}
	for _, c := range p.Comments {
		if onPosts[c.Author.ID] == nil {
			onPosts[c.Author.ID] = map[string]bool{}
		}
		onPosts[c.Author.ID][c.PostID] = true
	}
	repeat := 0
	for _, ps := range onPosts {
		if len(ps) >= 3 {
			repeat++
		}
	}
	if repeat < 3 {
		t.Errorf("%d commenters on 3+ posts, want the bot group (3+)", repeat)
	}
}

func TestFetchErrors(t *testing.T) {
	tests := []struct {
		name        string
		lax         bool
		strictPlain bool
		ref         creator.Ref
		wantErr     error
	}{
		{name: "unknown handle, fetch client", ref: creator.Ref{Platform: creator.Bluesky, Handle: "nobody.bsky.social"}, wantErr: creator.ErrNotFound},
		{name: "unknown handle, lax client", lax: true, ref: creator.Ref{Platform: creator.Bluesky, Handle: "nobody.bsky.social"}, wantErr: creator.ErrNotFound},
		{name: "unknown did", ref: creator.Ref{Platform: creator.Bluesky, ID: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"}, wantErr: creator.ErrNotFound},
		{name: "opted out", ref: creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleOptedOut}, wantErr: creator.ErrOptedOut},
		{name: "unknown handle, plain net/http client", strictPlain: true, ref: creator.Ref{Platform: creator.Bluesky, Handle: "nobody.bsky.social"}, wantErr: creator.ErrNotFound},
		{name: "not a handle", ref: creator.Ref{Platform: creator.Bluesky, Handle: "no spaces allowed"}, wantErr: creator.ErrInvalid},
		{name: "handle with @ resolves", ref: creator.Ref{Platform: creator.Bluesky, Handle: "@" + sim.HandleQuiet}},
		{name: "empty ref", ref: creator.Ref{Platform: creator.Bluesky}, wantErr: creator.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.lax, nil)
			if tc.strictPlain {
				e = newEnvWith(t, func(srv *httptest.Server) crawler.Doer { return testDoer{client: srv.Client()} }, nil)
			}
			p, err := e.src.Fetch(context.Background(), tc.ref)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Fetch error = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr == nil {
				if p == nil || p.Ref.Handle != strings.TrimPrefix(tc.ref.Handle, "@") || p.Ref.ID == "" {
					t.Errorf("Fetch returned %+v", p)
				}
				return
			}
			if p != nil {
				t.Errorf("Fetch returned a profile with an error")
			}
		})
	}
}

// fixtureServer serves testdata files by XRPC method.
func fixtureServer(t *testing.T, files map[string]string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := files[strings.TrimPrefix(r.URL.Path, "/xrpc/")]
		if !ok {
			http.Error(w, `{"error":"MethodNotImplemented"}`, http.StatusNotImplemented)
			return
		}
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestFetchMalformed(t *testing.T) {
	ok := map[string]string{
		"app.bsky.actor.getProfile":   "profile.json",
		"app.bsky.feed.getAuthorFeed": "feed.json",
		"app.bsky.feed.getPostThread": "thread.json",
		"app.bsky.graph.getFollowers": "followers.json",
		"app.bsky.actor.getProfiles":  "profiles.json",
	}
	with := func(method, file string) map[string]string {
		m := map[string]string{}
		for k, v := range ok {
			m[k] = v
		}
		m[method] = file
		return m
	}
	tests := []struct {
		name    string
		files   map[string]string
		wantErr error
	}{
		{name: "all well-formed", files: ok},
		{name: "truncated profile", files: with("app.bsky.actor.getProfile", "profile_truncated.json"), wantErr: creator.ErrMalformed},
		{name: "profile without did", files: with("app.bsky.actor.getProfile", "profile_no_did.json"), wantErr: creator.ErrMalformed},
		{name: "truncated feed", files: with("app.bsky.feed.getAuthorFeed", "profile_truncated.json"), wantErr: creator.ErrMalformed},
		{name: "feed item without post", files: with("app.bsky.feed.getAuthorFeed", "feed_missing_post.json"), wantErr: creator.ErrMalformed},
		{name: "thread without thread", files: with("app.bsky.feed.getPostThread", "feed_no_feed.json"), wantErr: creator.ErrMalformed},
		{name: "followers truncated", files: with("app.bsky.graph.getFollowers", "profile_truncated.json"), wantErr: creator.ErrMalformed},
		{name: "follower profiles missing handle", files: with("app.bsky.actor.getProfiles", "profiles_missing_handle.json"), wantErr: creator.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, err := bluesky.New(crawler.Config{HTTP: realDoer(t), BaseURL: fixtureServer(t, tc.files),
				Options: map[string]string{"followers": "3"}})
			if err != nil {
				t.Fatal(err)
			}
			p, err := src.Fetch(context.Background(), creator.Ref{Platform: creator.Bluesky, ID: "did:plc:testcook000000000000001"})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Fetch error = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				if p != nil {
					t.Errorf("Fetch returned a partial profile with error %v", err)
				}
				return
			}
			// The feed fixture repeats its cursor page; the posts must not repeat.
			if len(p.Posts) != 2 || len(p.Comments) != 2 || len(p.Audience) != 2 {
				t.Errorf("got %d posts, %d comments, %d audience; want 2, 2, 2", len(p.Posts), len(p.Comments), len(p.Audience))
			}
		})
	}
}

func TestOptions(t *testing.T) {
	e := newEnv(t, false, map[string]string{"posts": "10", "reply_posts": "1", "followers": "30"})
	p, err := e.src.Fetch(context.Background(), creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleRising})
	if err != nil {
		t.Fatal(err)
	}
	posts := map[string]bool{}
	for _, c := range p.Comments {
		posts[c.PostID] = true
	}
	got := []int{len(p.Posts), len(posts), len(p.Audience)}
	if diff := cmp.Diff([]int{10, 1, 30}, got); diff != "" {
		t.Errorf("posts, commented posts, audience (-want +got):\n%s", diff)
	}
	for _, bad := range []map[string]string{{"posts": "many"}, {"followers": "-1"}} {
		if _, err := bluesky.New(crawler.Config{HTTP: testDoer{}, Options: bad}); !errors.Is(err, creator.ErrInvalid) {
			t.Errorf("New(%v) error = %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := bluesky.New(crawler.Config{}); !errors.Is(err, creator.ErrInvalid) {
		t.Errorf("New without HTTP: error = %v, want ErrInvalid", err)
	}
}

func TestPagingAcrossPages(t *testing.T) {
	// 150 posts and 250 followers need several pages of at most 100.
	e := newEnv(t, false, map[string]string{"posts": "150", "followers": "250", "reply_posts": "0"})
	p, err := e.src.Fetch(context.Background(), creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleFake})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, x := range p.Posts {
		ids[x.ID] = true
	}
	acc := map[string]bool{}
	for _, a := range p.Audience {
		acc[a.ID] = true
	}
	got := []int{len(p.Posts), len(ids), len(p.Audience), len(acc), len(p.Comments)}
	if diff := cmp.Diff([]int{150, 150, 250, 250, 0}, got); diff != "" {
		t.Errorf("posts, distinct posts, audience, distinct audience, comments (-want +got):\n%s", diff)
	}
}

func TestDiscover(t *testing.T) {
	e := newEnv(t, false, nil)
	tests := []struct {
		name      string
		query     string
		limit     int
		niche     string
		wantCount int
	}{
		{name: "vegan recipes", query: "vegan recipes", limit: 20, niche: "food", wantCount: 20},
		{name: "fitness over two pages", query: "fitness", limit: 120, niche: "fitness"},
		{name: "gaming default limit", query: "gaming", niche: "gaming", wantCount: bluesky.DefaultDiscoverLimit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			refs, err := e.src.Discover(context.Background(), crawler.DiscoverQuery{Query: tc.query, Limit: tc.limit})
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantCount > 0 && len(refs) != tc.wantCount {
				t.Errorf("got %d refs, want %d", len(refs), tc.wantCount)
			}
			if len(refs) == 0 {
				t.Fatal("no refs")
			}
			seen := map[string]bool{}
			inNiche := 0
			for _, r := range refs {
				c, ok := e.world.Creator(r.ID)
				if !ok {
					t.Fatalf("ref %v is not a simulated creator", r)
				}
				if c.OptedOut {
					t.Errorf("opted-out creator %s discovered", r.Handle)
				}
				if seen[r.ID] {
					t.Errorf("%s discovered twice", r.Handle)
				}
				seen[r.ID] = true
				if c.Niche == tc.niche || c.Secondary == tc.niche {
					inNiche++
				}
			}
			if float64(inNiche) < 0.8*float64(len(refs)) {
				t.Errorf("%d of %d refs in niche %s, want at least 80%%", inNiche, len(refs), tc.niche)
			}
		})
	}
	if _, err := e.src.Discover(context.Background(), crawler.DiscoverQuery{Query: "  "}); !errors.Is(err, creator.ErrInvalid) {
		t.Errorf("empty query: error = %v, want ErrInvalid", err)
	}
}

func TestRegisteredAndPolicy(t *testing.T) {
	src, err := crawler.New(creator.Bluesky, crawler.Config{HTTP: testDoer{}})
	if err != nil {
		t.Fatal(err)
	}
	want := crawler.Policy{
		RatePerSecond: 10, Burst: 10, OptOutSignals: []string{"label:!no-unauthenticated"},
		ScoringAllowed: true, Terms: "https://bsky.social/about/support/tos",
	}
	if diff := cmp.Diff(want, src.Policy()); diff != "" {
		t.Errorf("Policy (-want +got):\n%s", diff)
	}
	if src.Name() != creator.Bluesky {
		t.Errorf("Name = %q", src.Name())
	}
}

// TestFetchByDIDSameProfile: a crawl by DID reads the profile in the
// followers' getProfiles batch instead of getProfile, and must give the
// same record as a crawl by handle; an opted-out DID is refused from the
// followers' subject, before anything else is read.
func TestFetchByDIDSameProfile(t *testing.T) {
	e := newEnv(t, false, nil)
	ctx := context.Background()
	c, _ := e.world.Creator(sim.HandleSteady)
	byHandle, err := e.src.Fetch(ctx, creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleSteady})
	if err != nil {
		t.Fatal(err)
	}
	byDID, err := e.src.Fetch(ctx, creator.Ref{Platform: creator.Bluesky, ID: c.DID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(byHandle, byDID); diff != "" {
		t.Errorf("crawl by DID differs from crawl by handle (-handle +did):\n%s", diff)
	}
	out, _ := e.world.Creator(sim.HandleOptedOut)
	if _, err := e.src.Fetch(ctx, creator.Ref{Platform: creator.Bluesky, ID: out.DID}); !errors.Is(err, creator.ErrOptedOut) {
		t.Errorf("crawl of an opted-out DID = %v, want ErrOptedOut", err)
	}
}
