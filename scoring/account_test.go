package scoring

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/google/go-cmp/cmp"
)

func i64(v int64) *int64 { return &v }

func TestScoreAccount(t *testing.T) {
	fakeLike := creator.Account{ID: "f", Handle: "user83920117", HasAvatar: creator.Ptr(false),
		Followers: i64(4), Following: i64(3500), Posts: i64(0), Bio: creator.Ptr("")}
	genuine := creator.Account{ID: "g", Handle: "maria.bakes", HasAvatar: creator.Ptr(true),
		Followers: i64(420), Following: i64(380), Posts: i64(260), Bio: creator.Ptr("Baker, runner, cat person"),
		DisplayName: creator.Ptr("Maria Lopez"), HasURL: creator.Ptr(true)}
	tests := []struct {
		name     string
		a        creator.Account
		wantFake bool
		wantSigs int // -1: do not check
	}{
		{"fake-looking", fakeLike, true, -1},
		{"genuine-looking", genuine, false, -1},
		{"nothing known", creator.Account{ID: "x"}, false, 0},
		{"huge counts", creator.Account{ID: "h", Followers: i64(math.MaxInt64), Following: i64(math.MaxInt64), Posts: i64(math.MaxInt64)}, false, -1},
		{"negative counts", creator.Account{ID: "n", Followers: i64(-5), Following: i64(-1)}, true, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ScoreAccount(&tt.a, testNow)
			assertFinite(t, r)
			if r.FakeProbability < 0 || r.FakeProbability > 1 {
				t.Fatalf("P(fake) = %v", r.FakeProbability)
			}
			if tt.name != "huge counts" && tt.name != "negative counts" && r.Fake != tt.wantFake {
				t.Errorf("Fake = %v (P %.3f), want %v; signals %+v", r.Fake, r.FakeProbability, tt.wantFake, r.Signals)
			}
			if tt.wantSigs >= 0 && len(r.Signals) != tt.wantSigs {
				t.Errorf("%d signals, want %d", len(r.Signals), tt.wantSigs)
			}
		})
	}
}

func TestMissingIsNotZero(t *testing.T) {
	unknown := creator.Account{ID: "u", HasAvatar: creator.Ptr(true)}
	zero := creator.Account{ID: "z", HasAvatar: creator.Ptr(true), Followers: i64(0), Posts: i64(0), Bio: creator.Ptr("")}
	pu := ScoreAccount(&unknown, testNow).FakeProbability
	pz := ScoreAccount(&zero, testNow).FakeProbability
	if pz <= pu {
		t.Errorf("P(fake) with zero followers/posts/bio = %.3f, want above unknown %.3f", pz, pu)
	}
}

func TestAccountPriors(t *testing.T) {
	base := creator.Account{ID: "b", Followers: i64(30), Following: i64(900), HasAvatar: creator.Ptr(true)}
	verified := base
	verified.Verified = creator.Ptr(true)
	young := base
	young.CreatedAt = creator.Ptr(testNow.Add(-48 * time.Hour))
	pb := ScoreAccount(&base, testNow).FakeProbability
	if pv := ScoreAccount(&verified, testNow).FakeProbability; pv >= pb {
		t.Errorf("verified P %.3f, want below %.3f", pv, pb)
	}
	if py := ScoreAccount(&young, testNow).FakeProbability; py <= pb {
		t.Errorf("2-day-old account P %.3f, want above %.3f", py, pb)
	}
}

