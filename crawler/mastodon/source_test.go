package mastodon

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

// fakeInstance is an httptest server standing in for every Mastodon
// instance. It serves the testdata fixtures, with account overrides, and
// records the requests it gets. Safe for concurrent use.
type fakeInstance struct {
	t        *testing.T
	srv      *httptest.Server
	account  map[string]any // served by lookup?acct=alice
	noDir    bool           // the directory answers 404
	mu       sync.Mutex
	requests []string
}

func newFakeInstance(t *testing.T, change map[string]any) *fakeInstance {
	t.Helper()
	f := &fakeInstance{t: t, account: map[string]any{}}
	if err := json.Unmarshal(readTestdata(t, "account.json"), &f.account); err != nil {
		t.Fatal(err)
	}
	for k, v := range change {
		f.account[k] = v
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeInstance) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.URL.RequestURI())
	f.mu.Unlock()
	q := r.URL.Query()
	w.Header().Set("Content-Type", "application/json")
	notFound := func() {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":"Record not found"}`))
	}
	switch p := r.URL.Path; {
	case p == "/api/v1/accounts/lookup":
		if q.Get("acct") != "alice" {
			notFound()
			return
		}
		_ = json.NewEncoder(w).Encode(f.account)
	case p == "/api/v1/accounts/1001/statuses":
		if q.Get("exclude_reblogs") != "true" {
			http.Error(w, `{"error":"want exclude_reblogs"}`, http.StatusBadRequest)
			return
		}
		_, _ = w.Write(readTestdata(f.t, "statuses.json"))
	case p == "/api/v1/statuses/501/context":
		_, _ = w.Write(readTestdata(f.t, "context.json"))
	case p == "/api/v1/statuses/504/context":
		notFound() // deleted since listed
	case p == "/api/v1/accounts/1001/followers":
		if q.Get("max_id") == "" {
			next := *r.URL
			next.Scheme, next.Host = "http", r.Host
			nq := next.Query()
			nq.Set("max_id", "3003")
			next.RawQuery = nq.Encode()
			w.Header().Set("Link", "<"+next.String()+`>; rel="next", <http://`+r.Host+`/api/v1/accounts/1001/followers?min_id=3001>; rel="prev"`)
			_, _ = w.Write(readTestdata(f.t, "followers_1.json"))
			return
		}
		_, _ = w.Write(readTestdata(f.t, "followers_2.json"))
	case p == "/api/v1/directory":
		if f.noDir {
			notFound()
			return
		}
		if q.Get("local") != "true" || q.Get("order") != "active" {
			http.Error(w, `{"error":"want local active"}`, http.StatusBadRequest)
			return
		}
		if q.Get("offset") != "0" {
			_, _ = w.Write([]byte("[]"))
			return
		}
		_, _ = w.Write(readTestdata(f.t, "directory.json"))
	case p == "/api/v2/search":
		if q.Get("type") != "accounts" || q.Get("resolve") == "true" {
			http.Error(w, `{"error":"want type=accounts without resolve"}`, http.StatusBadRequest)
			return
		}
		_, _ = w.Write(readTestdata(f.t, "search.json"))
	default:
		notFound()
	}
}

func (f *fakeInstance) paths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.requests))
	for i, r := range f.requests {
		out[i], _, _ = strings.Cut(r, "?")
	}
	return out
}

