package scoring

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/creatorscout/scout/creator"
)

// AccountSignal is one input's part in an account's fake probability.
type AccountSignal struct {
	// Signal is the input's name (see AccountInputNames, plus
	// "self_labeled_bot" and "platform").
	Signal string `json:"signal"`
	// Value is the input's raw value (counts, lengths, days, 0/1).
	Value float64 `json:"value"`
	// Effect is the input's contribution to the log-odds of being fake,
	// relative to an average account of the training data: positive points
	// towards fake.
	Effect float64 `json:"effect"`
}

// AccountResult is the fake model's verdict on one account.
type AccountResult struct {
	ID string `json:"id"`
	// Handle is the account's handle, when the input had one.
	Handle          string  `json:"handle,omitempty"`
	FakeProbability float64 `json:"fake_probability"`
	// Fake says FakeProbability is at or above the model's threshold.
	Fake bool `json:"fake"`
	// Platform is the platform whose prior was applied ("" for none).
	Platform string `json:"platform,omitempty"`
	// Known is the number of model inputs that were known.
	Known   int             `json:"known_inputs"`
	Signals []AccountSignal `json:"signals"`
}

// PlatformPrior is how the account model is calibrated for one platform's
// accounts: Shift is added to the log-odds of every account, and the part
// of the following count's effect, or of following far more accounts than
// follow back, that points towards fake (above the input's Center) is
// multiplied by FollowDamp.
type PlatformPrior struct {
	Shift      float64
	FollowDamp float64
	// Why says what the prior rests on.
	Why string
}

// PlatformPriors are the per-platform calibrations of the account model
// (judgement, stated with its reasons; no labeled data of these platforms
// was at hand). A platform not listed gets no adjustment: the model's bias
// was chosen so that threshold 0.5 works at 10%, 25% and 50% fake on every
// held-out data set (see `scout eval`). A self-labeled bot (Bluesky's "bot" self-label, Mastodon's
// bot flag: creator.Account.Bot) adds SelfLabeledBotLogOdds on every platform.
var PlatformPriors = map[string]PlatformPrior{
	creator.Instagram: {Shift: 0, FollowDamp: 1,
		Why: "Instagram: the platform of two of the four training sets, and the market for bought followers the model was built for; no adjustment."},
	creator.Bluesky: {Shift: 0, FollowDamp: 0.5,
		Why: "Bluesky: starter packs make following hundreds of accounts in one click normal for new, genuine users, so following many more accounts than follow back counts half; bots self-label, and the model's posting-rate and self-described-bot inputs carry over from the Twitter bot data."},
	creator.Mastodon: {Shift: -1, FollowDamp: 0.5,
		Why: "Mastodon: no market for bought followers, and most instances' rules require automated accounts to set the bot flag, so an unflagged account is less likely fake (log-odds -1); follow-back norms differ by instance, so following counts half."},
}

// SelfLabeledBotLogOdds is the log-odds a self-labeled bot adds (judgement: a
// self-label is the account's own statement; it is not a genuine audience
// member).
const SelfLabeledBotLogOdds = 4.0

// PlatformOfHandle guesses the platform from a handle's shape when the
// caller does not know it: "name.bsky.social" is Bluesky, "user@instance"
// Mastodon; anything else "" (unknown).
func PlatformOfHandle(h string) string {
	h = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "@"))
	switch {
	case strings.HasSuffix(h, ".bsky.social"):
		return creator.Bluesky
	case strings.Contains(h, "@") && strings.Contains(h[strings.IndexByte(h, '@'):], "."):
		return creator.Mastodon
	}
	return ""
}

// ScoreAccount returns the probability that a is a fake, spam or bot
// account, with each known input's effect, largest first. The platform is
// guessed from the handle (see PlatformOfHandle). Unknown fields count as
// unknown, never as zero or false; an account with nothing known gets 0.5
// and is not flagged. It is safe for concurrent use.
func ScoreAccount(a *creator.Account, now time.Time) AccountResult {
	return ScoreAccountOn(a, PlatformOfHandle(a.Handle), now)
}

