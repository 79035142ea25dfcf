package instagram_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/crawler/instagram"
	"github.com/creatorscout/scout/creator"
)

const (
	token  = "EAAG-operator-secret"
	userID = "17841406338772941"
)

// graph is a test Graph API: business_discovery for one business account
// with five media over two pages, answering as the API does (errors as
// 400 with {"error": ...}).
type graph struct {
	mu     sync.Mutex
	fields []string
	usage  string // X-Business-Use-Case-Usage to send, if any
}

func media(i int) string {
	return fmt.Sprintf(`{"id":"1790000000000000%d","caption":"Glaze test %d #ceramics","comments_count":%d,"like_count":%d,"media_type":"IMAGE","permalink":"https://www.instagram.com/p/P%d/","timestamp":"2026-11-%02dT10:00:00+0000"}`, i, i, i, 10*i, i, 20-i)
}

func (g *graph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	g.mu.Lock()
	g.fields = append(g.fields, q.Get("fields"))
	usage := g.usage
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if usage != "" {
		w.Header().Set("X-Business-Use-Case-Usage", usage)
	}
	if r.URL.Path != "/v21.0/"+userID || q.Get("access_token") != token {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"message":"Invalid OAuth access token - Cannot parse access token","type":"OAuthException","code":190,"fbtrace_id":"X"}}`)
		return
	}
	f := q.Get("fields")
	switch {
	case strings.HasPrefix(f, "business_discovery.username(studio.clay){media.after(CUR1)"):
		fmt.Fprintf(w, `{"business_discovery":{"media":{"data":[%s,%s]},"id":"111"},"id":"%s"}`, media(4), media(5), userID)
	case strings.HasPrefix(f, "business_discovery.username(studio.clay){"):
		fmt.Fprintf(w, `{"business_discovery":{"id":"111","username":"studio.clay","name":"Studio Clay","biography":"Hand-thrown pottery. Classes: https://classes.example/clay","website":"https://studioclay.example/","profile_picture_url":"https://cdn.example/p.jpg","followers_count":5120,"follows_count":310,"media_count":402,"media":{"data":[%s,%s,%s],"paging":{"cursors":{"before":"CUR0","after":"CUR1"}}}},"id":"%s"}`,
			media(1), media(2), media(3), userID)
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"message":"Invalid user id","type":"OAuthException","code":110,"error_subcode":2207013,"error_user_title":"Cannot find User","fbtrace_id":"Y"}}`)
	}
}

func newSource(t *testing.T, g *graph, opts map[string]string) *instagram.Source {
	t.Helper()
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	c, err := fetch.New(fetch.WithAllowNets(netip.MustParsePrefix("127.0.0.0/8")), fetch.WithRetries(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	o := map[string]string{"token": token, "user_id": userID}
	for k, v := range opts {
		o[k] = v
	}
	src, err := instagram.New(crawler.Config{HTTP: c, BaseURL: srv.URL + "/v21.0", Options: o,
		Now: func() time.Time { return time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestFetchPagesMedia(t *testing.T) {
	g := &graph{}
	src := newSource(t, g, map[string]string{"media": "5"})
	p, err := src.Fetch(context.Background(), creator.Ref{Platform: creator.Instagram, Handle: "@Studio.Clay"})
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if p.Ref.ID != "111" || p.Ref.Handle != "studio.clay" || p.Followers != 5120 || p.Following != 310 || p.PostsCount != 402 {
		t.Errorf("profile %+v", p.Ref)
	}
	if len(p.Links) != 2 || p.Links[0] != "https://studioclay.example/" {
		t.Errorf("links %v, want the website then the bio's link", p.Links)
	}
	if len(p.Posts) != 5 || p.Posts[4].Likes != 50 || p.Posts[4].Replies != 5 || p.Posts[0].Hashtags[0] != "ceramics" {
		t.Errorf("posts %+v", p.Posts)
	}
	if len(p.Audience) != 0 || len(p.Labels) != 1 || p.Labels[0] != instagram.LabelNoAudience {
		t.Errorf("audience %d, labels %v: want none and the no-audience label", len(p.Audience), p.Labels)
	}
	if len(g.fields) != 2 || !strings.Contains(g.fields[1], "media.after(CUR1).limit(2)") {
		t.Errorf("requests %q, want the profile page then media after CUR1", g.fields)
	}
}

func TestFetchErrors(t *testing.T) {
	tests := []struct {
		name    string
		ref     creator.Ref
		opts    map[string]string
		wantErr error
	}{
		{"not a business account", creator.Ref{Platform: creator.Instagram, Handle: "someone"}, nil, creator.ErrNotFound},
		{"token refused", creator.Ref{Platform: creator.Instagram, Handle: "studio.clay"}, map[string]string{"token": "wrong"}, creator.ErrForbidden},
		{"not a username", creator.Ref{Platform: creator.Instagram, Handle: "no spaces"}, nil, creator.ErrInvalid},
		{"id only", creator.Ref{Platform: creator.Instagram, ID: "111"}, nil, creator.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newSource(t, &graph{}, tt.opts)
			_, err := src.Fetch(context.Background(), tt.ref)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Fetch error %v, want %v", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "wrong") {
				t.Errorf("error %q shows the token", err)
			}
		})
	}
}

// TestThrottledByUsageHeaders: once the business use case reports full
// usage, the source gets a *creator.RetryAfter for the announced time and
// sends nothing more.
func TestThrottledByUsageHeaders(t *testing.T) {
	g := &graph{usage: `{"111":[{"type":"instagram","call_count":100,"total_cputime":10,"total_time":10,"estimated_time_to_regain_access":15}]}`}
	src := newSource(t, g, map[string]string{"media": "3"})
	ref := creator.Ref{Platform: creator.Instagram, Handle: "studio.clay"}
	if _, err := src.Fetch(context.Background(), ref); err != nil {
		t.Fatalf("first Fetch: %v", err)
	}
	_, err := src.Fetch(context.Background(), ref)
	var ra *creator.RetryAfter
	if !errors.As(err, &ra) || !errors.Is(err, creator.ErrRateLimited) {
		t.Fatalf("second Fetch: %v, want a rate limit with a retry time", err)
	}
	if len(g.fields) != 1 {
		t.Errorf("%d requests sent, want 1", len(g.fields))
	}
}

func TestNewNeedsCredentials(t *testing.T) {
	c, _ := fetch.New()
	for _, opts := range []map[string]string{{}, {"token": "t"}, {"user_id": "1"}, {"token": "t", "user_id": "me"}} {
		_, err := instagram.New(crawler.Config{HTTP: c, Options: opts})
		if !errors.Is(err, creator.ErrInvalid) || !strings.Contains(err.Error(), "SCOUT_INSTAGRAM_") {
			t.Errorf("New(%v): %v, want an invalid-input error naming the setting", opts, err)
		}
	}
}