func testClient(t *testing.T) *fetch.Client {
	t.Helper()
	c, err := fetch.New(fetch.WithAllowNets(netip.MustParsePrefix("127.0.0.0/8")), fetch.WithDefaultHostPolicy(fetch.HostPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newTestSource(t *testing.T, f *fakeInstance, opts map[string]string) crawler.Source {
	t.Helper()
	src, err := crawler.New(creator.Mastodon, crawler.Config{HTTP: testClient(t), BaseURL: f.srv.URL, Options: opts,
		Now: func() time.Time { return ts("2026-11-23T12:00:00Z") }})
	if err != nil {
		t.Fatalf("crawler.New: %v", err)
	}
	return src
}

func aliceRef(instance string) creator.Ref {
	return creator.Ref{Platform: creator.Mastodon, ID: "alice@" + instance}
}

func TestFetch(t *testing.T) {
	f := newFakeInstance(t, nil)
	src := newTestSource(t, f, nil)
	p, err := src.Fetch(context.Background(), creator.Ref{Platform: creator.Mastodon, Handle: "@Alice@Example.Social"})
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if want := (creator.Ref{Platform: creator.Mastodon, ID: "alice@example.social", Handle: "alice@example.social"}); p.Ref != want {
		t.Errorf("ref = %+v, want %+v", p.Ref, want)
	}
	var postIDs, commentIDs, audience []string
	for _, x := range p.Posts {
		postIDs = append(postIDs, x.ID)
	}
	for _, x := range p.Comments {
		commentIDs = append(commentIDs, x.ID)
	}
	for _, x := range p.Audience {
		audience = append(audience, x.ID)
	}
	got := map[string]any{"posts": postIDs, "comments": commentIDs, "audience": audience, "kind": p.AudienceKind,
		"lang": p.Language, "fetched": p.FetchedAt, "paths": f.paths()}
	want := map[string]any{
		"posts":    []string{"501", "504"},
		"comments": []string{"601", "605"},
		// ivy (noindex) is dropped; the second page came through the Link header.
		"audience": []string{"gina@example.social", "hank@far.example", "jo@near.example"},
		"kind":     "followers",
		"lang":     "de", // one "en", one "de": ties go alphabetically
		"fetched":  ts("2026-11-23T12:00:00Z"),
		"paths": []string{"/api/v1/accounts/lookup", "/api/v1/accounts/1001/statuses", "/api/v1/statuses/501/context",
			"/api/v1/statuses/504/context", "/api/v1/accounts/1001/followers", "/api/v1/accounts/1001/followers"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Fetch (-want +got):\n%s", diff)
	}
}

func TestFetchFollowerLimitStopsPaging(t *testing.T) {
	f := newFakeInstance(t, nil)
	src := newTestSource(t, f, map[string]string{"followers": "2", "reply_posts": "0"})
	p, err := src.Fetch(context.Background(), aliceRef("example.social"))
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	want := []string{"/api/v1/accounts/lookup", "/api/v1/accounts/1001/statuses", "/api/v1/accounts/1001/followers"}
	if diff := cmp.Diff(want, f.paths()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if len(p.Audience) != 2 || len(p.Comments) != 0 {
		t.Errorf("got %d followers and %d comments, want 2 and 0", len(p.Audience), len(p.Comments))
	}
}

// TestFetchPolicy covers every rule Fetch enforces.
func TestFetchPolicy(t *testing.T) {
	tests := []struct {
		name     string
		change   map[string]any
		opts     map[string]string
		ref      creator.Ref
		wantErr  error
		wantReqs []string // nil: no request at all
		check    func(t *testing.T, p *creator.Profile)
	}{
		{name: "noindex", change: map[string]any{"noindex": true}, ref: aliceRef("example.social"),
			wantErr: creator.ErrOptedOut, wantReqs: []string{"/api/v1/accounts/lookup"}},
		{name: "nobot in bio", change: map[string]any{"note": `<p>Painter <a href="https://example.social/tags/nobot" class="mention hashtag" rel="tag">#<span>nobot</span></a></p>`},
			ref: aliceRef("example.social"), wantErr: creator.ErrOptedOut, wantReqs: []string{"/api/v1/accounts/lookup"}},
		{name: "noindex in bio", change: map[string]any{"note": "<p>#NoIndex please</p>"},
			ref: aliceRef("example.social"), wantErr: creator.ErrOptedOut, wantReqs: []string{"/api/v1/accounts/lookup"}},
		{name: "hide_collections gives no follower sample", change: map[string]any{"hide_collections": true},
			opts: map[string]string{"reply_posts": "0"}, ref: aliceRef("example.social"),
			wantReqs: []string{"/api/v1/accounts/lookup", "/api/v1/accounts/1001/statuses"},
			check: func(t *testing.T, p *creator.Profile) {
				if p.Audience != nil || p.AudienceKind != "" {
					t.Errorf("audience = %v (%q), want none", p.Audience, p.AudienceKind)
				}
			}},
		{name: "not discoverable is fetched when asked for directly", change: map[string]any{"discoverable": false},
			opts: map[string]string{"reply_posts": "0", "followers": "0"}, ref: aliceRef("example.social"),
			wantReqs: []string{"/api/v1/accounts/lookup", "/api/v1/accounts/1001/statuses"}},
		{name: "mastodon.social denied by default", ref: aliceRef("mastodon.social"), wantErr: creator.ErrForbidden},
		{name: "mastodon.social denied by default, any case", ref: creator.Ref{Platform: creator.Mastodon, Handle: "alice@Mastodon.Social"}, wantErr: creator.ErrForbidden},
		{name: "mastodon.social allowed explicitly", opts: map[string]string{"instances_allow": "mastodon.social", "reply_posts": "0", "followers": "0"},
			ref: aliceRef("mastodon.social"), wantReqs: []string{"/api/v1/accounts/lookup", "/api/v1/accounts/1001/statuses"},
			check: func(t *testing.T, p *creator.Profile) {
				if p.Ref.ID != "alice@mastodon.social" {
					t.Errorf("id = %q", p.Ref.ID)
				}
			}},
		{name: "deny list", opts: map[string]string{"instances_deny": "bad.example, example.social"}, ref: aliceRef("example.social"), wantErr: creator.ErrForbidden},
		{name: "allow list leaves others out", opts: map[string]string{"instances_allow": "good.example"}, ref: aliceRef("example.social"), wantErr: creator.ErrForbidden},
		{name: "deny wins over allow", opts: map[string]string{"instances_allow": "example.social", "instances_deny": "example.social"}, ref: aliceRef("example.social"), wantErr: creator.ErrForbidden},
		{name: "unknown account", ref: creator.Ref{Platform: creator.Mastodon, ID: "nobody@example.social"}, wantErr: creator.ErrNotFound, wantReqs: []string{"/api/v1/accounts/lookup"}},
		{name: "bad ref", ref: creator.Ref{Platform: creator.Mastodon, ID: "no-instance"}, wantErr: creator.ErrInvalid},
		{name: "address instead of instance", ref: creator.Ref{Platform: creator.Mastodon, ID: "alice@127.0.0.1"}, wantErr: creator.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeInstance(t, tt.change)
			src := newTestSource(t, f, tt.opts)
			p, err := src.Fetch(context.Background(), tt.ref)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Fetch error = %v, want %v", err, tt.wantErr)
			}
			if err != nil && p != nil {
				t.Errorf("Fetch returned a profile with an error")
			}
			if diff := cmp.Diff(tt.wantReqs, f.paths(), cmp.Comparer(func(a, b []string) bool { return len(a) == 0 && len(b) == 0 || cmp.Equal(a, b) })); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if tt.check != nil && p != nil {
				tt.check(t, p)
			}
		})
	}
}

func TestDiscover(t *testing.T) {
	refs := func(ids ...string) []creator.Ref {
		out := []creator.Ref{}
		for _, id := range ids {
			out = append(out, creator.Ref{Platform: creator.Mastodon, ID: id, Handle: id})
		}
		return out
	}
	tests := []struct {
		name     string
		opts     map[string]string
		query    string
		limit    int
		noDir    bool
		want     []creator.Ref
		wantErr  error
		wantErrS string
		wantReqs int
	}{
		// lee (discoverable false), max (discoverable null), nia (noindex)
		// and oli (#noindex in bio) are left out.
		{name: "directory keeps only discoverable accounts that did not opt out", query: "instance:example.social",
			want: refs("kim@example.social", "pat@example.social"), wantReqs: 1},
		{name: "directory limit", query: "instance:example.social", limit: 1, want: refs("kim@example.social"), wantReqs: 1},
		// rae lives on mastodon.social (denied by default); tess is not discoverable.
		{name: "search leaves out denied home instances", query: "pottery instance:example.social",
			want: refs("quinn@example.social", "sam@other.example"), wantReqs: 1},
		{name: "search with mastodon.social allowed", query: "pottery instance:example.social",
			opts: map[string]string{"instances_allow": "example.social,mastodon.social,other.example"},
			want: refs("quinn@example.social", "rae@mastodon.social", "sam@other.example"), wantReqs: 1},
		{name: "search with a deny list", query: "pottery", opts: map[string]string{"discover_instances": "example.social", "instances_deny": "other.example"},
			want: refs("quinn@example.social"), wantReqs: 1},
		{name: "discovery on mastodon.social is denied by default", query: "pottery instance:mastodon.social", wantErr: creator.ErrForbidden},
		{name: "one denied instance refuses before any request", query: "instance:example.social instance:mastodon.social", wantErr: creator.ErrForbidden},
		{name: "discover_instances denied", query: "pottery", opts: map[string]string{"discover_instances": "example.social", "instances_allow": "other.example"}, wantErr: creator.ErrForbidden},
		{name: "no instance", query: "pottery", wantErr: creator.ErrInvalid},
		{name: "directory turned off", query: "instance:example.social", noDir: true, wantErr: creator.ErrNotFound, wantErrS: "turned its directory off", wantReqs: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeInstance(t, nil)
			f.noDir = tt.noDir
			src := newTestSource(t, f, tt.opts)
			got, err := src.Discover(context.Background(), crawler.DiscoverQuery{Query: tt.query, Limit: tt.limit})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Discover error = %v, want %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), tt.wantErrS) {
				t.Errorf("Discover error = %q, want it to say %q", err, tt.wantErrS)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Discover (-want +got):\n%s", diff)
			}
			if n := len(f.paths()); n != tt.wantReqs {
				t.Errorf("sent %d requests, want %d", n, tt.wantReqs)
			}
		})
	}
}

