package crawler_test

import (
	"testing"

	"github.com/creatorscout/scout/crawler"
)

func TestSameURL(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"https://ada.example/", "https://ada.example", true},
		{"http://ADA.example:80/x/", "https://ada.example/x", true},
		{"https://ada.example/#about", "https://ada.example/", true},
		{"https://ada.example/x", "https://ada.example/y", false},
		{"https://ada.example/?a=1", "https://ada.example/", false},
		{"https://ada.example:8443/", "https://ada.example/", false},
		{"mailto:ada@ada.example", "mailto:ada@ada.example", false},
		{"ada.example/shop", "https://ada.example/shop/", true},
	} {
		if got := crawler.SameURL(tt.a, tt.b); got != tt.want {
			t.Errorf("SameURL(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