func TestEstimateFakeShare(t *testing.T) {
	fake := creator.Account{Handle: "x99912345", HasAvatar: creator.Ptr(false), Followers: i64(1), Following: i64(4000), Posts: i64(0), Bio: creator.Ptr("")}
	real := creator.Account{Handle: "anna", HasAvatar: creator.Ptr(true), Followers: i64(300), Following: i64(250), Posts: i64(400), Bio: creator.Ptr("teacher and hiker"), HasURL: creator.Ptr(true)}
	mk := func(nFake, nReal int) []creator.Account {
		var s []creator.Account
		for i := 0; i < nFake; i++ {
			s = append(s, fake)
		}
		for i := 0; i < nReal; i++ {
			s = append(s, real)
		}
		return s
	}
	tests := []struct {
		name             string
		sample           []creator.Account
		minShare, maxShr float64
	}{
		{"empty", nil, 0, 0},
		{"all unknown", []creator.Account{{ID: "a"}, {ID: "b"}}, 0, 0},
		{"all fake", mk(50, 0), 0.9, 1},
		{"all real", mk(0, 50), 0, 0.05},
		// The share is corrected for the model's held-out sensitivity (0.73),
		// so obvious fakes, all caught, read high; the range still holds the
		// truth.
		{"half", mk(50, 50), 0.4, 0.75},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := EstimateFakeShare(tt.sample, "", testNow)
			assertFinite(t, e)
			if e.Share < tt.minShare || e.Share > tt.maxShr {
				t.Errorf("share %.3f, want in [%.2f, %.2f]", e.Share, tt.minShare, tt.maxShr)
			}
			if e.Low > e.Share || e.High < e.Share || e.BandLow < e.Low || e.BandHigh > e.High || e.BandLow > e.Share || e.BandHigh < e.Share {
				t.Errorf("range [%.3f, %.3f], band [%.3f, %.3f]: want the band inside the range and both around share %.3f", e.Low, e.High, e.BandLow, e.BandHigh, e.Share)
			}
			if tt.name == "half" && (e.Low > 0.5 || e.High < 0.5) {
				t.Errorf("range [%.3f, %.3f] misses the true share 0.5", e.Low, e.High)
			}
			if len(e.Worst) > 5 {
				t.Errorf("%d worst accounts, want at most 5", len(e.Worst))
			}
		})
	}
	small := EstimateFakeShare(mk(2, 8), "", testNow)
	large := EstimateFakeShare(mk(40, 160), "", testNow)
	if ws, wl := small.High-small.Low, large.High-large.Low; ws <= wl {
		t.Errorf("interval width %.3f with 10 accounts, want wider than %.3f with 200", ws, wl)
	}
}

func TestShippedModelNamesItsData(t *testing.T) {
	m := ShippedAccountModel
	if m.Data == "" {
		t.Error("ShippedAccountModel.Data is empty; name the data set it was fitted on")
	}
	if m.Sensitivity+m.Specificity <= 1 {
		t.Errorf("sensitivity %.2f + specificity %.2f <= 1: the share correction would be meaningless", m.Sensitivity, m.Specificity)
	}
	for i := range m.Cuts {
		if len(m.Steps[i]) != len(m.Cuts[i])+1 {
			t.Errorf("input %s: %d steps for %d cuts", AccountInputNames[i], len(m.Steps[i]), len(m.Cuts[i]))
		}
		for k := 1; k < len(m.Cuts[i]); k++ {
			if m.Cuts[i][k] <= m.Cuts[i][k-1] {
				t.Errorf("input %s: cuts not ascending: %v", AccountInputNames[i], m.Cuts[i])
			}
		}
	}
	for i, op := range m.Band {
		if i > 0 && op.Threshold <= m.Band[i-1].Threshold {
			t.Errorf("band thresholds not ascending: %+v", m.Band)
		}
	}
}

