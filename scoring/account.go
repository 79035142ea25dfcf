package scoring

import (
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/creatorscout/scout/creator"
)

// AccountFeatures are the inputs of the per-account fake model, derived from
// a creator.Account. A nil field is unknown: the model then uses the mean of
// its training data for that input (mean imputation, which for a linear
// model equals marginalising the input at its expected value).
type AccountFeatures struct {
	HasAvatar *bool
	Private   *bool
	HasURL    *bool
	Verified  *bool
	Followers *float64
	Following *float64
	Posts     *float64
	// BioLen is the bio's length in characters.
	BioLen *float64
	// HandleDigitShare is the share of digits in the handle's local part.
	HandleDigitShare *float64
	// NameWords is the number of words in the display name.
	NameWords *float64
	// NameEqualsHandle says the display name is the handle.
	NameEqualsHandle *bool
	// AgeDays is the account's age in days.
	AgeDays *float64
}

// FeaturesOf derives the model inputs of a, measuring its age at now (a zero
// now leaves the age unknown).
func FeaturesOf(a *creator.Account, now time.Time) AccountFeatures {
	return featuresInto(a, now, new([7]float64), new(bool))
}

// featuresInto is FeaturesOf with the numeric inputs stored in vals and the
// name-equals-handle flag in eq, so a caller can keep them on its stack.
func featuresInto(a *creator.Account, now time.Time, vals *[7]float64, eq *bool) AccountFeatures {
	f := AccountFeatures{
		HasAvatar: a.HasAvatar,
		Private:   a.Private,
		HasURL:    a.HasURL,
		Verified:  a.Verified,
	}
	set := func(i int, v float64) *float64 {
		vals[i] = v
		return &vals[i]
	}
	if a.Followers != nil {
		f.Followers = set(0, float64(max(*a.Followers, 0)))
	}
	if a.Following != nil {
		f.Following = set(1, float64(max(*a.Following, 0)))
	}
	if a.Posts != nil {
		f.Posts = set(2, float64(max(*a.Posts, 0)))
	}
	if a.Bio != nil {
		f.BioLen = set(3, float64(utf8.RuneCountInString(strings.TrimSpace(*a.Bio))))
	}
	local := handleLocal(a.Handle)
	if local != "" {
		var digits, n int
		for _, r := range local {
			n++
			if r >= '0' && r <= '9' || r > 0x7f && unicode.IsDigit(r) {
				digits++
			}
		}
		f.HandleDigitShare = set(4, float64(digits)/float64(n))
	}
	if a.DisplayName != nil {
		name := strings.TrimSpace(*a.DisplayName)
		words := 0
		inWord := false
		for _, r := range name {
			sp := unicode.IsSpace(r)
			if !sp && !inWord {
				words++
			}
			inWord = !sp
		}
		f.NameWords = set(5, float64(words))
		if local != "" {
			*eq = strings.EqualFold(name, local)
			f.NameEqualsHandle = eq
		}
	}
	if a.CreatedAt != nil && !a.CreatedAt.IsZero() && !now.IsZero() {
		d := now.Sub(*a.CreatedAt).Hours() / 24
		f.AgeDays = set(6, math.Max(finite(d), 0))
	}
	return f
}

// handleLocal returns the user part of a handle: "jo99" of "@jo99",
// "jo99.bsky.social" or "jo99@mastodon.example".
func handleLocal(h string) string {
	h = strings.TrimPrefix(strings.TrimSpace(h), "@")
	if i := strings.IndexByte(h, '@'); i >= 0 {
		h = h[:i]
	}
	if i := strings.IndexByte(h, '.'); i > 0 {
		h = h[:i]
	}
	return h
}

// Indices of the model's inputs.
const (
	inAvatar = iota
	inPrivate
	inLogFollowers
	inLogFollowing
	inLogPosts
	inNoPosts
	inLogBio
	inHandleDigits
	inURL
	inFollowingExcess
	inLogFollowersSq
	inLogFollowingSq
	inLogPostsSq
	inNoBio

	// NumAccountInputs is the length of the model's input vector.
	NumAccountInputs
)

// AccountInputNames names each input of the model's vector, in order.
//
// The display-name features of AccountFeatures (NameWords,
// NameEqualsHandle) are not inputs: only one data set has them, they did not
// improve cross-validated accuracy, and their weights did not carry over to
// Bluesky and Mastodon accounts, where display names often repeat the
// handle.
var AccountInputNames = [NumAccountInputs]string{
	"has_avatar", "private", "log_followers", "log_following", "log_posts",
	"no_posts", "log_bio_length", "handle_digit_share", "has_url",
	"following_excess", "log_followers_sq", "log_following_sq", "log_posts_sq", "no_bio",
}

// AccountInputs transforms f into the model's raw (unstandardised) input
// vector; known[i] is false where the input is unknown.
func AccountInputs(f AccountFeatures) (x [NumAccountInputs]float64, known [NumAccountInputs]bool) {
	setB := func(i int, b *bool) {
		if b != nil {
			known[i] = true
			if *b {
				x[i] = 1
			}
		}
	}
	setF := func(i int, v *float64, tr func(float64) float64) {
		if v != nil {
			known[i] = true
			x[i] = tr(*v)
		}
	}
	setB(inAvatar, f.HasAvatar)
	setB(inPrivate, f.Private)
	setF(inLogFollowers, f.Followers, log1pCached)
	setF(inLogFollowing, f.Following, log1pCached)
	setF(inLogPosts, f.Posts, log1pCached)
	setF(inNoPosts, f.Posts, func(v float64) float64 { return b2f(v == 0) })
	setF(inLogBio, f.BioLen, log1pCached)
	setF(inHandleDigits, f.HandleDigitShare, func(v float64) float64 { return v })
	setB(inURL, f.HasURL)
	deriveInputs(&x, &known)
	setF(inNoBio, f.BioLen, func(v float64) float64 { return b2f(v == 0) })
	return x, known
}

// deriveInputs sets the inputs computed from others: how far following
// exceeds followers, and the squares of the log counts.
func deriveInputs(x *[NumAccountInputs]float64, known *[NumAccountInputs]bool) {
	if known[inLogFollowers] && known[inLogFollowing] {
		known[inFollowingExcess] = true
		x[inFollowingExcess] = math.Max(0, x[inLogFollowing]-x[inLogFollowers])
	}
	for i, j := range [3]int{inLogFollowers, inLogFollowing, inLogPosts} {
		if known[j] {
			known[inLogFollowersSq+i] = true
			x[inLogFollowersSq+i] = x[j] * x[j]
		}
	}
}

// log1pTable holds math.Log1p of the small whole numbers that counts and
// bio lengths usually are, so the account model skips the computation.
var log1pTable = func() (t [4096]float64) {
	for i := range t {
		t[i] = math.Log1p(float64(i))
	}
	return t
}()

// log1pCached is math.Log1p, bit for bit, read from log1pTable for small
// whole numbers.
func log1pCached(v float64) float64 {
	if v >= 0 && v < float64(len(log1pTable)) {
		if i := int(v); float64(i) == v {
			return log1pTable[i]
		}
	}
	return math.Log1p(v)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
