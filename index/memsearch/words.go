package memsearch

import (
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/unicode/norm"
)

// The one tokenizer of the SQLite store: what is indexed, what a query
// matches and what a write stores are all split and folded by Words.

// Words calls fn with each word of text, folded: a word is a run of
// letters, numbers, non-spacing marks (Mn) and private-use runes (Co), as
// FTS5's unicode61 tokenizer splits them; folding lower-cases it and drops
// its diacritics (decomposed, combining marks removed). Words that fold to
// nothing are skipped. The string fn gets is valid only during the call
// unless it is part of text (a word already folded is passed as a slice of
// text, without copying). It is safe for concurrent use.
func Words(text string, fn func(w string)) {
	start := -1
	var buf []byte
	flush := func(end int) {
		w := text[start:end]
		start = -1
		lower, ascii := true, true
		for i := 0; i < len(w); i++ {
			switch c := w[i]; {
			case c >= utf8.RuneSelf:
				ascii = false
			case c >= 'A' && c <= 'Z':
				lower = false
			}
		}
		switch {
		case ascii && lower:
			fn(w)
			return
		case ascii:
			buf = append(buf[:0], w...)
			for i, c := range buf {
				if c >= 'A' && c <= 'Z' {
					buf[i] = c + 'a' - 'A'
				}
			}
		default:
			buf = foldWord(buf[:0], w)
		}
		if len(buf) > 0 {
			fn(string(buf))
		}
	}
	for i, r := range text {
		if wordRune(r) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			flush(i)
		}
	}
	if start >= 0 {
		flush(len(text))
	}
}

// DistinctWords appends the folded words of text (Words) not in seen to
// dst, space-separated, and adds them to seen. Post text is stored and
// indexed this way: a word matches wherever it is, and indexing it once
// per creator instead of once per use keeps the index small (relevance
// then counts that the posts use a word, not how often). Reusing seen and
// dst across calls (clearing seen) allocates only for words that change
// when folded. Keys of seen may point into text.
func DistinctWords(dst []byte, seen map[string]struct{}, text string) []byte {
	Words(text, func(w string) {
		if _, ok := seen[w]; ok {
			return
		}
		if !inside(text, w) {
			w = strings.Clone(w)
		}
		seen[w] = struct{}{}
		if len(dst) > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, w...)
	})
	return dst
}

// inside reports whether w's bytes are part of s's.
func inside(s, w string) bool {
	if len(w) == 0 || len(s) == 0 {
		return false
	}
	sp, wp := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(w)))
	return wp >= sp && wp+uintptr(len(w)) <= sp+uintptr(len(s))
}

// QueryWords returns the folded words of a query's text, at most max.
func QueryWords(text string, max int) []string {
	var out []string
	Words(text, func(w string) {
		if len(out) < max {
			out = append(out, strings.Clone(w))
		}
	})
	return out
}

// isWordRune reports whether r is part of a word (letters, numbers, Mn, Co).
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Co, r)
}

// asciiWord says, for each ASCII byte, whether it is part of a word.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = isWordRune(rune(c))
	}
	return t
}()

// wordRune is isWordRune, with a table for ASCII.
func wordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r]
	}
	return isWordRune(r)
}

// foldWord appends w lower-cased and without diacritics (decomposed, its
// combining marks dropped) to dst.
func foldWord(dst []byte, w string) []byte {
	for _, r := range norm.NFD.String(w) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}