func TestSaysBot(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"bot", true}, {"news_bot", true}, {"NewsBot", true}, {"newsbot", true}, {"I am a bot.", true},
		{"BotFather", true}, {"bOT", true}, {"🤖 bot", true}, {"unofficial bot account", true},
		{"bots of the world", false}, {"❌crypto|nft|bots", false}, {"not a bot", false}, {"Not A Bot!", false},
		{"no bot", false}, {"#nobot", false}, {"human, not bot", false}, {"anti-bot", false},
		{"Automated posts every hour", true}, {"semi-automated", true},
		{"bottle", false}, {"robotics", false}, {"botswana", false}, {"Botox", false}, {"automate", false},
		{"", false}, {"bo", false}, {"ot", false}, {"about", false}, {"Reader, walker", false}, {"\xffbot\xff", true},
	}
	for _, tt := range tests {
		if got := saysBot(tt.s); got != tt.want {
			t.Errorf("saysBot(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestFeaturesOf(t *testing.T) {
	created := testNow.AddDate(0, 0, -100)
	future := testNow.AddDate(0, 0, 5)
	tests := []struct {
		name string
		a    creator.Account
		want AccountFeatures
	}{
		{"nothing known", creator.Account{ID: "x"}, AccountFeatures{}},
		{"handle only", creator.Account{Handle: "@jo99.bsky.social"},
			AccountFeatures{HandleDigitShare: Known(0.5), HandleLen: Known(4), SaysBot: KnownBool(false)}},
		{"mastodon handle, name", creator.Account{Handle: "weather_bot@example.social", DisplayName: creator.Ptr("  Weather Bot 2  ")},
			AccountFeatures{HandleDigitShare: Known(0), HandleLen: Known(11), SaysBot: KnownBool(true),
				NameWords: Known(3), NameDigitShare: Known(1.0 / 13), NameEqualsHandle: KnownBool(false)}},
		{"name is handle", creator.Account{Handle: "anna", DisplayName: creator.Ptr("Anna")},
			AccountFeatures{HandleDigitShare: Known(0), HandleLen: Known(4), SaysBot: KnownBool(false),
				NameWords: Known(1), NameDigitShare: Known(0), NameEqualsHandle: KnownBool(true)}},
		{"empty name and bio", creator.Account{DisplayName: creator.Ptr(""), Bio: creator.Ptr("   ")},
			AccountFeatures{NameWords: Known(0), NameDigitShare: Known(0), BioLen: Known(0), SaysBot: KnownBool(false)}},
		{"negative counts", creator.Account{Followers: i64(-3), Following: i64(0), Posts: i64(-1)},
			AccountFeatures{Followers: Known(0), Following: Known(0), Posts: Known(0)}},
		{"created 100 days ago", creator.Account{CreatedAt: &created}, AccountFeatures{AgeDays: Known(100)}},
		{"created in the future", creator.Account{CreatedAt: &future}, AccountFeatures{AgeDays: Known(0)}},
		{"zero created", creator.Account{CreatedAt: &time.Time{}}, AccountFeatures{}},
		{"flags", creator.Account{HasAvatar: creator.Ptr(false), Private: creator.Ptr(true), HasURL: creator.Ptr(false), Verified: creator.Ptr(true)},
			AccountFeatures{HasAvatar: KnownBool(false), Private: KnownBool(true), HasURL: KnownBool(false), Verified: KnownBool(true)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, FeaturesOf(&tt.a, testNow)); diff != "" {
				t.Errorf("FeaturesOf (-want +got):\n%s", diff)
			}
		})
	}
	// No time: the age stays unknown.
	if f := FeaturesOf(&creator.Account{CreatedAt: &created}, time.Time{}); f.AgeDays.OK {
		t.Errorf("age known without a time to measure it at: %+v", f.AgeDays)
	}
}

func TestAccountInputsDerived(t *testing.T) {
	f := AccountFeatures{Followers: Known(99), Following: Known(9), Posts: Known(400), AgeDays: Known(10_000)}
	x, known := AccountInputs(f)
	if !known[inFollowRatio] || math.Abs(x[inFollowRatio]-(math.Log(100)-math.Log(10))) > 1e-12 {
		t.Errorf("follower ratio %v (known %v), want log(100/10)", x[inFollowRatio], known[inFollowRatio])
	}
	if want := math.Log1p(ageCapDays); x[inLogAge] != want {
		t.Errorf("age input %v, want capped at %v", x[inLogAge], want)
	}
	if want := math.Log1p(400.0 / 10_000); x[inLogPostsPerDay] != want {
		t.Errorf("posts per day input %v, want %v (from the uncapped age)", x[inLogPostsPerDay], want)
	}
	if !known[inPostsPerFollowing] || x[inPostsPerFollowing] != math.Log1p(400)-math.Log1p(9) {
		t.Errorf("posts per following %v (known %v), want log1p(400)-log1p(9)", x[inPostsPerFollowing], known[inPostsPerFollowing])
	}
	if !known[inNoPosts] || x[inNoPosts] != 0 {
		t.Errorf("no posts %v (known %v), want known 0", x[inNoPosts], known[inNoPosts])
	}
	x, known = AccountInputs(AccountFeatures{Posts: Known(0)})
	if !known[inNoPosts] || x[inNoPosts] != 1 || known[inPostsPerFollowing] {
		t.Errorf("zero posts: no posts %v (known %v), posts per following known %v", x[inNoPosts], known[inNoPosts], known[inPostsPerFollowing])
	}
	f.Followers = Val{V: 5}
	x, known = AccountInputs(f)
	if known[inFollowRatio] || known[inLogFollowers] || x[inLogFollowers] != 0 {
		t.Errorf("unknown followers: ratio known %v, followers known %v value %v", known[inFollowRatio], known[inLogFollowers], x[inLogFollowers])
	}
}

func TestPlatformPriors(t *testing.T) {
	massFollower := creator.Account{ID: "m", HasAvatar: creator.Ptr(true), Followers: i64(40), Following: i64(2500), Posts: i64(30),
		Bio: creator.Ptr("new here"), Handle: "sam"}
	tests := []struct {
		name     string
		a        creator.Account
		platform string
		lower    string // a platform whose P(fake) must be lower
	}{
		{"bluesky damps mass-following", massFollower, "", creator.Bluesky},
		{"mastodon prior", massFollower, creator.Instagram, creator.Mastodon},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hi := ScoreAccountOn(&tt.a, tt.platform, testNow).FakeProbability
			lo := ScoreAccountOn(&tt.a, tt.lower, testNow).FakeProbability
			if lo >= hi {
				t.Errorf("P(fake) on %s %.3f, want below %.3f on %q", tt.lower, lo, hi, tt.platform)
			}
		})
	}
	bot := massFollower
	bot.Bot = creator.Ptr(true)
	if p := ScoreAccountOn(&bot, creator.Mastodon, testNow); !p.Fake {
		t.Errorf("self-labeled bot on Mastodon: P %.3f, not flagged", p.FakeProbability)
	}
	onlyBot := creator.Account{ID: "b", Bot: creator.Ptr(true)}
	if p := ScoreAccount(&onlyBot, testNow); !p.Fake {
		t.Errorf("account known only to be a self-labeled bot: P %.3f, not flagged", p.FakeProbability)
	}
	for h, want := range map[string]string{"a.bsky.social": creator.Bluesky, "@x@mastodon.social": creator.Mastodon,
		"x@host": "", "plain": "", "": "", "Name.BSKY.Social": creator.Bluesky} {
		if got := PlatformOfHandle(h); got != want {
			t.Errorf("PlatformOfHandle(%q) = %q, want %q", h, got, want)
		}
	}
}

