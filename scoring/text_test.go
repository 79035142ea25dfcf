package scoring

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestStem(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plural", "recipes", "recip"},
		{"singular meets plural", "recipe", "recip"},
		{"ing keeps short e", "baking", "bake"},
		{"base with e", "bake", "bake"},
		{"ed", "baked", "bake"},
		{"double consonant", "running", "run"},
		{"ies", "families", "family"},
		{"care is not cars", "care", "care"},
		{"cars", "cars", "car"},
		{"news is not new", "news", "news"},
		{"short word untouched", "gym", "gym"},
		{"dance and dancing meet", "dancing", "danc"},
		{"dance", "dance", "danc"},
		{"possessive", "mom's", "mom"},
		{"ss kept", "fitness", "fitness"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(stemAppend(nil, []byte(tt.in))); got != tt.want {
				t.Errorf("stem(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

type tok struct {
	Text string
	Kind tokenKind
}

func tokens(s string) []tok {
	var out []tok
	var tk tokenizer
	tk.each(s, func(b []byte, k tokenKind) { out = append(out, tok{string(b), k}) })
	return out
}

func TestTokenizer(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []tok
	}{
		{"words fold case", "Baking Bread", []tok{{"bake", tokWord}, {"bread", tokWord}}},
		{"accents fold", "Café CRÈME brûlée", []tok{{"cafe", tokWord}, {"creme", tokWord}, {"brule", tokWord}}},
		{"camelCase hashtag", "#HomeDecor", []tok{{"homedecor", tokHashtag}, {"home", tokHashPart}, {"decor", tokHashPart}}},
		{"lower hashtag", "#skincare", []tok{{"skincare", tokHashtag}, {"skincar", tokHashPart}}},
		{"digits split", "#Top10Recipes", []tok{{"top10recipes", tokHashtag}, {"top", tokHashPart}, {"10", tokHashPart}, {"recip", tokHashPart}}},
		{"mention", "thanks @Brand_Co!", []tok{{"thank", tokWord}, {"brandco", tokMention}}},
		{"percent", "20% off", []tok{{"%", tokPercent}, {"off", tokWord}}},
		{"apostrophe", "don't", []tok{{"dont", tokWord}}},
		{"emoji only", "🔥🔥", nil},
		{"empty", "", nil},
		{"lone hash", "# @", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tokens(tt.in)); diff != "" {
				t.Errorf("tokens(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestTextNiches(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string // top niche, "" for none
	}{
		{"skincare hashtag", "New #SkinCare routine with retinol and SPF 50", "beauty"},
		{"baking", "Sourdough baking day! #breadmaking", "food"},
		{"fitness", "Hit a new deadlift PR at the gym today", "fitness"},
		{"written-together hashtag", "#homedecor #interiordesign", "home_diy"},
		{"German accents fold", "Rezept: Käsespätzle mit Röstzwiebeln #recipe", "food"},
		{"three-word phrase", "we played league of legends all night", "gaming"},
		{"nothing", "lovely day, see you tomorrow", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := TextNiches(nil, tt.text)
			got := ""
			if len(ns) > 0 {
				got = ns[0].Niche
			}
			if got != tt.want {
				t.Errorf("TextNiches(%q) top = %q, want %q (all: %+v)", tt.text, got, tt.want, ns)
			}
			for _, n := range ns {
				if n.Relevance <= 0 || n.Relevance > 1 {
					t.Errorf("relevance %v of %s out of (0,1]", n.Relevance, n.Niche)
				}
			}
		})
	}
}

func TestBuiltinTaxonomyHasRequiredNiches(t *testing.T) {
	required := strings.Fields(`beauty fashion fitness health_wellness food travel outdoors gaming tech science
		finance business education parenting family home_diy pets music film_tv books art_design photography
		sports automotive sustainability comedy lifestyle news_politics`)
	have := map[string]bool{}
	for _, n := range DefaultTaxonomy().Niches() {
		have[n] = true
	}
	for _, n := range required {
		if !have[n] {
			t.Errorf("built-in taxonomy lacks niche %q", n)
		}
	}
}

func TestParseTaxonomy(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr bool
		want    []string
	}{
		{"one niche", "coffee: espresso, ~latte art\n", false, []string{"coffee"}},
		{"comments and blanks", "# mine\n\nknitting: yarn, knit\n", false, []string{"knitting"}},
		{"repeated id merges", "a: x\na: y\n", false, []string{"a"}},
		{"bad id", "Not Valid: x\n", true, nil},
		{"no colon", "justwords\n", true, nil},
		{"empty", "", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tax, err := ParseTaxonomy(strings.NewReader(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tt.want, tax.Niches()); diff != "" {
				t.Errorf("niches (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExtendAddsCustomNiche(t *testing.T) {
	tax, err := DefaultTaxonomy().Extend(strings.NewReader("specialty_coffee: espresso, pour over, single origin, ~latte art\n"))
	if err != nil {
		t.Fatal(err)
	}
	ns := TextNiches(tax, "Dialled in a single origin espresso this morning")
	if len(ns) == 0 || ns[0].Niche != "specialty_coffee" {
		t.Errorf("top niche = %+v, want specialty_coffee first", ns)
	}
	if got, want := len(tax.Niches()), len(BuiltinNiches)+1; got != want {
		t.Errorf("extended taxonomy has %d niches, want %d", got, want)
	}
	// The built-in taxonomy is unchanged.
	if ns := TextNiches(nil, "single origin espresso"); len(ns) > 0 && ns[0].Niche == "specialty_coffee" {
		t.Errorf("built-in taxonomy gained the custom niche")
	}
}

func FuzzTextNiches(f *testing.F) {
	for _, s := range []string{"", "#", "@", "#HomeDecor", "Café crème #ÜberFit", "20% off use code X", "🔥🔥🔥",
		"\xff\xfe", "a#b@c", strings.Repeat("#a", 100), "[Ad] thanks to @x", "ß Æ ł Ø"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, n := range TextNiches(nil, s) {
			if !(n.Relevance > 0 && n.Relevance <= 1) {
				t.Fatalf("relevance %v for %q", n.Relevance, s)
			}
		}
		var tk tokenizer
		tk.each(s, func(b []byte, k tokenKind) {
			if len(b) == 0 {
				t.Fatalf("empty token from %q", s)
			}
			if !utf8.Valid(b) && utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 token %q from valid %q", b, s)
			}
		})
	})
}

func FuzzComments(f *testing.F) {
	f.Add("Nice post", "🔥🔥", "p1")
	f.Add("", "\xff", "")
	f.Fuzz(func(t *testing.T, a, b, post string) {
		p := testProfile(nil2(), 2, 0, 0)
		p.Comments = append(p.Comments,
			commentOf("c1", post, "u1", a), commentOf("c2", "p1", "u2", b), commentOf("c3", post, "u1", a))
		r := scoreComments(p)
		assertFinite(t, r.sub)
		if r.sub.Score < 0 || r.sub.Score > 100 {
			t.Fatalf("score %v", r.sub.Score)
		}
	})
}
