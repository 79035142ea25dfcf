package nichefit

import (
	"bytes"
	"compress/gzip"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// datasets is ../shared/datasets beside the repository, or "" when absent.
func datasets(t *testing.T) string {
	t.Helper()
	d, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "datasets"))
	if _, err := os.Stat(d); err != nil {
		t.Skipf("labeled data not found at %s: %v", d, err)
	}
	return d
}

func TestLoadDatasets(t *testing.T) {
	d := datasets(t)
	cs, err := LoadInstagram(d)
	if err != nil {
		t.Fatal(err)
	}
	posts, cats := 0, map[string]int{}
	for i, c := range cs {
		posts += len(c.Captions)
		cats[c.Category]++
		if i > 0 && cs[i-1].Name >= c.Name {
			t.Fatalf("creators not sorted by name at %d", i)
		}
	}
	// The data set's README: 28,011 posts of 16,000+ influencers, nine categories.
	if posts != 28011 || len(cs) < 16000 || len(cats) != 9 {
		t.Errorf("%d posts of %d creators in %d categories, want 28011 posts, 16000+ creators, 9 categories", posts, len(cs), len(cats))
	}
	ts, err := LoadXTopic(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 800 {
		t.Errorf("%d tweets, want 800 (4 languages x 200)", len(ts))
	}
	for _, tw := range ts {
		if tw.Text == "" || len(tw.Topics) == 0 {
			t.Errorf("tweet %s/%s has text %q and topics %v", tw.Lang, tw.ID, tw.Text, tw.Topics)
			break
		}
	}
}

func TestLoadInstagramMalformed(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "instagram-influencers"), 0o755)
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(`{"influencer":"a","category":"food","caption":"x"}` + "\n" + `{"influencer":` + "\n"))
	zw.Close()
	os.WriteFile(filepath.Join(dir, "instagram-influencers", "posts.jsonl.gz"), b.Bytes(), 0o644)
	_, err := LoadInstagram(dir)
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("error %v, want one naming line 2", err)
	}
	if _, err := LoadXTopic(dir); err == nil {
		t.Error("missing x-topic gave no error")
	}
}

func TestLabels(t *testing.T) {
	label := func(name string, l func(*head) int8) int8 {
		for i := range heads {
			if heads[i].name == name {
				return l(&heads[i])
			}
		}
		t.Fatalf("no head %s", name)
		return 0
	}
	creator := func(cat string) func(*head) int8 { return func(h *head) int8 { return h.labelCreator(cat) } }
	tweet := func(topics ...string) func(*head) int8 { return func(h *head) int8 { return h.labelTweet(topics) } }
	tests := []struct {
		head string
		of   func(*head) int8
		want int8
	}{
		{"food", creator("food"), 1},
		{"food", creator("fashion"), 0},
		{"food", creator("other"), 0},
		{"home_diy", creator("interior"), 1},
		{"pets", creator("pet"), 1},
		{"parenting", creator("family"), 0}, // the category wins over its sibling
		{"music", creator("fashion"), 0},
		{"music", creator("other"), -1}, // an "other" influencer may be a musician
		{"fitness", tweet("fitness_&_health"), 1},
		{"health_wellness", tweet("fitness_&_health", "sports"), 1},
		{"sports", tweet("fitness_&_health"), 0},
		{"tech_science", tweet("science_&_technology"), 1},
		{"home_diy", tweet("other_hobbies"), -1}, // x-topic has no such topic
		{"lifestyle", tweet("diaries_&_daily_life"), 1},
	}
	for _, tt := range tests {
		if got := label(tt.head, tt.of); got != tt.want {
			t.Errorf("%s: label %d, want %d", tt.head, got, tt.want)
		}
	}
	// Every niche the held-out check maps a topic to has a head.
	have := map[string]bool{}
	for _, h := range heads {
		for _, n := range h.niches {
			have[n] = true
		}
	}
	for topic, ns := range TopicNiches {
		for _, n := range ns {
			if !have[n] {
				t.Errorf("topic %s maps to %s, which no head scores", topic, n)
			}
		}
	}
}

