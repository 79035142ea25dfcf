package mastodon

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
)

// docsAccount is an Account entity shaped as Mastodon's entity docs show
// it; edit adds or replaces top-level attributes.
func docsAccount(id, acct string, edit string) string {
	base := `"id":"` + id + `","username":"` + strings.Split(acct, "@")[0] + `","acct":"` + acct + `",
	"display_name":"Someone","locked":false,"bot":false,"discoverable":true,"indexable":true,"group":false,
	"created_at":"2022-12-02T00:00:00.000Z","note":"<p>Baking, mostly.</p>","url":"https://example.social/@` + acct + `",
	"avatar":"https://example.social/avatars/1.png","followers_count":120,"following_count":80,"statuses_count":400,
	"last_status_at":"2025-07-01","emojis":[],"fields":[]`
	if edit != "" {
		base += "," + edit
	}
	return "{" + base + "}"
}

// movedTo is the moved attribute of an account that moved (an Account).
const movedTo = `"moved":{"id":"999","username":"newhome","acct":"newhome@other.example","display_name":"Someone","locked":false,"bot":false,"created_at":"2023-01-01T00:00:00.000Z","note":"","url":"https://other.example/@newhome","avatar":"","followers_count":5,"following_count":1,"statuses_count":3,"fields":[]}`

func TestParseAccountInactiveAndOptOutFields(t *testing.T) {
	tests := []struct {
		name       string
		edit       string
		wantErr    error
		wantMsg    string
		wantLabels []string
	}{
		{name: "live", edit: ""},
		{name: "moved", edit: movedTo, wantErr: creator.ErrNotFound, wantMsg: "moved to newhome@other.example"},
		{name: "memorial", edit: `"memorial":true`, wantErr: creator.ErrNotFound, wantMsg: "memorial"},
		{name: "suspended", edit: `"suspended":true`, wantErr: creator.ErrNotFound, wantMsg: "suspended"},
		{name: "limited is labelled", edit: `"limited":true`, wantLabels: []string{LabelLimited}},
		{name: "indexable false is labelled", edit: `"indexable":false`, wantLabels: []string{LabelNotIndexable}},
		{name: "#nobot in a field value", edit: `"fields":[{"name":"Bots","value":"<p>#nobot please</p>","verified_at":null}]`, wantErr: creator.ErrOptedOut, wantMsg: "#nobot in profile field"},
		{name: "#noindex in a field name", edit: `"fields":[{"name":"#NoIndex","value":"yes","verified_at":null}]`, wantErr: creator.ErrOptedOut, wantMsg: "#noindex"},
		{name: "#nobots is another tag", edit: `"fields":[{"name":"Tags","value":"#nobots","verified_at":null}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseAccount([]byte(docsAccount("1", "baker", tt.edit)), "example.social")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseAccount error %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("error %q does not say %q", err, tt.wantMsg)
				}
				return
			}
			if diff := cmp.Diff(tt.wantLabels, p.Labels); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDiscoveryHonoursIndexableAndInactive: the profile directory and
// account search leave out accounts that said indexable: false (our
// reading: an opt-out of discovery), moved, memorial, suspended and limited
// ones.
func TestDiscoveryHonoursIndexableAndInactive(t *testing.T) {
	list := "[" + strings.Join([]string{
		docsAccount("1", "live", ""),
		docsAccount("2", "unindexable", `"indexable":false`),
		docsAccount("3", "moved", movedTo),
		docsAccount("4", "memorial", `"memorial":true`),
		docsAccount("5", "suspended", `"suspended":true`),
		docsAccount("6", "limited", `"limited":true`),
		docsAccount("7", "undiscoverable", `"discoverable":false`),
		docsAccount("8", "indexnull", `"indexable":null`),
	}, ",") + "]"
	got, err := parseDirectory([]byte(list), "example.social")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID)
	}
	if diff := cmp.Diff([]string{"live@example.social", "indexnull@example.social"}, ids); diff != "" {
		t.Errorf("directory refs (-want +got):\n%s", diff)
	}
	got, err = ParseSearch([]byte(`{"accounts":`+list+`,"statuses":[],"hashtags":[]}`), "example.social")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Errorf("search kept %d accounts, want 2", len(got))
	}
}

// TestFollowerSampleDropsSuspendedAndMoved: suspended and moved accounts
// are no audience.
func TestFollowerSampleDropsSuspendedAndMoved(t *testing.T) {
	list := "[" + strings.Join([]string{
		docsAccount("1", "fan", ""),
		docsAccount("2", "gone", `"suspended":true`),
		docsAccount("3", "moved", movedTo),
		docsAccount("4", "unindexable", `"indexable":false`),
	}, ",") + "]"
	got, err := parseAccounts([]byte(list), "example.social")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range got {
		ids = append(ids, a.ID)
	}
	if diff := cmp.Diff([]string{"fan@example.social", "unindexable@example.social"}, ids); diff != "" {
		t.Errorf("followers (-want +got):\n%s", diff)
	}
}

// TestParseStatusQuotesCount: Mastodon 4.5 counts quotes (quotes_count in
// the Status entity docs).
func TestParseStatusQuotesCount(t *testing.T) {
	body := `[{"id":"103270115826048975","created_at":"2019-12-08T03:48:33.901Z","in_reply_to_id":null,"in_reply_to_account_id":null,
	"sensitive":false,"spoiler_text":"","visibility":"public","language":"en","uri":"https://example.social/users/a/statuses/1",
	"url":"https://example.social/@a/1","replies_count":5,"reblogs_count":6,"favourites_count":11,"quotes_count":2,
	"content":"<p>hello</p>","reblog":null,"account":{"id":"1","username":"a","acct":"a"},"media_attachments":[],"mentions":[],"tags":[],"emojis":[],"quote":null,"card":null,"poll":null}]`
	posts, err := parseStatuses([]byte(body), "1")
	if err != nil {
		t.Fatal(err)
	}
	if len(posts) != 1 {
		t.Fatalf("got %d posts, want 1", len(posts))
	}
	got := [4]int64{posts[0].Likes, posts[0].Replies, posts[0].Reposts, posts[0].Quotes}
	if want := [4]int64{11, 5, 6, 2}; got != want {
		t.Errorf("likes, replies, reposts, quotes = %v, want %v", got, want)
	}
}

// TestVerifiedFieldLinks: only fields with verified_at link, and a
// verified link to another platform's profile names that account.
func TestVerifiedFieldLinks(t *testing.T) {
	fields := `"fields":[
	{"name":"Bluesky","value":"<a href=\"https://bsky.app/profile/ada.example\" rel=\"nofollow noopener me\" target=\"_blank\">bsky.app/profile/ada.example</a>","verified_at":"2025-03-01T10:00:00.000+00:00"},
	{"name":"Blog","value":"<a href=\"https://blog.example\" rel=\"nofollow noopener me\">blog.example</a>","verified_at":null},
	{"name":"Site","value":"<a href=\"https://ada.example/\" rel=\"me\">ada.example</a>","verified_at":"2025-03-02T10:00:00.000+00:00"}]`
	p, err := parseAccount([]byte(docsAccount("1", "ada", fields)), "example.social")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range p.Linked {
		got = append(got, l.Platform+" "+l.ID+" "+l.Handle+" "+l.Evidence[0].At.Format("2006-01-02"))
	}
	want := []string{"bluesky  ada.example 2025-03-01", "web https://ada.example/  2025-03-02"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("linked (-want +got):\n%s", diff)
	}
}
