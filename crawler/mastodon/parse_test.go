package mastodon

import (
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("reading testdata: %v", err)
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

func TestParseAccount(t *testing.T) {
	p, err := parseAccount(readTestdata(t, "account.json"), "example.social")
	if err != nil {
		t.Fatalf("ParseAccount: %v", err)
	}
	want := &creator.Profile{
		Ref:         creator.Ref{Platform: creator.Mastodon, ID: "alice@example.social", Handle: "alice@example.social"},
		DisplayName: "Alice Example",
		Bio:         "Sourdough & #baking notes.\n\nShop: https://bakery.example.com/\nHi @bob",
		AvatarURL:   "https://files.example.social/accounts/avatars/1001/original/a.png",
		URL:         "https://example.social/@alice",
		Links:       []string{"https://alice.example.com", "https://bakery.example.com/"},
		Followers:   2400,
		Following:   310,
		PostsCount:  875,
		CreatedAt:   ts("2023-02-01T00:00:00Z"),
		// The Site field's link was verified by the instance; the
		// unverified Pronouns field and the bio's shop link are no
		// evidence.
		Linked: []creator.LinkedAccount{{
			Platform: creator.Web, ID: "https://alice.example.com", URL: "https://alice.example.com",
			Evidence: []creator.LinkEvidence{{
				Kind:    creator.EvidenceMastodonVerified,
				Forward: `profile field "Site" of alice@example.social links to https://alice.example.com`,
				Back:    `https://alice.example.com links back with rel="me", verified by example.social`,
				At:      ts("2024-01-01T00:00:00Z"),
			}},
		}},
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("ParseAccount (-want +got):\n%s", diff)
	}
}

func TestParseAccountErrors(t *testing.T) {
	base := map[string]any{}
	if err := json.Unmarshal(readTestdata(t, "account.json"), &base); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change map[string]any
		raw    string
		want   error
	}{
		{name: "noindex", change: map[string]any{"noindex": true}, want: creator.ErrOptedOut},
		{name: "nobot hashtag in bio", change: map[string]any{"note": `<p>Art. <a href="https://example.social/tags/nobot" class="mention hashtag" rel="tag">#<span>nobot</span></a></p>`}, want: creator.ErrOptedOut},
		{name: "noindex hashtag in bio, upper case", change: map[string]any{"note": "<p>#NoIndex</p>"}, want: creator.ErrOptedOut},
		{name: "suspended", change: map[string]any{"suspended": true}, want: creator.ErrNotFound},
		{name: "no id", change: map[string]any{"id": ""}, want: creator.ErrMalformed},
		{name: "not json", raw: "<html>", want: creator.ErrMalformed},
		{name: "noindex false and a longer tag", change: map[string]any{"noindex": false, "note": "<p>#nobotany</p>"}},
		{name: "noindex null", change: map[string]any{"noindex": nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.raw)
			if tt.raw == "" {
				m := map[string]any{}
				for k, v := range base {
					m[k] = v
				}
				for k, v := range tt.change {
					m[k] = v
				}
				body, _ = json.Marshal(m)
			}
			_, err := parseAccount(body, "example.social")
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("ParseAccount error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseStatuses(t *testing.T) {
	posts, err := parseStatuses(readTestdata(t, "statuses.json"), "1001")
	if err != nil {
		t.Fatalf("ParseStatuses: %v", err)
	}
	want := []creator.Post{
		{ID: "501", URL: "https://example.social/@alice/501", Text: "New loaf! #Sourdough #baking", CreatedAt: ts("2026-11-20T10:00:00Z"),
			Langs: []string{"en"}, Hashtags: []string{"sourdough", "baking"}, Likes: 20, Replies: 3, Reposts: 4, Views: -1},
		{ID: "504", URL: "https://example.social/@alice/504", Text: "food\n\nThread, part 2", CreatedAt: ts("2026-11-17T10:00:00Z"),
			Langs: []string{"de"}, Likes: 2, Replies: 1, Views: -1},
	}
	if diff := cmp.Diff(want, posts); diff != "" {
		t.Errorf("ParseStatuses (-want +got):\n%s", diff)
	}
}

func TestParseContext(t *testing.T) {
	got, err := parseContext(readTestdata(t, "context.json"), "501", "1001", "example.social")
	if err != nil {
		t.Fatalf("ParseContext: %v", err)
	}
	want := []creator.Comment{
		{ID: "601", PostID: "501", Text: "@alice looks great", CreatedAt: ts("2026-11-20T11:00:00Z"), Likes: 2,
			Author: creator.Account{ID: "bob@other.example", Handle: "bob@other.example", DisplayName: creator.Ptr("Bob"), Bio: creator.Ptr(""),
				HasAvatar: creator.Ptr(false), Private: creator.Ptr(true), HasURL: creator.Ptr(false),
				Followers: creator.Ptr[int64](12), Following: creator.Ptr[int64](40), Posts: creator.Ptr[int64](3), CreatedAt: creator.Ptr(ts("2024-05-05T00:00:00Z"))}},
		{ID: "605", PostID: "501", Text: "Yum", CreatedAt: ts("2026-11-20T15:00:00Z"), Likes: 1,
			Author: creator.Account{ID: "frank@example.social", Handle: "frank@example.social", DisplayName: creator.Ptr(""), Bio: creator.Ptr("#nobotany fan"),
				HasAvatar: creator.Ptr(true), Private: creator.Ptr(false), HasURL: creator.Ptr(true),
				Followers: creator.Ptr[int64](1), Following: creator.Ptr[int64](2), Posts: creator.Ptr[int64](300), CreatedAt: creator.Ptr(ts("2025-01-02T00:00:00Z"))}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseContext (-want +got):\n%s", diff)
	}
}

func TestParseAccountsFollowers(t *testing.T) {
	got, err := parseAccounts(readTestdata(t, "followers_1.json"), "example.social")
	if err != nil {
		t.Fatalf("ParseAccounts: %v", err)
	}
	want := []creator.Account{
		{ID: "gina@example.social", Handle: "gina@example.social", DisplayName: creator.Ptr("Gina"), Bio: creator.Ptr("Gardener"),
			HasAvatar: creator.Ptr(true), Private: creator.Ptr(false), HasURL: creator.Ptr(true),
			Followers: creator.Ptr[int64](150), Following: creator.Ptr[int64](200), Posts: creator.Ptr[int64](1200), CreatedAt: creator.Ptr(ts("2022-12-01T00:00:00Z"))},
		{ID: "hank@far.example", Handle: "hank@far.example", DisplayName: creator.Ptr(""), Bio: creator.Ptr(""),
			HasAvatar: creator.Ptr(false), Private: creator.Ptr(true), HasURL: creator.Ptr(false),
			Followers: creator.Ptr[int64](0), Following: creator.Ptr[int64](900), Posts: creator.Ptr[int64](0), CreatedAt: creator.Ptr(ts("2026-11-01T00:00:00Z"))},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseAccounts (-want +got):\n%s", diff)
	}
}

func TestParseDirectoryAndSearch(t *testing.T) {
	refs := func(ids ...string) []creator.Ref {
		out := []creator.Ref{}
		for _, id := range ids {
			out = append(out, creator.Ref{Platform: creator.Mastodon, ID: id, Handle: id})
		}
		return out
	}
	tests := []struct {
		name  string
		parse func([]byte, string) ([]creator.Ref, error)
		file  string
		want  []creator.Ref
	}{
		// lee (discoverable false), max (null), nia (noindex) and oli
		// (#noindex in bio) are left out.
		{name: "directory", parse: parseDirectory, file: "directory.json", want: refs("kim@example.social", "pat@example.social")},
		// tess is not discoverable; rae's instance is filtered by Discover,
		// not by the parser.
		{name: "search", parse: ParseSearch, file: "search.json", want: refs("quinn@example.social", "rae@mastodon.social", "sam@other.example")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.parse(readTestdata(t, tt.file), "example.social")
			if err != nil {
				t.Fatalf("parsing: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("refs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHTMLText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "empty", in: "", want: ""},
		{name: "plain", in: "  just text ", want: "just text"},
		{name: "paragraphs and breaks", in: "<p>one</p><p>two<br>three<br/>four</p>", want: "one\n\ntwo\nthree\nfour"},
		{name: "entities", in: "<p>a &amp; b &lt;c&gt; &quot;d&quot;</p>", want: `a & b <c> "d"`},
		{name: "shortened link kept whole", in: `<a href="https://x.example/long/path"><span class="invisible">https://</span><span class="ellipsis">x.example/lo</span><span class="invisible">ng/path</span></a>`, want: "https://x.example/long/path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlText(tt.in); got != tt.want {
				t.Errorf("htmlText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHTMLLinks(t *testing.T) {
	in := `<p><a href="https://a.example/" rel="nofollow">a</a> <a href="https://i.example/tags/x" class="mention hashtag" rel="tag">#x</a> ` +
		`<a href="https://i.example/@bob" class="u-url mention">@bob</a> <a href="mailto:x@y.example">m</a> <a href="https://b.example/p">b</a></p>`
	want := []string{"https://a.example/", "https://b.example/p"}
	if diff := cmp.Diff(want, htmlLinks(in)); diff != "" {
		t.Errorf("htmlLinks (-want +got):\n%s", diff)
	}
}

func TestNextLink(t *testing.T) {
	cur, _ := url.Parse("https://i.example/api/v1/accounts/1/followers?limit=80")
	tests := []struct {
		name, link, want string
	}{
		{name: "next and prev", link: `<https://i.example/api/v1/accounts/1/followers?limit=80&max_id=7>; rel="next", <https://i.example/api/v1/accounts/1/followers?limit=80&min_id=9>; rel="prev"`,
			want: "https://i.example/api/v1/accounts/1/followers?limit=80&max_id=7"},
		{name: "prev only", link: `<https://i.example/api/v1/accounts/1/followers?min_id=9>; rel="prev"`},
		{name: "none"},
		{name: "other host refused", link: `<https://evil.example/x>; rel="next"`},
		{name: "relative", link: `</api/v1/accounts/1/followers?max_id=3>; rel=next`, want: "https://i.example/api/v1/accounts/1/followers?max_id=3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := make(map[string][]string)
			if tt.link != "" {
				h["Link"] = []string{tt.link}
			}
			got := ""
			if u := nextLink(h, cur); u != nil {
				got = u.String()
			}
			if got != tt.want {
				t.Errorf("nextLink = %q, want %q", got, tt.want)
			}
		})
	}
}

// Recorded real responses (../shared/fixtures/api/mastodon). The expected
// values are computed from the raw JSON, so no real handle is written here.

const recordedDir = "../../../shared/fixtures/api/mastodon"

type recording struct {
	RequestURI string          `json:"request_uri"`
	Body       json.RawMessage `json:"body"`
}

func readRecording(t *testing.T, name string) (instance string, body []byte) {
	t.Helper()
	if _, err := os.Stat(recordedDir); err != nil {
		t.Skipf("recorded Mastodon responses not available at %s: %v", recordedDir, err)
	}
	b, err := os.ReadFile(filepath.Join(recordedDir, name))
	if err != nil {
		t.Fatalf("reading recording: %v", err)
	}
	var r recording
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("decoding recording: %v", err)
	}
	u, err := url.Parse(r.RequestURI)
	if err != nil {
		t.Fatalf("parsing request_uri: %v", err)
	}
	return u.Hostname(), r.Body
}

func rawList(t *testing.T, body []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("decoding raw body: %v", err)
	}
	return out
}

// rawOptedOut is the policy written independently of the parser.
func rawOptedOut(a map[string]any) bool {
	if a["noindex"] == true {
		return true
	}
	texts := []string{a["note"].(string)}
	if fs, ok := a["fields"].([]any); ok {
		for _, f := range fs {
			m := f.(map[string]any)
			texts = append(texts, m["name"].(string), m["value"].(string))
		}
	}
	for _, text := range texts {
		note := strings.ToLower(htmlText(text))
		for _, tag := range []string{"#nobot", "#noindex"} {
			if i := strings.Index(note, tag); i >= 0 {
				end := i + len(tag)
				if end == len(note) || !strings.ContainsAny(note[end:end+1], "abcdefghijklmnopqrstuvwxyz0123456789_") {
					return true
				}
			}
		}
	}
	return false
}

// rawInactive reports a suspended or moved account, which no sample keeps.
func rawInactive(a map[string]any) bool {
	return a["suspended"] == true || a["moved"] != nil
}

// rawUndiscoverable reports an account discovery must not return: not
// discoverable, indexable: false, inactive, a memorial, limited.
func rawUndiscoverable(a map[string]any) bool {
	return a["discoverable"] != true || a["indexable"] == false || rawInactive(a) || a["memorial"] == true || a["limited"] == true
}

func TestRecordedAccount(t *testing.T) {
	instance, body := readRecording(t, "get_account_default.json")
	var raw map[string]any
	_ = json.Unmarshal(body, &raw)
	p, err := parseAccount(body, instance)
	if err != nil {
		t.Fatalf("ParseAccount: %v", err)
	}
	wantID := strings.ToLower(raw["acct"].(string)) + "@" + instance
	if p.Ref.ID != wantID || p.Ref.Handle != wantID {
		t.Errorf("ref = %+v, want id and handle %q", p.Ref, wantID)
	}
	if p.Followers != int64(raw["followers_count"].(float64)) || p.Following != int64(raw["following_count"].(float64)) ||
		p.PostsCount != int64(raw["statuses_count"].(float64)) {
		t.Errorf("counts = %d/%d/%d, want the recorded ones", p.Followers, p.Following, p.PostsCount)
	}
	if p.CreatedAt.IsZero() || p.AvatarURL == "" || strings.Contains(p.Bio, "<") || p.Bio == "" {
		t.Errorf("created %v, avatar set %v, bio set %v: want set, and the bio without HTML", p.CreatedAt, p.AvatarURL != "", p.Bio != "")
	}
	linked := 0
	for _, f := range raw["fields"].([]any) {
		if strings.Contains(f.(map[string]any)["value"].(string), "href=") {
			linked++
		}
	}
	if linked == 0 || len(p.Links) < linked {
		t.Errorf("got %d links, want at least the %d linked fields", len(p.Links), linked)
	}
}

func TestRecordedStatuses(t *testing.T) {
	instance, body := readRecording(t, "get_account_statuses_default.json")
	_ = instance
	raws := rawList(t, body)
	accountID := raws[0]["account"].(map[string]any)["id"].(string)
	posts, err := parseStatuses(body, accountID)
	if err != nil {
		t.Fatalf("ParseStatuses: %v", err)
	}
	var want []string
	wantTags := map[string][]string{}
	for _, r := range raws {
		if r["reblog"] != nil {
			continue
		}
		if r["in_reply_to_id"] != nil && r["in_reply_to_account_id"] != accountID {
			continue
		}
		id := r["id"].(string)
		want = append(want, id)
		for _, tg := range r["tags"].([]any) {
			wantTags[id] = append(wantTags[id], strings.ToLower(tg.(map[string]any)["name"].(string)))
		}
	}
	var got []string
	for _, p := range posts {
		got = append(got, p.ID)
		if p.Views != -1 || p.CreatedAt.IsZero() || p.URL == "" || strings.Contains(p.Text, "<p>") {
			t.Errorf("post %s: views %d, created %v, url set %v, text with HTML", p.ID, p.Views, p.CreatedAt, p.URL != "")
		}
		if diff := cmp.Diff(wantTags[p.ID], p.Hashtags); diff != "" {
			t.Errorf("post %s hashtags (-want +got):\n%s", p.ID, diff)
		}
	}
	if len(want) == 0 || len(want) == len(raws) {
		t.Fatalf("recording has %d of %d original posts; the test needs some of each", len(want), len(raws))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("post ids (-want +got):\n%s", diff)
	}
}

func TestRecordedStatus(t *testing.T) {
	_, body := readRecording(t, "get_status_default.json")
	var raw map[string]any
	_ = json.Unmarshal(body, &raw)
	posts, err := parseStatuses([]byte("["+string(body)+"]"), raw["account"].(map[string]any)["id"].(string))
	if err != nil || len(posts) != 1 {
		t.Fatalf("ParseStatuses = %d posts, %v; want 1", len(posts), err)
	}
	p := posts[0]
	if p.Likes != int64(raw["favourites_count"].(float64)) || p.Reposts != int64(raw["reblogs_count"].(float64)) ||
		p.Replies != int64(raw["replies_count"].(float64)) {
		t.Errorf("counts %d/%d/%d differ from the recording", p.Likes, p.Reposts, p.Replies)
	}
	if !strings.Contains(p.Text, "https://") || len(p.Hashtags) == 0 {
		t.Errorf("want the whole link in the text and the tags (%d)", len(p.Hashtags))
	}
}

func TestRecordedAccountLists(t *testing.T) {
	for _, name := range []string{"get_account_followers_default.json", "get_account_following_default.json",
		"get_favourited_by_default.json", "get_reblogged_by_default.json"} {
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			instance, body := readRecording(t, name)
			got, err := parseAccounts(body, instance)
			if err != nil {
				t.Fatalf("ParseAccounts: %v", err)
			}
			var want []creator.Account
			for _, r := range rawList(t, body) {
				if rawOptedOut(r) || rawInactive(r) {
					continue
				}
				acct := strings.ToLower(r["acct"].(string))
				if !strings.Contains(acct, "@") {
					acct += "@" + instance
				}
				want = append(want, creator.Account{ID: acct, Handle: acct,
					HasAvatar: creator.Ptr(!strings.HasSuffix(r["avatar"].(string), "/missing.png")),
					Private:   creator.Ptr(r["locked"].(bool))})
			}
			if len(want) == 0 {
				t.Fatal("recording has no account to keep")
			}
			trimmed := make([]creator.Account, len(got))
			for i, a := range got {
				if a.Followers == nil || a.CreatedAt == nil || a.Bio == nil || strings.Contains(*a.Bio, "<") {
					t.Errorf("account %d: counts, creation or bio missing or bio with HTML", i)
				}
				trimmed[i] = creator.Account{ID: a.ID, Handle: a.Handle, HasAvatar: a.HasAvatar, Private: a.Private}
			}
			reportMismatch(t, len(want), len(trimmed), func(i int) bool { return cmp.Equal(want[i], trimmed[i]) })
		})
	}
}

func TestRecordedDirectory(t *testing.T) {
	for _, name := range []string{"get_instance_directory_default.json", "get_instance_directory_anonymous_false.json", "search_accounts_default.json"} {
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			instance, body := readRecording(t, name)
			got, err := parseDirectory(body, instance)
			if err != nil {
				t.Fatalf("ParseDirectory: %v", err)
			}
			want := []creator.Ref{}
			for _, r := range rawList(t, body) {
				if rawUndiscoverable(r) || rawOptedOut(r) {
					continue
				}
				acct := strings.ToLower(r["acct"].(string))
				if !strings.Contains(acct, "@") {
					acct += "@" + instance
				}
				want = append(want, creator.Ref{Platform: creator.Mastodon, ID: acct, Handle: acct})
			}
			reportMismatch(t, len(want), len(got), func(i int) bool { return want[i] == got[i] })
		})
	}
}

// reportMismatch compares two lists element by element and reports where
// they differ by index only, so that no real handle reaches the test log.
func reportMismatch(t *testing.T, nWant, nGot int, equal func(i int) bool) {
	t.Helper()
	if nWant != nGot {
		t.Errorf("got %d entries, want %d", nGot, nWant)
		return
	}
	for i := 0; i < nWant; i++ {
		if !equal(i) {
			t.Errorf("entry %d differs from what the recording says", i)
		}
	}
}

func TestRecordedDocsAccount(t *testing.T) {
	if _, err := os.Stat(recordedDir); err != nil {
		t.Skipf("recorded Mastodon responses not available at %s: %v", recordedDir, err)
	}
	body, err := os.ReadFile(filepath.Join(recordedDir, "docs-examples", "Account_00.json"))
	if err != nil {
		t.Fatalf("reading recording: %v", err)
	}
	var raw map[string]any
	_ = json.Unmarshal(body, &raw)
	p, err := parseAccount(body, "instance.example")
	if err != nil {
		t.Fatalf("ParseAccount: %v", err)
	}
	if want := strings.ToLower(raw["acct"].(string)); p.Ref.ID != want {
		t.Errorf("remote acct kept its own domain: got a different id (want the recorded acct)")
	}
	if strings.Contains(p.Bio, "<") || !strings.Contains(p.Bio, "#") {
		t.Errorf("bio should be plain text with its hashtags")
	}
}