// ScoreAccountOn is ScoreAccount for an account known to be on platform
// (a creator.Platform name; "" for unknown).
func ScoreAccountOn(a *creator.Account, platform string, now time.Time) AccountResult {
	m := &ShippedAccountModel
	x, known := AccountInputs(FeaturesOf(a, now))
	z, contrib, n := m.Logit(&x, &known)
	res := AccountResult{ID: a.ID, Handle: a.Handle, Known: n}
	pr, ok := PlatformPriors[platform]
	if ok {
		res.Platform = platform
	}
	var buf [NumAccountInputs + 2]AccountSignal
	sigs := buf[:0]
	for i := range x {
		if !known[i] {
			continue
		}
		eff := contrib[i]
		if ok && (i == inLogFollowing || i == inFollowRatio) && eff > 0 {
			d := eff * (1 - pr.FollowDamp)
			z -= d
			eff -= d
		}
		sigs = append(sigs, AccountSignal{Signal: AccountInputNames[i], Value: round3(rawInput(i, x[i])), Effect: round3(eff)})
	}
	if ok && pr.Shift != 0 {
		z += pr.Shift
		sigs = append(sigs, AccountSignal{Signal: "platform", Effect: pr.Shift})
	}
	if a.Bot != nil && *a.Bot {
		z += SelfLabeledBotLogOdds
		sigs = append(sigs, AccountSignal{Signal: "self_labeled_bot", Value: 1, Effect: SelfLabeledBotLogOdds})
	}
	// Built and sorted on the stack (no write barriers while sorting), the
	// signals leave it in a slice of their size.
	for i := 1; i < len(sigs); i++ {
		for j := i; j > 0 && math.Abs(sigs[j].Effect) > math.Abs(sigs[j-1].Effect); j-- {
			sigs[j], sigs[j-1] = sigs[j-1], sigs[j]
		}
	}
	res.Signals = append(make([]AccountSignal, 0, len(sigs)), sigs...)
	res.FakeProbability = finite(sigmoid(z))
	res.Fake = res.FakeProbability >= m.Threshold
	if n == 0 && (a.Bot == nil || !*a.Bot) {
		// Nothing known: no evidence either way, and never flagged.
		res.FakeProbability, res.Fake = 0.5, false
	}
	return res
}

// accountLogit is ScoreAccountOn's log-odds without the signals, and the
// number of known inputs.
func accountLogit(a *creator.Account, pr *PlatformPrior, now time.Time) (float64, int) {
	m := &ShippedAccountModel
	var x [NumAccountInputs]float64
	var known [NumAccountInputs]bool
	inputsOf(a, now, &x, &known)
	var z float64
	var n int
	if shippedCompiled.ok {
		z, n = shippedCompiled.logit(&x, &known)
	} else {
		z, n = m.logitOnly(&x, &known)
	}
	if pr != nil {
		for _, i := range [2]int{inLogFollowing, inFollowRatio} {
			if known[i] {
				if rel := m.Effect(i, x[i]) - m.Center[i]; rel > 0 {
					z -= rel * (1 - pr.FollowDamp)
				}
			}
		}
		z += pr.Shift
	}
	if a.Bot != nil && *a.Bot {
		z += SelfLabeledBotLogOdds
	}
	return z, n
}

// rawInput turns input i's model value back into the figure a user knows:
// counts, lengths and days from their log1p scale, the follower ratio from
// its log difference.
func rawInput(i int, x float64) float64 {
	switch i {
	case inLogFollowers, inLogFollowing, inLogPosts, inLogBio, inLogAge, inLogPostsPerDay:
		return math.Expm1(x)
	case inFollowRatio:
		return math.Exp(x)
	}
	return x
}

// sigmoidStep is the spacing of sigmoidTab, over z in [-sigmoidSpan,
// sigmoidSpan].
const (
	sigmoidStep = 1.0 / 128
	sigmoidSpan = 16.0
)

