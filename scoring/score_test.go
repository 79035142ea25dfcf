package scoring

import (
	"bufio"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/google/go-cmp/cmp"
)

func TestTier(t *testing.T) {
	tests := []struct {
		name      string
		followers int64
		want      string
	}{
		{"zero", 0, creator.TierEmerging},
		{"negative", -3, creator.TierEmerging},
		{"nano floor", 1000, creator.TierNano},
		{"micro", 10_000, creator.TierMicro},
		{"mid", 250_000, creator.TierMid},
		{"macro", 500_000, creator.TierMacro},
		{"mega", math.MaxInt64, creator.TierMega},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Tier(tt.followers); got != tt.want {
				t.Errorf("Tier(%d) = %q, want %q", tt.followers, got, tt.want)
			}
		})
	}
}

func TestEngagementRate(t *testing.T) {
	post := func(l, r int64) creator.Post { return creator.Post{Likes: l, Replies: r} }
	tests := []struct {
		name      string
		posts     []creator.Post
		followers int64
		want      float64
	}{
		{"no posts", nil, 1000, 0},
		{"zero followers", []creator.Post{post(10, 1)}, 0, 0},
		{"median of three", []creator.Post{post(10, 0), post(30, 0), post(1000, 0)}, 1000, 0.03},
		{"even count", []creator.Post{post(10, 0), post(30, 0)}, 1000, 0.02},
		{"huge counts do not overflow", []creator.Post{post(math.MaxInt64, math.MaxInt64)}, 1, 2 * float64(math.MaxInt64)},
		{"negative counts ignored", []creator.Post{post(-50, 5)}, 100, 0.05},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EngagementRate(tt.posts, tt.followers); math.Abs(got-tt.want) > 1e-9*math.Max(1, tt.want) {
				t.Errorf("EngagementRate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEngagementLabel(t *testing.T) {
	mk := func(likes int64) *creator.Profile {
		p := &creator.Profile{Ref: creator.Ref{Platform: creator.Instagram}, Followers: 50_000}
		for i := 0; i < 10; i++ {
			p.Posts = append(p.Posts, creator.Post{Likes: likes})
		}
		return p
	}
	tests := []struct {
		name  string
		likes int64
		want  string
	}{
		{"low", 500, EngagementLow},                  // 1%
		{"typical", 2500, EngagementTypical},         // 5%
		{"high", 5000, EngagementHigh},               // 10%
		{"suspicious", 20_000, EngagementSuspicious}, // 40%
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scoreEngagement(mk(tt.likes), creator.TierMicro)
			if r.label != tt.want {
				t.Errorf("label %q, want %q (%s)", r.label, tt.want, r.sub.Summary)
			}
		})
	}
}

// degenerateCase is an odd input that Score must survive.
type degenerateCase struct {
	name    string
	p       *creator.Profile
	history []creator.Snapshot
	o       Options
}

// degenerateCases are the odd inputs TestScoreDegenerate checks and the
// golden test records (all but "zero now", which depends on the clock).
func degenerateCases() []degenerateCase {
	r := rand.New(rand.NewPCG(5, 6))
	full := testProfile(r, 30, 200, 100)
	identical := testProfile(r, 5, 50, 0)
	for i := range identical.Comments {
		identical.Comments[i].Text = "Nice post!"
		identical.Comments[i].Author = creator.Account{ID: "bot"}
	}
	huge := testProfile(r, 3, 3, 3)
	huge.Followers, huge.Following, huge.PostsCount = math.MaxInt64, math.MaxInt64, math.MaxInt64
	for i := range huge.Posts {
		huge.Posts[i].Likes, huge.Posts[i].Replies, huge.Posts[i].Views = math.MaxInt64, math.MaxInt64, math.MaxInt64
	}
	zeroF := testProfile(r, 10, 10, 10)
	zeroF.Followers = 0
	undated := testProfile(r, 4, 0, 0)
	for i := range undated.Posts {
		undated.Posts[i].CreatedAt = time.Time{}
	}
	future := testProfile(r, 4, 0, 0)
	for i := range future.Posts {
		future.Posts[i].CreatedAt = testNow.AddDate(1, 0, 0)
	}
	return []degenerateCase{
		{"empty profile", &creator.Profile{}, nil, Options{Now: testNow}},
		{"full with history", full, testHistory(90, 20_000, 45), Options{Now: testNow}},
		{"zero followers", zeroF, nil, Options{Now: testNow}},
		{"no posts", testProfile(r, 0, 0, 20), nil, Options{Now: testNow}},
		{"one snapshot", full, testHistory(1, 20_000, 0), Options{Now: testNow}},
		{"all comments identical", identical, nil, Options{Now: testNow}},
		{"missing account fields", &creator.Profile{Audience: []creator.Account{{ID: "a"}, {ID: "b"}}}, nil, Options{Now: testNow}},
		{"huge counts", huge, []creator.Snapshot{{At: testNow.AddDate(0, 0, -10), Followers: 1}, {At: testNow.AddDate(0, 0, -5), Followers: math.MaxInt64}}, Options{Now: testNow}},
		{"undated posts", undated, nil, Options{Now: testNow}},
		{"posts in the future", future, nil, Options{Now: testNow}},
		{"zero-time history", full, []creator.Snapshot{{}, {}}, Options{Now: testNow}},
		{"raw only", full, nil, Options{Now: testNow, RawOnly: true}},
		{"zero now", full, nil, Options{}},
	}
}

// TestScoreDegenerate checks that odd input never panics, never yields NaN
// or Inf, and always encodes as JSON.
func TestScoreDegenerate(t *testing.T) {
	tests := degenerateCases()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Score(tt.p, tt.history, tt.o)
			assertFinite(t, s)
			if _, err := json.Marshal(s); err != nil {
				t.Fatalf("marshalling scores: %v", err)
			}
			snap := Snapshot(tt.p, s)
			assertFinite(t, snap)
			for name, v := range map[string]float64{"authenticity": s.Authenticity, "overall": s.Overall, "consistency": s.Consistency,
				"brand_safety": s.BrandSafety, "growth": s.GrowthScore, "sponsored_pct": s.SponsoredPct} {
				if v < 0 || v > 100 {
					t.Errorf("%s = %v, want 0..100", name, v)
				}
			}
			for name, v := range map[string]float64{"confidence": s.Confidence, "fake_follower_share": s.FakeFollowerShare,
				"niche_relevance": s.NicheRelevance, "niche_focus": s.NicheFocus} {
				if v < 0 || v > 1 {
					t.Errorf("%s = %v, want 0..1", name, v)
				}
			}
			if s.PriceMinUSD > s.PriceMaxUSD {
				t.Errorf("price min %v > max %v", s.PriceMinUSD, s.PriceMaxUSD)
			}
			if !tt.o.RawOnly {
				for _, d := range s.Details {
					if d.Summary == "" {
						t.Errorf("sub-score %q has no summary", d.Name)
					}
				}
			}
		})
	}
}

