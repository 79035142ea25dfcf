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
	f := AccountFeatures{
		HasAvatar: a.HasAvatar,
		Private:   a.Private,
		HasURL:    a.HasURL,
		Verified:  a.Verified,
	}
	if a.Followers != nil {
		f.Followers = ptrF(float64(max(*a.Followers, 0)))
	}
	if a.Following != nil {
		f.Following = ptrF(float64(max(*a.Following, 0)))
	}
	if a.Posts != nil {
		f.Posts = ptrF(float64(max(*a.Posts, 0)))
	}
	if a.Bio != nil {
		f.BioLen = ptrF(float64(utf8.RuneCountInString(strings.TrimSpace(*a.Bio))))
	}
	local := handleLocal(a.Handle)
	if local != "" {
		var digits, n int
		for _, r := range local {
			n++
			if unicode.IsDigit(r) {
				digits++
			}
		}
		f.HandleDigitShare = ptrF(float64(digits) / float64(n))
	}
	if a.DisplayName != nil {
		name := strings.TrimSpace(*a.DisplayName)
		f.NameWords = ptrF(float64(len(strings.Fields(name))))
		if local != "" {
			eq := strings.EqualFold(name, local)
			f.NameEqualsHandle = &eq
		}
	}
	if a.CreatedAt != nil && !a.CreatedAt.IsZero() && !now.IsZero() {
		d := now.Sub(*a.CreatedAt).Hours() / 24
		f.AgeDays = ptrF(math.Max(d, 0))
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

func ptrF(v float64) *float64 { return &v }

// NumAccountInputs is the length of the model's input vector.
const NumAccountInputs = 16

// AccountInputNames names each input of the model's vector, in order.
var AccountInputNames = [NumAccountInputs]string{
	"has_avatar", "private", "log_followers", "log_following", "log_posts",
	"no_posts", "log_bio_length", "handle_digit_share", "has_url",
	"name_words", "name_equals_handle", "following_excess",
	"log_followers_sq", "log_following_sq", "log_posts_sq", "no_bio",
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
	id := func(v float64) float64 { return v }
	setB(0, f.HasAvatar)
	setB(1, f.Private)
	setF(2, f.Followers, math.Log1p)
	setF(3, f.Following, math.Log1p)
	setF(4, f.Posts, math.Log1p)
	setF(5, f.Posts, func(v float64) float64 { return b2f(v == 0) })
	setF(6, f.BioLen, math.Log1p)
	setF(7, f.HandleDigitShare, id)
	setB(8, f.HasURL)
	setF(9, f.NameWords, func(v float64) float64 { return math.Min(v, 5) })
	setB(10, f.NameEqualsHandle)
	if f.Followers != nil && f.Following != nil {
		known[11] = true
		x[11] = math.Max(0, math.Log1p(*f.Following)-math.Log1p(*f.Followers))
	}
	sq := func(v float64) float64 { l := math.Log1p(v); return l * l }
	setF(12, f.Followers, sq)
	setF(13, f.Following, sq)
	setF(14, f.Posts, sq)
	setF(15, f.BioLen, func(v float64) float64 { return b2f(v == 0) })
	return x, known
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