// sigmoidTab holds sigmoid at every sigmoidStep from -sigmoidSpan.
var sigmoidTab = func() []float64 {
	n := int(2*sigmoidSpan/sigmoidStep) + 2
	t := make([]float64, n)
	for i := range t {
		t[i] = sigmoid(-sigmoidSpan + float64(i)*sigmoidStep)
	}
	return t
}()

// sigmoidTable is sigmoid by linear interpolation in sigmoidTab, within
// 1e-6 of it; it is used only for figures that average many accounts.
func sigmoidTable(z float64) float64 {
	if !(z > -sigmoidSpan) {
		return sigmoid(z)
	}
	if z >= sigmoidSpan {
		return sigmoid(z)
	}
	f := (z + sigmoidSpan) / sigmoidStep
	i := int(f)
	w := f - float64(i)
	return sigmoidTab[i] + w*(sigmoidTab[i+1]-sigmoidTab[i])
}

// shippedExactFrom is the log-odds from which EstimateFakeShare computes
// the exact probability: a little below the lowest threshold of the model's
// band, so every threshold decision is exact.
var shippedExactFrom = func() float64 {
	t := ShippedAccountModel.Threshold
	for _, op := range ShippedAccountModel.Band {
		if op.Threshold > 0 {
			t = min(t, op.Threshold)
		}
	}
	t = clamp(t, 1e-9, 1-1e-9)
	return math.Log(t/(1-t)) - 0.01
}()

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
	// Effective is the sample size a simple sample would need for the
	// share's precision: Sampled, or less when only some were counted.
	Effective float64
	// Counted is how many of Sampled were read with their counts
	// (followers, following, posts) when only some were: the others' share
	// is corrected by how the counts moved those (see TwoPhase). 0 when all
	// or none were.
	Counted int
	// Flagged is the number of sampled accounts at or above the model's
	// threshold, each judged on what is known of it.
	Flagged int
	// MeanProbability is the mean P(fake) over the sample (with counts
	// where only some were counted, estimated as Share is).
	MeanProbability float64
	// Share is the estimated fake share at the model's threshold. [Low,
	// High] is its range: the corrected shares over the threshold band
	// (BandLow..BandHigh) widened by each one's 95% sampling interval,
	// which widens for small samples.
	Share, Low, High float64
	// BandLow and BandHigh are the lowest and highest corrected share over
	// the model's threshold band, before sampling error.
	BandLow, BandHigh float64
	// Worst lists the flagged accounts most likely fake, at most five.
	Worst []AccountResult
}

// TwoPhase tallies one threshold's verdicts over an audience sample of
// which only some accounts were read with their counts (a source reads
// counts for a subsample to save requests). Every account is judged
// without counts; the counted ones also with them, and the mean change the
// counts made there corrects the whole sample's rate: the difference
// estimator of two-phase sampling, unbiased for the rate had every account
// been counted when the counted ones are chosen independently of what
// they are (a systematic subsample of the list, say).
//
// A TwoPhase is a value; it is not safe for concurrent use.
type TwoPhase struct {
	// N accounts were judged; Cheap of them flagged without counts.
	N, Cheap int
	// M of the N were read with counts. SumD sums, over those, flagged with
	// counts (1 or 0) minus flagged without; SumD2 sums its squares. M 0
	// means no correction: Cheap/N is the rate.
	M           int
	SumD, SumD2 float64
}

// Add tallies one account: flagged without its counts (cheap) and, when
// counted, with them (full).
func (t *TwoPhase) Add(cheap, full, counted bool) {
	t.N++
	if cheap {
		t.Cheap++
	}
	if counted {
		t.M++
		d := b2f(full) - b2f(cheap)
		t.SumD += d
		t.SumD2 += d * d
	}
}

