package scoring

import (
	"bytes"
	"compress/gzip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/creatorscout/scout/creator"
	"github.com/google/go-cmp/cmp"
)

func TestNicheModelRoundTrip(t *testing.T) {
	v8 := smallModel()
	v8.Features = NicheBigrams | NicheInnerGrams
	v8.Heads[0].Softmax = true
	for _, m := range []*NicheModel{smallModel(), v8} {
		var buf bytes.Buffer
		if _, err := m.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		if want := m != v8; bytes.HasPrefix(gunzip(t, buf.Bytes()), []byte(nicheModelMagic)) != want {
			t.Errorf("features %d: written as SCNM7 %v, want %v", m.Features, !want, want)
		}
		got, err := ReadNicheModel(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(m, got); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
	}
}

func smallModel() *NicheModel {
	m := &NicheModel{Bits: 8, Heads: []NicheHead{{Name: "a", Niches: []string{"food"}, Blend: 0.25}, {Name: "b", Niches: []string{"tech", "science"}, Fallback: true, TaxFloor: 0.7, Blend: 0.5}},
		TaxNiches: []string{"food", "tech", "science"},
		Bias:      []float32{0.5, -1}, Scale: []float32{1e-4, 2e-4}, CalA: []float32{1, 0.5}, CalB: []float32{0, -0.25},
		TaxW: []float32{1, 2, 3, 4, 5, 6}, W: make([]int8, 256*2)}
	for i := range m.W {
		m.W[i] = int8(i*37%255 - 127)
	}
	return m
}

func TestReadNicheModelMalformed(t *testing.T) {
	var good bytes.Buffer
	smallModel().WriteTo(&good)
	raw := gunzip(t, good.Bytes())
	gz := func(b []byte) []byte {
		var out bytes.Buffer
		w := gzip.NewWriter(&out)
		w.Write(b)
		w.Close()
		return out.Bytes()
	}
	tests := map[string][]byte{
		"not gzip":      []byte("hello"),
		"empty":         gz(nil),
		"wrong magic":   gz(append([]byte("XXXX1\n"), raw[6:]...)),
		"truncated":     gz(raw[:len(raw)/2]),
		"trailing data": gz(append(append([]byte{}, raw...), 1, 2, 3)),
		"zero heads":    gz(append(append([]byte{}, raw[:7]...), 0)),
		"bits too big":  gz(append(append(append([]byte{}, raw[:6]...), 40), raw[7:]...)),
		// The first head's blend (after magic, bits, head count, name "a",
		// one niche "food", flags and floor) set to 2.
		"blend above 1": gz(append(append(append([]byte{}, raw[:21]...), 0, 0, 0, 0x40), raw[25:]...)),
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := ReadNicheModel(bytes.NewReader(b)); err == nil {
				t.Error("read a malformed model without error")
			}
		})
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	out.ReadFrom(r)
	return out.Bytes()
}

// TestNicheFeaturesMatchScoring checks that the features the fitting
// command trains on (NicheFeatures) are exactly those scoring sums: a
// drift between the two would make the shipped weights mean nothing.
func TestNicheFeaturesMatchScoring(t *testing.T) {
	shipped := defaultTaxonomy.binding().m
	withPairs := *shipped
	withPairs.Features = NicheBigrams | NicheInnerGrams
	wordsOnly := *shipped
	wordsOnly.Features = 0
	for _, model := range []*NicheModel{shipped, &withPairs, &wordsOnly} {
		testNicheFeaturesMatch(t, bindModel(defaultTaxonomy, model))
	}
}

func testNicheFeaturesMatch(t *testing.T, b *nicheBinding) {
	nh := len(b.m.Heads)
	for _, text := range append(append([]string{}, postTexts...),
		"Receta de tortilla 🍳 #CocinaCasera @amiga", "東京で食べたラーメン最高 #ramen", "Ça va? Très bien! 100% déjà vu", "",
		"Sunday brunch. Avocado toast!\nnew line here #yum then words", "#dogsofinstagram Hundefutter für Welpen, #ΚαλήΣυνέχεια") {
		m := getMatcher(defaultTaxonomy)
		m.withBinding(b)
		m.begin()
		m.scan(text)
		got := m.sums
		putMatcher(m)
		var want headSums
		for _, k := range NicheFeatures(nil, text, b.m.Bits, b.m.Features) {
			b.add(&want, k)
		}
		if got.n != want.n || !slices.Equal(got.sum[:nh], want.sum[:nh]) {
			t.Errorf("%q: scoring summed %d features %v, fitting features give %d %v", text, got.n, got.sum[:nh], want.n, want.sum[:nh])
		}
	}
}

