package index

import (
	"testing"
)

func TestNormalizeProfileURL(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "https://bsky.app/profile/theo.bsky.social", want: "https://bsky.app/profile/theo.bsky.social"},
		{in: " http://BSKY.app:443/profile/theo.bsky.social/?x=1#top ", want: "https://bsky.app/profile/theo.bsky.social"},
		{in: "https://mastodon.social:8443/@ann", want: "https://mastodon.social:8443/@ann"},
		{in: "https://user:pw@www.youtube.com/@Chef", want: "https://www.youtube.com/@Chef"},
		{in: "https://[::1]/x", want: "https://[::1]/x"},
		{in: "ftp://bsky.app/profile/x", bad: true},
		{in: "bsky.app/profile/x", bad: true},
		{in: "", bad: true},
	}
	for _, tt := range tests {
		got, err := NormalizeProfileURL(tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("NormalizeProfileURL(%q) = %q, %v; want %q (error: %v)", tt.in, got, err, tt.want, tt.bad)
		}
	}
}

func TestNormalizeHandle(t *testing.T) {
	for in, want := range map[string]string{" @Theo.BSKY.social ": "theo.bsky.social", "ann@Mastodon.Social": "ann@mastodon.social", "": ""} {
		if got := NormalizeHandle(in); got != want {
			t.Errorf("NormalizeHandle(%q) = %q, want %q", in, got, want)
		}
	}
}
