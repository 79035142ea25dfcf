package scoring

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/creatorscout/scout/creator"
)

// Account-model priors for inputs no labeled data set holds (judgement,
// applied as log-odds shifts after the regression): a platform-verified
// account is rarely fake; a days-old account more often is.
const (
	verifiedLogOdds   = -2.0
	newAccountLogOdds = 0.7 // account younger than youngAccountDays
	youngAccountDays  = 30
)

// AccountSignal is one input's part in an account's fake probability.
type AccountSignal struct {
	// Signal is the input's name (see AccountInputNames, plus "verified"
	// and "young_account").
	Signal string `json:"signal"`
	// Value is the input's raw value (counts, lengths, 0/1).
	Value float64 `json:"value"`
	// Effect is the input's contribution to the log-odds of being fake:
	// positive points towards fake.
	Effect float64 `json:"effect"`
}

// AccountResult is the fake model's verdict on one account.
type AccountResult struct {
	ID              string  `json:"id"`
	FakeProbability float64 `json:"fake_probability"`
	// Fake says FakeProbability is at or above the model's threshold.
	Fake bool `json:"fake"`
	// Known is the number of model inputs that were known.
	Known   int             `json:"known_inputs"`
	Signals []AccountSignal `json:"signals"`
}

// ScoreAccount returns the probability that a is a fake or spam account,
// with each known input's effect, largest first. Unknown fields count as
// unknown, never as zero or false. It is safe for concurrent use.
func ScoreAccount(a *creator.Account, now time.Time) AccountResult {
	f := FeaturesOf(a, now)
	m := &ShippedAccountModel
	z, contrib := m.Logit(f)
	x, known := AccountInputs(f)
	var buf [NumAccountInputs + 2]AccountSignal
	sigs := buf[:0]
	res := AccountResult{ID: a.ID}
	for i := range x {
		if !known[i] {
			continue
		}
		res.Known++
		// Squared companions of a log input are reported with it.
		eff := contrib[i]
		switch i {
		case inLogFollowersSq, inLogFollowingSq, inLogPostsSq:
			continue
		case inLogFollowers, inLogFollowing, inLogPosts:
			eff += contrib[inLogFollowersSq+i-inLogFollowers]
		}
		sigs = append(sigs, AccountSignal{Signal: signalName(i), Value: rawValue(i, f, x[i]), Effect: round3(eff)})
	}
	if f.Verified != nil && *f.Verified {
		z += verifiedLogOdds
		sigs = append(sigs, AccountSignal{Signal: "verified", Value: 1, Effect: verifiedLogOdds})
	}
	if f.AgeDays != nil && *f.AgeDays < youngAccountDays {
		z += newAccountLogOdds
		sigs = append(sigs, AccountSignal{Signal: "young_account", Value: round3(*f.AgeDays), Effect: newAccountLogOdds})
	}
	// Built on the stack, the signals leave it in a slice of their size.
	res.Signals = append(make([]AccountSignal, 0, len(sigs)), sigs...)
	slices.SortStableFunc(res.Signals, func(a, b AccountSignal) int {
		return cmp.Compare(math.Abs(b.Effect), math.Abs(a.Effect))
	})
	res.FakeProbability = finite(sigmoid(z))
	res.Fake = res.FakeProbability >= m.Threshold
	return res
}

// signalName is the reported name of input i.
func signalName(i int) string {
	switch AccountInputNames[i] {
	case "log_followers":
		return "followers"
	case "log_following":
		return "following"
	case "log_posts":
		return "posts"
	case "log_bio_length":
		return "bio_length"
	}
	return AccountInputNames[i]
}

func rawValue(i int, f AccountFeatures, x float64) float64 {
	switch AccountInputNames[i] {
	case "log_followers":
		return *f.Followers
	case "log_following":
		return *f.Following
	case "log_posts":
		return *f.Posts
	case "log_bio_length":
		return *f.BioLen
	}
	return round3(x)
}

func sigmoid(z float64) float64 {
	if math.IsNaN(z) {
		return 0.5
	}
	z = math.Max(-35, math.Min(35, z))
	return 1 / (1 + math.Exp(-z))
}

// AudienceEstimate is the estimated share of fake accounts in an audience
// from a sample, corrected for the model's known error rates.
type AudienceEstimate struct {
	Sampled int
	Flagged int
	// MeanProbability is the mean P(fake) over the sample.
	MeanProbability float64
	// Share is the estimated fake share, with a 95% interval [Low, High]
	// that widens for small samples.
	Share, Low, High float64
	// Worst lists the flagged accounts most likely fake, at most five.
	Worst []AccountResult
}

