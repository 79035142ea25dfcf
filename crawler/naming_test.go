package crawler_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/creatorscout/scout/crawler"
	_ "github.com/creatorscout/scout/crawler/sources" // each registers its platform's Naming
	"github.com/creatorscout/scout/creator"
)

func TestValidateRef(t *testing.T) {
	tests := []struct {
		name  string
		ref   creator.Ref
		field string // "" when valid
	}{
		{"bluesky handle", creator.Ref{Platform: creator.Bluesky, Handle: "alice.bsky.social"}, ""},
		{"bluesky domain handle", creator.Ref{Platform: creator.Bluesky, Handle: "Example.COM"}, ""},
		{"bluesky did", creator.Ref{Platform: creator.Bluesky, ID: "did:plc:2awcptx2czikcf4gxllkusmj"}, ""},
		{"bluesky did:web", creator.Ref{Platform: creator.Bluesky, ID: "did:web:example.com"}, ""},
		{"bluesky did given as handle", creator.Ref{Platform: creator.Bluesky, Handle: "did:plc:abc"}, ""},
		{"path traversal", creator.Ref{Platform: creator.Bluesky, Handle: "../../etc/passwd"}, "handle"},
		{"spaces", creator.Ref{Platform: creator.Bluesky, Handle: "a b c"}, "handle"},
		{"no dot", creator.Ref{Platform: creator.Bluesky, Handle: "alice"}, "handle"},
		{"control character", creator.Ref{Platform: creator.Bluesky, Handle: "alice\x00.bsky.social"}, "handle"},
		{"bad did", creator.Ref{Platform: creator.Bluesky, ID: "did:PLC:../x"}, "id"},
		{"id not a did", creator.Ref{Platform: creator.Bluesky, ID: "alice.bsky.social"}, "id"},
		{"mastodon acct", creator.Ref{Platform: creator.Mastodon, Handle: "@Alice@mastodon.example"}, ""},
		{"mastodon without instance", creator.Ref{Platform: creator.Mastodon, Handle: "alice"}, "handle"},
		{"mastodon path", creator.Ref{Platform: creator.Mastodon, Handle: "alice@../../etc"}, "handle"},
		{"youtube handle", creator.Ref{Platform: creator.YouTube, Handle: "@some.channel"}, ""},
		{"youtube channel id", creator.Ref{Platform: creator.YouTube, ID: "UCBR8-60-B28hp2BmDPdntcQ"}, ""},
		{"youtube bad id", creator.Ref{Platform: creator.YouTube, ID: "UC/../x"}, "id"},
		{"youtube handle too short", creator.Ref{Platform: creator.YouTube, Handle: "ab"}, "handle"},
		{"twitch login", creator.Ref{Platform: creator.Twitch, Handle: "some_streamer"}, ""},
		{"twitch numeric id", creator.Ref{Platform: creator.Twitch, ID: "12345"}, ""},
		{"twitch dotted", creator.Ref{Platform: creator.Twitch, Handle: "a.b"}, "handle"},
		{"instagram username", creator.Ref{Platform: creator.Instagram, Handle: "some.user_1"}, ""},
		{"instagram slash", creator.Ref{Platform: creator.Instagram, Handle: "a/b"}, "handle"},
		{"web url", creator.Ref{Platform: creator.Web, Handle: "https://example.com/about"}, ""},
		{"web file path", creator.Ref{Platform: creator.Web, Handle: "/etc/passwd"}, "handle"},
		{"web other scheme", creator.Ref{Platform: creator.Web, Handle: "file:///etc/passwd"}, "handle"},
		{"web credentials", creator.Ref{Platform: creator.Web, Handle: "https://u:p@example.com/"}, "handle"},
		{"unknown platform left to the caller", creator.Ref{Platform: "myspace", Handle: "a b"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := crawler.ValidateRef(tc.ref)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("ValidateRef(%+v) = %v, want nil", tc.ref, err)
				}
				return
			}
			if !errors.Is(err, creator.ErrInvalid) || !strings.Contains(err.Error(), tc.field+": ") {
				t.Fatalf("ValidateRef(%+v) = %v, want ErrInvalid naming %s", tc.ref, err, tc.field)
			}
		})
	}
}
