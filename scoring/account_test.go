package scoring

import (
	"math"
	"testing"
	"time"

	"github.com/creatorscout/scout/creator"
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
		{"half", mk(50, 50), 0.4, 0.65},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := EstimateFakeShare(tt.sample, testNow)
			assertFinite(t, e)
			if e.Share < tt.minShare || e.Share > tt.maxShr {
				t.Errorf("share %.3f, want in [%.2f, %.2f]", e.Share, tt.minShare, tt.maxShr)
			}
			if e.Low > e.Share || e.High < e.Share {
				t.Errorf("interval [%.3f, %.3f] does not hold share %.3f", e.Low, e.High, e.Share)
			}
			if len(e.Worst) > 5 {
				t.Errorf("%d worst accounts, want at most 5", len(e.Worst))
			}
		})
	}
	small := EstimateFakeShare(mk(2, 8), testNow)
	large := EstimateFakeShare(mk(40, 160), testNow)
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
	for i, sd := range m.SD {
		if sd < 0 || math.IsNaN(sd) {
			t.Errorf("SD[%d] (%s) = %v", i, AccountInputNames[i], sd)
		}
	}
}
