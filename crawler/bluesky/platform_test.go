package bluesky_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/bluesky"
	"github.com/creatorscout/scout/creator"
)

// answer is what the test AppView sends for one XRPC method: a status and
// a body, or a testdata file.
type answer struct {
	status int
	body   string
	file   string
}

// appView serves XRPC methods as the public AppView does, errors included:
// a status of 400 with {"error": ..., "message": ...}.
func appView(t *testing.T, answers map[string]answer) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := answers[strings.TrimPrefix(r.URL.Path, "/xrpc/")]
		if !ok {
			w.WriteHeader(http.StatusNotImplemented)
			w.Write([]byte(`{"error":"MethodNotImplemented","message":"Method Not Implemented"}`))
			return
		}
		body := []byte(a.body)
		if a.file != "" {
			b, err := os.ReadFile(filepath.Join("testdata", a.file))
			if err != nil {
				t.Error(err)
			}
			body = b
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if a.status != 0 {
			w.WriteHeader(a.status)
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func wellFormed() map[string]answer {
	return map[string]answer{
		"app.bsky.actor.getProfile":   {file: "profile.json"},
		"app.bsky.feed.getAuthorFeed": {file: "feed.json"},
		"app.bsky.feed.getPostThread": {file: "thread.json"},
		"app.bsky.graph.getFollowers": {file: "followers.json"},
		"app.bsky.actor.getProfiles":  {file: "profiles.json"},
	}
}

func fetchFrom(t *testing.T, answers map[string]answer) (*creator.Profile, error) {
	t.Helper()
	src, err := bluesky.New(crawler.Config{HTTP: realDoer(t), BaseURL: appView(t, answers),
		Options: map[string]string{"followers": "3"}})
	if err != nil {
		t.Fatal(err)
	}
	return src.Fetch(context.Background(), creator.Ref{Platform: creator.Bluesky, ID: "did:plc:testcook000000000000001"})
}

// TestFetchThreadWithDeletedPost: getPostThread answers a post deleted
// since the feed listed it with 400 {"error":"NotFound"} (its lexicon's
// one error). The crawl goes on without that thread's replies.
func TestFetchThreadWithDeletedPost(t *testing.T) {
	a := wellFormed()
	a["app.bsky.feed.getPostThread"] = answer{status: 400,
		body: `{"error":"NotFound","message":"Post not found: at://did:plc:testcook000000000000001/app.bsky.feed.post/3lof7sovfok2h"}`}
	p, err := fetchFrom(t, a)
	if err != nil {
		t.Fatalf("Fetch with a deleted post in a thread: %v", err)
	}
	if len(p.Posts) == 0 || len(p.Comments) != 0 || len(p.Audience) == 0 {
		t.Errorf("got %d posts, %d comments, %d audience; want posts, no comments, audience", len(p.Posts), len(p.Comments), len(p.Audience))
	}
}

// TestFetchXRPCErrors: the AppView's error answers, as it sends them (400
// with an XRPC error body), through the project's fetch client.
func TestFetchXRPCErrors(t *testing.T) {
	unavailable := answer{status: 500, body: `{"error":"InternalServerError","message":"Internal Server Error"}`}
	tests := []struct {
		name    string
		method  string
		answer  answer
		fallbk  *answer // getProfiles, when getProfile fails
		wantErr error
		wantMsg string
	}{
		{"profile not found", "app.bsky.actor.getProfile", answer{status: 400, body: `{"error":"InvalidRequest","message":"Profile not found"}`}, &unavailable, creator.ErrNotFound, "Profile not found"},
		{"actor not found on the feed", "app.bsky.feed.getAuthorFeed", answer{status: 400, body: `{"error":"InvalidRequest","message":"Actor not found"}`}, nil, creator.ErrNotFound, "Actor not found"},
		{"taken down", "app.bsky.actor.getProfile", answer{status: 400, body: `{"error":"AccountTakedown","message":"Account has been suspended"}`}, &unavailable, creator.ErrNotFound, "AccountTakedown"},
		{"deactivated", "app.bsky.actor.getProfile", answer{status: 400, body: `{"error":"AccountDeactivated","message":"Account is deactivated"}`}, &unavailable, creator.ErrNotFound, "AccountDeactivated"},
		{"blocked actor on the feed", "app.bsky.feed.getAuthorFeed", answer{status: 400, body: `{"error":"BlockedActor","message":"Requester has blocked actor"}`}, nil, creator.ErrNotFound, "BlockedActor"},
		{"taken down, decoded as a success", "app.bsky.actor.getProfile", answer{status: 200, body: `{"error":"AccountTakedown","message":"Account has been suspended"}`}, nil, creator.ErrNotFound, "AccountTakedown"},
		{"unknown XRPC error stays an error", "app.bsky.feed.getAuthorFeed", answer{status: 400, body: `{"error":"InvalidRequest","message":"Invalid cursor"}`}, nil, creator.ErrMalformed, "Invalid cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := wellFormed()
			a[tt.method] = tt.answer
			if tt.fallbk != nil {
				a["app.bsky.actor.getProfiles"] = *tt.fallbk
			}
			p, err := fetchFrom(t, a)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Fetch error %v, want one wrapping %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Fetch error %q does not say %q", err, tt.wantMsg)
			}
			if p != nil {
				t.Errorf("Fetch returned a profile with an error")
			}
		})
	}
}

