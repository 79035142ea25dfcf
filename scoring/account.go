package scoring

import (
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/creatorscout/scout/creator"
)

// Val is one optional feature value: OK false means the field was unknown
// (never the same as zero or false).
type Val struct {
	V  float64
	OK bool
}

// Known returns a known value v.
func Known(v float64) Val { return Val{V: v, OK: true} }

// KnownBool returns a known 0/1 value.
func KnownBool(b bool) Val { return Val{V: b2f(b), OK: true} }

// AccountFeatures are the inputs of the per-account fake model, derived from
// a creator.Account (or, by the fitting code, from a labeled data set that
// holds only some of them). Every field may be unknown: the model then
// marginalises it (see AccountModel).
type AccountFeatures struct {
	HasAvatar Val
	Private   Val
	HasURL    Val
	Verified  Val
	Followers Val
	Following Val
	Posts     Val
	// BioLen is the bio's length in characters.
	BioLen Val
	// HandleDigitShare is the share of digits in the handle's local part;
	// HandleLen its length in characters.
	HandleDigitShare Val
	HandleLen        Val
	// NameWords is the number of words in the display name;
	// NameEqualsHandle says the name is the handle; NameDigitShare is the
	// share of digits in the name.
	NameWords        Val
	NameEqualsHandle Val
	NameDigitShare   Val
	// SaysBot says the handle, name or bio calls the account a bot or
	// automated (as self-declared bots do); known when any of the three is.
	SaysBot Val
	// AgeDays is the account's age in days.
	AgeDays Val
}

// FeaturesOf derives the model inputs of a, measuring its age at now (a zero
// now leaves the age unknown). It is safe for concurrent use.
func FeaturesOf(a *creator.Account, now time.Time) AccountFeatures {
	var f AccountFeatures
	optB := func(b *bool) Val {
		if b == nil {
			return Val{}
		}
		return KnownBool(*b)
	}
	optC := func(n *int64) Val {
		if n == nil {
			return Val{}
		}
		return Known(float64(max(*n, 0)))
	}
	f.HasAvatar, f.Private, f.HasURL, f.Verified = optB(a.HasAvatar), optB(a.Private), optB(a.HasURL), optB(a.Verified)
	f.Followers, f.Following, f.Posts = optC(a.Followers), optC(a.Following), optC(a.Posts)
	says := false
	textKnown := false
	if a.Bio != nil {
		bio := strings.TrimSpace(*a.Bio)
		f.BioLen = Known(float64(utf8.RuneCountInString(bio)))
		textKnown = true
		says = saysBot(bio)
	}
	local := handleLocal(a.Handle)
	if local != "" {
		digits, n := digitCount(local)
		f.HandleDigitShare = Known(float64(digits) / float64(n))
		f.HandleLen = Known(float64(n))
		textKnown = true
		says = says || saysBot(local)
	}
	if a.DisplayName != nil {
		name := strings.TrimSpace(*a.DisplayName)
		textKnown = true
		says = says || saysBot(name)
		f.NameWords = Known(float64(wordCount(name)))
		if digits, n := digitCount(name); n > 0 {
			f.NameDigitShare = Known(float64(digits) / float64(n))
		} else {
			f.NameDigitShare = Known(0)
		}
		if local != "" {
			f.NameEqualsHandle = KnownBool(strings.EqualFold(name, local))
		}
	}
	if textKnown {
		f.SaysBot = KnownBool(says)
	}
	if a.CreatedAt != nil && !a.CreatedAt.IsZero() && !now.IsZero() {
		d := now.Sub(*a.CreatedAt).Hours() / 24
		f.AgeDays = Known(math.Max(finite(d), 0))
	}
	return f
}

// digitCount returns the digits and characters of s.
func digitCount(s string) (digits, n int) {
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			break
		}
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	n = i
	for _, r := range s[i:] {
		n++
		if r >= '0' && r <= '9' || r > 0x7f && unicode.IsDigit(r) {
			digits++
		}
	}
	return digits, n
}

// wordCount counts the words of s, split at Unicode white space.
func wordCount(s string) int {
	words := 0
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			for _, r := range s[i:] {
				sp := unicode.IsSpace(r)
				if !sp && !inWord {
					words++
				}
				inWord = !sp
			}
			return words
		}
		sp := c == ' ' || c >= '\t' && c <= '\r'
		if !sp && !inWord {
			words++
		}
		inWord = !sp
	}
	return words
}

// botKey marks the bytes saysBot stops at: o and u in either case.
var botKey = [256]bool{'o': true, 'O': true, 'u': true, 'U': true}