func TestHash32(t *testing.T) {
	// Fixed values: the shipped model's buckets depend on them.
	for _, c := range []struct {
		seed uint32
		in   string
		want uint32
	}{{featWord, "", 0x80e9ba17}, {featWord, "recipe", 0xab61cb80}, {featGram, "ingredients", 0x6e00bb72}} {
		if got := hash32(c.seed, []byte(c.in)); got != c.want {
			t.Errorf("hash32(%x, %q) = %x, want %x", c.seed, c.in, got, c.want)
		}
	}
	seen := map[uint32]string{}
	for i := range 20000 {
		s := "w" + strconv.Itoa(i)
		h := hash32(featWord, []byte(s)) & (1<<17 - 1)
		seen[h] = s
	}
	// 20,000 words in 131,072 buckets: about 7% collide by chance.
	if len(seen) < 18000 {
		t.Errorf("20000 words fill %d buckets, want about 18600", len(seen))
	}
}

// TestOffTopicPostDoesNotFlip checks that one post about something else
// leaves a creator's primary niche where the other posts put it.
func TestOffTopicPostDoesNotFlip(t *testing.T) {
	food := []string{
		"Weeknight dinner: one pan lemon chicken with crispy potatoes, recipe below",
		"Sourdough loaf number 40, finally an open crumb #sourdough #baking",
		"Meal prep Sunday: three lunches from one tray of roasted vegetables",
		"My nonna's ragu, slow cooked for four hours. Recipe in bio",
		"Testing five chocolate chip cookie recipes so you don't have to",
		"Street food tour of the night market, the dumplings were the best",
	}
	p := creator.Profile{Bio: "Home cook sharing easy recipes", Followers: 5000}
	for i, x := range food {
		p.Posts = append(p.Posts, creator.Post{ID: strconv.Itoa(i), Text: x})
	}
	p.Posts = append(p.Posts, creator.Post{ID: "off", Text: "We played League of Legends all night, ranked grind, new PC build with a fresh GPU #gaming #pcgaming"})
	s := Score(&p, nil, Options{Now: testNow})
	if s.PrimaryNiche != "food" {
		t.Fatalf("primary niche %q, want food (niches %+v)", s.PrimaryNiche, s.Niches)
	}
	if s.NicheFocus < 0.7 || s.NicheFocus > 6.0/7+1e-9 {
		t.Errorf("focus %.3f, want the share of food posts (at most 6 of 7)", s.NicheFocus)
	}
	// Evidence names the posts that point to the niche, never the off-topic one.
	var posts []string
	for _, d := range s.Details {
		if d.Name != "niche" {
			continue
		}
		for _, e := range d.Evidence {
			if e.Signal == "post_points_to_primary" {
				posts = append(posts, e.PostID)
				if !strings.Contains(e.Text, "food") {
					t.Errorf("evidence %q does not name the niche", e.Text)
				}
			}
		}
	}
	if len(posts) == 0 {
		t.Error("no post_points_to_primary evidence")
	}
	for _, id := range posts {
		if id == "off" {
			t.Error("the off-topic post is given as evidence for food")
		}
	}
	if len(s.Niches) == 0 || len(s.Niches[0].Terms) == 0 {
		t.Errorf("primary niche has no terms: %+v", s.Niches)
	}
}

// TestHeadBlend checks that each head adds the taxonomy's relevance by its
// own blend: at 1 a niche is at least as relevant as the taxonomy reads
// it, at 0 the taxonomy only enters through the model's inputs.
func TestHeadBlend(t *testing.T) {
	const text = "new gameplay video on twitch tonight, playstation and xbox giveaway"
	taxRel := 0.0
	for _, n := range TaxonomyNiches(nil, text) {
		if n.Niche == "gaming" {
			taxRel = n.Relevance
		}
	}
	if taxRel == 0 {
		t.Fatal("the taxonomy does not read the text as gaming")
	}
	rel := func(blend float32) float64 {
		m := *builtinNicheModel()
		m.Heads = slices.Clone(m.Heads)
		for h := range m.Heads {
			if m.Heads[h].Name == "gaming" {
				m.Heads[h].Blend = blend
				m.Heads[h].TaxFloor = 0 // the floor would hide the blend
			}
		}
		for _, n := range m.TextNiches(nil, text) {
			if n.Niche == "gaming" {
				return n.Relevance
			}
		}
		return 0
	}
	r0, r1 := rel(0), rel(1)
	if r1 < taxRel || r0 >= r1 {
		t.Errorf("gaming relevance %.3f at blend 0, %.3f at blend 1; the taxonomy's %.3f", r0, r1, taxRel)
	}
}