func TestScoreFull(t *testing.T) {
	p := testProfile(rand.New(rand.NewPCG(1, 2)), 30, 200, 100)
	s := Score(p, testHistory(90, 20_000, 45), Options{Now: testNow})
	if s.PrimaryNiche != "food" {
		t.Errorf("primary niche %q, want food", s.PrimaryNiche)
	}
	if s.Tier != creator.TierMicro {
		t.Errorf("tier %q", s.Tier)
	}
	if s.GrowthTrend != TrendRising {
		t.Errorf("growth trend %q, want rising", s.GrowthTrend)
	}
	if s.SponsoredPct <= 0 {
		t.Error("no sponsored posts found; the sample has codes and #ad")
	}
	if s.FakeFollowerShare <= 0.05 || s.FakeFollowerShare >= 0.4 {
		t.Errorf("fake share %.3f, want about 1/7 of the sample", s.FakeFollowerShare)
	}
	names := map[string]bool{}
	for _, d := range s.Details {
		names[d.Name] = true
	}
	for _, n := range []string{"overall", "niche", "engagement", "authenticity", "audience", "comments", "growth", "consistency", "disclosure", "brand_safety", "price"} {
		if !names[n] {
			t.Errorf("no %q sub-score in Details", n)
		}
	}
	// Confidence falls with a smaller sample.
	small := testProfile(rand.New(rand.NewPCG(1, 2)), 3, 5, 5)
	if ss := Score(small, nil, Options{Now: testNow}); ss.Confidence >= s.Confidence {
		t.Errorf("confidence with 3 posts %.2f, want below %.2f with 30", ss.Confidence, s.Confidence)
	}
}

