package index

import "unicode"

// How many words a query's text has, as both backends split it.

// MaxTextWords is the most words a query's text may have, as TextWords
// counts them. Meilisearch matches only the first ten words of a query and
// ignores the rest (a documented limit), so no backend takes more: a
// longer text is an error, not a search that silently matches more.
const MaxTextWords = 10

// TextWords returns how many words a query's text has, counted so that
// neither backend splits it into more: the SQLite store's words are runs
// of letters, digits and marks; Meilisearch's tokenizer (charabia) splits
// at its separators and where the script changes, keeps any other
// character (a symbol, an emoji) as part of a word, and lets
// language-specific segmenters split words further. So TextWords counts:
//
//   - a run of letters, digits and marks in one script as one word;
//   - a run of other characters that are not separators ('+', '$', '°',
//     emoji) as one word too, though the SQLite store ignores them and
//     Meilisearch often joins them to the word beside them;
//   - a run of Arabic-script letters as two words, since Meilisearch's
//     Arabic segmenter splits a leading ال (the article) off a word;
//   - every character (separators aside) of Chinese, Japanese, Korean,
//     Thai or Khmer text, and the digits and symbols that Meilisearch
//     groups with it, as a word of its own, since Meilisearch's
//     dictionary segmenters may split such text anywhere.
//
// Whitespace and the ASCII and common Unicode punctuation that both
// backends treat as separators count as nothing. The count is an upper
// bound, not exact: "C++" counts 2 where both backends see 1, and a
// Chinese phrase counts by character. The one split it does not bound is
// Meilisearch's decompounding of German words (when it detects German,
// "Fußball" may be two words); such a query can have more words than
// MaxTextWords in Meilisearch, which then ignores the last ones.
func TextWords(text string) int {
	// Meilisearch first groups the text by script: characters of no
	// particular script (digits, symbols, marks) join the group around
	// them, the leading ones the group of the first letter.
	group := scriptOther
	for _, r := range text {
		if sc := scriptOf(r); sc != scriptOther {
			group = sc
			break
		}
	}
	const (
		sep = iota
		word
		symbol
	)
	n, prev := 0, sep
	for _, r := range text {
		newGroup := false
		if sc := scriptOf(r); sc != scriptOther && sc != group {
			group, newGroup = sc, true
		}
		kind := symbol
		switch {
		case textSeparator(r):
			prev = sep
			continue
		case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Co, r):
			kind = word
		}
		switch {
		case segmented(group):
			n++
		case kind != prev || newGroup:
			n++
			if group == scriptArabic && kind == word {
				n++ // Meilisearch splits a leading ال off as a word of its own
			}
		}
		prev = kind
	}
	return n
}

// LeadingWords returns the longest beginning of text, cut between
// characters, that has at most n words as TextWords counts them: a text
// that a query can take. Lookups that search for a name or handle use it
// so that a long one narrows the search by its first words instead of
// failing; they check every hit against the whole text.
func LeadingWords(text string, n int) string {
	if TextWords(text) <= n {
		return text
	}
	end := 0
	for i := range text { // each character's start; text is short (a name or handle)
		if TextWords(text[:i]) > n {
			break
		}
		end = i
	}
	return text[:end]
}

// Scripts that TextWords tells apart; scriptOther is any other
// character, which joins the script around it.
const (
	scriptOther = iota
	scriptLatin
	scriptGreek
	scriptCyrillic
	scriptArmenian
	scriptHebrew
	scriptArabic
	scriptDevanagari
	scriptBengali
	scriptGurmukhi
	scriptGujarati
	scriptOriya
	scriptTamil
	scriptTelugu
	scriptKannada
	scriptMalayalam
	scriptSinhala
	scriptThai
	scriptLao
	scriptTibetan
	scriptMyanmar
	scriptGeorgian
	scriptHangul
	scriptEthiopic
	scriptKhmer
	scriptMongolian
	scriptHiragana
	scriptKatakana
	scriptHan
)

var scriptTables = []*unicode.RangeTable{
	scriptLatin: unicode.Latin, scriptGreek: unicode.Greek, scriptCyrillic: unicode.Cyrillic,
	scriptArmenian: unicode.Armenian, scriptHebrew: unicode.Hebrew, scriptArabic: unicode.Arabic,
	scriptDevanagari: unicode.Devanagari, scriptBengali: unicode.Bengali, scriptGurmukhi: unicode.Gurmukhi,
	scriptGujarati: unicode.Gujarati, scriptOriya: unicode.Oriya, scriptTamil: unicode.Tamil,
	scriptTelugu: unicode.Telugu, scriptKannada: unicode.Kannada, scriptMalayalam: unicode.Malayalam,
	scriptSinhala: unicode.Sinhala, scriptThai: unicode.Thai, scriptLao: unicode.Lao,
	scriptTibetan: unicode.Tibetan, scriptMyanmar: unicode.Myanmar, scriptGeorgian: unicode.Georgian,
	scriptHangul: unicode.Hangul, scriptEthiopic: unicode.Ethiopic, scriptKhmer: unicode.Khmer,
	scriptMongolian: unicode.Mongolian, scriptHiragana: unicode.Hiragana, scriptKatakana: unicode.Katakana,
	scriptHan: unicode.Han,
}

// scriptOf returns the script of a letter, or scriptOther.
func scriptOf(r rune) int {
	if r < 0x80 {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
			return scriptLatin
		}
		return scriptOther
	}
	if !unicode.IsLetter(r) {
		return scriptOther
	}
	for sc, t := range scriptTables {
		if t != nil && unicode.Is(t, r) {
			return sc
		}
	}
	return scriptOther
}

// segmented reports whether Meilisearch may split text of the script
// between any two characters (by dictionary or by affix).
func segmented(sc int) bool {
	switch sc {
	case scriptHan, scriptHiragana, scriptKatakana, scriptHangul, scriptThai, scriptKhmer:
		return true
	}
	return false
}

// textSeparator reports whether r separates words in both backends:
// whitespace, and punctuation in Meilisearch's list of separators (which
// the SQLite store, splitting at anything but letters, digits and marks,
// also splits at).
func textSeparator(r rune) bool {
	if r < 0x80 {
		return asciiSeparator[r]
	}
	if unicode.IsSpace(r) {
		return true
	}
	switch r {
	case '‘', '’', '‚', '‛', '“', '”', '„', '‟', '‹', '›', '«', '»',
		'‐', '‒', '–', '—', '―', '…', '·', '•', '¡', '¿', '§', '¶',
		'、', '。', '「', '」', '『', '』', '【', '】', '〔', '〕', '〈', '〉', '《', '》',
		'（', '）', '［', '］', '｛', '｝', '，', '．', '：', '；', '？', '！', '＂', '＇',
		'،', '؛', '؟', '۔', '।', '॥':
		return true
	}
	return false
}

// asciiSeparator holds the ASCII separators of both backends: whitespace
// and the punctuation Meilisearch's tokenizer separates words at. '$',
// '+', '<', '=', '>', '^', '`', '|' and '~' are not among them.
var asciiSeparator = func() (t [0x80]bool) {
	for _, c := range " \t\n\v\f\r!\"#%&'()*,./:;?@[\\]_{}-" {
		t[c] = true
	}
	return t
}()