// TestNicheBigrams checks which word pairs give a feature: adjacent
// words of one sentence, not across a break, a hashtag or a new text.
func TestNicheBigrams(t *testing.T) {
	for _, c := range []struct {
		text  string
		pairs int
	}{
		{"avocado toast", 1},
		{"avocado toast recipe", 2},
		{"avocado. toast", 0},
		{"avocado\ntoast", 0},
		{"avocado #toast recipe", 0},
		{"avocado 🥑 toast", 0},
		{"big avocado, small toast", 3},
		{"東京。大阪", 0},
	} {
		if got := extraFeatures(c.text, NicheBigrams); got != c.pairs {
			t.Errorf("%q: %d pair features, want %d", c.text, got, c.pairs)
		}
	}
}

// extraFeatures is how many more features text has with the optional
// feature kinds features than without any.
func extraFeatures(text string, features uint8) int {
	return len(NicheFeatures(nil, text, 17, features)) - len(NicheFeatures(nil, text, 17, 0))
}

// TestNicheInnerGrams: with NicheInnerGrams every run of four runes inside
// a hashtag, or inside a word of more than eight runes, is a feature too
// (the first and last runs are the prefix and suffix features already),
// and every run of four runes of a mention of more than four, aside (no
// evidence by itself); short words, CJK tokens and emoji give none.
func TestNicheInnerGrams(t *testing.T) {
	for _, c := range []struct {
		text  string
		inner int
	}{
		{"#dogsofinstagram", 10}, // 15 runes: runs starting at runes 2 to 11
		{"#veganrecipes", 7},
		{"#ootd", 0},
		{"#pasta", 0},      // 5 runes: "past" and "asta" are its prefix and suffix
		{"tomorrow", 0},    // 8 runes: not a long word
		{"Hundefutter", 6}, // 11 runes
		{"Käsespätzle", 5}, // accents fold and the stemmer trims it: 10 runes
		{"東京で食べたラーメン最高", 0},         // rune pairs instead
		{"@someverylongname 🔥", 13}, // 16 runes: every run, first and last too
		{"@zara", 0},
		{"🔥🔥", 0},
	} {
		if got := extraFeatures(c.text, NicheInnerGrams); got != c.inner {
			t.Errorf("%q: %d inner features, want %d", c.text, got, c.inner)
		}
	}
	// The inner runs of a hashtag are its own: "sofi" of #dogsofinstagram.
	with := NicheFeatures(nil, "#dogsofinstagram", 17, NicheInnerGrams)
	if k := hash32(featGram+4, []byte("sofi")) & (1<<17 - 1); !slices.Contains(with, k) {
		t.Errorf("#dogsofinstagram: no feature for its inner run \"sofi\"")
	}
}

// TestUnknownWordsAreNoEvidenceForTweetHeads: the heads only tweets taught
// (music, business, sports, lifestyle, ...) read a text whose every
// feature lies in buckets they hold no weight for as no evidence, so no
// such niche is shown for it; the heads Instagram taught still read it.
// Without that, their steep calibration put such texts near 0.5 (a French
// cat owner's bio read business 0.58).
func TestUnknownWordsAreNoEvidenceForTweetHeads(t *testing.T) {
	m := builtinNicheModel()
	b := bindModel(defaultTaxonomy, m)
	if b.xtKnown == nil {
		t.Fatal("the shipped model has no tweet-only heads")
	}
	unknown := func(w string) bool {
		for _, k := range NicheFeatures(nil, w, m.Bits, m.Features) {
			if b.xtKnown[k>>6]&(1<<(k&63)) != 0 {
				return false
			}
		}
		return true
	}
	var words []string
	for i := 0; len(words) < 6 && i < 100000; i++ {
		w := "qz" + strconv.FormatInt(int64(i)*7919, 36) + "vx"
		if unknown(w) {
			words = append(words, w)
		}
	}
	if len(words) < 6 {
		t.Fatal("no words found whose every feature the tweet heads lack")
	}
	text := strings.Join(words, " ")
	xt := map[string]bool{}
	for h, hd := range m.Heads {
		if b.xtHead[h] {
			for _, n := range hd.Niches {
				xt[n] = true
			}
		}
	}
	shown := 0
	for _, n := range TextNiches(nil, text) {
		if xt[n.Niche] && n.Relevance > 0 {
			t.Errorf("%q reads %s %.3f; a tweet-only head had no evidence", text, n.Niche, n.Relevance)
		}
		if !xt[n.Niche] {
			shown++
		}
	}
	if shown == 0 {
		t.Errorf("%q reads no niche at all; the Instagram heads should still read its features", text)
	}
}