// TestNicheLabeledSet guards the niche scorer's accuracy on the
// hand-written English set (testdata/niches.jsonl, 28 niches, 10 creators
// each). It is a guard against a broken model or wiring, not a measure:
// `make eval` measures the model on real labeled data it never saw. The
// niche model (fitted on real Instagram captions and tweets) reaches 0.81
// here; the taxonomy alone reached 0.67 blind and 0.9 after it was tuned
// on this set, but only 0.375 on real held-out Instagram creators.
func TestNicheLabeledSet(t *testing.T) {
	f, err := os.Open("testdata/niches.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n, correct := 0, 0
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
		p := creator.Profile{Bio: c.Bio, Followers: 1000}
		for _, x := range c.Posts {
			p.Posts = append(p.Posts, creator.Post{Text: x})
		}
		n++
		if Score(&p, nil, Options{Now: testNow}).PrimaryNiche == c.Niche {
			correct++
		}
	}
	if acc := float64(correct) / float64(n); acc < 0.5 {
		t.Errorf("accuracy %.3f on %d labeled creators, want at least 0.5", acc, n)
	}
}

func FuzzScore(f *testing.F) {
	f.Add("Home cook #recipe", "Nice post!", "did:x", int64(1000), int64(50), int64(3))
	f.Add("", "", "", int64(0), int64(0), int64(0))
	f.Add("\xff#@", "🔥", "me", int64(-1), int64(math.MaxInt64), int64(math.MinInt64))
	f.Fuzz(func(t *testing.T, text, comment, author string, followers, likes, days int64) {
		p := &creator.Profile{Ref: creator.Ref{ID: "me"}, Bio: text, Followers: followers,
			Posts: []creator.Post{{ID: "p1", Text: text, Likes: likes, Replies: likes / 3,
				CreatedAt: testNow.Add(-time.Duration(days%10_000) * time.Hour)}},
			Comments: []creator.Comment{{ID: "c", PostID: "p1", Author: creator.Account{ID: author}, Text: comment}},
			Audience: []creator.Account{{ID: author, Handle: text, Bio: &comment, Followers: &likes}},
		}
		h := []creator.Snapshot{{At: testNow.AddDate(0, 0, -3), Followers: likes}, {At: testNow.AddDate(0, 0, -1), Followers: followers}}
		s := Score(p, h, Options{Now: testNow})
		assertFinite(t, s)
		if _, err := json.Marshal(s); err != nil {
			t.Fatal(err)
		}
	})
}

// TestScoreConcurrent runs Score from several goroutines; run with -race.
func TestScoreConcurrent(t *testing.T) {
	p := testProfile(rand.New(rand.NewPCG(9, 9)), 10, 40, 20)
	want := Score(p, nil, Options{Now: testNow})
	done := make(chan creator.Scores)
	for i := 0; i < 4; i++ {
		go func() { done <- Score(p, nil, Options{Now: testNow}) }()
	}
	for i := 0; i < 4; i++ {
		got := <-done
		if got.Overall != want.Overall || got.PrimaryNiche != want.PrimaryNiche {
			t.Errorf("concurrent Score differs: overall %v niche %q, want %v %q", got.Overall, got.PrimaryNiche, want.Overall, want.PrimaryNiche)
		}
	}
}

// TestRecordSnapshot: the one snapshot a stored record implies, as the
// crawl writes it, a store copy synthesizes it and change detection
// stands it in: taken at UpdatedAt, negative engagement counted as zero,
// sponsored posts listed.
func TestRecordSnapshot(t *testing.T) {
	updated := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	posted := updated.Add(-24 * time.Hour)
	rec := &creator.Record{
		Profile: creator.Profile{Followers: 1000, Following: 10, PostsCount: 50, Posts: []creator.Post{
			{ID: "p1", Text: "Loving my new blender #ad", Likes: 30, Replies: -5, CreatedAt: posted},
			{ID: "p2", Text: "weekend bake", Likes: -2, Reposts: 10, CreatedAt: posted.Add(-time.Hour)},
		}},
		Scores:    creator.Scores{ComputedAt: updated.Add(-time.Minute), EngagementRate: 0.02, PrimaryNiche: "food"},
		UpdatedAt: updated,
	}
	got := RecordSnapshot(rec)
	want := creator.Snapshot{At: updated, Followers: 1000, Following: 10, PostsCount: 50, EngagementRate: 0.02,
		AvgEngagement: 20, MaxEngagement: 30, LastPostAt: posted, PrimaryNiche: "food", SponsoredPostIDs: []string{"p1"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RecordSnapshot (-want +got):\n%s", diff)
	}
	rec.UpdatedAt = time.Time{}
	if got := RecordSnapshot(rec); !got.At.Equal(rec.Scores.ComputedAt) {
		t.Errorf("without UpdatedAt: At = %v, want the scores' time %v", got.At, rec.Scores.ComputedAt)
	}
}
