package bluesky

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// hashtagRE is what textTags writes out; kept here as its reference.
var hashtagRE = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_&])#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)`)

func regexpTags(text string) []string {
	var out []string
	for _, m := range hashtagRE.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

func scannedTags(text string) []string {
	var out []string
	textTags(text, func(t string) { out = append(out, t) })
	return out
}

// TestTextTagsMatchRegexp checks the hand scanner finds exactly the
// regexp's tags on written cases and on 200,000 random strings over an
// alphabet of the characters that matter (letters of several scripts,
// digits, '_', '&', '#', spaces, punctuation, an emoji, a combining mark
// and invalid UTF-8).
func TestTextTagsMatchRegexp(t *testing.T) {
	cases := []string{
		"", "#", "##", "#vegan", "vegan #recipes and #MealPrep!", "a#b", "&#38;", "#2024", "#2024goals",
		"#_", "#_a", "x #a#b #c", "##tag", "#tag#", "(#tag)", "#café #日本 #ﾗｰﾒﾝ", "#é̃t", "émoji🍕#pizza",
		"\xff#bad", "#bad\xffrest", "100% #1 fan", "#a_b_c1 #ç",
	}
	for _, c := range cases {
		if got, want := scannedTags(c), regexpTags(c); !slices.Equal(got, want) {
			t.Errorf("%q: scanner %q, regexp %q", c, got, want)
		}
	}
	alphabet := []string{"a", "Z", "é", "日", "ß", "1", "٣", "_", "&", "#", "#", " ", ".", "-", "🍕", "\u0301", "\xff", "\n"}
	randomStrings(1, alphabet, 12, func(s string) {
		if got, want := scannedTags(s), regexpTags(s); !slices.Equal(got, want) {
			t.Fatalf("%q: scanner %q, regexp %q", s, got, want)
		}
	})
}

// randomStrings calls f with 200,000 strings of up to maxParts pieces of
// alphabet, drawn from seed.
func randomStrings(seed uint64, alphabet []string, maxParts int, f func(string)) {
	r := rand.New(rand.NewPCG(seed, seed+1))
	var b strings.Builder
	for range 200_000 {
		b.Reset()
		for range r.IntN(maxParts) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		f(b.String())
	}
}

func BenchmarkTextTags(b *testing.B) {
	text := "Weeknight win: golden lentil curry in one pan, barely any dishes. #whatsfordinner #homecooking #vegan"
	b.Run("scanner", func(b *testing.B) {
		for b.Loop() {
			textTags(text, func(string) {})
		}
	})
	b.Run("regexp", func(b *testing.B) {
		for b.Loop() {
			regexpTags(text)
		}
	})
}

// TestLinkPrefilter: linksIn skips its regexp on bios without "://" or a
// '.' before a letter or digit; on 200,000 random strings over the
// characters a link is made of, the regexp finds nothing in any bio the
// prefilter skips.
func TestLinkPrefilter(t *testing.T) {
	alphabet := []string{"a", "Q", "z", "0", "9", ".", ".", "/", ":", "-", " ", "@", "é", "com", "io", "https", "www", ",", "\n"}
	randomStrings(3, alphabet, 14, func(s string) {
		if !strings.Contains(s, "://") && !dotLetter(s) && linkRE.MatchString(s) {
			t.Fatalf("%q: the prefilter skips it but the regexp finds %q", s, linkRE.FindAllString(s, -1))
		}
	})
	for s, want := range map[string]bool{"She/her. Plants and podcasts.": false, "site.com": true, "v1.2": true, "end.": false, "a. b": false, "x.Y": true} {
		if got := dotLetter(s); got != want {
			t.Errorf("dotLetter(%q) = %v, want %v", s, got, want)
		}
	}
}