// saysBot reports whether s calls its account a bot: the word "bot" (also
// at the end of a word, as in "newsbot" or "weather_bot", or before a
// capital, as in "BotFather"), or "automated". "Bottle", "robotics",
// "bots" (others: "no bots") and negations ("not a bot") do not count.
func saysBot(s string) bool {
	for k := 1; k+1 < len(s); k++ {
		// The 'o' of "bot" or the 'u' of "automated".
		if !botKey[s[k]] {
			continue
		}
		c := s[k] | 0x20
		if c == 'u' {
			if k >= 1 && k+8 <= len(s) && strings.EqualFold(s[k-1:k+8], "automated") {
				return true
			}
			continue
		}
		if s[k-1]|0x20 != 'b' || k+1 >= len(s) || s[k+1]|0x20 != 't' {
			continue
		}
		e := k + 2
		if e < len(s) && s[e]|0x20 == 's' {
			continue // "bots" are others: "no bots", "I block bots"
		}
		if negated(s[:k-1]) {
			continue // "not a bot", "no bot", "#nobot"
		}
		if e == len(s) {
			return true
		}
		if r, _ := utf8.DecodeRuneInString(s[e:]); !unicode.IsLetter(r) {
			return true
		}
		// "BotName": a capital after "Bot" starts a new word.
		if s[k-1] == 'B' && s[e] >= 'A' && s[e] <= 'Z' {
			return true
		}
	}
	return false
}

// negated reports whether before, the text before a "bot", ends with a
// negation: "not a ", "not ", "no ", "non-", "anti-", "#no".
func negated(before string) bool {
	for _, n := range [...]string{"not a ", "not ", "no ", "non-", "non ", "anti-", "anti", "#no", "no-", "❌"} {
		if len(before) >= len(n) && strings.EqualFold(before[len(before)-len(n):], n) {
			return true
		}
	}
	return false
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
	inURL
	inVerified
	inLogFollowers
	inLogFollowing
	inLogPosts
	inFollowRatio
	inLogBio
	inHandleDigits
	inHandleLen
	inNameWords
	inNameIsHandle
	inNameDigits
	inSaysBot
	inLogAge
	inLogPostsPerDay
	inPostsPerFollowing
	inNoPosts

	// NumAccountInputs is the length of the model's input vector.
	NumAccountInputs
)

// AccountInputNames names each input of the model's vector, in order.
var AccountInputNames = [NumAccountInputs]string{
	"has_avatar", "private", "has_url", "verified", "followers", "following", "posts",
	"followers_per_following", "bio_length", "handle_digit_share", "handle_length",
	"name_words", "name_is_handle", "name_digit_share", "says_bot", "account_age_days", "posts_per_day", "posts_per_following", "no_posts",
}

// AccountInputs transforms f into the model's input vector (counts, lengths
// and rates on a log1p scale; ratios as differences of logs); known[i] is
// false where the input is unknown.
func AccountInputs(f AccountFeatures) (x [NumAccountInputs]float64, known [NumAccountInputs]bool) {
	x[inAvatar], known[inAvatar] = f.HasAvatar.V, f.HasAvatar.OK
	x[inPrivate], known[inPrivate] = f.Private.V, f.Private.OK
	x[inURL], known[inURL] = f.HasURL.V, f.HasURL.OK
	x[inVerified], known[inVerified] = f.Verified.V, f.Verified.OK
	if f.Followers.OK {
		x[inLogFollowers], known[inLogFollowers] = log1pCached(f.Followers.V), true
	}
	if f.Following.OK {
		x[inLogFollowing], known[inLogFollowing] = log1pCached(f.Following.V), true
	}
	if f.Posts.OK {
		x[inLogPosts], known[inLogPosts] = log1pCached(f.Posts.V), true
	}
	if f.Followers.OK && f.Following.OK {
		x[inFollowRatio], known[inFollowRatio] = x[inLogFollowers]-x[inLogFollowing], true
	}
	if f.BioLen.OK {
		x[inLogBio], known[inLogBio] = log1pCached(f.BioLen.V), true
	}
	x[inHandleDigits], known[inHandleDigits] = f.HandleDigitShare.V, f.HandleDigitShare.OK
	x[inHandleLen], known[inHandleLen] = f.HandleLen.V, f.HandleLen.OK
	x[inNameWords], known[inNameWords] = f.NameWords.V, f.NameWords.OK
	x[inNameIsHandle], known[inNameIsHandle] = f.NameEqualsHandle.V, f.NameEqualsHandle.OK
	x[inNameDigits], known[inNameDigits] = f.NameDigitShare.V, f.NameDigitShare.OK
	x[inSaysBot], known[inSaysBot] = f.SaysBot.V, f.SaysBot.OK
	if f.AgeDays.OK {
		x[inLogAge], known[inLogAge] = math.Log1p(math.Min(f.AgeDays.V, ageCapDays)), true
		if f.Posts.OK {
			x[inLogPostsPerDay], known[inLogPostsPerDay] = math.Log1p(f.Posts.V/math.Max(f.AgeDays.V, 1)), true
		}
	}
	if f.Posts.OK && f.Following.OK {
		x[inPostsPerFollowing], known[inPostsPerFollowing] = x[inLogPosts]-x[inLogFollowing], true
	}
	if f.Posts.OK {
		x[inNoPosts], known[inNoPosts] = b2f(f.Posts.V == 0), true
	}
	for i := range x {
		if !known[i] {
			x[i] = 0
		}
	}
	return x, known
}

