package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// TestEachWord checks the words the text index keeps against splitWords
// and an independent folding, on random text mixing ASCII, accents,
// combining marks, other scripts and punctuation.
func TestEachWord(t *testing.T) {
	fixed := map[string][]string{
		"Café Crème from Zürich!": {"cafe", "creme", "from", "zurich"},
		"chefmaria.bsky.social":   {"chefmaria", "bsky", "social"},
		"VEGAN, vegan; Vegan":     {"vegan", "vegan", "vegan"},
		"e\u0301te\u0301 ÉTÉ":     {"ete", "ete"},
		"東京 ramen2go":             {"東京", "ramen2go"},
		"\u0301 -- ...":           nil,
	}
	for in, want := range fixed {
		var got []string
		eachWord(in, func(w string) { got = append(got, w) })
		if !slices.Equal(got, want) {
			t.Errorf("eachWord(%q) = %q, want %q", in, got, want)
		}
	}
	alphabet := []rune("aZé\u0301ßΣς東1 .,-_'\"xÅ\u00a0\U000F0001")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		rs := make([]rune, rng.IntN(20))
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		in := string(rs)
		var want []string
		for _, w := range splitWords(in) {
			if f := string(foldWord(nil, w)); f != "" {
				want = append(want, f)
			}
		}
		var got []string
		eachWord(in, func(w string) { got = append(got, w) })
		if !slices.Equal(got, want) {
			t.Fatalf("eachWord(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPackText(t *testing.T) {
	parts := []string{"Name", "", "bio with ümlauts", strings.Repeat("word ", 500)}
	got, err := unpackText(packText(parts[0], parts[1], parts[2], parts[3]))
	if err != nil || !slices.Equal(got[:], parts) {
		t.Errorf("unpackText(packText(%q)) = %q, %v", parts, got, err)
	}
	if _, err := unpackText([]byte{0xff, 0x00}); err == nil {
		t.Error("unpackText of garbage: no error")
	}
}

// TestTextIndexRewrites writes the same creators over and over, as
// rescans do, until dead document numbers outnumber live ones many times
// over: the index must read everything afresh and keep answering right.
func TestTextIndexRewrites(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	defer func(was int) { minDead = was }(minDead)
	minDead = 3000
	const n = 500
	for round := range 30 {
		ws := make([]index.Write, n)
		for i := range ws {
			r := testRecord(creator.Bluesky, fmt.Sprintf("c%d", i), "DE", int64(i))
			r.Profile.Bio = fmt.Sprintf("round%d word%d", round, i%7)
			ws[i] = index.Write{Record: r}
		}
		if err := s.UpsertMany(ctx, ws); err != nil {
			t.Fatal(err)
		}
		res, err := s.Search(ctx, index.Query{Text: fmt.Sprintf("round%d word3", round), PerPage: 1})
		if err != nil {
			t.Fatal(err)
		}
		if want := (n + 6 - 3) / 7; res.Total != want {
			t.Fatalf("round %d: %d creators match, want %d", round, res.Total, want)
		}
		if old, err := s.Search(ctx, index.Query{Text: fmt.Sprintf("round%d", max(round-1, 0))}); err != nil || round > 0 && old.Total != 0 {
			t.Fatalf("round %d: the previous round's words still match %d creators (%v)", round, old.Total, err)
		}
	}
	s.cols.mu.RLock()
	defer s.cols.mu.RUnlock()
	if docs := len(s.cols.text.rowOf) - 1; docs > 3*n+minDead {
		t.Errorf("%d document numbers for %d creators: the index was never read afresh", docs, n)
	}
}

// splitWords splits text into words: runs of letters, numbers and
// combining marks (as FTS5's unicode61 tokenizer splits them), by the
// Unicode tables directly: the reference eachWord and distinctWords are
// checked against.
func splitWords(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Co, r)
	})
}