// TestParseProfileViewDetailed: fields of app.bsky.actor.defs
// #profileViewDetailed the parser used to drop or misread.
func TestParseProfileViewDetailed(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		wantHandle  string
		wantURL     string
		wantLinks   []string
		wantUnknown []string
		wantCounts  [3]int64
	}{
		{
			name:       "website is a link",
			body:       `{"did":"did:plc:abc","handle":"cook.example.com","website":"https://cook.example.com/","description":"Recipes. cook.example.com and https://shop.example.org","followersCount":5,"followsCount":6,"postsCount":7}`,
			wantHandle: "cook.example.com", wantURL: "https://bsky.app/profile/cook.example.com",
			wantLinks:  []string{"https://cook.example.com/", "https://shop.example.org"},
			wantCounts: [3]int64{5, 6, 7},
		},
		{
			name:       "handle.invalid is no handle",
			body:       `{"did":"did:plc:abc","handle":"handle.invalid","followersCount":5,"followsCount":6,"postsCount":7}`,
			wantHandle: "", wantURL: "https://bsky.app/profile/did:plc:abc",
			wantCounts: [3]int64{5, 6, 7},
		},
		{
			name:       "absent counts are unknown",
			body:       `{"did":"did:plc:abc","handle":"cook.example.com","postsCount":7}`,
			wantHandle: "cook.example.com", wantURL: "https://bsky.app/profile/cook.example.com",
			wantUnknown: []string{creator.CountFollowers, creator.CountFollowing},
			wantCounts:  [3]int64{0, 0, 7},
		},
		{
			name:       "zero counts are known",
			body:       `{"did":"did:plc:abc","handle":"cook.example.com","followersCount":0,"followsCount":0,"postsCount":0}`,
			wantHandle: "cook.example.com", wantURL: "https://bsky.app/profile/cook.example.com",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := bluesky.ParseProfile([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			type view struct {
				Handle, URL string
				Links       []string
				Unknown     []string
				Counts      [3]int64
			}
			want := view{tt.wantHandle, tt.wantURL, tt.wantLinks, tt.wantUnknown, tt.wantCounts}
			got := view{p.Ref.Handle, p.URL, p.Links, p.UnknownCounts, [3]int64{p.Followers, p.Following, p.PostsCount}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseAccountsWebsiteAndInvalidHandle: a getProfiles view with a
// website has a URL; one whose handle is handle.invalid keeps no handle.
func TestParseAccountsWebsiteAndInvalidHandle(t *testing.T) {
	body := `{"profiles":[
		{"did":"did:plc:a","handle":"a.example.com","website":"https://a.example.com","description":"no links here","followersCount":1,"followsCount":1,"postsCount":1},
		{"did":"did:plc:b","handle":"handle.invalid","description":"","followersCount":1,"followsCount":1,"postsCount":1}]}`
	accts, err := bluesky.ParseProfiles([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 2 {
		t.Fatalf("got %d accounts, want 2", len(accts))
	}
	if accts[0].HasURL == nil || !*accts[0].HasURL {
		t.Errorf("account with a website: HasURL %v, want true", accts[0].HasURL)
	}
	if accts[1].Handle != "" || accts[1].ID != "did:plc:b" {
		t.Errorf("handle.invalid account: handle %q id %q, want no handle and its DID", accts[1].Handle, accts[1].ID)
	}
}

// TestParseFeedPostWithoutCounts: a postView whose counts are all absent
// (they are optional in app.bsky.feed.defs#postView) is left out rather
// than read as a post nobody engaged with.
func TestParseFeedPostWithoutCounts(t *testing.T) {
	body := `{"feed":[
		{"post":{"uri":"at://did:plc:a/app.bsky.feed.post/1","author":{"did":"did:plc:a","handle":"a.example.com"},"record":{"text":"counted","createdAt":"2025-05-01T00:00:00Z"},"likeCount":3,"replyCount":0,"repostCount":0,"quoteCount":0,"indexedAt":"2025-05-01T00:00:00Z"}},
		{"post":{"uri":"at://did:plc:a/app.bsky.feed.post/2","author":{"did":"did:plc:a","handle":"a.example.com"},"record":{"text":"no counts","createdAt":"2025-05-01T00:00:00Z"},"indexedAt":"2025-05-01T00:00:00Z"}},
		{"post":{"uri":"at://did:plc:a/app.bsky.feed.post/3","author":{"did":"did:plc:a","handle":"handle.invalid"},"record":{"text":"likes only","createdAt":"2025-05-01T00:00:00Z"},"likeCount":1,"indexedAt":"2025-05-01T00:00:00Z"}}]}`
	posts, _, err := bluesky.ParseAuthorFeed([]byte(body), "did:plc:a")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range posts {
		ids = append(ids, p.ID+" "+p.URL)
	}
	want := []string{
		"at://did:plc:a/app.bsky.feed.post/1 https://bsky.app/profile/a.example.com/post/1",
		"at://did:plc:a/app.bsky.feed.post/3 https://bsky.app/profile/did:plc:a/post/3",
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("posts (-want +got):\n%s", diff)
	}
}

// TestDomainHandleLink: a handle that is the domain of the profile's
// website links the account to the site; a website elsewhere, or a
// bsky.social handle, does not.
func TestDomainHandleLink(t *testing.T) {
	tests := []struct {
		name, body string
		want       []creator.LinkedAccount
	}{
		{
			name: "website on the handle's domain",
			body: `{"did":"did:plc:abc","handle":"ada.example","website":"https://www.ada.example/about","followersCount":1,"followsCount":1,"postsCount":1}`,
			want: []creator.LinkedAccount{{Platform: creator.Web, ID: "https://www.ada.example/", URL: "https://www.ada.example/",
				Evidence: []creator.LinkEvidence{{Kind: creator.EvidenceDomainHandle, Forward: "profile website is https://www.ada.example/about",
					Back: "handle ada.example is proved by the domain itself (AT Protocol handle resolution)"}}}},
		},
		{
			name: "website elsewhere",
			body: `{"did":"did:plc:abc","handle":"ada.example","website":"https://linktr.ee/ada","followersCount":1,"followsCount":1,"postsCount":1}`,
		},
		{
			name: "hosted handle, site named after it",
			body: `{"did":"did:plc:abc","handle":"ada.bsky.social","website":"https://ada.example","followersCount":1,"followsCount":1,"postsCount":1}`,
		},
		{
			name: "lookalike domain",
			body: `{"did":"did:plc:abc","handle":"ada.example","website":"https://ada.example.evil.test","followersCount":1,"followsCount":1,"postsCount":1}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := bluesky.ParseProfile([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, p.Linked); diff != "" {
				t.Errorf("linked (-want +got):\n%s", diff)
			}
		})
	}
}