// Rate returns the estimated rate of flagged accounts had all N been read
// with counts, and the sample size a simple sample of that rate would need
// for the same precision (N when every or no account was counted; less
// when few were and the counts moved many verdicts).
func (t TwoPhase) Rate() (rate, nEff float64) {
	n := float64(t.N)
	if t.N == 0 {
		return 0, 0
	}
	if t.M == 0 || t.M >= t.N {
		return float64(t.Cheap)/n + t.SumD/n, n
	}
	m := float64(t.M)
	dMean := t.SumD / m
	rate = clamp01(float64(t.Cheap)/n + dMean)
	varD := t.SumD2 / m // M 1: the uncorrected second moment (0 when its one difference is)
	if t.M > 1 {
		varD = max(0, (t.SumD2-m*dMean*dMean)/(m-1))
	}
	// Var = S²/N + (1/M - 1/N) S_d², with S² the flagged rate's own
	// variance, taken at a rate kept off 0 and 1 by half an account.
	r := clamp(rate, 0.5/n, 1-0.5/n)
	s2 := r * (1 - r)
	v := s2/n + (1/m-1/n)*varD
	return rate, min(n, s2/v)
}

// shareTallies holds an estimate's tallies: at the model's threshold, then
// at each of its band's.
type shareTallies [1 + len(ShippedAccountModel.Band)]TwoPhase

// add tallies one account, its fake probability without counts (cheap)
// and, when counted, with them (full), at every threshold.
func (ts *shareTallies) add(cheap, full float64, counted bool) {
	m := &ShippedAccountModel
	ts[0].Add(cheap >= m.Threshold, full >= m.Threshold, counted)
	for b, op := range m.Band {
		ts[1+b].Add(cheap >= op.Threshold, full >= op.Threshold, counted)
	}
}

// correctShare is the Rogan-Gladen estimator: the true share behind an
// apparent rate a, given the model's sensitivity and specificity there.
func correctShare(a, sens, spec float64) float64 {
	d := sens + spec - 1
	if d <= 0.05 {
		return a
	}
	return clamp01((a + spec - 1) / d)
}

// fakeShare fills e's share, range and band from tallies.
func (e *AudienceEstimate) fakeShare(ts *shareTallies) {
	m := &ShippedAccountModel
	r, n := ts[0].Rate()
	e.Effective = n
	e.Share = correctShare(r, m.Sensitivity, m.Specificity)
	e.Low, e.High, e.BandLow, e.BandHigh = e.Share, e.Share, e.Share, e.Share
	lo, hi := wilson(r, n, audienceZ)
	e.Low, e.High = min(e.Low, correctShare(lo, m.Sensitivity, m.Specificity)), max(e.High, correctShare(hi, m.Sensitivity, m.Specificity))
	for b, op := range m.Band {
		r, n := ts[1+b].Rate()
		c := correctShare(r, op.Sensitivity, op.Specificity)
		e.BandLow, e.BandHigh = min(e.BandLow, c), max(e.BandHigh, c)
		lo, hi := wilson(r, n, audienceZ)
		e.Low = min(e.Low, correctShare(lo, op.Sensitivity, op.Specificity))
		e.High = max(e.High, correctShare(hi, op.Sensitivity, op.Specificity))
	}
}

// FakeShareFrom is EstimateFakeShare's share, range and band for an
// audience whose accounts' fake probabilities are known without counts
// (cheap) and, for the counted ones, with them (full[i], counted[i]); for
// checking the estimator on labeled data. An account not counted has
// full[i] ignored. It is safe for concurrent use.
func FakeShareFrom(cheap, full []float64, counted []bool) AudienceEstimate {
	var e AudienceEstimate
	var ts shareTallies
	m := &ShippedAccountModel
	nc := 0
	for _, c := range counted {
		if c {
			nc++
		}
	}
	two := nc > 0 && nc < len(cheap)
	for i := range cheap {
		f, c := cheap[i], cheap[i]
		if counted[i] {
			f = full[i]
		}
		if !two {
			c = f
		}
		e.Sampled++
		if f >= m.Threshold {
			e.Flagged++
		}
		ts.add(c, f, two && counted[i])
	}
	if two {
		e.Counted = nc
	}
	if e.Sampled > 0 {
		e.fakeShare(&ts)
	}
	return e
}

// hasCounts reports whether a was read with any of its counts.
func hasCounts(a *creator.Account) bool {
	return a.Followers != nil || a.Following != nil || a.Posts != nil
}

