package scoring

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldTable maps Latin letters with diacritics (U+00C0..U+024F) to their
// lower-case ASCII base letters; 0 means no mapping.
var foldTable = func() (t [0x250 - 0xC0]string) {
	for r := rune(0xC0); r < 0x250; r++ {
		d := norm.NFD.String(string(r))
		if c, _ := utf8.DecodeRuneInString(d); c < 0x80 && unicode.IsLetter(c) {
			t[r-0xC0] = string(unicode.ToLower(c))
		}
	}
	for r, s := range map[rune]string{'ß': "ss", 'æ': "ae", 'Æ': "ae", 'ø': "o", 'Ø': "o",
		'œ': "oe", 'Œ': "oe", 'đ': "d", 'Đ': "d", 'ł': "l", 'Ł': "l", 'ð': "d", 'þ': "th"} {
		t[r-0xC0] = s
	}
	return t
}()

// appendFolded appends r to b lower-cased with diacritics removed.
func appendFolded(b []byte, r rune) []byte {
	switch {
	case r < 0x80:
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(b, byte(r))
	case r >= 0xC0 && r < 0x250 && foldTable[r-0xC0] != "":
		return append(b, foldTable[r-0xC0]...)
	default:
		return utf8.AppendRune(b, unicode.ToLower(r))
	}
}

// appendFoldedNoUnderscore appends the runes of s but '_' to dst folded
// with appendFolded, ASCII without a call.
func appendFoldedNoUnderscore(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 {
			if c != '_' {
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				dst = append(dst, c)
			}
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		dst = appendFolded(dst, r)
		i += w - 1
	}
	return dst
}

// isWordRune reports whether r belongs in a word token.
func isWordRune(r rune) bool {
	if r < 0x80 {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	}
	if r < wordRuneLimit {
		return wordRuneBits[r>>6]&(1<<(r&63)) != 0
	}
	return isWordRuneSlow(r)
}

