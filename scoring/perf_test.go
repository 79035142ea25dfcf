package scoring

import "testing"

// TestWordRuneBits checks the isWordRune table against the unicode package
// for every rune it covers.
func TestWordRuneBits(t *testing.T) {
	for r := rune(0x80); r < wordRuneLimit+0x100; r++ {
		if got, want := isWordRune(r), isWordRuneSlow(r); got != want {
			t.Fatalf("isWordRune(%U) = %v, want %v", r, got, want)
		}
	}
}
