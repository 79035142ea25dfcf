package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/creatorscout/scout/crawler"
	_ "github.com/creatorscout/scout/crawler/sources"

	"github.com/creatorscout/scout/api"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
	"github.com/creatorscout/scout/watch"
)

// testEnums are the enumerations the command passes (a fixed copy, so
// these tests do not depend on the scoring models' lists).
func testEnums() api.Enums {
	e := api.DefaultEnums()
	e["niche"] = []string{"fitness", "food", "gaming", "travel"}
	e["engagement_label"] = []string{"low", "typical", "high", "suspiciously high"}
	e["growth_trend"] = []string{"new", "rising", "steady", "declining", "volatile"}
	return e
}

// fixture stores three creators and returns their records.
func fixture(t *testing.T, st *sqlite.Store) []*creator.Record {
	t.Helper()
	mk := func(id, handle, tier, niche string, followers int64, updated time.Time) *creator.Record {
		ref := creator.Ref{Platform: creator.Bluesky, ID: id, Handle: handle}
		return &creator.Record{Key: creator.Key(ref),
			Profile: creator.Profile{Ref: ref, DisplayName: "Name " + handle, URL: "https://bsky.app/profile/" + handle,
				Followers: followers, Bio: "=HYPERLINK(\"http://evil\") bio", Country: "US", Language: "en"},
			Scores:    creator.Scores{Tier: tier, PrimaryNiche: niche, Authenticity: 80, EngagementRate: 0.031},
			FirstSeen: updated, UpdatedAt: updated}
	}
	recs := []*creator.Record{
		mk("did:plc:theo", "thestrongtheo.bsky.social", creator.TierMicro, "fitness", 12345, time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)),
		mk("did:plc:ann", "ann.example.com", creator.TierNano, "food", 2100, time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)),
		mk("did:plc:bob", "bob.example.com", creator.TierMicro, "gaming", 45000, time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)),
	}
	for _, r := range recs {
		if err := st.Upsert(context.Background(), r, creator.Snapshot{At: r.UpdatedAt, Followers: r.Profile.Followers}); err != nil {
			t.Fatal(err)
		}
	}
	return recs
}

