package sqlite

import (
	"strings"
	"testing"
	"unicode"

	"github.com/creatorscout/scout/index/memsearch"
)

func TestPackText(t *testing.T) {
	want := memsearch.Text{Name: "Name", Bio: "bio with ümlauts", Posts: strings.Repeat("word ", 500)}
	got, err := unpackText(packText(want.Name, want.Handle, want.Bio, want.Posts))
	if err != nil || got != want {
		t.Errorf("unpackText(packText(%q)) = %q, %v", want, got, err)
	}
	if _, err := unpackText([]byte{0xff, 0x00}); err == nil {
		t.Error("unpackText of garbage: no error")
	}
}

// splitWords splits text into words: runs of letters, numbers and
// combining marks (as FTS5's unicode61 tokenizer splits them), by the
// Unicode tables directly.
func splitWords(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Co, r)
	})
}
