package sources_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/crawler"
	_ "github.com/creatorscout/scout/crawler/sources"
	"github.com/creatorscout/scout/creator"
)

// TestEverySourceImported fails when a platform has no registered source
// once this package is imported: a source package sources.go forgot.
func TestEverySourceImported(t *testing.T) {
	want := slices.Sorted(slices.Values(creator.Platforms))
	if diff := cmp.Diff(want, crawler.Names()); diff != "" {
		t.Errorf("registered sources (-creator.Platforms +crawler.Names):\n%s", diff)
	}
}

// TestParseProfileURL covers each platform's one profile-URL parser as
// opt-outs, watchlists and link evidence see them.
func TestParseProfileURL(t *testing.T) {
	tests := []struct {
		name, in string
		want     creator.Ref
	}{
		{"bluesky handle", "https://bsky.app/profile/Alice.bsky.social", creator.Ref{Platform: creator.Bluesky, Handle: "alice.bsky.social"}},
		{"bluesky did and post", "https://bsky.app/profile/did:plc:abc/post/123", creator.Ref{Platform: creator.Bluesky, ID: "did:plc:abc"}},
		{"bluesky www", "https://www.bsky.app/profile/alice.bsky.social", creator.Ref{Platform: creator.Bluesky, Handle: "alice.bsky.social"}},
		{"bluesky staging", "https://staging.bsky.app/profile/alice.bsky.social", creator.Ref{Platform: creator.Bluesky, Handle: "alice.bsky.social"}},
		{"bluesky host case and port", "https://BSKY.APP:443/profile/alice.bsky.social", creator.Ref{Platform: creator.Bluesky, Handle: "alice.bsky.social"}},
		{"bluesky @handle", "http://bsky.app/profile/@alice.bsky.social", creator.Ref{Platform: creator.Bluesky, Handle: "alice.bsky.social"}},
		{"bluesky @did is an id", "https://bsky.app/profile/@did:plc:abc", creator.Ref{Platform: creator.Bluesky, ID: "did:plc:abc"}},
		{"bluesky escaped did", "https://bsky.app/profile/did%3Aweb%3Aexample.com", creator.Ref{Platform: creator.Bluesky, ID: "did:web:example.com"}},
		{"mastodon local", "https://fosstodon.org/@bob", creator.Ref{Platform: creator.Mastodon, Handle: "bob@fosstodon.org"}},
		{"mastodon remote", "https://example.social/@Bob@Other.Host", creator.Ref{Platform: creator.Mastodon, Handle: "bob@other.host"}},
		{"instagram", "https://www.instagram.com/Studio.Clay/", creator.Ref{Platform: creator.Instagram, Handle: "studio.clay"}},
		{"twitch", "https://www.twitch.tv/TwitchDev", creator.Ref{Platform: creator.Twitch, Handle: "twitchdev"}},
		{"youtube handle", "https://www.youtube.com/@MrBeast/videos", creator.Ref{Platform: creator.YouTube, Handle: "@mrbeast"}},
		{"youtube channel", "https://youtube.com/channel/UCX6OQ3DkcsbYNE6H8uQQuVA", creator.Ref{Platform: creator.YouTube, ID: "UCX6OQ3DkcsbYNE6H8uQQuVA"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := crawler.ParseProfileURL(tt.in)
			if err != nil {
				t.Fatalf("ParseProfileURL(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseProfileURL(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
	for _, notProfile := range []string{
		"https://www.instagram.com/p/CSr71Gzlqo4/", "https://www.instagram.com/explore",
		"https://www.twitch.tv/videos/335921245", "https://www.twitch.tv/directory", "https://example.com/about",
		"https://bsky.app/profile/not_a_handle", "https://bsky.app/profile/did:PLC:abc", "https://bsky.app/search?q=x",
		"https://bsky.app/profile/", "https://bsky.app/profile/@", "https://bsky.app/profile/nodot", "https://bsky.app/profile/did:plc:a%20b",
		"https://www.instagram.com/has space/", "https://www.instagram.com/" + strings.Repeat("a", 31) + "/",
		"https://evil.bsky.app.example/profile/alice.bsky.social", "https://bsky.social/profile/alice.bsky.social",
		"https://www.youtube.com/@x", "https://www.youtube.com/watch?v=abc", "ftp://bsky.app/profile/alice.bsky.social", "bsky.app",
	} {
		if r, err := crawler.ParseProfileURL(notProfile); !errors.Is(err, creator.ErrInvalid) {
			t.Errorf("ParseProfileURL(%q) = %+v, %v; want an invalid-input error", notProfile, r, err)
		}
	}
}