func isWordRuneSlow(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// isEmoji reports whether r is a pictograph of the emoji blocks (the
// symbols and pictographs, dingbats and miscellaneous symbols), which say
// much of a caption's niche (🍕, 💄, 🐶, ✈️). Skin tones, variation
// selectors and joiners are not.
func isEmoji(r rune) bool {
	return r >= 0x1F300 && r <= 0x1FAFF && !(r >= 0x1F3FB && r <= 0x1F3FF) || r >= 0x2600 && r <= 0x27BF
}

// wordRuneLimit bounds wordRuneBits, which holds isWordRuneSlow for every
// rune below it (the BMP and the supplementary planes emoji live in).
const wordRuneLimit = 0x20000

var wordRuneBits = func() (b [wordRuneLimit / 64]uint64) {
	for _, t := range []*unicode.RangeTable{unicode.Letter, unicode.Digit, unicode.Mn} {
		for _, rg := range t.R16 {
			for r := rune(rg.Lo); r <= rune(rg.Hi) && r < wordRuneLimit; r += rune(rg.Stride) {
				b[r>>6] |= 1 << (r & 63)
			}
		}
		for _, rg := range t.R32 {
			for r := rune(rg.Lo); r <= rune(rg.Hi) && r < wordRuneLimit; r += rune(rg.Stride) {
				b[r>>6] |= 1 << (r & 63)
			}
		}
	}
	return b
}()

// tokenKind says where a token came from.
type tokenKind uint8

const (
	tokWord     tokenKind = iota
	tokHashtag            // a whole hashtag, folded ("homedecor")
	tokHashPart           // one camelCase part of a hashtag ("home", "decor")
	tokMention            // an @mention, without the @
	tokPercent            // a number followed by '%'
	tokEmoji              // one emoji or pictograph (the niche model reads them; the taxonomy does not)
)

// tokenizer splits text into folded, stemmed tokens without allocating per
// token. It is not safe for concurrent use; each goroutine uses its own.
type tokenizer struct {
	// With keepWord set, word is during fn for a tokWord the word folded,
	// before stemming.
	keepWord bool
	word     []byte
	raw      []byte // the current token, folded, before stemming
	stem     []byte // the current token, stemmed
	part     []byte
	cache    *stemCache // recent stems, nil for none (see getMatcher)
	// breaks counts the sentence breaks ('.', '!', '?', a line break, and
	// their CJK forms) skipped so far: the niche model pairs only words
	// with none between them.
	breaks uint32
}

// stemCache remembers the stems of recent words, direct-mapped by hash:
// stemming is pure, so a remembered stem is the one stemAppend would make.
// The slots hold no pointers, so the cache costs the GC nothing to scan.
type stemCache [stemCacheSize]stemSlot

const stemCacheSize = 1024

type stemSlot struct {
	wl, sl uint8
	w      [22]byte
	s      [24]byte
}

// stemOf is stemAppend(dst, w) through t's cache.
func (t *tokenizer) stemOf(dst, w []byte) []byte {
	if t.cache == nil || len(w) <= 3 || len(w) > len(stemSlot{}.w) {
		return stemAppend(dst, w)
	}
	sl := &t.cache[wordHash(w)&(stemCacheSize-1)]
	if int(sl.wl) == len(w) && string(sl.w[:len(w)]) == string(w) {
		return append(dst, sl.s[:sl.sl]...)
	}
	start := len(dst)
	dst = stemAppend(dst, w)
	if st := dst[start:]; len(st) <= len(sl.s) {
		sl.wl, sl.sl = uint8(len(w)), uint8(len(st))
		copy(sl.w[:], w)
		copy(sl.s[:], st)
	}
	return dst
}

// each calls fn for every token of s in order. For a hashtag it yields the
// whole tag (tokHashtag) and then its camelCase or letter/digit parts
// (tokHashPart) when there is more than one. The slice passed to fn is only
// valid during the call.
func (t *tokenizer) each(s string, fn func(tok []byte, kind tokenKind)) {
	// The buffers live in locals while scanning, so appends do not hit the
	// GC write barrier; they are stored back on return.
	raw, stem := t.raw, t.stem
	defer func() { t.raw, t.stem = raw, stem }()
	i := 0
	for i < len(s) {
		if c := s[i]; c < 0x80 && c != '#' && c != '@' && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			if c == '.' || c == '\n' || c == '!' || c == '?' {
				t.breaks++
			}
			i++ // ASCII separator
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == '#' || r == '@' || r == '＃' {
			j := i + w
			end := j
			for end < len(s) {
				r2, w2 := utf8.DecodeRuneInString(s[end:])
				if !isWordRune(r2) && r2 != '_' {
					break
				}
				end += w2
			}
			if end > j {
				if r == '@' {
					// Mentions: keep the local part only ("brand" of @brand.com).
					raw = appendFoldedNoUnderscore(raw[:0], s[j:end])
					if len(raw) > 0 {
						fn(raw, tokMention)
					}
				} else {
					t.raw, t.stem = raw, stem
					t.hashtag(s[j:end], fn)
					raw, stem = t.raw, t.stem
				}
				i = end
				continue
			}
			i = j
			continue
		}
		if !isWordRune(r) {
			if r == '。' || r == '！' || r == '？' {
				t.breaks++
			}
			if isEmoji(r) {
				raw = append(raw[:0], s[i:i+w]...)
				fn(raw, tokEmoji)
			}
			i += w
			continue
		}
		j := i
		raw = raw[:0]
		for j < len(s) {
			if c := s[j]; c < 0x80 {
				switch {
				case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
					raw = append(raw, c)
					j++
					continue
				case c >= 'A' && c <= 'Z':
					raw = append(raw, c+'a'-'A')
					j++
					continue
				}
			}
			r2, w2 := utf8.DecodeRuneInString(s[j:])
			if !isWordRune(r2) {
				// Keep in-word apostrophes out: "don't" -> "dont".
				if (r2 == '\'' || r2 == '’') && j+w2 < len(s) {
					if r3, _ := utf8.DecodeRuneInString(s[j+w2:]); isWordRune(r3) && r3 < 0x80 {
						j += w2
						continue
					}
				}
				break
			}
			raw = appendFolded(raw, r2)
			j += w2
		}
		if j < len(s) && s[j] == '%' && allDigits(raw) {
			fn(append(raw[:0], '%'), tokPercent)
			i = j + 1
			continue
		}
		stem = t.stemOf(stem[:0], raw)
		if t.keepWord {
			t.word = raw
		}
		fn(stem, tokWord)
		i = j
	}
}

// hashtag yields one hashtag body (without '#').
func (t *tokenizer) hashtag(body string, fn func(tok []byte, kind tokenKind)) {
	raw, stem, part := t.raw[:0], t.stem, t.part
	defer func() { t.raw, t.stem, t.part = raw, stem, part }()
	raw = appendFoldedNoUnderscore(raw, body)
	if len(raw) == 0 {
		return // only underscores
	}
	whole := append(part[:0], raw...)
	part = whole
	fn(whole, tokHashtag)
	// Split at lower->Upper, letter<->digit and '_' boundaries.
	start := 0
	var prev rune
	parts := 0
	emit := func(seg string) {
		if seg == "" {
			return
		}
		raw = appendFoldedNoUnderscore(raw[:0], seg)
		if len(raw) == 0 {
			return
		}
		stem = t.stemOf(stem[:0], raw)
		fn(stem, tokHashPart)
	}
	var segs [16][2]int
	for k, c := range body {
		if k > start && (c == '_' || unicode.IsUpper(c) && unicode.IsLower(prev) ||
			unicode.IsDigit(c) != unicode.IsDigit(prev) && prev != '_') {
			if parts < len(segs) {
				segs[parts] = [2]int{start, k}
				parts++
			}
			start = k
		}
		prev = c
	}
	if parts == 0 {
		// One part: the whole tag, stemmed, as a part too.
		emit(body)
		return
	}
	if parts < len(segs) {
		segs[parts] = [2]int{start, len(body)}
		parts++
	}
	for _, sg := range segs[:parts] {
		emit(body[sg[0]:sg[1]])
	}
}

func allDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// noStem lists words whose final "s" is not a plural ending.
var noStem = map[string]bool{
	"news": true, "this": true, "yes": true, "always": true, "series": true, "species": true,
	"lens": true, "gas": true, "plus": true, "bonus": true, "paris": true, "vegas": true,
	"texas": true, "xmas": true, "ios": true, "chaos": true, "canvas": true, "atlas": true,
	"physics": true, "politics": true, "economics": true, "athletics": true, "analytics": true,
	"cosmetics": true, "genetics": true, "mathematics": true, "ethics": true, "lyrics": true,
	"pilates": true, "abs": true, "jeans": true, "glasses": true, "sometimes": true, "perhaps": true,
}

// stemAppend appends a light English stem of the folded word w to dst, after
// the Porter stemmer's steps 1a, 1b and 5a: plural and possessive endings,
// -ing, -ed, -ies/-ied and a final silent -e, so that "recipes" and
// "recipe"; "baking", "bake" and "baked"; "dancing" and "dance" share a stem
// while "care" and "cars" do not. Words of three letters or fewer, and words
// listed in noStem, are left alone.
func stemAppend(dst, w []byte) []byte {
	n := len(w)
	if n <= 3 || w[n-1] == 's' && noStem[string(w)] {
		return append(dst, w...)
	}
	start := len(dst)
	dst = append(dst, w...)
	b := dst[start:]
	switch {
	case stemHas(b, "'s"):
		b = b[:len(b)-2]
	case stemHas(b, "sses"):
		b = b[:len(b)-2]
	case stemHas(b, "ies") || stemHas(b, "ied"):
		b = append(b[:len(b)-3], 'y')
		return append(dst[:start], b...)
	case stemHas(b, "ss") || stemHas(b, "us") || stemHas(b, "is"):
	case stemHas(b, "s"):
		b = b[:len(b)-1]
	}
	removed := false
	switch {
	case stemHas(b, "eed"):
		if measure(b[:len(b)-3]) > 0 {
			b = b[:len(b)-1]
		}
	case stemHas(b, "ing") && hasVowel(b[:len(b)-3]) && len(b)-3 >= 3:
		b, removed = b[:len(b)-3], true
	case stemHas(b, "ed") && hasVowel(b[:len(b)-2]) && len(b)-2 >= 3:
		b, removed = b[:len(b)-2], true
	}
	if removed {
		l := len(b)
		switch {
		case stemHas(b, "at") || stemHas(b, "bl") || stemHas(b, "iz"):
			b = append(b, 'e')
		case l >= 2 && b[l-1] == b[l-2] && !isVowelAt(b, l-1) && b[l-1] != 'l' && b[l-1] != 's' && b[l-1] != 'z':
			b = b[:l-1]
		case measure(b) == 1 && cvc(b):
			b = append(b, 'e')
		}
	}
	// Step 5a: drop a final silent e.
	if l := len(b); l > 3 && b[l-1] == 'e' {
		if m := measure(b[:l-1]); m > 1 || m == 1 && !cvc(b[:l-1]) {
			b = b[:l-1]
		}
	}
	return append(dst[:start], b...)
}

// stemHas reports whether b ends in suf with at least two bytes before it.
func stemHas(b []byte, suf string) bool {
	n := len(b) - len(suf)
	return n >= 2 && string(b[n:]) == suf
}

// isVowelAt reports whether w[i] is a vowel in Porter's sense (y after a
// consonant counts as a vowel).
func isVowelAt(w []byte, i int) bool {
	switch w[i] {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	case 'y':
		return i > 0 && !isVowelAt(w, i-1)
	}
	return false
}

func hasVowel(w []byte) bool {
	for i := range w {
		if isVowelAt(w, i) {
			return true
		}
	}
	return false
}

// measure is Porter's m: the number of vowel-consonant sequences in w.
func measure(w []byte) int {
	m := 0
	prevVowel := false
	for i := range w {
		v := isVowelAt(w, i)
		if !v && prevVowel {
			m++
		}
		prevVowel = v
	}
	return m
}

// cvc reports whether w ends consonant-vowel-consonant with the last not
// w, x or y ("hop", "bak"), the short syllables that keep their e.
func cvc(w []byte) bool {
	l := len(w)
	if l < 3 || isVowelAt(w, l-3) || !isVowelAt(w, l-2) || isVowelAt(w, l-1) {
		return false
	}
	switch w[l-1] {
	case 'w', 'x', 'y':
		return false
	}
	return true
}
