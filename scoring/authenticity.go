package scoring

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/creatorscout/scout/creator"
)

// authPart is one weighted part of the authenticity score.
type authPart struct {
	signal string
	label  string
	w      float64
	score  float64
	conf   float64
	// concern names what lowered the part, for the headline.
	concern string
}

// inSpikeWindow reports whether sp is a suspicious spike that ended at
// most authSpikeWindow before t.
func inSpikeWindow(sp *Spike, t time.Time) bool {
	return sp.Kind == SpikeSuspicious && !sp.To.After(t) && t.Sub(sp.To) <= authSpikeWindow
}

// spikePenaltyAt returns the authenticity points deducted at time t for the
// suspicious spikes of g that ended at most authSpikeWindow before t (at
// most authSpikeMax of them count), and how many count.
func spikePenaltyAt(g GrowthResult, t time.Time) (float64, int) {
	n := 0
	for i := range g.Spikes {
		if inSpikeWindow(&g.Spikes[i], t) {
			n++
		}
	}
	n = min(n, authSpikeMax)
	return authSpikePenalty * float64(n), n
}

// scoreAuthenticity combines audience quality, comment quality and
// engagement anomalies of this scan into one 0..100 figure, pools it with
// the earlier scans of the creator, and deducts for suspicious follower
// spikes:
//
//   - A suspicious spike of the last authSpikeWindow counts twice: the
//     followers it added count as fake in the audience part (when they are
//     a larger share of the followers than the sample shows: a sample of
//     the newest followers stops showing them a day later), and
//     authSpikePenalty points come off the total.
//   - The scan's figure weighs authSmoothCurrent against the mean of up to
//     authSmoothScans earlier scans of the last authSmoothWindow, taken
//     after the latest suspicious spike and with the same spikes counting.
//     So a creator rescanned with nothing changed keeps its score although
//     each scan samples different followers and comments, and a spike
//     starts a new series.
//
// Its evidence shows every part's weight and sub-score and each step, so
// the total can be recomputed by hand; the summary names the strongest
// negative signal. followers is the creator's follower count now.
func scoreAuthenticity(aud creator.SubScore, est AudienceEstimate, cr commentResult, er engagementResult, g GrowthResult,
	history []creator.Snapshot, followers int64, noAudience bool, now time.Time) creator.SubScore {
	s := creator.SubScore{Name: "authenticity"}
	penalty, spikes := spikePenaltyAt(g, now)
	var spikeEv []creator.Evidence
	var spikeText string
	var spikeGain float64
	var lastSpike time.Time
	for i := range g.Spikes {
		sp := &g.Spikes[i]
		if !inSpikeWindow(sp, now) {
			continue
		}
		spikeEv = append(spikeEv, creator.Evidence{Signal: "suspicious_spike", Value: float64(sp.Change), Text: sp.Summary})
		spikeGain += math.Max(float64(sp.Change), 0)
		if spikeText == "" {
			spikeText = fmt.Sprintf("a suspicious follower spike (%s on %s)", signedInt(float64(sp.Change)), day(sp.To))
		}
		if sp.To.After(lastSpike) {
			lastSpike = sp.To
		}
	}
	if spikes > 1 {
		spikeText = fmt.Sprintf("%d suspicious follower spikes in the last %d days", spikes, int(authSpikeWindow.Hours()/24))
	}

	var parts []authPart
	var notes []creator.Evidence
	if est.Sampled > 0 {
		score := aud.Score
		concern := "an estimated " + pct(est.Share) + " of the audience is fake (range " + pct(est.Low) + "-" + pct(est.High) + ", " + strconv.Itoa(est.Sampled) + " sampled)"
		if implied := clamp01(spikeGain / math.Max(float64(followers), 1)); spikes > 0 && implied > est.Share {
			score = clamp(100-audiencePenaltyPerShare*implied, 0, 100)
			concern = spikeText + ": " + pct(implied) + " of the followers came in suspicious spikes"
			notes = append(notes, creator.Evidence{Signal: "spike_followers_share", Value: round3(implied),
				Text: "The audience part counts " + pct(implied) + " of followers as fake: the " + humanInt(spikeGain) + " followers of suspicious spikes in the last " +
					strconv.Itoa(int(authSpikeWindow.Hours()/24)) + " days are " + pct(implied) + " of " + humanInt(float64(followers)) + ", more than the " + pct(est.Share) + " the sample shows."})
		}
		parts = append(parts, authPart{signal: "audience_quality", label: "audience quality", w: authWeightAudience,
			score: score, conf: aud.Confidence, concern: concern})
	}
	if cr.n > 0 {
		parts = append(parts, authPart{signal: "comment_quality", label: "comment quality", w: authWeightComments,
			score: cr.sub.Score, conf: cr.sub.Confidence, concern: commentConcern(cr)})
	}
	if er.rate > 0 || er.avg > 0 {
		sc := 100.0
		var why []string
		if er.ratioOdd {
			sc -= ratioAnomalyPenalty
			why = append(why, "an unusual reply-to-like ratio")
			notes = append(notes, creator.Evidence{Signal: "reply_like_anomaly", Value: round3(er.replyLike),
				Text: fmt.Sprintf("%.3f replies per like is far from the usual %.3f-%.1f.", er.replyLike, minRepliesPerLike, maxRepliesPerLike)})
		}
		if er.suspicious && est.Sampled > 0 && est.Share >= highERFakeShare {
			sc -= highERPenalty
			why = append(why, "engagement far above its tier with a largely fake audience")
			notes = append(notes, creator.Evidence{Signal: "high_engagement_low_quality_audience", Value: er.rate,
				Text: fmt.Sprintf("Engagement of %s is far above its tier while an estimated %s of the audience is fake.", pct(er.rate), pct(est.Share))})
		}
		parts = append(parts, authPart{signal: "engagement_anomalies", label: "engagement anomalies", w: authWeightEngagement,
			score: clamp(sc, 0, 100), conf: er.sub.Confidence, concern: strings.Join(why, " and ")})
	}
	if noAudience && est.Sampled == 0 && cr.n == 0 && len(parts) > 0 {
		// A platform without follower lists or comment texts: engagement
		// and growth are all there is, and the confidence says so.
		notes = append(notes, creator.Evidence{Signal: "no_audience_sample", Value: 1,
			Text: "This platform gives no follower lists or comment texts: authenticity rests on engagement and growth alone, with lower confidence."})
	} else if est.Sampled == 0 && cr.n == 0 {
		// Engagement and growth checks can only lower the score; without an
		// audience sample or comments there is nothing to rate.
		s.Summary = "No sampled audience or comments to judge authenticity by."
		if len(notes)+len(spikeEv) > 0 {
			s.Summary += " Anomalies were still found: see the evidence."
		}
		s.Evidence = append(notes, spikeEv...)
		return s
	}
	var sw, sum, conf float64
	var terms []string
	for _, p := range parts {
		sw += p.w
		sum += p.w * p.score
		conf += p.w * p.conf
		terms = append(terms, decimals(p.w, 2)+" x "+decimals(p.score, 1))
		s.Evidence = append(s.Evidence, creator.Evidence{Signal: p.signal, Value: round3(p.score),
			Text: "Part " + p.label + ": sub-score " + decimals(p.score, 1) + ", weight " + decimals(p.w, 2) + "."})
	}
	scan := sum / sw
	s.Evidence = append(s.Evidence, creator.Evidence{Signal: "this_scan", Value: round3(scan),
		Text: "This scan: (" + strings.Join(terms, " + ") + ") / " + decimals(sw, 2) + " = " + decimals(scan, 1) + "."})

	// Earlier scans since the latest suspicious spike, scored with the same
	// spikes counting as now: their figure before the spike deduction of
	// their day, newest first.
	smoothed := scan
	var prevBuf [16]float64
	prev := prevBuf[:0]
	for i := len(history) - 1; i >= 0 && len(prev) < authSmoothScans; i-- {
		h := &history[i]
		if h.Authenticity <= 0 || !h.At.Before(now) || now.Sub(h.At) > authSmoothWindow || h.At.Before(lastSpike) {
			continue
		}
		hp, hn := spikePenaltyAt(g, h.At)
		if hn != spikes {
			continue // scored with other spikes counting: another regime
		}
		prev = append(prev, clamp(h.Authenticity+hp, 0, 100))
	}
	if k := len(prev); k > 0 {
		var psum float64
		texts := make([]string, k)
		for i, v := range prev {
			psum += v
			texts[i] = decimals(v, 1)
		}
		days := int(authSmoothWindow.Hours() / 24)
		mean := psum / float64(k)
		smoothed = authSmoothCurrent*scan + (1-authSmoothCurrent)*mean
		s.Evidence = append(s.Evidence, creator.Evidence{Signal: "pooled", Value: round3(smoothed), SampleSize: k + 1,
			Text: fmt.Sprintf("Pooled with %d earlier scan%s of the last %d days (%s before any spike deduction; mean %s): %s x %s + %s x %s = %s.",
				k, plural(k), days, strings.Join(texts, ", "), decimals(mean, 1), decimals(authSmoothCurrent, 2), decimals(scan, 1), decimals(1-authSmoothCurrent, 2), decimals(mean, 1), decimals(smoothed, 1))})
	}
	final := clamp(smoothed-penalty, 0, 100)
	if spikes > 0 {
		s.Evidence = append(s.Evidence, creator.Evidence{Signal: "spike_deduction", Value: -penalty, SampleSize: spikes,
			Text: fmt.Sprintf("Minus %s for %s: a suspicious spike counts for %d days.", decimals(penalty, 0), spikeText, int(authSpikeWindow.Hours()/24))})
	}
	s.Evidence = append(s.Evidence, notes...)
	s.Evidence = append(s.Evidence, spikeEv...)
	s.Score = round3(final)
	// Confidence: the parts' confidences over the full weight, so missing
	// parts lower it.
	s.Confidence = round3(clamp01(conf / (authWeightAudience + authWeightComments + authWeightEngagement)))
	switch {
	case s.Score >= 80:
		s.Label = "authentic"
	case s.Score >= 60:
		s.Label = "mostly authentic"
	case s.Score >= 40:
		s.Label = "questionable"
	default:
		s.Label = "likely inflated"
	}
	// The headline names the signal that cost the most points: a part's
	// share of the lost points of this scan, or the spike deduction.
	worst, worstLoss := "", 0.0
	if spikes > 0 {
		worst, worstLoss = spikeText, penalty
	}
	for _, p := range parts {
		if loss := p.w / sw * (100 - p.score); loss > worstLoss && p.concern != "" {
			worst, worstLoss = p.concern, loss
		}
	}
	s.Summary = "Authenticity " + decimals(s.Score, 0) + "/100 (" + s.Label + ")."
	if worstLoss >= authConcernPoints {
		s.Summary += " Strongest negative signal: " + worst + " (" + decimals(worstLoss, 0) + " points)."
	} else {
		s.Summary += " No signal costs more than " + decimals(authConcernPoints, 0) + " points."
	}
	return s
}

// commentConcern names the comment problem that costs the most points.
func commentConcern(cr commentResult) string {
	type c struct {
		loss float64
		text string
	}
	cs := []c{
		{commentGenericPenalty * cr.genericShare, pct(cr.genericShare) + " of " + strconv.Itoa(cr.n) + " sampled comments are generic or emoji-only"},
		{commentDuplicatePenalty * cr.dupShare, pct(cr.dupShare) + " of " + strconv.Itoa(cr.n) + " sampled comments are repeated across posts"},
	}
	if cr.diversity < commentDiversityFloor {
		cs = append(cs, c{commentDiversityPenalty * (commentDiversityFloor - cr.diversity), "few distinct commenters write most comments"})
	}
	if cr.pod {
		cs = append(cs, c{commentPodPenalty, "an engagement pod of " + strconv.Itoa(cr.podMembers) + " accounts"})
	}
	best := c{}
	for _, x := range cs {
		if x.loss > best.loss {
			best = x
		}
	}
	return best.text
}