// withoutCounts is a as a list of accounts without counts shows it: no
// counts, and an empty bio unknown (a list leaves it out), and with it
// whether the profile has a link (a list says so only from the bio).
func withoutCounts(a *creator.Account) creator.Account {
	c := *a
	c.Followers, c.Following, c.Posts = nil, nil, nil
	if c.Bio != nil && *c.Bio == "" {
		c.Bio, c.HasURL = nil, nil
	}
	return c
}

// EstimateFakeShare scores each sampled account of platform (a
// creator.Platform name, "" for unknown) and estimates the audience's fake
// share. At each threshold of the model's band, the share of flagged
// accounts is corrected for the model's sensitivity and specificity there
// (the Rogan-Gladen estimator), and so is its Wilson interval; the range
// spans them all. When only some accounts carry counts, the rate is the
// two-phase estimate of TwoPhase, and the interval is taken at its
// effective sample size. It is safe for concurrent use.
func EstimateFakeShare(sample []creator.Account, platform string, now time.Time) AudienceEstimate {
	var e AudienceEstimate
	var sum, sumCheap, sumDiff float64
	type scored struct {
		i int
		p float64
	}
	var worst [5]scored // the most likely fake, highest first
	nw := 0
	m := &ShippedAccountModel
	var pr *PlatformPrior
	if v, ok := PlatformPriors[platform]; ok {
		pr = &v
	}
	nc := 0
	for i := range sample {
		if hasCounts(&sample[i]) {
			nc++
		}
	}
	// Two phases only when some but not all were counted; otherwise each
	// account is judged once on what is known of it.
	two := nc > 0 && nc < len(sample)
	var ts shareTallies
	counted := 0
	for i := range sample {
		z, known := accountLogit(&sample[i], pr, now)
		if known == 0 && (sample[i].Bot == nil || !*sample[i].Bot) {
			continue // nothing known: no evidence either way
		}
		p := accountP(z)
		pc, isCounted := p, false
		if two && hasCounts(&sample[i]) {
			c := withoutCounts(&sample[i])
			zc, _ := accountLogit(&c, pr, now)
			pc, isCounted = accountP(zc), true
			counted++
			sumDiff += p - pc
		}
		e.Sampled++
		sum += p
		sumCheap += pc
		if p >= m.Threshold {
			e.Flagged++
		}
		ts.add(pc, p, isCounted)
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
		e.Worst = append(e.Worst, ScoreAccountOn(&sample[w.i], platform, now))
	}
	n := float64(e.Sampled)
	e.MeanProbability = sum / n
	if counted > 0 && counted < e.Sampled {
		e.Counted = counted
		e.MeanProbability = clamp01(sumCheap/n + sumDiff/float64(counted))
	}
	e.fakeShare(&ts)
	return e
}

