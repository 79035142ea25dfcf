package scoring

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/creatorscout/scout/creator"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/golden_scores.json from the current code")

const goldenFile = "testdata/golden_scores.json"

type goldenCase struct {
	name    string
	p       *creator.Profile
	history []creator.Snapshot
	o       Options
}

// extraTexts add accents, camelCase hashtags, mentions, percentages, safety
// and disclosure cues and non-Latin scripts to the generated profiles.
var extraTexts = []string{
	"Café crème brûlée at the Pâtisserie — naïve façade, Straße, Æsir, Łódź #CrèmeBrûlée #SkinCare",
	"GRWM: my #MorningRoutine with retinol + SPF50 sunscreen, 20% off with code GLOW20 @brand.co",
	"Leg day!!! 5x5 squats, deadlifts, PR at 140kg #LegDay #fitfam #Gym2024",
	"Sponsored by @airline: our road trip itinerary through Japan and Italy #travel #ad #sponsored",
	"Don't miss it — this game's boss fight is insane, live on twitch tonight #gaming #EldenRing",
	"I hate this, what the hell, drunk again lol #nsfw",
	"日本語のテキスト、絵文字 🎉🎉 и русский текст, ελληνικά",
	"#___ #_a_b_ ＃hashtag @ # @@ %% 100% 50%off it's ’tis",
	"Gifted by @someone, link in bio, affiliate link below, discount code SAVE10",
	"",
}

var extraComments = []string{
	"", "👍", "Nice!!!", "nice post", "Amazing content, check out my page!", "follow for follow",
	"Where did you buy that jacket? It's gorgeous", "😍😍😍😍", "DM us for a collab 💰",
	"I tried the recipe with oat milk and it worked great, thanks so much for sharing!",
}

func goldenCases(t testing.TB) []goldenCase {
	var cs []goldenCase
	add := func(name string, p *creator.Profile, h []creator.Snapshot, o Options) {
		cs = append(cs, goldenCase{name, p, h, o})
	}
	now := Options{Now: testNow}

	// The benchmark profile and sizes around it.
	add("bench", testProfile(rand.New(rand.NewPCG(1, 2)), 30, 200, 100), testHistory(90, 20_000, 45), now)
	for seed := uint64(0); seed < 12; seed++ {
		r := rand.New(rand.NewPCG(seed, seed*7+1))
		nP, nC, nF := r.IntN(40), r.IntN(300), r.IntN(150)
		p := testProfile(r, nP, nC, nF)
		// Vary the texts, hashtags, counts and authors.
		for i := range p.Posts {
			if r.IntN(3) == 0 {
				p.Posts[i].Text = extraTexts[r.IntN(len(extraTexts))]
			}
			if r.IntN(4) == 0 {
				p.Posts[i].Hashtags = []string{"#SkinCare", "homeDecor", "travelGram", "", "#", "recipes"}[:r.IntN(6)]
			}
			if r.IntN(5) == 0 {
				p.Posts[i].Views = int64(r.IntN(100_000))
			}
			if r.IntN(9) == 0 {
				p.Posts[i].Likes = int64(r.IntN(50_000))
			}
		}
		for i := range p.Comments {
			if r.IntN(3) == 0 {
				p.Comments[i].Text = extraComments[r.IntN(len(extraComments))]
			}
			if r.IntN(10) == 0 {
				p.Comments[i].Author.ID = p.Ref.ID
			}
		}
		p.Followers = []int64{0, 500, 5_000, 24_000, 150_000, 700_000, 3_000_000}[r.IntN(7)]
		if seed%3 == 0 {
			p.Bio = extraTexts[seed%uint64(len(extraTexts))]
		}
		if seed%4 == 1 {
			p.AudienceKind = ""
		}
		var h []creator.Snapshot
		switch seed % 4 {
		case 0:
			h = testHistory(90, 20_000, 45)
		case 1:
			h = testHistory(30, 50_000, -200)
		case 2:
			h = testHistory(60, 10_000, 10)
			if len(h) > 40 {
				h[40].Followers += 8_000 // a spike
				h[50].Followers -= 3_000
			}
		}
		add(fmt.Sprintf("seed %d", seed), p, h, now)
	}

	// Degenerate cases (see TestScoreDegenerate), without time.Now.
	for _, c := range degenerateCases() {
		if !c.o.Now.IsZero() {
			add(c.name, c.p, c.history, c.o)
		}
	}
	add("bio only", &creator.Profile{Bio: "Licensed esthetician, skincare and makeup artist #SkinCare", Followers: 2000}, nil, now)
	add("pod", &creator.Profile{Ref: creator.Ref{ID: "me"}, Followers: 3000, Posts: []creator.Post{{ID: "p1", Text: "x", CreatedAt: testNow.Add(-time.Hour), Likes: 10}},
		Comments: func() []creator.Comment {
			var cs []creator.Comment
			for i := 0; i < 30; i++ {
				cs = append(cs, commentOf(fmt.Sprint(i), fmt.Sprintf("p%d", i%3), fmt.Sprintf("u%d", i%4), fmt.Sprintf("great %d", i%2)))
			}
			return cs
		}()}, nil, now)

	// A custom taxonomy.
	tax, err := DefaultTaxonomy().Extend(strings.NewReader("pottery: pottery, ceramics, wheel throwing, ~glaze, kiln\n"))
	if err != nil {
		t.Fatal(err)
	}
	pot := testProfile(rand.New(rand.NewPCG(8, 8)), 12, 20, 10)
	for i := range pot.Posts {
		if i%2 == 0 {
			pot.Posts[i].Text = "Wheel throwing a new set of bowls, glaze firing in the kiln tonight #pottery #Ceramics"
		}
	}
	add("custom taxonomy", pot, testHistory(20, 1000, 5), Options{Now: testNow, Taxonomy: tax})

	// The labeled niche set.
	f, err := os.Open("testdata/niches.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var c struct {
			Niche, Bio string
			Posts      []string
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		p := &creator.Profile{Ref: creator.Ref{ID: fmt.Sprint("l", n)}, Bio: c.Bio, Followers: 1000 + int64(n)*997}
		for i, x := range c.Posts {
			p.Posts = append(p.Posts, creator.Post{ID: fmt.Sprint("p", i), Text: x, CreatedAt: testNow.Add(-time.Duration(i*31+n) * time.Hour), Likes: int64(n*13 + i*40), Replies: int64(n + i)})
			p.Comments = append(p.Comments, commentOf(fmt.Sprint("c", i), fmt.Sprint("p", i), fmt.Sprint("u", (n+i)%5), c.Posts[(i+1)%len(c.Posts)]))
		}
		add("labeled "+fmt.Sprint(n)+" "+c.Niche, p, nil, now)
		n++
	}
	return cs
}

