package memsearch

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// splitWords splits text as the Unicode tables say (runs of letters,
// numbers, Mn and Co runes): the reference Words is checked against.
func splitWords(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Co, r)
	})
}

// foldReference lower-cases w and drops its combining marks.
func foldReference(w string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(w) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func wordsReference(text string) []string {
	var out []string
	for _, w := range splitWords(text) {
		if f := foldReference(w); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func collect(text string) []string {
	var got []string
	Words(text, func(w string) { got = append(got, strings.Clone(w)) })
	return got
}

// TestWords checks the words the index keeps against an independent split
// and folding, on fixed cases and on random text mixing ASCII, accents,
// combining marks, other scripts and punctuation.
func TestWords(t *testing.T) {
	fixed := map[string][]string{
		"Café Crème from Zürich!": {"cafe", "creme", "from", "zurich"},
		"chefmaria.bsky.social":   {"chefmaria", "bsky", "social"},
		"VEGAN, vegan; Vegan":     {"vegan", "vegan", "vegan"},
		"e\u0301te\u0301 ÉTÉ":     {"ete", "ete"},
		"東京 ramen2go":             {"東京", "ramen2go"},
		"\u0301 -- ...":           nil,
	}
	for in, want := range fixed {
		if got := collect(in); !slices.Equal(got, want) {
			t.Errorf("Words(%q) = %q, want %q", in, got, want)
		}
	}
	alphabet := []rune("aZé\u0301ßΣς東1 .,-_'\"xÅ\u00a0\U000F0001\u212aİ\xff")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		rs := make([]rune, rng.IntN(20))
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		in := string(rs)
		if got, want := collect(in), wordsReference(in); !slices.Equal(got, want) {
			t.Fatalf("Words(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDistinctWords checks that DistinctWords keeps each folded word once,
// in order of first appearance, across calls sharing seen.
func TestDistinctWords(t *testing.T) {
	seen := map[string]struct{}{}
	var got []byte
	for _, text := range []string{"The cat sat", "on THE mat, Café", "cafe CAT é\u0301 e"} {
		got = DistinctWords(got, seen, text)
	}
	if want := "the cat sat on mat cafe e"; string(got) != want {
		t.Errorf("DistinctWords = %q, want %q", got, want)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"Word", "word", "WORD", "é", "E\u0301", " ", ".", "\u212a", "k", "ß", "日本", "\xff"}
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(30) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		var want []string
		for _, w := range wordsReference(b.String()) {
			if !slices.Contains(want, w) {
				want = append(want, w)
			}
		}
		got := DistinctWords(nil, map[string]struct{}{}, b.String())
		if string(got) != strings.Join(want, " ") {
			t.Fatalf("DistinctWords(%q) = %q, want %q", b.String(), got, strings.Join(want, " "))
		}
	}
}

func FuzzWords(f *testing.F) {
	for _, s := range []string{"", "a A", "\u212a k", "İ i", "e\u0301 é", "\xffa\xff", "x_y-z 42 ٣²"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := collect(s), wordsReference(s); !slices.Equal(got, want) {
			t.Fatalf("Words(%q) = %q, want %q", s, got, want)
		}
	})
}
