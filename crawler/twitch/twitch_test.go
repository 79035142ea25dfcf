package twitch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
)

func testdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// The parsers on the response examples of Twitch's API reference.
func TestParseReferenceExamples(t *testing.T) {
	ps, err := parseUsers(testdata(t, "users.json"))
	if err != nil {
		t.Fatal(err)
	}
	wantProfile := &creator.Profile{
		Ref:           creator.Ref{Platform: creator.Twitch, ID: "141981764", Handle: "twitchdev"},
		DisplayName:   "TwitchDev",
		Bio:           "Supporting third-party developers building Twitch integrations from chatbots to game integrations.",
		AvatarURL:     "https://static-cdn.jtvnw.net/jtv_user_pictures/8a6381c7-d0c0-4576-b179-38bd5ce1d6af-profile_image-300x300.png",
		URL:           "https://www.twitch.tv/twitchdev",
		UnknownCounts: []string{creator.CountFollowers, creator.CountFollowing, creator.CountPosts},
		Labels:        []string{LabelNoAudience, "partner"},
		Verified:      true,
		CreatedAt:     ts("2016-12-14T20:32:28Z"),
	}
	if diff := cmp.Diff([]*creator.Profile{wantProfile}, ps); diff != "" {
		t.Errorf("ParseUsers (-want +got):\n%s", diff)
	}

	posts, cursor, err := parseVideos(testdata(t, "videos.json"))
	if err != nil {
		t.Fatal(err)
	}
	wantPosts := []creator.Post{{
		ID: "335921245", URL: "https://www.twitch.tv/videos/335921245",
		Text:      "Twitch Developers 101\n\nWelcome to Twitch development! Here is a quick overview of our products and information to help you get started.",
		CreatedAt: ts("2018-11-14T22:04:30Z"), Langs: []string{"en"}, Views: 1863062,
	}}
	if diff := cmp.Diff(wantPosts, posts); diff != "" || cursor != "" {
		t.Errorf("ParseVideos (-want +got):\n%s cursor %q", diff, cursor)
	}

	refs, cursor, err := parseSearchChannels(testdata(t, "search_channels.json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]creator.Ref{{Platform: creator.Twitch, ID: "41245072", Handle: "loserfruit"}}, refs); diff != "" || cursor != "Mg==" {
		t.Errorf("ParseSearchChannels (-want +got):\n%s cursor %q", diff, cursor)
	}

	total, err := parseFollowersTotal(testdata(t, "followers.json"))
	if err != nil || total != 8 {
		t.Errorf("ParseFollowersTotal = %d, %v; want 8", total, err)
	}

	now := ts("2026-12-01T00:00:00Z")
	tok, exp, err := parseToken(testdata(t, "token.json"), now)
	if err != nil || tok != "jostpf5q0uzmxmkba9iyug38kjtgh" || !exp.Equal(now.Add(5011271*time.Second)) {
		t.Errorf("parseToken = %q, %v, %v", tok, exp, err)
	}
}

func TestParseMalformed(t *testing.T) {
	for _, tt := range []struct {
		name  string
		parse func([]byte) error
		body  string
	}{
		{"users without data", func(b []byte) error { _, err := parseUsers(b); return err }, `{}`},
		{"user without login", func(b []byte) error { _, err := parseUsers(b); return err }, `{"data":[{"id":"1"}]}`},
		{"videos truncated", func(b []byte) error { _, _, err := parseVideos(b); return err }, `{"data":[`},
		{"followers without total", func(b []byte) error { _, err := parseFollowersTotal(b); return err }, `{"data":[]}`},
		{"token without expiry", func(b []byte) error { _, _, err := parseToken(b, time.Now()); return err }, `{"access_token":"x"}`},
	} {
		if err := tt.parse([]byte(tt.body)); !errors.Is(err, creator.ErrMalformed) {
			t.Errorf("%s: %v, want creator.ErrMalformed", tt.name, err)
		}
	}
}

// helix is a test Twitch: the OAuth token endpoint and Helix, checking the
// headers Helix requires.
type helix struct {
	mu        sync.Mutex
	tokens    int      // tokens issued
	valid     string   // the token Helix accepts
	paths     []string // Helix requests
	expiresIn int
	rateReset string // when set, every answer says Ratelimit-Remaining 0 until then
}

func (h *helix) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/oauth2/token" {
		r.ParseForm()
		if r.Method != http.MethodPost || r.PostForm.Get("client_id") != "cid" || r.PostForm.Get("client_secret") != "secret" || r.PostForm.Get("grant_type") != "client_credentials" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"status":400,"message":"invalid client secret"}`)
			return
		}
		h.tokens++
		h.valid = fmt.Sprintf("token-%d", h.tokens)
		fmt.Fprintf(w, `{"access_token":%q,"expires_in":%d,"token_type":"bearer"}`, h.valid, h.expiresIn)
		return
	}
	h.paths = append(h.paths, r.URL.Path+"?"+r.URL.RawQuery)
	if r.Header.Get("Client-Id") != "cid" || r.Header.Get("Authorization") != "Bearer "+h.valid {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"Unauthorized","status":401,"message":"Invalid OAuth token"}`)
		return
	}
	w.Header().Set("Ratelimit-Limit", "800")
	if h.rateReset != "" {
		w.Header().Set("Ratelimit-Remaining", "0")
		w.Header().Set("Ratelimit-Reset", h.rateReset)
	}
	switch r.URL.Path {
	case "/helix/users":
		if r.URL.Query().Get("login") != "twitchdev" && r.URL.Query().Get("id") != "141981764" {
			fmt.Fprint(w, `{"data":[]}`)
			return
		}
		w.Write(mustRead("users.json"))
	case "/helix/channels/followers":
		w.Write(mustRead("followers.json"))
	case "/helix/videos":
		w.Write(mustRead("videos.json"))
	case "/helix/search/channels":
		w.Write(mustRead("search_channels.json"))
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":"Not Found","status":404,"message":""}`)
	}
}

