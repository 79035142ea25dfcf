package scoring

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/creatorscout/scout/creator"
)

// TestWordRuneBits checks the isWordRune table against the unicode package
// for every rune it covers.
func TestWordRuneBits(t *testing.T) {
	for r := rune(0x80); r < wordRuneLimit+0x100; r++ {
		if got, want := isWordRune(r), isWordRuneSlow(r); got != want {
			t.Fatalf("isWordRune(%U) = %v, want %v", r, got, want)
		}
	}
}

// TestAccountLogitMatchesScoreAccount checks the audience loop's
// accountLogit against ScoreAccountOn, bit for bit, on varied accounts and
// platforms.
func TestAccountLogitMatchesScoreAccount(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	ptrI := func() *int64 {
		if r.IntN(5) == 0 {
			return nil
		}
		return creator.Ptr(int64(r.IntN(100_000)) - 5)
	}
	ptrB := func() *bool {
		if r.IntN(3) == 0 {
			return nil
		}
		return creator.Ptr(r.IntN(2) == 0)
	}
	handles := []string{"", "@jo99", "jo99.bsky.social", "user12345678.bsky.social", "١٢٣abc", "a@b.c", "  @x1 ",
		".x", "@.x.y", "x\u00a0", "@", "@@x", "x@", "jo9é.bsky", "\x7fab", "ab\x7f", "9.9", "a.@b", "@a1@b2.c", "news_bot"}
	bios := []string{"", "  ", "Reader, walker, tea drinker", "日本語 🎉", "Automated posts every hour"}
	platforms := []string{"", creator.Bluesky, creator.Mastodon, creator.Instagram, "nowhere"}
	for i := 0; i < 20_000; i++ {
		a := creator.Account{ID: "a", Handle: handles[r.IntN(len(handles))], HasAvatar: ptrB(), Private: ptrB(),
			HasURL: ptrB(), Verified: ptrB(), Bot: ptrB(), Followers: ptrI(), Following: ptrI(), Posts: ptrI()}
		if r.IntN(4) > 0 {
			a.Bio = creator.Ptr(bios[r.IntN(len(bios))])
		}
		if r.IntN(3) == 0 {
			a.DisplayName = creator.Ptr(handles[r.IntN(len(handles))])
		}
		if r.IntN(3) == 0 {
			a.CreatedAt = creator.Ptr(testNow.Add(-time.Duration(r.IntN(1000*24)) * time.Hour))
		}
		plat := platforms[r.IntN(len(platforms))]
		want := ScoreAccountOn(&a, plat, testNow)
		var pr *PlatformPrior
		if v, ok := PlatformPriors[plat]; ok {
			pr = &v
		}
		z, n := accountLogit(&a, pr, testNow)
		if n == 0 && (a.Bot == nil || !*a.Bot) {
			if want.FakeProbability != 0.5 || want.Fake {
				t.Fatalf("account %+v with nothing known: P %v, fake %v; want 0.5, not flagged", a, want.FakeProbability, want.Fake)
			}
			continue
		}
		if got := finite(sigmoid(z)); math.Float64bits(got) != math.Float64bits(want.FakeProbability) || n != want.Known {
			t.Fatalf("account %+v on %q: accountLogit gives %v, %d; ScoreAccountOn %v, %d", a, plat, got, n, want.FakeProbability, want.Known)
		}
	}
}

// normCommentRef is the plain append version of normComment.
func normCommentRef(dst []byte, s string) ([]byte, bool) {
	space, letters := false, false
	for _, r := range s {
		if isWordRune(r) {
			if space && len(dst) > 0 {
				dst = append(dst, ' ')
			}
			space = false
			dst = appendFolded(dst, r)
			letters = true
			continue
		}
		space = true
	}
	return dst, letters
}

func TestNormCommentMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	alphabet := []rune("aZ9 _.!'’ßÆȺİK🔥é\u0301日\xff")
	for i := 0; i < 50_000; i++ {
		var b []rune
		for n := r.IntN(30); n > 0; n-- {
			b = append(b, alphabet[r.IntN(len(alphabet))])
		}
		s := string(b)
		if r.IntN(10) == 0 {
			s += "\xff\xfe"
		}
		got, gl := normComment(nil, s)
		want, wl := normCommentRef(nil, s)
		if string(got) != string(want) || gl != wl {
			t.Fatalf("normComment(%q) = %q, %v; want %q, %v", s, got, gl, want, wl)
		}
	}
}

func TestAppendFoldedNoUnderscore(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 1))
	alphabet := []rune("aZ9_#.ßÆȺİK🔥é\u0301日\xff")
	for i := 0; i < 20_000; i++ {
		var b []rune
		for n := r.IntN(20); n > 0; n-- {
			b = append(b, alphabet[r.IntN(len(alphabet))])
		}
		s := string(b)
		if r.IntN(8) == 0 {
			s += "\xff_"
		}
		var want []byte
		for _, c := range s {
			if c != '_' {
				want = appendFolded(want, c)
			}
		}
		if got := appendFoldedNoUnderscore(nil, s); string(got) != string(want) {
			t.Fatalf("appendFoldedNoUnderscore(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestSigmoidTable(t *testing.T) {
	for z := -40.0; z <= 40; z += 0.0137 {
		if got, want := sigmoidTable(z), sigmoid(z); math.Abs(got-want) > 1e-6 {
			t.Fatalf("sigmoidTable(%v) = %v, sigmoid %v", z, got, want)
		}
	}
	for _, z := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -16, 16} {
		if got, want := sigmoidTable(z), sigmoid(z); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("sigmoidTable(%v) = %v, want %v", z, got, want)
		}
	}
}

// TestInputsOfMatchesFeatures checks the audience loop's inputsOf against
// AccountInputs(FeaturesOf(...)), bit for bit, on varied accounts.
func TestInputsOfMatchesFeatures(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	strs := []string{"", "  ", "@jo99", "jo99.bsky.social", "news_bot", "١٢٣abc", "Anna", "anna", "Weather Bot 2", "not a bot", "x@y.z", "日本語 🎉", "\xff\xfe"}
	opt := func() *string {
		if r.IntN(3) == 0 {
			return nil
		}
		return creator.Ptr(strs[r.IntN(len(strs))])
	}
	optI := func() *int64 {
		if r.IntN(4) == 0 {
			return nil
		}
		return creator.Ptr(int64(r.IntN(20_000)) - 3)
	}
	optB := func() *bool {
		if r.IntN(3) == 0 {
			return nil
		}
		return creator.Ptr(r.IntN(2) == 0)
	}
	for i := 0; i < 20_000; i++ {
		a := creator.Account{Handle: strs[r.IntN(len(strs))], DisplayName: opt(), Bio: opt(), HasAvatar: optB(), Private: optB(),
			HasURL: optB(), Verified: optB(), Followers: optI(), Following: optI(), Posts: optI()}
		if r.IntN(2) == 0 {
			a.CreatedAt = creator.Ptr(testNow.Add(-time.Duration(r.IntN(2000*24)) * time.Hour))
		}
		now := testNow
		if r.IntN(10) == 0 {
			now = time.Time{}
		}
		wx, wk := AccountInputs(FeaturesOf(&a, now))
		var gx [NumAccountInputs]float64
		var gk [NumAccountInputs]bool
		inputsOf(&a, now, &gx, &gk)
		for j := range wx {
			if math.Float64bits(wx[j]) != math.Float64bits(gx[j]) || wk[j] != gk[j] {
				t.Fatalf("account %+v input %s: inputsOf %v (known %v), features path %v (known %v)", a, AccountInputNames[j], gx[j], gk[j], wx[j], wk[j])
			}
		}
	}
}