// recordingDoer is a crawler.Doer that answers from a map and records the
// host policies set on it. Safe for concurrent use.
type recordingDoer struct {
	mu    sync.Mutex
	hosts map[string]fetch.HostPolicy
	urls  []string
}

func (d *recordingDoer) GetJSON(_ context.Context, u *url.URL, v any) error {
	d.mu.Lock()
	d.urls = append(d.urls, u.String())
	d.mu.Unlock()
	if u.Path == "/api/v1/accounts/lookup" {
		return json.Unmarshal([]byte(`{"id":"1","username":"alice","acct":"alice","noindex":false,"hide_collections":true,"note":""}`), v)
	}
	return json.Unmarshal([]byte(`[]`), v)
}

func (d *recordingDoer) SetHost(host string, p fetch.HostPolicy) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.hosts[host] = p
}

func TestRealInstancesGetPerInstanceRateLimits(t *testing.T) {
	d := &recordingDoer{hosts: map[string]fetch.HostPolicy{}}
	src, err := New(crawler.Config{HTTP: d})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"alice@one.example", "alice@two.example", "alice@one.example"} {
		if _, err := src.Fetch(context.Background(), creator.Ref{Platform: creator.Mastodon, ID: id}); err != nil {
			t.Fatalf("Fetch %s: %v", id, err)
		}
	}
	if _, err := src.Fetch(context.Background(), aliceRef("mastodon.social")); !errors.Is(err, creator.ErrForbidden) {
		t.Fatalf("Fetch on mastodon.social: %v, want forbidden", err)
	}
	want := map[string]fetch.HostPolicy{"one.example": {Rate: 1, Burst: 10}, "two.example": {Rate: 1, Burst: 10}}
	if diff := cmp.Diff(want, d.hosts); diff != "" {
		t.Errorf("host policies (-want +got):\n%s", diff)
	}
	for _, u := range d.urls {
		if !strings.HasPrefix(u, "https://one.example/api/") && !strings.HasPrefix(u, "https://two.example/api/") {
			t.Errorf("request %s did not go to the account's home instance over HTTPS", u)
		}
	}
}