func mustRead(name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		panic(err)
	}
	return b
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTest(t *testing.T, h *helix, opts map[string]string) (*Source, *clock) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	clk := &clock{t: time.Now()}
	c, err := fetch.New(fetch.WithAllowNets(netip.MustParsePrefix("127.0.0.0/8")), fetch.WithRetries(0, 0), fetch.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	o := map[string]string{"client_id": "cid", "client_secret": "secret", "auth_url": srv.URL + "/oauth2/token"}
	for k, v := range opts {
		o[k] = v
	}
	s, err := New(crawler.Config{HTTP: c, BaseURL: srv.URL + "/helix", Options: o, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return s, clk
}

func TestFetchAndTokenLifecycle(t *testing.T) {
	h := &helix{expiresIn: 3600}
	s, clk := newTest(t, h, nil)
	ctx := context.Background()
	ref := creator.Ref{Platform: creator.Twitch, Handle: "TwitchDev"}
	p, err := s.Fetch(ctx, ref)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if p.Ref.ID != "141981764" || p.Followers != 8 || len(p.Posts) != 1 || p.Posts[0].Views != 1863062 {
		t.Errorf("profile %+v, %d followers, posts %+v", p.Ref, p.Followers, p.Posts)
	}
	if diff := cmp.Diff([]string{creator.CountFollowing, creator.CountPosts}, p.UnknownCounts); diff != "" {
		t.Errorf("unknown counts (-want +got):\n%s", diff)
	}
	if h.tokens != 1 {
		t.Fatalf("%d tokens fetched for one crawl, want 1", h.tokens)
	}
	// Well before expiry the token is reused; within the last tenth of
	// its life it is replaced before Helix could refuse it.
	clk.Advance(30 * time.Minute)
	if _, err := s.Fetch(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if h.tokens != 1 {
		t.Errorf("token fetched again half-way through its life")
	}
	clk.Advance(25 * time.Minute) // 5 minutes left of 60
	if _, err := s.Fetch(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if h.tokens != 2 {
		t.Errorf("%d tokens fetched, want a second one before expiry", h.tokens)
	}
	// A token Helix refuses (revoked) is replaced once and the request sent again.
	h.mu.Lock()
	h.valid = "revoked-elsewhere"
	h.mu.Unlock()
	if _, err := s.Fetch(ctx, ref); err != nil {
		t.Fatalf("Fetch after the token was revoked: %v", err)
	}
	if h.tokens != 3 {
		t.Errorf("%d tokens fetched, want a third after the 401", h.tokens)
	}
}

func TestFetchErrors(t *testing.T) {
	tests := []struct {
		name    string
		ref     creator.Ref
		opts    map[string]string
		wantErr error
	}{
		{"unknown login", creator.Ref{Platform: creator.Twitch, Handle: "nobody_here"}, nil, creator.ErrNotFound},
		{"bad login", creator.Ref{Platform: creator.Twitch, Handle: "no spaces"}, nil, creator.ErrInvalid},
		{"bad id", creator.Ref{Platform: creator.Twitch, ID: "abc"}, nil, creator.ErrInvalid},
		{"secret refused", creator.Ref{Platform: creator.Twitch, Handle: "twitchdev"}, map[string]string{"client_secret": "wrong"}, creator.ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTest(t, &helix{expiresIn: 3600}, tt.opts)
			_, err := s.Fetch(context.Background(), tt.ref)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Fetch error %v, want %v", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "wrong") || strings.Contains(err.Error(), "secret=") {
				t.Errorf("error %q shows the secret", err)
			}
		})
	}
}

// TestRatelimitHeadersPause: Helix's Ratelimit-Remaining 0 with a reset
// (epoch seconds) stops the source until then.
func TestRatelimitHeadersPause(t *testing.T) {
	h := &helix{expiresIn: 3600}
	s, clk := newTest(t, h, nil)
	h.rateReset = fmt.Sprint(clk.Now().Add(45 * time.Second).Unix())
	_, err := s.Fetch(context.Background(), creator.Ref{Platform: creator.Twitch, Handle: "twitchdev"})
	var ra *creator.RetryAfter
	if !errors.As(err, &ra) {
		t.Fatalf("Fetch with the bucket empty: %v, want a *creator.RetryAfter", err)
	}
	if n := len(h.paths); n != 1 {
		t.Errorf("%d Helix requests with the bucket empty, want 1", n)
	}
}

func TestDiscover(t *testing.T) {
	s, _ := newTest(t, &helix{expiresIn: 3600}, nil)
	refs, err := s.Discover(context.Background(), crawler.DiscoverQuery{Query: "house flipper", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 1 || refs[0].Handle != "loserfruit" {
		t.Errorf("Discover = %+v", refs)
	}
}

func TestRetentionPolicy(t *testing.T) {
	s, _ := newTest(t, &helix{}, nil)
	if got := s.Policy().Retention; got != 24*time.Hour {
		t.Errorf("retention without authorisation %v, want 24h", got)
	}
	s, _ = newTest(t, &helix{}, map[string]string{"data_authorised": "true"})
	if got := s.Policy().Retention; got != 0 {
		t.Errorf("retention with authorisation %v, want none", got)
	}
	c, _ := fetch.New()
	if _, err := New(crawler.Config{HTTP: c, Options: map[string]string{"client_id": "a", "client_secret": "b", "data_authorised": "maybe"}}); !errors.Is(err, creator.ErrInvalid) {
		t.Errorf("data_authorised=maybe: %v, want invalid", err)
	}
	if _, err := New(crawler.Config{HTTP: c, Options: map[string]string{"client_id": "a"}}); !errors.Is(err, creator.ErrInvalid) || !strings.Contains(err.Error(), "SCOUT_TWITCH_CLIENT_SECRET") {
		t.Errorf("no secret: %v, want an invalid-input error naming the setting", err)
	}
}
