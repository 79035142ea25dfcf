package sqlite

import (
	"math"
	"testing"
)

func TestBucketOrder(t *testing.T) {
	vals := []float64{math.Inf(-1), -1e300, -12345, -1, -0.5, -1e-300, math.Copysign(0, -1), 0, 1e-300, 0.005, 0.5, 1, 2, 3, 1000, 1e6, 8e7, 1e300, math.Inf(1)}
	for i := 1; i < len(vals); i++ {
		if bucket(vals[i-1]) > bucket(vals[i]) {
			t.Errorf("bucket(%g) = %x > bucket(%g) = %x: buckets must follow the order of numbers",
				vals[i-1], bucket(vals[i-1]), vals[i], bucket(vals[i]))
		}
	}
	tests := []struct {
		name string
		a, b float64
		same bool
	}{
		{"zero and negative zero", 0, math.Copysign(0, -1), true},
		{"same power of two", 1024, 2047, true},
		{"next power of two", 1024, 2048, false},
		{"sign", -1, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := bucket(tt.a) == bucket(tt.b); got != tt.same {
				t.Errorf("bucket(%g) == bucket(%g) is %v, want %v", tt.a, tt.b, got, tt.same)
			}
		})
	}
}

func TestTagsAreWords(t *testing.T) {
	// A tag must be one word to FTS5's tokenizer whatever the value.
	for _, v := range []string{`"`, `a b`, `x" OR tags:y`, "é", ""} {
		tag := keywordTag("country", v)
		if w := splitWords(tag); len(w) != 1 || w[0] != tag {
			t.Errorf("keywordTag(%q) = %q splits into %q", v, tag, w)
		}
	}
	if tag := numberTag("followers", bucket(-3.5)); len(splitWords(tag)) != 1 {
		t.Errorf("numberTag = %q is not one word", tag)
	}
}