// TestTwoPhaseFakeShare: when only some followers carry counts, the
// others are corrected by how much the counts moved the counted ones.
// Over the four ways of counting every fourth follower the estimate
// averages to exactly what counting all gives (the difference estimator
// is unbiased), where judging the uncounted ones without correction reads
// far lower; the range is wider than with all counted.
func TestTwoPhaseFakeShare(t *testing.T) {
	// A fake that looks genuine until its counts are known.
	hidden := creator.Account{Handle: "mara.bsky.social", DisplayName: creator.Ptr("Mara"), HasAvatar: creator.Ptr(true), Bio: creator.Ptr("coffee and books"),
		Followers: i64(0), Following: i64(7500), Posts: i64(0)}
	real := creator.Account{Handle: "anna.bsky.social", DisplayName: creator.Ptr("Anna"), HasAvatar: creator.Ptr(true), Bio: creator.Ptr("teacher and hiker"),
		Followers: i64(300), Following: i64(250), Posts: i64(400)}
	if r := ScoreAccount(&hidden, testNow); !r.Fake {
		t.Fatalf("precondition: the hidden fake reads %.2f with its counts, want flagged", r.FakeProbability)
	}
	if c := withoutCounts(&hidden); ScoreAccount(&c, testNow).Fake {
		t.Fatal("precondition: the hidden fake is flagged without its counts; the test needs one that is not")
	}
	all := make([]creator.Account, 100)
	for i := range all {
		all[i] = real
		if i%5 < 2 { // 40 fakes, not in step with every fourth
			all[i] = hidden
		}
		all[i].ID = "f" + strconv.Itoa(i)
	}
	full := EstimateFakeShare(all, "", testNow)
	if full.Counted != 0 {
		t.Errorf("all counted: Counted %d, want 0 (no correction)", full.Counted)
	}
	var mean, meanP float64
	for off := range 4 {
		part := slices.Clone(all)
		for i := range part {
			if i%4 != off {
				part[i] = withoutCounts(&part[i])
			}
		}
		e := EstimateFakeShare(part, "", testNow)
		assertFinite(t, e)
		if e.Counted != 25 || e.Sampled != 100 {
			t.Errorf("offset %d: %d counted of %d, want 25 of 100", off, e.Counted, e.Sampled)
		}
		if e.High-e.Low <= full.High-full.Low {
			t.Errorf("offset %d: range [%.3f, %.3f] no wider than all counted [%.3f, %.3f]", off, e.Low, e.High, full.Low, full.High)
		}
		if e.Low > e.Share || e.High < e.Share {
			t.Errorf("offset %d: range [%.3f, %.3f] does not hold the share %.3f", off, e.Low, e.High, e.Share)
		}
		if s := audienceScore(e, "").Summary; !strings.Contains(s, "25 of the 100 were read with their own follower, following and post counts") {
			t.Errorf("offset %d: summary does not say what was counted: %s", off, s)
		}
		mean += e.Share / 4
		meanP += e.MeanProbability / 4
		// Uncorrected, the uncounted fakes are missed.
		if plain := float64(e.Flagged) / float64(e.Sampled); plain > 0.15 {
			t.Errorf("offset %d: %.2f flagged without correction; the test needs the uncounted fakes missed", off, plain)
		}
	}
	if math.Abs(mean-full.Share) > 1e-9 || math.Abs(meanP-full.MeanProbability) > 1e-9 {
		t.Errorf("mean two-phase share %.6f and probability %.6f over the four subsamples, want all counted's %.6f and %.6f", mean, meanP, full.Share, full.MeanProbability)
	}
}