// fullServer serves a real store and a real watch service with the
// command's enumerations.
func fullServer(t *testing.T) (string, *sqlite.Store, []*creator.Record) {
	t.Helper()
	st, err := sqlite.Open(t.TempDir() + "/scout.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	recs := fixture(t, st)
	srv := httptest.NewServer(api.New(api.Config{Store: st, Submitter: &recordingSubmitter{}, Watchlists: watch.New(st, watch.WithProfileURLs(crawler.ParseProfileURL)),
		Enums: testEnums(), Logger: slog.New(slog.DiscardHandler), ResolveURL: crawler.ParseProfileURL}))
	t.Cleanup(srv.Close)
	return srv.URL, st, recs
}

// goInternals are words of Go's own errors that must never reach an API
// user.
var goInternals = []string{"Go struct", "Go value", "float64", "int64", "json:", "strconv", "unmarshal", "invalid input:"}

func TestValidation(t *testing.T) {
	base, _, _ := fullServer(t)
	tests := []struct {
		name, method, path, body string
		code                     int
		kind                     string
		says                     []string // the message contains each
	}{
		// Enumerated parameters list the valid values.
		{"tier unknown", "GET", "/v1/creators?tier=gigantic", "", 400, "invalid_parameter", []string{"tier:", `"gigantic"`, "emerging, nano, micro, mid, macro, mega"}},
		{"niche typo", "GET", "/v1/creators?niche=fitnes", "", 400, "invalid_parameter", []string{"niche:", "did you mean fitness?", "fitness, food, gaming, travel"}},
		{"platform unknown", "GET", "/v1/creators?platform=myspace", "", 400, "invalid_parameter", []string{"platform:", "bluesky, mastodon"}},
		{"engagement label unknown", "GET", "/v1/creators?engagement_label=huge", "", 400, "invalid_parameter", []string{"engagement_label:", "suspiciously high"}},
		{"growth trend unknown", "GET", "/v1/creators?growth_trend=up", "", 400, "invalid_parameter", []string{"growth_trend:", "rising"}},
		{"country not ISO", "GET", "/v1/creators?country=USA", "", 400, "invalid_parameter", []string{"country:", "ISO 3166-1"}},
		{"language not ISO", "GET", "/v1/creators?language=english", "", 400, "invalid_parameter", []string{"language:", "ISO 639"}},
		{"sort unknown", "GET", "/v1/creators?sort=-bio", "", 400, "invalid_parameter", []string{"sort:", "followers", "authenticity"}},
		{"facet unknown", "GET", "/v1/creators?facets=bio", "", 400, "invalid_parameter", []string{"facets:", "tier"}},
		{"format unknown", "GET", "/v1/creators?format=xlsx", "", 400, "invalid_parameter", []string{"format:", "json, csv, jsonl"}},
		{"alert kind unknown", "GET", "/v1/watchlists/x/alerts?kind=bogus", "", 400, "invalid_parameter", []string{"kind:", "follower_spike", "niche_change"}},
		{"alert limit", "GET", "/v1/watchlists/x/alerts?limit=0", "", 400, "invalid_parameter", []string{"limit:", "1 to 1000"}},
		// Times.
		{"time not a time", "GET", "/v1/creators?updated_at_min=yesterday", "", 400, "invalid_parameter", []string{"updated_at_min:", "RFC 3339"}},
		{"number not a number", "GET", "/v1/creators?followers_min=lots", "", 400, "invalid_parameter", []string{"followers_min:", "number"}},
		// Unknown parameters, on every kind of route.
		{"unknown on search", "GET", "/v1/creators?tierr=micro", "", 400, "invalid_parameter", []string{"tierr:", "unknown parameter"}},
		{"unknown on get", "GET", "/v1/creators/bluesky-x?fields=all", "", 400, "invalid_parameter", []string{"fields:", "takes no query parameters"}},
		{"unknown on history", "GET", "/v1/creators/bluesky-x/history?limitt=2", "", 400, "invalid_parameter", []string{"limitt:", "valid parameters: limit"}},
		{"unknown on lookup", "GET", "/v1/creators/lookup?user=x", "", 400, "invalid_parameter", []string{"user:", "url, platform, handle"}},
		{"unknown on post", "POST", "/v1/crawl?dry=1", `{"handle":"a.bsky.social"}`, 400, "invalid_parameter", []string{"dry:"}},
		{"unknown on watchlists", "GET", "/v1/watchlists?page=2", "", 400, "invalid_parameter", []string{"page:"}},
		{"repeated parameter", "GET", "/v1/creators/bluesky-x/history?limit=1&limit=2", "", 400, "invalid_parameter", []string{"limit:", "more than once"}},
		// Malformed query strings name the parameter instead of dropping it.
		{"bad escape in value", "GET", "/v1/creators?tier=micro%", "", 400, "invalid_parameter", []string{"tier:", "percent-encoded"}},
		{"bad escape in name", "GET", "/v1/creators?ti%zzer=micro", "", 400, "invalid_parameter", []string{"ti%zzer:"}},
		{"semicolon", "GET", "/v1/creators?tier=micro;niche=food", "", 400, "invalid_parameter", []string{"semicolon"}},
		// Wrong methods.
		{"method on search", "DELETE", "/v1/creators", "", 405, "method_not_allowed", []string{"GET, HEAD"}},
		{"method on crawl", "GET", "/v1/crawl", "", 405, "method_not_allowed", []string{"allowed: POST"}},
		{"method on watchlist", "PUT", "/v1/watchlists/x", "", 405, "method_not_allowed", []string{"DELETE, GET, HEAD, PATCH"}},
		// Bodies: JSON's terms, never Go's.
		{"body wrong type", "POST", "/v1/watchlists", `{"name":"x","rules":{"authenticity_below":"high"}}`, 400, "invalid_body", []string{"rules.authenticity_below: must be a number, not a string"}},
		{"body unknown field", "POST", "/v1/crawl", `{"handel":"a.bsky.social"}`, 400, "invalid_body", []string{`unknown field "handel"`, "platform, id, handle"}},
		{"body empty", "POST", "/v1/crawl", ``, 415, "unsupported_media_type", nil},
		{"body syntax", "POST", "/v1/crawl", `{"handle":}`, 400, "invalid_body", []string{"not valid JSON at byte"}},
		{"body array", "POST", "/v1/crawl", `[1]`, 400, "invalid_body", []string{"must be an object, not an array"}},
		{"crawl platform unknown", "POST", "/v1/crawl", `{"platform":"myspace","handle":"a"}`, 400, "invalid_parameter", []string{"platform:", "bluesky"}},
		{"crawl handle with spaces", "POST", "/v1/crawl", `{"handle":"a b c"}`, 400, "invalid_parameter", []string{"handle:", "not a handle"}},
		{"crawl nothing", "POST", "/v1/crawl", `{}`, 400, "invalid_parameter", []string{"handle:", "required"}},
		{"discover no query", "POST", "/v1/discover", `{"source":"bluesky"}`, 400, "invalid_parameter", []string{"query:", "required"}},
		{"discover limit", "POST", "/v1/discover", `{"query":"x","limit":5000}`, 400, "invalid_parameter", []string{"limit:", "1 to 1000"}},
		// Not found says what, once.
		{"alert not found", "GET", "/v1/alerts/nope", "", 404, "not_found", []string{`no alert with id "nope"`}},
		{"watchlist not found", "GET", "/v1/watchlists/nope", "", 404, "not_found", []string{`no watchlist with id "nope"`}},
		{"creator not found", "GET", "/v1/creators/bluesky-nobody", "", 404, "not_found", []string{`no creator with key "bluesky-nobody"`}},
		{"handle as key", "GET", "/v1/creators/thestrongtheo.bsky.social", "", 400, "invalid_parameter", []string{"/v1/creators/lookup?platform=bluesky&handle=thestrongtheo.bsky.social"}},
		{"lookup needs platform", "GET", "/v1/creators/lookup?handle=x", "", 400, "invalid_parameter", []string{"platform:", "bluesky"}},
		{"lookup both", "GET", "/v1/creators/lookup?url=https://bsky.app/profile/x&handle=x&platform=bluesky", "", 400, "invalid_parameter", []string{"either"}},
		{"lookup nothing", "GET", "/v1/creators/lookup", "", 400, "invalid_parameter", []string{"url:"}},
		{"lookup not a url", "GET", "/v1/creators/lookup?url=ftp://x", "", 400, "invalid_parameter", []string{"url:"}},
		{"lookup platform unknown", "GET", "/v1/creators/lookup?platform=myspace&handle=x", "", 400, "invalid_parameter", []string{"platform:"}},
		{"redeliver unknown", "POST", "/v1/alerts/nope/redeliver", "", 404, "not_found", []string{`no alert with id "nope"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, h, body := do(t, tt.method, base+tt.path, "", tt.body)
			if code != tt.code {
				t.Fatalf("%s %s = %d %s, want %d", tt.method, tt.path, code, body, tt.code)
			}
			var e api.Error
			if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code != tt.kind {
				t.Fatalf("%s %s: body %s, want error code %s", tt.method, tt.path, body, tt.kind)
			}
			for _, want := range tt.says {
				if !strings.Contains(e.Error.Message, want) {
					t.Errorf("message %q does not say %q", e.Error.Message, want)
				}
			}
			for _, bad := range goInternals {
				if strings.Contains(e.Error.Message, bad) {
					t.Errorf("message %q shows Go internals (%q)", e.Error.Message, bad)
				}
			}
			parts := strings.Split(e.Error.Message, ": ")
			for i := 1; i < len(parts); i++ {
				if parts[i] == parts[i-1] {
					t.Errorf("message %q says %q twice", e.Error.Message, parts[i])
				}
			}
			if code == 405 && h.Get("Allow") == "" {
				t.Errorf("405 without Allow")
			}
		})
	}
}

func TestValidInputAccepted(t *testing.T) {
	base, _, recs := fullServer(t)
	tests := []struct {
		name, path string
		want       []string // keys, in order
	}{
		{"tier any case", "/v1/creators?tier=MICRO", []string{recs[2].Key, recs[0].Key}},
		{"tier list and missing", "/v1/creators?tier=nano,micro&sort=-followers", []string{recs[2].Key, recs[0].Key, recs[1].Key}},
		{"niche", "/v1/creators?niche=fitness", []string{recs[0].Key}},
		{"RFC 3339 time", "/v1/creators?updated_at_min=2026-11-15T00:00:00Z", []string{recs[0].Key}},
		{"RFC 3339 with offset", "/v1/creators?updated_at_max=2026-11-10T10:00:00%2B01:00", []string{recs[1].Key, recs[2].Key}},
		{"date", "/v1/creators?updated_at_min=2026-11-05&updated_at_max=2026-11-15", []string{recs[1].Key}},
		{"unix seconds", "/v1/creators?updated_at_min=1794700800", []string{recs[0].Key}},
		{"country lower case", "/v1/creators?country=us&followers_min=40000", []string{recs[2].Key}},
		{"exact handle filter", "/v1/creators?handle=ANN.example.com", []string{recs[1].Key}},
		{"escaped plus is a plus, + a space", "/v1/creators?q=Name+ann", []string{recs[1].Key}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := do(t, "GET", base+tt.path, "", "")
			if code != 200 {
				t.Fatalf("GET %s = %d %s", tt.path, code, body)
			}
			var res index.Result
			if err := json.Unmarshal([]byte(body), &res); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.Key)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("GET %s = %v, want %v", tt.path, got, tt.want)
			}
		})
	}
	// HEAD is GET without the body.
	if code, _, _ := do(t, "HEAD", base+"/v1/creators", "", ""); code != http.StatusOK {
		t.Errorf("HEAD /v1/creators = %d", code)
	}
}

func TestLookup(t *testing.T) {
	base, _, recs := fullServer(t)
	tests := []struct {
		name, path string
		code       int
		want       string
	}{
		{"by url", "/v1/creators/lookup?url=https://bsky.app/profile/thestrongtheo.bsky.social", 200, recs[0].Key},
		{"by url spelled otherwise", "/v1/creators/lookup?url=" + "http%3A%2F%2FBSKY.app%2Fprofile%2Fthestrongtheo.bsky.social%2F%3Fref%3Dx", 200, recs[0].Key},
		{"by handle", "/v1/creators/lookup?platform=bluesky&handle=@TheStrongTheo.bsky.social", 200, recs[0].Key},
		{"one letter off", "/v1/creators/lookup?platform=bluesky&handle=thestrongthea.bsky.social", 404, ""},
		{"prefix", "/v1/creators/lookup?platform=bluesky&handle=thestrongtheo", 404, ""},
		{"other platform", "/v1/creators/lookup?platform=mastodon&handle=thestrongtheo.bsky.social", 404, ""},
		// Ann's stored URL is another form: the URL's handle finds her.
		{"url resolved to a handle", "/v1/creators/lookup?url=https://www.bsky.app/profile/ANN.example.com/post/3k", 200, recs[1].Key},
		{"url resolved to a did", "/v1/creators/lookup?url=https://bsky.app/profile/did:plc:bob", 200, recs[2].Key},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := do(t, "GET", base+tt.path, "", "")
			if code != tt.code {
				t.Fatalf("GET %s = %d %s, want %d", tt.path, code, body, tt.code)
			}
			if tt.code != 200 {
				return
			}
			var res api.LookupResult
			if err := json.Unmarshal([]byte(body), &res); err != nil {
				t.Fatal(err)
			}
			if len(res.Creators) != 1 || res.Creators[0].Key != tt.want {
				t.Errorf("GET %s = %s, want only %s", tt.path, body, tt.want)
			}
		})
	}
}
