package crawler

import (
	"testing"

	"github.com/creatorscout/scout/creator"
)

func TestMainLanguage(t *testing.T) {
	post := func(langs ...string) creator.Post { return creator.Post{Langs: langs} }
	tests := []struct {
		name  string
		posts []creator.Post
		want  string
	}{
		{"none", nil, ""},
		{"no langs", []creator.Post{post(), post()}, ""},
		{"majority", []creator.Post{post("en"), post("de"), post("en-US")}, "en"},
		{"tie alphabetical", []creator.Post{post("pt"), post("es")}, "es"},
		{"case and space", []creator.Post{post(" DE-at "), post("de")}, "de"},
		{"zxx ignored", []creator.Post{post("zxx"), post("zxx"), post("fr")}, "fr"},
	}
	for _, tt := range tests {
		if got := MainLanguage(tt.posts); got != tt.want {
			t.Errorf("%s: MainLanguage = %q, want %q", tt.name, got, tt.want)
		}
	}
}