// EstimateFakeShare scores each sampled account and estimates the audience's
// fake share. The share of flagged accounts is corrected for the model's
// sensitivity and specificity (the Rogan-Gladen estimator), and its Wilson
// interval is corrected the same way. It is safe for concurrent use.
func EstimateFakeShare(sample []creator.Account, now time.Time) AudienceEstimate {
	var e AudienceEstimate
	var sum float64
	type scored struct {
		i int
		p float64
	}
	var worst [5]scored // the most likely fake, highest first
	nw := 0
	m := &ShippedAccountModel
	for i := range sample {
		p, known := fakeProbability(&sample[i], now)
		if known == 0 {
			continue // nothing known: no evidence either way
		}
		e.Sampled++
		sum += p
		if p >= m.Threshold {
			e.Flagged++
		}
		// Insert into the top five.
		if nw < len(worst) || p > worst[nw-1].p {
			j := min(nw, len(worst)-1)
			for j > 0 && worst[j-1].p < p {
				worst[j] = worst[j-1]
				j--
			}
			worst[j] = scored{i, p}
			if nw < len(worst) {
				nw++
			}
		}
	}
	if e.Sampled == 0 {
		return e
	}
	nf := 0
	for _, w := range worst[:nw] {
		if w.p >= m.Threshold {
			nf++
		}
	}
	for _, w := range worst[:nw] {
		if w.p < m.Threshold {
			break // only flagged accounts are reported, with their signals
		}
		if e.Worst == nil {
			e.Worst = make([]AccountResult, 0, nf)
		}
		e.Worst = append(e.Worst, ScoreAccount(&sample[w.i], now))
	}
	n := float64(e.Sampled)
	e.MeanProbability = sum / n
	p := float64(e.Flagged) / n
	lo, hi := wilson(p, n, audienceZ)
	correct := func(a float64) float64 {
		d := m.Sensitivity + m.Specificity - 1
		if d <= 0.05 {
			return a
		}
		return clamp01((a + m.Specificity - 1) / d)
	}
	e.Share, e.Low, e.High = correct(p), correct(lo), correct(hi)
	return e
}

// fakeProbability is ScoreAccount's probability without the signals, and
// the number of known inputs.
//
// It computes what featuresInto, AccountInputs, the shipped model's logit
// and accountPriors would, in the same order and so to the same bits,
// straight from the account.
func fakeProbability(a *creator.Account, now time.Time) (float64, int) {
	var x [NumAccountInputs]float64
	var known [NumAccountInputs]bool
	setB := func(i int, b *bool) {
		if b != nil {
			known[i] = true
			x[i] = b2f(*b)
		}
	}
	setB(inAvatar, a.HasAvatar)
	setB(inPrivate, a.Private)
	if a.Followers != nil {
		known[inLogFollowers] = true
		x[inLogFollowers] = log1pCached(float64(max(*a.Followers, 0)))
	}
	if a.Following != nil {
		known[inLogFollowing] = true
		x[inLogFollowing] = log1pCached(float64(max(*a.Following, 0)))
	}
	if a.Posts != nil {
		v := float64(max(*a.Posts, 0))
		known[inLogPosts], known[inNoPosts] = true, true
		x[inLogPosts], x[inNoPosts] = log1pCached(v), b2f(v == 0)
	}
	if a.Bio != nil {
		v := float64(utf8.RuneCountInString(strings.TrimSpace(*a.Bio)))
		known[inLogBio], known[inNoBio] = true, true
		x[inLogBio], x[inNoBio] = log1pCached(v), b2f(v == 0)
	}
	if digits, n, ok := asciiHandleDigits(a.Handle); ok {
		if n > 0 {
			known[inHandleDigits] = true
			x[inHandleDigits] = float64(digits) / float64(n)
		}
	} else if local := handleLocal(a.Handle); local != "" {
		var digits, n int
		for _, r := range local {
			n++
			if r >= '0' && r <= '9' || r > 0x7f && unicode.IsDigit(r) {
				digits++
			}
		}
		known[inHandleDigits] = true
		x[inHandleDigits] = float64(digits) / float64(n)
	}
	setB(inURL, a.HasURL)
	deriveInputs(&x, &known)
	m := &ShippedAccountModel
	z := m.Bias
	n := 0
	for i := range x {
		if known[i] {
			n++
			z += shippedScale[i] * (x[i] - m.Mean[i])
		}
	}
	prior := 0.0
	if a.Verified != nil && *a.Verified {
		prior += verifiedLogOdds
	}
	if a.CreatedAt != nil && !a.CreatedAt.IsZero() && !now.IsZero() {
		if age := math.Max(finite(now.Sub(*a.CreatedAt).Hours()/24), 0); age < youngAccountDays {
			prior += newAccountLogOdds
		}
	}
	z += prior
	return finite(sigmoid(z)), n
}