type goldenRecord struct {
	Name     string
	Scores   creator.Scores
	Snapshot creator.Snapshot
	Niches   [][]creator.NicheScore `json:",omitempty"`
	Accounts []AccountResult        `json:",omitempty"`
}

func goldenOutput(t testing.TB) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	for _, c := range goldenCases(t) {
		s := Score(c.p, c.history, c.o)
		rec := goldenRecord{Name: c.name, Scores: s, Snapshot: Snapshot(c.p, s)}
		texts := []string{c.p.Bio}
		for i := range c.p.Posts {
			texts = append(texts, c.p.Posts[i].Text)
		}
		for _, x := range texts {
			rec.Niches = append(rec.Niches, top5(TextNiches(c.o.Taxonomy, x)))
		}
		for i := range c.p.Audience {
			rec.Accounts = append(rec.Accounts, ScoreAccount(&c.p.Audience[i], testNow))
		}
		if err := enc.Encode(rec); err != nil {
			t.Fatal(err)
		}
	}
	for _, x := range append(append(append([]string{}, postTexts...), extraTexts...), extraComments...) {
		if err := enc.Encode(top5(TextNiches(nil, x))); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// top5 keeps the five most relevant niches of a text: the golden file
// guards those, not every head's small probability.
func top5(ns []creator.NicheScore) []creator.NicheScore { return ns[:min(5, len(ns))] }

// TestGolden guards Score, Snapshot, TextNiches and ScoreAccount byte for
// byte against testdata/golden_scores.json, written from the code before the
// performance work; run with -update only when the output is meant to
// change.
func TestGolden(t *testing.T) {
	got := goldenOutput(t)
	if *updateGolden {
		if err := os.WriteFile(goldenFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("output differs from %s at line %d:\n got: %s\nwant: %s", goldenFile, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("output differs from %s in length: %d lines, want %d", goldenFile, len(gl), len(wl))
	}
}