// accountP is the fake probability of log-odds z: exact where a threshold
// could be near; elsewhere the table's, which only enters the mean.
func accountP(z float64) float64 {
	if z >= shippedExactFrom {
		return finite(sigmoid(z))
	}
	return sigmoidTable(z)
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
	// Confidence follows the effective sample: 100 followers of which 24
	// were counted are worth fewer than 100 counted.
	eff := e.Effective
	if eff <= 0 {
		eff = float64(e.Sampled)
	}
	s.Confidence = confidence(eff, confAccounts)
	switch {
	case e.Share >= 0.3:
		s.Label = "poor"
	case e.Share >= 0.15:
		s.Label = "mixed"
	default:
		s.Label = "good"
	}
	accounts := "accounts"
	if e.Sampled == 1 {
		accounts = "account"
	}
	s.Summary = "An estimated " + pct(e.Share) + " of " + kind + " are fake or spam, likely between " + pct(e.Low) + " and " + pct(e.High) +
		": stricter or looser cut-offs for calling an account fake give " + pct(e.BandLow) + "-" + pct(e.BandHigh) +
		", and a sample of " + strconv.Itoa(e.Sampled) + " " + accounts + " widens that to the range shown."
	if e.Counted > 0 {
		s.Summary += " " + strconv.Itoa(e.Counted) + " of the " + strconv.Itoa(e.Sampled) + " were read with their own follower, following and post counts," +
			" and the difference the counts made to those corrects the other " + strconv.Itoa(e.Sampled-e.Counted) + "."
	}
	s.Evidence = append(s.Evidence,
		creator.Evidence{Signal: "fake_share", Value: e.Share, SampleSize: e.Sampled, Text: s.Summary},
		creator.Evidence{Signal: "fake_share_low", Value: e.Low, SampleSize: e.Sampled},
		creator.Evidence{Signal: "fake_share_high", Value: e.High, SampleSize: e.Sampled},
		creator.Evidence{Signal: "fake_share_band_low", Value: e.BandLow, SampleSize: e.Sampled},
		creator.Evidence{Signal: "fake_share_band_high", Value: e.BandHigh, SampleSize: e.Sampled},
		creator.Evidence{Signal: "flagged_accounts", Value: float64(e.Flagged), SampleSize: e.Sampled,
			Text: strconv.Itoa(e.Flagged) + " of " + strconv.Itoa(e.Sampled) + " sampled " + kind + " look fake to the account model; the estimate corrects this for the model's known error rates."},
		creator.Evidence{Signal: "mean_fake_probability", Value: round3(e.MeanProbability), SampleSize: e.Sampled},
	)
	if e.Counted > 0 {
		s.Evidence = append(s.Evidence, creator.Evidence{Signal: "counted_accounts", Value: float64(e.Counted), SampleSize: e.Sampled})
	}
	for _, w := range e.Worst {
		if !w.Fake {
			break
		}
		top := ""
		for _, sg := range w.Signals {
			if sg.Effect > 0 {
				top = " (strongest sign: " + signalLabel(sg.Signal, sg.Value) + ")"
				break
			}
		}
		// Named by handle where there is one (a DID read aloud names no
		// one); the id is in AccountID either way.
		who := w.ID
		if w.Handle != "" {
			who = "@" + strings.TrimPrefix(w.Handle, "@")
		}
		s.Evidence = append(s.Evidence, creator.Evidence{Signal: "likely_fake_account", Value: w.FakeProbability, AccountID: w.ID,
			Text: "Account " + who + " is " + pct(w.FakeProbability) + " likely fake" + top + "."})
	}
	return s
}

// signalLabel describes an account signal with its value for people.
func signalLabel(name string, v float64) string {
	n := humanInt(v)
	switch name {
	case "has_avatar":
		if v == 0 {
			return "no profile picture"
		}
		return "has a profile picture"
	case "private":
		if v == 0 {
			return "public account"
		}
		return "private account"
	case "has_url":
		if v == 0 {
			return "no link in the profile"
		}
		return "a link in the profile"
	case "verified":
		if v == 0 {
			return "not verified"
		}
		return "verified"
	case "followers":
		return n + " followers"
	case "following":
		return "follows " + n + " accounts"
	case "posts":
		return n + " posts"
	case "followers_per_following":
		return decimals(v, 2) + " followers per account followed"
	case "bio_length":
		if v == 0 {
			return "empty bio"
		}
		return n + "-character bio"
	case "handle_digit_share":
		return pct(v) + " of the handle is digits"
	case "handle_length":
		return n + "-character handle"
	case "name_words":
		if v == 0 {
			return "no display name"
		}
		return n + "-word display name"
	case "name_is_handle":
		if v == 0 {
			return "display name differs from the handle"
		}
		return "display name is the handle"
	case "name_digit_share":
		return pct(v) + " of the display name is digits"
	case "says_bot":
		if v == 0 {
			return "does not call itself a bot"
		}
		return "calls itself a bot or automated"
	case "account_age_days":
		return "account " + n + " days old"
	case "posts_per_day":
		return decimals(v, 1) + " posts a day"
	case "self_labeled_bot":
		return "labeled as a bot on its platform"
	case "platform":
		return "the platform's prior"
	}
	return strings.ReplaceAll(name, "_", " ")
}