// asciiHandleDigits counts the digits and characters of handleLocal(h) in
// one pass when that is simple: h has no surrounding space and its local
// part is ASCII and does not start with '.'. ok is false otherwise.
func asciiHandleDigits(h string) (digits, n int, ok bool) {
	if len(h) == 0 || h[0] <= ' ' || h[0] >= 0x7F || h[len(h)-1] <= ' ' || h[len(h)-1] >= 0x7F {
		return 0, 0, false
	}
	if h[0] == '@' {
		h = h[1:]
	}
	if len(h) > 0 && h[0] == '.' {
		return 0, 0, false
	}
	for k := 0; k < len(h); k++ {
		c := h[k]
		if c >= 0x80 {
			return 0, 0, false
		}
		if c == '@' || c == '.' {
			break
		}
		n++
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	return digits, n, true
}

// accountPriors returns the log-odds shifts for inputs outside the
// regression (verified badge, account age).
func accountPriors(f AccountFeatures) float64 {
	z := 0.0
	if f.Verified != nil && *f.Verified {
		z += verifiedLogOdds
	}
	if f.AgeDays != nil && *f.AgeDays < youngAccountDays {
		z += newAccountLogOdds
	}
	return z
}

// wilson returns the Wilson score interval of a proportion p over n trials.
func wilson(p, n, z float64) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	z2 := z * z
	den := 1 + z2/n
	c := (p + z2/(2*n)) / den
	h := z * math.Sqrt(p*(1-p)/n+z2/(4*n*n)) / den
	return clamp01(c - h), clamp01(c + h)
}

// audienceScore turns an audience estimate into a 0..100 sub-score.
func audienceScore(e AudienceEstimate, kind string) creator.SubScore {
	s := creator.SubScore{Name: "audience"}
	if kind == "" {
		kind = "followers"
	}
	if e.Sampled == 0 {
		s.Summary = "No sampled " + kind + " with known profile features, so audience quality was not rated."
		return s
	}
	s.Score = clamp(100-audiencePenaltyPerShare*e.Share, 0, 100)
	s.Confidence = confidence(float64(e.Sampled), confAccounts)
	switch {
	case e.Share >= 0.3:
		s.Label = "poor"
	case e.Share >= 0.15:
		s.Label = "mixed"
	default:
		s.Label = "good"
	}
	s.Summary = "An estimated " + pct(e.Share) + " of " + kind + " are fake or spam (95% interval " + pct(e.Low) + "-" + pct(e.High) +
		", from " + itoa(e.Sampled) + " sampled accounts)."
	s.Evidence = append(s.Evidence,
		creator.Evidence{Signal: "fake_share", Value: e.Share, SampleSize: e.Sampled, Text: s.Summary},
		creator.Evidence{Signal: "fake_share_low", Value: e.Low, SampleSize: e.Sampled},
		creator.Evidence{Signal: "fake_share_high", Value: e.High, SampleSize: e.Sampled},
		creator.Evidence{Signal: "flagged_accounts", Value: float64(e.Flagged), SampleSize: e.Sampled,
			Text: itoa(e.Flagged) + " of " + itoa(e.Sampled) + " sampled " + kind + " look fake to the account model (threshold " + ff(ShippedAccountModel.Threshold, 2) + ")."},
		creator.Evidence{Signal: "mean_fake_probability", Value: e.MeanProbability, SampleSize: e.Sampled},
	)
	for _, w := range e.Worst {
		if !w.Fake {
			break
		}
		top := ""
		if len(w.Signals) > 0 {
			top = " (strongest signal: " + w.Signals[0].Signal + ")"
		}
		s.Evidence = append(s.Evidence, creator.Evidence{Signal: "likely_fake_account", Value: w.FakeProbability,
			Text: "Account " + w.ID + ": P(fake) " + ff(w.FakeProbability, 2) + top + "."})
	}
	return s
}
