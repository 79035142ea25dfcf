package fakefit

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/scoring"
	"github.com/google/go-cmp/cmp"
)

// datasets is the labeled data folder, ../shared/datasets beside the
// repository root.
var datasets = filepath.Join("..", "..", "..", "shared", "datasets")

func loadOrSkip(t *testing.T) []Set {
	t.Helper()
	sets, err := LoadAll(datasets)
	if errors.Is(err, ErrNoData) {
		t.Skipf("labeled data not found under %s: %v", datasets, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sets
}

// synthetic returns a set where fake accounts have few followers and no
// avatar more often, and posts carry no signal.
func synthetic(name string, seed uint64, n int) Set {
	r := rand.New(rand.NewPCG(seed, 1))
	s := Set{Name: name, Fields: FAvatar | FCounts}
	for i := 0; i < n; i++ {
		fake := i%3 == 0
		fol := float64(200 + r.IntN(2000))
		av := r.IntN(10) > 0
		if fake {
			fol = float64(r.IntN(60))
			av = r.IntN(2) == 0
		}
		s.Accounts = append(s.Accounts, Account{Fake: fake, F: scoring.AccountFeatures{
			Followers: scoring.Known(fol), Following: scoring.Known(float64(100 + r.IntN(900))),
			Posts: scoring.Known(float64(r.IntN(500))), HasAvatar: scoring.KnownBool(av)}})
	}
	return s
}

func TestFitGAMLearnsAndMarginalises(t *testing.T) {
	sets := []Set{synthetic("a", 1, 600), synthetic("b", 2, 300)}
	m := FitGAM(sets, DefaultConfig, "synthetic")
	if m.Threshold != 0.5 || m.Data != "synthetic" {
		t.Errorf("threshold %v, data %q", m.Threshold, m.Data)
	}
	held := synthetic("held", 3, 600)
	for _, sh := range []Field{FAll, FFollowers, FAvatar | FPosts} {
		p, y := Probs(&m, &held, sh)
		auc := AUC(p, y)
		min := 0.95
		if sh&FFollowers == 0 {
			min = 0.6 // avatar alone separates weakly
		}
		if auc < min {
			t.Errorf("fields %s: held-out AUC %.3f, want at least %.2f", sh, auc, min)
		}
	}
	// Few followers point towards fake, many away; unknown lies between.
	low, high := m.Effect(4, 2), m.Effect(4, 7.5) // log1p followers
	if low <= high || m.Missing[4] >= low || m.Missing[4] <= high {
		t.Errorf("followers effects: low %.3f, high %.3f, unknown %.3f; want low > unknown > high", low, high, m.Missing[4])
	}
	// Posts carry no signal: their effects stay small.
	for k, v := range m.Steps[6] {
		if v > 0.5 || v < -0.5 {
			t.Errorf("posts step %d = %.3f, want near 0 for a feature without signal", k, v)
		}
	}
}

func TestFitGAMReproducible(t *testing.T) {
	sets := []Set{synthetic("a", 1, 300), synthetic("b", 2, 300)}
	a := FitGAM(sets, DefaultConfig, "x")
	b := FitGAM(sets, DefaultConfig, "x")
	if !reflect.DeepEqual(a, b) {
		t.Error("two fits of the same data and recipe differ")
	}
	c := DefaultConfig
	c.Seed = 2
	if reflect.DeepEqual(a, FitGAM(sets, c, "x")) {
		t.Error("a different seed hides different fields but gave the same model")
	}
}

func TestCutsOf(t *testing.T) {
	tests := []struct {
		name string
		vs   []float64
		max  int
		want []float64
	}{
		{"empty", nil, 4, nil},
		{"constant", []float64{3, 3, 3}, 4, nil},
		{"binary, mostly ones", []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 0}, 4, []float64{0.5}},
		{"binary, mostly zeros", []float64{0, 0, 0, 0, 0, 0, 0, 0, 1}, 4, []float64{0.5}},
		{"spread", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 4, []float64{3.5, 5.5, 7.5, 9.5}},
		{"fewer distinct than cuts", []float64{1, 1, 2, 2, 3, 3}, 8, []float64{1.5, 2.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, cutsOf(tt.vs, tt.max)); diff != "" {
				t.Errorf("cutsOf (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFeaturesHideFields(t *testing.T) {
	created := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	raw := Account{Now: created.AddDate(2, 0, 0), Raw: &creator.Account{Handle: "news_bot99", DisplayName: creator.Ptr("News"),
		Bio: creator.Ptr("hello"), HasAvatar: creator.Ptr(true), Followers: creator.Ptr[int64](5), Following: creator.Ptr[int64](9),
		Posts: creator.Ptr[int64](7), CreatedAt: &created}}
	f := raw.Features(FHandle | FFollowers)
	if !f.HandleDigitShare.OK || !f.Followers.OK || f.Following.OK || f.BioLen.OK || f.AgeDays.OK || f.HasAvatar.OK || f.NameWords.OK {
		t.Errorf("handle+followers kept: %+v", f)
	}
	if !f.SaysBot.OK || f.SaysBot.V != 1 {
		t.Errorf("the handle says bot: %+v", f.SaysBot)
	}
	if all := raw.Features(FAll); !all.AgeDays.OK || all.AgeDays.V < 730 || !all.NameEqualsHandle.OK {
		t.Errorf("all fields: %+v", all)
	}
	derived := Account{F: scoring.AccountFeatures{HandleDigitShare: scoring.Known(0.2), NameWords: scoring.Known(2),
		NameEqualsHandle: scoring.KnownBool(false), SaysBot: scoring.KnownBool(false), Posts: scoring.Known(3)}}
	g := derived.Features(FName | FPosts)
	if g.HandleDigitShare.OK || g.NameEqualsHandle.OK || !g.NameWords.OK || !g.Posts.OK || g.SaysBot.OK {
		t.Errorf("name+posts kept from derived features: %+v", g)
	}
}

func TestParseTwitterTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"Sat Oct 17 22:35:31 +0000 2015", time.Date(2015, 10, 17, 22, 35, 31, 0, time.UTC), true},
		{"Wed Feb 01 17:49:30 +0000 2012 ", time.Date(2012, 2, 1, 17, 49, 30, 0, time.UTC), true},
		{"2013-09-28 16:49:36+00:00", time.Date(2013, 9, 28, 16, 49, 36, 0, time.UTC), true},
		{"13/03/2017 22:21", time.Date(2017, 3, 13, 0, 0, 0, 0, time.UTC), true},
		{"7/13/2009 0:38", time.Date(2009, 7, 13, 0, 0, 0, 0, time.UTC), true},
		{"5/11/2016 5:45", time.Date(2016, 5, 11, 0, 0, 0, 0, time.UTC), true},
		{"", time.Time{}, false},
		{"13/13/2017", time.Time{}, false},
		{"yesterday", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := parseTwitterTime(tt.in)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("parseTwitterTime(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLoadAllMissing(t *testing.T) {
	_, err := LoadAll(t.TempDir())
	if !errors.Is(err, ErrNoData) {
		t.Errorf("LoadAll on an empty folder: %v, want ErrNoData", err)
	}
}

func TestLoadAll(t *testing.T) {
	sets := loadOrSkip(t)
	want := map[string][2]int{
		"instafake":              {200, 994},
		"instagram-fake-spammer": {348, 348},
		"twitter-bots":           {1056, 1176},
		"twibot22-annotation":    {63, 784},
	}
	got := map[string][2]int{}
	for _, s := range sets {
		f, g := s.Counts()
		got[s.Name] = [2]int{f, g}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fake and genuine counts (-want +got):\n%s", diff)
	}
}

// TestShippedModelReproduces refits the shipped recipe on the labeled data
// and checks the result is scoring/accountcoef.go, byte for byte.
func TestShippedModelReproduces(t *testing.T) {
	sets := loadOrSkip(t)
	m := FitShipped(sets, ShippedRecipe, LeaveOneOut(sets, ShippedRecipe))
	var got bytes.Buffer
	if err := WriteFile(&got, &m, ShippedRecipe); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "accountcoef.go"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got.String()); diff != "" {
		t.Errorf("refitted model differs from scoring/accountcoef.go; run make fit-accounts (-shipped +refit):\n%s", diff)
	}
}
