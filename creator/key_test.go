package creator

import (
	"strings"
	"testing"
)

func TestKey(t *testing.T) {
	long := strings.Repeat("x", 600)
	tests := []struct {
		name string
		ref  Ref
		want string
	}{
		{"bluesky did", Ref{Platform: Bluesky, ID: "did:plc:wpe35pganb6d4pg4ekmfy6u5"}, "bluesky-did_3Aplc_3Awpe35pganb6d4pg4ekmfy6u5"},
		{"mastodon acct", Ref{Platform: Mastodon, ID: "alice@example.social"}, "mastodon-alice_40example_2Esocial"},
		{"underscore doubled", Ref{Platform: YouTube, ID: "UC_x-y"}, "youtube-UC__x_2Dy"},
		{"platform folded", Ref{Platform: "BlueSky", ID: "a"}, "bluesky-a"},
		{"handle ignored", Ref{Platform: Bluesky, ID: "did:plc:a", Handle: "a.bsky.social"}, "bluesky-did_3Aplc_3Aa"},
		{"non-ascii", Ref{Platform: Web, ID: "é"}, "web-_C3_A9"},
		{"too long is hashed", Ref{Platform: Web, ID: long}, "web--" + "a0" /* checked below */},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Key(tt.ref)
			if tt.name == "too long is hashed" {
				if !strings.HasPrefix(got, "web--") || len(got) != len("web--")+64 {
					t.Errorf("Key(long) = %q, want web-- and a sha256 hex", got)
				}
			} else if got != tt.want {
				t.Errorf("Key(%+v) = %q, want %q", tt.ref, got, tt.want)
			}
			if !ValidKey(got) {
				t.Errorf("Key(%+v) = %q is not a valid key", tt.ref, got)
			}
		})
	}
}

func TestKeyDistinct(t *testing.T) {
	// Pairs that a naive escaping would merge.
	pairs := [][2]Ref{
		{{Platform: Web, ID: "a_b"}, {Platform: Web, ID: "a:b"}},
		{{Platform: Web, ID: "a__3A"}, {Platform: Web, ID: "a_:"}},
		{{Platform: Web, ID: "a-b"}, {Platform: Web, ID: "a_2Db"}},
		{{Platform: "web", ID: "x-y"}, {Platform: "web-x", ID: "y"}},
		{{Platform: Bluesky, ID: "A"}, {Platform: Bluesky, ID: "a"}},
		{{Platform: Web, ID: strings.Repeat("y", 600)}, {Platform: Web, ID: strings.Repeat("y", 601)}},
	}
	for _, p := range pairs {
		if a, b := Key(p[0]), Key(p[1]); a == b {
			t.Errorf("Key(%+v) == Key(%+v) == %q", p[0], p[1], a)
		}
	}
}

func TestValidKey(t *testing.T) {
	for k, want := range map[string]bool{
		"bluesky-abc":              true,
		"":                         false,
		"a b":                      false,
		"a/b":                      false,
		strings.Repeat("a", 511):   true,
		strings.Repeat("a", 512):   false,
		"bluesky-did_3Aplc_3Aabc-": true,
	} {
		if got := ValidKey(k); got != want {
			t.Errorf("ValidKey(%.20q) = %v, want %v", k, got, want)
		}
	}
}

// FuzzKey checks that every key is valid and that distinct ids give
// distinct keys.
func FuzzKey(f *testing.F) {
	for _, s := range []string{"did:plc:abc", "a_b", "a:b", "", "_", "__", "-", strings.Repeat("z", 520)} {
		f.Add("bluesky", s, s+"x")
	}
	f.Fuzz(func(t *testing.T, platform, a, b string) {
		ka := KeyOf(platform, a)
		if platform != "" && !ValidKey(ka) {
			t.Fatalf("KeyOf(%q, %q) = %q is not valid", platform, a, ka)
		}
		if a != b && ka == KeyOf(platform, b) {
			t.Fatalf("KeyOf(%q, %q) == KeyOf(%q, %q)", platform, a, platform, b)
		}
	})
}

func TestTierFor(t *testing.T) {
	for _, tt := range []struct {
		followers int64
		want      string
	}{
		{0, TierEmerging}, {999, TierEmerging}, {1_000, TierNano}, {9_999, TierNano}, {10_000, TierMicro},
		{99_999, TierMicro}, {100_000, TierMid}, {499_999, TierMid}, {500_000, TierMacro}, {999_999, TierMacro},
		{1_000_000, TierMega}, {-5, TierEmerging},
	} {
		if got := TierFor(tt.followers); got != tt.want {
			t.Errorf("TierFor(%d) = %q, want %q", tt.followers, got, tt.want)
		}
	}
}
