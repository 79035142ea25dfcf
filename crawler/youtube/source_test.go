package youtube

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
)

const testKey = "test-key-123"

// fakeAPI is an httptest server standing in for the Data API. It serves
// the testdata fixtures and records the requests it gets (without the
// key). Safe for concurrent use.
type fakeAPI struct {
	t        *testing.T
	srv      *httptest.Server
	quota    bool // every call answers 403 quotaExceeded
	channel  func(m map[string]any)
	mu       sync.Mutex
	requests []string
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	key := q.Get("key")
	q.Del("key")
	f.mu.Lock()
	f.requests = append(f.requests, r.URL.Path+"?"+q.Encode())
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if key != testKey {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":{"code":400,"message":"API key not valid","errors":[{"reason":"keyInvalid"}]}}`))
		return
	}
	if f.quota {
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write(readTestdata(f.t, "quota_exceeded.json"))
		return
	}
	switch r.URL.Path {
	case "/youtube/v3/channels":
		if q.Get("id") != testChannel && q.Get("forHandle") != "@testkitchen" {
			_, _ = w.Write([]byte(`{"kind":"youtube#channelListResponse","pageInfo":{"totalResults":0},"items":[]}`))
			return
		}
		m := map[string]any{}
		_ = json.Unmarshal(readTestdata(f.t, "channels.json"), &m)
		if f.channel != nil {
			f.channel(m["items"].([]any)[0].(map[string]any))
		}
		_ = json.NewEncoder(w).Encode(m)
	case "/youtube/v3/playlistItems":
		if q.Get("pageToken") == "PAGE2" {
			_, _ = w.Write(readTestdata(f.t, "playlist_2.json"))
			return
		}
		_, _ = w.Write(readTestdata(f.t, "playlist_1.json"))
	case "/youtube/v3/videos":
		_, _ = w.Write(readTestdata(f.t, "videos.json")) // vid00000004 is missing: deleted
	case "/youtube/v3/commentThreads":
		if q.Get("videoId") == "vid00000002" {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write(readTestdata(f.t, "comments_disabled.json"))
			return
		}
		_, _ = w.Write(readTestdata(f.t, "comment_threads.json"))
	case "/youtube/v3/search":
		if q.Get("pageToken") != "" {
			_, _ = w.Write([]byte(`{"items":[]}`))
			return
		}
		_, _ = w.Write(readTestdata(f.t, "search.json"))
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":{"code":404,"message":"not found","errors":[{"reason":"notFound"}]}}`))
	}
}

func (f *fakeAPI) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