func TestFoldsKeepCreatorsWhole(t *testing.T) {
	var ex []Example
	for i := range 200 {
		g := "c" + strconv.Itoa(i%37)
		ex = append(ex, Example{Group: g})
	}
	folds := Folds(ex, 5, 1)
	of := map[string]int{}
	sizes := make([]int, 5)
	for i, e := range ex {
		if f, ok := of[e.Group]; ok && f != folds[i] {
			t.Fatalf("creator %s in folds %d and %d", e.Group, f, folds[i])
		}
		of[e.Group] = folds[i]
		sizes[folds[i]]++
	}
	for f, n := range sizes {
		if n == 0 {
			t.Errorf("fold %d is empty", f)
		}
	}
	if diff := cmp.Diff(folds, Folds(ex, 5, 1)); diff != "" {
		t.Errorf("folds differ between calls (-first +second):\n%s", diff)
	}
}

func TestPlatt(t *testing.T) {
	// Labels drawn with P(y=1) = sigmoid(2z - 1): Platt scaling recovers a and b.
	var z, y, w []float64
	for i := range 4000 {
		zi := float64(i%400)/100 - 2
		p := 1 / (1 + math.Exp(-(2*zi - 1)))
		// A deterministic draw: the fraction of positives at each z is p.
		yi := 0.0
		if float64(i/400)+0.5 < p*10 {
			yi = 1
		}
		z, y, w = append(z, zi), append(y, yi), append(w, 1)
	}
	a, b := platt(z, y, w)
	if math.Abs(a-2) > 0.2 || math.Abs(b+1) > 0.2 {
		t.Errorf("platt = %.3f, %.3f, want about 2, -1", a, b)
	}
}

func TestShiftForF1(t *testing.T) {
	// Positives score above 1, negatives below; a few negatives in between.
	z := []float64{3, 2.5, 2, 1.5, 1.2, 1.1, 0.5, -1, -2, -3}
	y := []float64{1, 1, 1, 1, 1, 0, 0, 0, 0, 0}
	w := make([]float64, len(z))
	for i := range w {
		w[i] = 1
	}
	b, f1, ok := shiftForF1(z, y, w, 1, 0)
	if !ok || f1 != 1 {
		t.Fatalf("f1 %.3f ok %v, want a perfect threshold", f1, ok)
	}
	// The 0.5 threshold now falls between 1.2 and 1.1.
	if s := 1.15 + b; math.Abs(s) > 1e-9 {
		t.Errorf("threshold moved to %.3f, want 1.15", -b)
	}
	if _, _, ok := shiftForF1(z, make([]float64, len(z)), w, 1, 0); ok {
		t.Error("no positives, yet a threshold")
	}
	// The best F1 (0.6, the top seven shown) has precision 0.43, under
	// minPrecision: the threshold stays above the top one (F1 0.5).
	z = []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	y = []float64{1, 0, 0, 0, 1, 0, 1, 0, 0, 0}
	b, f1, ok = shiftForF1(z, y, w, 1, 0)
	if !ok || math.Abs(f1-0.5) > 1e-9 || math.Abs(9.5+b) > 1e-9 {
		t.Errorf("threshold %.3f with F1 %.3f (ok %v), want 9.5 with F1 0.5", -b, f1, ok)
	}
}

