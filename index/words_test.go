package index

import "testing"

func TestTextWords(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"   ", 0},
		{"vegan", 1},
		{"vegan recipes", 2},
		{"  vegan\t\nrecipes  ", 2},
		{`"vegan recipes"`, 2},
		{"-meat vegan", 2},
		{"plant-based", 2},
		{"snake_case", 2},
		{"don't", 2},
		{"3.14", 2},
		{"abc123def", 1},
		{"#vegan @cook", 2},
		{"100%", 1},
		{"“quoted” «words»", 2},
		// Symbols that are not separators are words to Meilisearch.
		{"+", 1},
		{"C++", 2},
		{"$100", 2},
		{"3°F", 3},
		{"🦀", 1},
		{"🦀🦀", 1},
		{"🦀 🦀", 2},
		// A change of script starts a word.
		{"cafébar", 1},
		{"abcабв", 2},
		{"ελληνικά", 1},
		// Text that Meilisearch segments by dictionary counts by character,
		// with the digits grouped with it.
		{"素食", 2},
		{"2024年", 5},
		{"素食 vegan", 3},
		{"vegan 素食", 3},
		{"ภาษาไทย", 7},
		{"한국어", 3},
		// An Arabic word may lose its article (ال) as a word of its own.
		{"الشجرة", 2},
		{"محمد عبد الله", 6},
		{"vegan الشجرة", 3},
		// Marks belong to their letter.
		{"cafe\u0301", 1},
	}
	for _, tt := range tests {
		if got := TextWords(tt.text); got != tt.want {
			t.Errorf("TextWords(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

func TestLeadingWords(t *testing.T) {
	tests := []struct {
		text string
		n    int
		want string
	}{
		{"alice.bsky.social", 10, "alice.bsky.social"},
		{"a.b.c.d.e.f.g.h.i.j.k.l", 10, "a.b.c.d.e.f.g.h.i.j."},
		{"one two three", 2, "one two "},
		{"日本語のテキスト", 3, "日本語"},
		{"", 1, ""},
	}
	for _, tt := range tests {
		got := LeadingWords(tt.text, tt.n)
		if got != tt.want {
			t.Errorf("LeadingWords(%q, %d) = %q, want %q", tt.text, tt.n, got, tt.want)
		}
		if TextWords(got) > tt.n {
			t.Errorf("LeadingWords(%q, %d) = %q has %d words", tt.text, tt.n, got, TextWords(got))
		}
	}
}