func testClient(t *testing.T) *fetch.Client {
	t.Helper()
	c, err := fetch.New(fetch.WithAllowNets(netip.MustParsePrefix("127.0.0.0/8")), fetch.WithDefaultHostPolicy(fetch.HostPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newTestSource(t *testing.T, f *fakeAPI, c *fetch.Client, now time.Time, opts map[string]string) crawler.Source {
	t.Helper()
	o := map[string]string{"api_key": testKey}
	for k, v := range opts {
		o[k] = v
	}
	src, err := crawler.New(creator.YouTube, crawler.Config{HTTP: c, BaseURL: f.srv.URL + "/youtube/v3", Options: o, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("crawler.New: %v", err)
	}
	return src
}

func TestFetch(t *testing.T) {
	f := newFakeAPI(t)
	now := ts("2026-11-23T12:00:00Z")
	src := newTestSource(t, f, testClient(t), now, map[string]string{"videos": "4"})
	p, err := src.Fetch(context.Background(), creator.Ref{Platform: creator.YouTube, ID: testChannel})
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	var posts []string
	var views []int64
	for _, x := range p.Posts {
		posts = append(posts, x.ID)
		views = append(views, x.Views)
	}
	var comments, audience []string
	for _, c := range p.Comments {
		comments = append(comments, c.ID)
	}
	for _, a := range p.Audience {
		audience = append(audience, a.ID)
	}
	got := map[string]any{"ref": p.Ref, "posts": posts, "views": views, "comments": comments, "audience": audience,
		"kind": p.AudienceKind, "lang": p.Language, "fetched": p.FetchedAt, "requests": f.calls()}
	want := map[string]any{
		"ref": creator.Ref{Platform: creator.YouTube, ID: testChannel, Handle: "@testkitchen"},
		// Playlist order (newest first); vid00000004 is gone from videos.list.
		"posts": []string{"vid00000001", "vid00000002", "vid00000003"},
		"views": []int64{12000, 7000, 5000},
		// The channel's own comment is left out; vid00000002 has comments
		// disabled; vid00000003 has none, so it is not asked for.
		"comments": []string{"cmt1", "cmt3"},
		"audience": []string{"UCviewer0000000000000001", "UCviewer0000000000000002"},
		"kind":     "commenters",
		"lang":     "en",
		"fetched":  now,
		"requests": []string{
			"/youtube/v3/channels?id=" + testChannel + "&part=snippet%2Cstatistics%2CcontentDetails",
			"/youtube/v3/playlistItems?maxResults=4&part=contentDetails&playlistId=UUtestchannel000000000001",
			"/youtube/v3/playlistItems?maxResults=2&pageToken=PAGE2&part=contentDetails&playlistId=UUtestchannel000000000001",
			"/youtube/v3/videos?id=vid00000001%2Cvid00000002%2Cvid00000003%2Cvid00000004&maxResults=4&part=snippet%2Cstatistics",
			"/youtube/v3/commentThreads?maxResults=100&part=snippet&textFormat=plainText&videoId=vid00000001",
			"/youtube/v3/commentThreads?maxResults=100&part=snippet&textFormat=plainText&videoId=vid00000002",
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Fetch (-want +got):\n%s", diff)
	}
	for _, a := range p.Audience {
		if a.Bio != nil || a.Followers != nil || a.Following != nil || a.Posts != nil || a.HasAvatar != nil || a.Private != nil ||
			a.Verified != nil || a.HasURL != nil || a.CreatedAt != nil || a.DisplayName == nil {
			t.Errorf("commenter %s: only what a comment shows may be set: %+v", a.ID, a)
		}
	}
}

func TestFetchCases(t *testing.T) {
	tests := []struct {
		name    string
		ref     creator.Ref
		channel func(m map[string]any)
		wantErr error
		check   func(t *testing.T, p *creator.Profile)
	}{
		{name: "by handle", ref: creator.Ref{Platform: creator.YouTube, Handle: "testkitchen"},
			check: func(t *testing.T, p *creator.Profile) {
				if p.Ref.ID != testChannel {
					t.Errorf("id = %q", p.Ref.ID)
				}
			}},
		{name: "hidden subscriber count", ref: creator.Ref{Platform: creator.YouTube, ID: testChannel},
			channel: func(m map[string]any) {
				m["statistics"] = map[string]any{"hiddenSubscriberCount": true, "videoCount": "412"}
			},
			check: func(t *testing.T, p *creator.Profile) {
				if p.Followers != 0 || len(p.Labels) != 1 || p.Labels[0] != LabelHiddenSubscriberCount {
					t.Errorf("followers %d, labels %v", p.Followers, p.Labels)
				}
			}},
		{name: "no uploads playlist", ref: creator.Ref{Platform: creator.YouTube, ID: testChannel},
			channel: func(m map[string]any) { delete(m, "contentDetails") },
			check: func(t *testing.T, p *creator.Profile) {
				if len(p.Posts) != 0 || len(p.Audience) != 0 || p.AudienceKind != "commenters" {
					t.Errorf("posts %d, audience %d (%q)", len(p.Posts), len(p.Audience), p.AudienceKind)
				}
			}},
		{name: "unknown channel", ref: creator.Ref{Platform: creator.YouTube, ID: "UCnobody"}, wantErr: creator.ErrNotFound},
		{name: "unknown handle", ref: creator.Ref{Platform: creator.YouTube, Handle: "@nobody"}, wantErr: creator.ErrNotFound},
		{name: "empty ref", ref: creator.Ref{Platform: creator.YouTube}, wantErr: creator.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.channel = tt.channel
			src := newTestSource(t, f, testClient(t), ts("2026-11-23T12:00:00Z"), nil)
			p, err := src.Fetch(context.Background(), tt.ref)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Fetch error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}

func TestQuotaExceeded(t *testing.T) {
	tests := []struct {
		name      string
		now       time.Time
		wantUntil time.Time
	}{
		{name: "winter: midnight PST is 08:00 UTC", now: ts("2026-11-23T12:00:00Z"), wantUntil: ts("2026-11-24T08:00:00Z")},
		{name: "just before midnight PST", now: ts("2026-11-24T07:59:00Z"), wantUntil: ts("2026-11-24T08:00:00Z")},
		{name: "summer: midnight PDT is 07:00 UTC", now: ts("2026-07-01T06:59:00Z"), wantUntil: ts("2026-07-01T07:00:00Z")},
		{name: "summer, after midnight PDT", now: ts("2026-07-01T07:00:00Z"), wantUntil: ts("2026-07-02T07:00:00Z")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.quota = true
			src := newTestSource(t, f, testClient(t), tt.now, nil)
			for i, call := range []func() error{
				func() error {
					_, err := src.Fetch(context.Background(), creator.Ref{Platform: creator.YouTube, ID: testChannel})
					return err
				},
				func() error {
					_, err := src.Discover(context.Background(), crawler.DiscoverQuery{Query: "bread"})
					return err
				},
			} {
				err := call()
				var ra *creator.RetryAfter
				if !errors.Is(err, creator.ErrRateLimited) || !errors.As(err, &ra) {
					t.Fatalf("call %d: error = %v, want rate limited with a RetryAfter", i, err)
				}
				if !ra.Until.Equal(tt.wantUntil) {
					t.Errorf("call %d: retry after %v, want %v", i, ra.Until.UTC(), tt.wantUntil)
				}
			}
			if n := len(f.calls()); n != 1 {
				t.Errorf("sent %d requests, want 1: nothing after quotaExceeded until the quota day ends", n)
			}
		})
	}
}

// TestQuotaCosts checks that search.list is charged 100 units and other
// calls 1, against the outbound client's daily quota.
func TestQuotaCosts(t *testing.T) {
	f := newFakeAPI(t)
	c := testClient(t)
	src := newTestSource(t, f, c, ts("2026-11-23T12:00:00Z"), map[string]string{"videos": "2", "comment_videos": "0"})
	u, _ := url.Parse(f.srv.URL)
	c.SetHost(u.Host, fetch.HostPolicy{DailyQuota: 203, QuotaLocation: QuotaLocation})
	ctx := context.Background()
	for i := range 2 {
		if _, err := src.Discover(ctx, crawler.DiscoverQuery{Query: "bread", Limit: 2}); err != nil {
			t.Fatalf("discovery %d: %v", i, err)
		}
	}
	_, err := src.Discover(ctx, crawler.DiscoverQuery{Query: "bread", Limit: 2})
	if !errors.Is(err, creator.ErrRateLimited) || !errors.Is(err, fetch.ErrQuotaSpent) {
		t.Fatalf("third discovery: %v, want the quota spent", err)
	}
	// 3 units left: channels, playlistItems and videos cost 1 each.
	if _, err := src.Fetch(ctx, creator.Ref{Platform: creator.YouTube, ID: testChannel}); err != nil {
		t.Fatalf("Fetch with 3 units left: %v", err)
	}
	if _, err := src.Fetch(ctx, creator.Ref{Platform: creator.YouTube, ID: testChannel}); !errors.Is(err, fetch.ErrQuotaSpent) {
		t.Fatalf("Fetch with no units left: %v, want the quota spent", err)
	}
	if n := len(f.calls()); n != 5 {
		t.Errorf("server got %d requests, want 5 (2 searches, 3 for one channel)", n)
	}
}

func TestDiscover(t *testing.T) {
	f := newFakeAPI(t)
	src := newTestSource(t, f, testClient(t), ts("2026-11-23T12:00:00Z"), nil)
	refs, err := src.Discover(context.Background(), crawler.DiscoverQuery{Query: "bread", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := []creator.Ref{{Platform: creator.YouTube, ID: "UCfound00000000000000001"}, {Platform: creator.YouTube, ID: "UCfound00000000000000002"}}
	if diff := cmp.Diff(want, refs); diff != "" {
		t.Errorf("Discover (-want +got):\n%s", diff)
	}
	wantReqs := []string{
		"/youtube/v3/search?maxResults=10&part=snippet&q=bread&type=channel",
		"/youtube/v3/search?maxResults=8&pageToken=SEARCH2&part=snippet&q=bread&type=channel",
	}
	if diff := cmp.Diff(wantReqs, f.calls()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if _, err := src.Discover(context.Background(), crawler.DiscoverQuery{Query: "  "}); !errors.Is(err, creator.ErrInvalid) {
		t.Errorf("empty query: %v, want invalid", err)
	}
}

// TestPolicy covers the declared policy and the options that change it.
func TestPolicy(t *testing.T) {
	tests := []struct {
		name        string
		opts        map[string]string
		wantErr     error
		wantErrText string
		wantScoring bool
	}{
		{name: "no key", opts: map[string]string{}, wantErr: creator.ErrInvalid, wantErrText: "missing API key"},
		{name: "blank key", opts: map[string]string{"api_key": "  "}, wantErr: creator.ErrInvalid, wantErrText: "missing API key"},
		{name: "scoring off by default", opts: map[string]string{"api_key": testKey}},
		{name: "scoring off when declared false", opts: map[string]string{"api_key": testKey, "derived_metrics_approved": "false"}},
		{name: "scoring on when the project is declared approved", opts: map[string]string{"api_key": testKey, "derived_metrics_approved": "true"}, wantScoring: true},
		{name: "anything else is refused", opts: map[string]string{"api_key": testKey, "derived_metrics_approved": "yes"}, wantErr: creator.ErrInvalid},
		{name: "bad count", opts: map[string]string{"api_key": testKey, "videos": "many"}, wantErr: creator.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := crawler.New(creator.YouTube, crawler.Config{HTTP: testClient(t), Options: tt.opts})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("crawler.New error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tt.wantErrText) {
					t.Errorf("error %q does not say %q", err, tt.wantErrText)
				}
				return
			}
			want := crawler.Policy{RatePerSecond: 5, Burst: 10, DailyQuota: 10000, NeedsCredentials: true, OptOutSignals: []string{},
				Retention: 30 * 24 * time.Hour, ScoringAllowed: tt.wantScoring, Terms: TermsURL}
			if diff := cmp.Diff(want, src.Policy()); diff != "" {
				t.Errorf("Policy (-want +got):\n%s", diff)
			}
		})
	}
}

// hostRecorder is a crawler.Doer that records host policies. Safe for
// concurrent use.
type hostRecorder struct {
	mu    sync.Mutex
	hosts map[string]fetch.HostPolicy
}

func (h *hostRecorder) GetJSON(context.Context, *url.URL, any) error { return errors.New("not used") }

func (h *hostRecorder) SetHost(host string, p fetch.HostPolicy) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hosts[host] = p
}

func TestNewSetsQuotaOnTheAPIHost(t *testing.T) {
	h := &hostRecorder{hosts: map[string]fetch.HostPolicy{}}
	if _, err := New(crawler.Config{HTTP: h, Options: map[string]string{"api_key": testKey}}); err != nil {
		t.Fatal(err)
	}
	p, ok := h.hosts["www.googleapis.com"]
	if !ok || p.Rate != 5 || p.Burst != 10 || p.DailyQuota != 10000 || p.QuotaLocation == nil || p.QuotaLocation.String() != "America/Los_Angeles" {
		t.Errorf("host policies = %+v", h.hosts)
	}
}

func TestErrorsDoNotLeakTheKey(t *testing.T) {
	f := newFakeAPI(t)
	src, err := New(crawler.Config{HTTP: testClient(t), BaseURL: f.srv.URL + "/youtube/v3", Options: map[string]string{"api_key": "wrong-key-456"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Fetch(context.Background(), creator.Ref{Platform: creator.YouTube, ID: testChannel})
	if err == nil || strings.Contains(err.Error(), "wrong-key-456") || !strings.Contains(err.Error(), "keyInvalid") {
		t.Errorf("error = %v: want keyInvalid without the key", err)
	}
}