// TestFitReproducible checks that the same examples and settings give the
// same model, byte for byte, and that a fitted head separates its labels.
func TestFitReproducible(t *testing.T) {
	var cs []Creator
	food := []string{"pasta recipe with garlic", "baking sourdough bread today", "my ramen recipe", "vegan curry dinner", "chocolate cake recipe"}
	style := []string{"outfit of the day #ootd", "new sneakers and denim", "street style look", "summer dress haul", "vintage jacket styling"}
	for i := range 60 {
		c := Creator{Name: "f" + strconv.Itoa(i), Category: "food", Captions: []string{food[i%5], food[(i+2)%5]}}
		s := Creator{Name: "s" + strconv.Itoa(i), Category: "fashion", Captions: []string{style[i%5], style[(i+3)%5]}}
		cs = append(cs, c, s)
	}
	cfg := DefaultConfig
	cfg.Bits = 12
	fit := func() []byte {
		m := FitModel(Examples(cs, nil, cfg), cfg, 3)
		var b bytes.Buffer
		if _, err := m.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	first, second := fit(), fit()
	if !bytes.Equal(first, second) {
		t.Fatal("two fits on the same data differ")
	}
	m := FitModel(Examples(cs, nil, cfg), cfg, 3)
	rel := func(text, niche string) float64 {
		for _, n := range m.TextNiches(nil, text) {
			if n.Niche == niche {
				return n.Relevance
			}
		}
		return 0
	}
	if f, s := rel("garlic bread recipe", "food"), rel("garlic bread recipe", "fashion"); f <= s {
		t.Errorf("food text: food %.3f, fashion %.3f", f, s)
	}
	if f, s := rel("denim jacket outfit", "food"), rel("denim jacket outfit", "fashion"); s <= f {
		t.Errorf("fashion text: food %.3f, fashion %.3f", f, s)
	}
}

func TestLanguage(t *testing.T) {
	for text, want := range map[string]string{
		"This is my favourite recipe and you are going to love it":        "en",
		"La receta de mi abuela, con una salsa muy rica para el domingo":  "es",
		"Das ist mein Lieblingsrezept und ich koche es mit der Familie":   "de",
		"C'est une recette pour les amis avec du fromage et je suis ravi": "fr",
		"Uma receita muito boa para você fazer com a sua família":         "pt",
		"Questa è una ricetta della nonna che non sono mai riuscito":      "it",
		"#food #yummy": "other",
		"東京で食べたラーメン最高": "other",
	} {
		if got := Language(text); got != want {
			t.Errorf("Language(%q) = %s, want %s", text, got, want)
		}
	}
}

// TestCommentExamplesStayWithCreator: a creator's comments are an extra
// training example in its own group (so in its fold, never in another's)
// and are marked Aux (never scored nor calibrated on).
func TestCommentExamplesStayWithCreator(t *testing.T) {
	cs := []Creator{
		{Name: "a", Category: "pet", Captions: []string{"my dog"}, Comments: []string{"cute pup", "so fluffy"}},
		{Name: "b", Category: "food", Captions: []string{"ramen night"}},
	}
	cfg := DefaultConfig
	if cfg.CommentWeight != 0.25 {
		t.Fatalf("DefaultConfig.CommentWeight %v; the shipped recipe fits comments at 0.25", cfg.CommentWeight)
	}
	ex := Examples(cs, nil, cfg)
	if len(ex) != 3 {
		t.Fatalf("%d examples, want 3 (b has no comments)", len(ex))
	}
	folds := Folds(ex, 5, cfg.Seed)
	if !ex[1].Aux || ex[1].Group != ex[0].Group || folds[1] != folds[0] || ex[1].Weight != 0.25 || ex[1].Text != "cute pup\nso fluffy" {
		t.Fatalf("comment example %+v (fold %d, creator's %d)", ex[1], folds[1], folds[0])
	}
	if ex[0].Aux || ex[0].Text != "my dog" || ex[2].Aux {
		t.Fatalf("creator examples %+v, %+v", ex[0], ex[2])
	}
	// Calibration never reads a comment example.
	logits := [][]float64{make([]float64, len(heads)), make([]float64, len(heads)), make([]float64, len(heads))}
	most := 0
	for h := range heads {
		zs, _, _ := calibrationSet(logits, ex, heads[h], h)
		most = max(most, len(zs))
	}
	if most != 2 {
		t.Fatalf("the heads calibrate on up to %d examples of 2 creators, want 2", most)
	}
}