func TestInstancePolicy(t *testing.T) {
	tests := []struct {
		name, allow, deny, instance string
		want                        bool
	}{
		{name: "any instance by default", instance: "art.example", want: true},
		{name: "mastodon.social denied by default", instance: "mastodon.social"},
		{name: "mastodon.social denied whatever the case", instance: "MASTODON.social."},
		{name: "mastodon.social allowed explicitly", allow: "mastodon.social", instance: "mastodon.social", want: true},
		{name: "allow list admits only its instances", allow: "a.example, b.example", instance: "c.example"},
		{name: "allow list admits its instances", allow: "a.example, B.example", instance: "b.example", want: true},
		{name: "allow list without mastodon.social keeps it denied", allow: "a.example", instance: "mastodon.social"},
		{name: "deny list", deny: "spam.example", instance: "spam.example"},
		{name: "deny wins over allow", allow: "x.example", deny: "x.example", instance: "x.example"},
		{name: "subdomain of a denied instance is another instance", instance: "social.mastodon.social.example", want: true},
		{name: "not a domain", instance: "a/b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewInstancePolicy(tt.allow, tt.deny)
			if err != nil {
				t.Fatal(err)
			}
			if got, why := p.Allowed(tt.instance); got != tt.want {
				t.Errorf("Allowed(%q) = %v (%s), want %v", tt.instance, got, why, tt.want)
			}
		})
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		cfg  crawler.Config
	}{
		{name: "no client", cfg: crawler.Config{}},
		{name: "bad base", cfg: crawler.Config{HTTP: &recordingDoer{}, BaseURL: "ftp://x"}},
		{name: "bad allow entry", cfg: crawler.Config{HTTP: &recordingDoer{}, Options: map[string]string{"instances_allow": "https://x.example/"}}},
		{name: "bad discover instance", cfg: crawler.Config{HTTP: &recordingDoer{}, Options: map[string]string{"discover_instances": "x y"}}},
		{name: "negative posts", cfg: crawler.Config{HTTP: &recordingDoer{}, Options: map[string]string{"posts": "-1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cfg); !errors.Is(err, creator.ErrInvalid) {
				t.Errorf("New error = %v, want invalid", err)
			}
		})
	}
}

func TestPolicy(t *testing.T) {
	src := newTestSource(t, newFakeInstance(t, nil), nil)
	p := src.Policy()
	if p.RatePerSecond != 1 || p.Burst != 10 || p.Retention != 0 || !p.ScoringAllowed || p.NeedsCredentials || p.Terms == "" || len(p.OptOutSignals) != 6 {
		t.Errorf("Policy = %+v", p)
	}
	if src.Name() != creator.Mastodon {
		t.Errorf("Name = %q", src.Name())
	}
}