// ageCapDays caps the account-age input: beyond two years an account is
// simply old. The labeled data sets were crawled years ago and the held-out
// audiences are scored now, so finer age differences would not carry over.
const ageCapDays = 730

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

// inputsOf is AccountInputs(FeaturesOf(a, now)) computed straight from the
// account, to the same bits, for the audience loop (no AccountFeatures in
// between). x and known must be zero.
func inputsOf(a *creator.Account, now time.Time, x *[NumAccountInputs]float64, known *[NumAccountInputs]bool) {
	setB := func(i int, b *bool) {
		if b != nil {
			x[i], known[i] = b2f(*b), true
		}
	}
	setB(inAvatar, a.HasAvatar)
	setB(inPrivate, a.Private)
	setB(inURL, a.HasURL)
	setB(inVerified, a.Verified)
	var posts float64
	if a.Followers != nil {
		x[inLogFollowers], known[inLogFollowers] = log1pCached(float64(max(*a.Followers, 0))), true
	}
	if a.Following != nil {
		x[inLogFollowing], known[inLogFollowing] = log1pCached(float64(max(*a.Following, 0))), true
	}
	if a.Posts != nil {
		posts = float64(max(*a.Posts, 0))
		x[inLogPosts], known[inLogPosts] = log1pCached(posts), true
		x[inNoPosts], known[inNoPosts] = b2f(posts == 0), true
	}
	if known[inLogFollowers] && known[inLogFollowing] {
		x[inFollowRatio], known[inFollowRatio] = x[inLogFollowers]-x[inLogFollowing], true
	}
	if known[inLogPosts] && known[inLogFollowing] {
		x[inPostsPerFollowing], known[inPostsPerFollowing] = x[inLogPosts]-x[inLogFollowing], true
	}
	says, textKnown := false, false
	if a.Bio != nil {
		bio := strings.TrimSpace(*a.Bio)
		x[inLogBio], known[inLogBio] = log1pCached(float64(utf8.RuneCountInString(bio))), true
		textKnown = true
		says = saysBot(bio)
	}
	local := handleLocal(a.Handle)
	if local != "" {
		digits, n := digitCount(local)
		x[inHandleDigits], known[inHandleDigits] = float64(digits)/float64(n), true
		x[inHandleLen], known[inHandleLen] = float64(n), true
		textKnown = true
		says = says || saysBot(local)
	}
	if a.DisplayName != nil {
		name := strings.TrimSpace(*a.DisplayName)
		textKnown = true
		says = says || saysBot(name)
		x[inNameWords], known[inNameWords] = float64(wordCount(name)), true
		known[inNameDigits] = true
		if digits, n := digitCount(name); n > 0 {
			x[inNameDigits] = float64(digits) / float64(n)
		}
		if local != "" {
			x[inNameIsHandle], known[inNameIsHandle] = b2f(strings.EqualFold(name, local)), true
		}
	}
	if textKnown {
		x[inSaysBot], known[inSaysBot] = b2f(says), true
	}
	if a.CreatedAt != nil && !a.CreatedAt.IsZero() && !now.IsZero() {
		age := math.Max(finite(now.Sub(*a.CreatedAt).Hours()/24), 0)
		x[inLogAge], known[inLogAge] = math.Log1p(math.Min(age, ageCapDays)), true
		if a.Posts != nil {
			x[inLogPostsPerDay], known[inLogPostsPerDay] = math.Log1p(posts/math.Max(age, 1)), true
		}
	}
}
