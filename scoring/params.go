package scoring

import "time"

// This file holds every weight and threshold of the scoring engine, each with
// the data or source it was set from. Tables of benchmarks and prices are in
// benchmarks.go; the account model's coefficients are in accountcoef.go and
// its per-platform priors (PlatformPriors, with their reasons) in
// audience.go.
// "Judgement" marks a value set by hand where no data or source was at hand:
// change those first when labeled creator data arrives.

// Model names the current scoring version; stored scores computed by another
// version should be recomputed (v3: the niche model reads the inner
// character runs of hashtags, long words and mentions; v4: the taxonomy's
// relevance weakens with a text's length, its false friends are gone, and
// the niches only tweets label blend it fully).
const Model = "v4-2026-12"

// Overall vetting score: default weights of the sub-scores (judgement,
// ordered by what the issue says marketers pick a tool for: authenticity
// first, then engagement). Weights of sub-scores that could not be computed
// are spread over the others.
var overallWeights = []struct {
	name   string
	weight float64
}{
	{"authenticity", 0.30},
	{"engagement", 0.20},
	{"brand_safety", 0.15},
	{"consistency", 0.15},
	{"niche", 0.10},
	{"growth", 0.10},
}

// Authenticity: weights of its parts (judgement; audience quality has the
// only model calibrated on labeled data, so it weighs most). A part that
// could not be computed is left out and the others' weights renormalised.
const (
	authWeightAudience   = 0.45
	authWeightComments   = 0.30
	authWeightEngagement = 0.10
)

// Authenticity across scans (judgement): a scan's figure weighs
// authSmoothCurrent against the mean of up to authSmoothScans earlier scans
// of the last authSmoothWindow (those after the latest suspicious spike), so
// rescans that sample different followers and comments of an unchanged
// creator agree (one sample of 100 followers moves the corrected fake share
// by about 5 points, the authenticity by about 4); a change without a spike
// shows over a few scans (three quarters of it by the fifth). A suspicious
// follower spike counts for authSpikeWindow after it: its followers as fake
// in the audience part, and authSpikePenalty points off (at most
// authSpikeMax spikes count). The headline names the signal that cost the
// most points when it costs at least authConcernPoints.
const (
	authSmoothScans   = 6
	authSmoothWindow  = 30 * 24 * time.Hour
	authSmoothCurrent = 0.25
	authSpikePenalty  = 10.0
	authSpikeMax      = 2
	authSpikeWindow   = 90 * 24 * time.Hour
	authConcernPoints = 3.0
)

// Audience quality: points lost per unit of estimated fake-follower share
// (judgement: 15% fake, common on Instagram per HypeAuditor's yearly
// reports, gives 76; 62.5% or more gives 0).
const audiencePenaltyPerShare = 160.0

// audienceZ is the normal quantile of the fake-share interval (95%).
const audienceZ = 1.96

// Comment quality penalties, in points of 100 (judgement).
const (
	commentGenericPenalty   = 60.0 // times the share of generic/emoji-only comments
	commentDuplicatePenalty = 40.0 // times the share of comments duplicated across posts
	commentDiversityFloor   = 0.5  // unique commenters per comment below this is penalised
	commentDiversityPenalty = 60.0 // times the shortfall below the floor
	commentPodPenalty       = 25.0 // when a pod is detected
	// A pod member comments on at least podPostShare of the posts with
	// comments (at least podMinPosts of them); podMinMembers such members
	// writing podMinCommentShare of all comments make a pod.
	podPostShare       = 0.6
	podMinPosts        = 4
	podMinMembers      = 3
	podMinCommentShare = 0.3
)

// Engagement anomalies (judgement): replies per like outside
// [minRepliesPerLike, maxRepliesPerLike] on posts with at least
// ratioMinLikes likes is unusual (bought likes give too few replies; bots and
// pods too many).
const (
	minRepliesPerLike   = 0.005
	maxRepliesPerLike   = 1.0
	ratioMinLikes       = 50
	ratioAnomalyPenalty = 30.0
	// suspiciousFactor times the top of the tier's benchmark band is
	// "suspiciously high".
	suspiciousFactor = 2.5
	// An engagement rate that is suspiciously high with an estimated fake
	// share of at least highERFakeShare costs highERPenalty points.
	highERFakeShare = 0.3
	highERPenalty   = 50.0
)

// Growth (judgement, in the spirit of the daily-delta checks that audit
// tools describe): a daily follower delta is a spike when it exceeds the
// median daily delta by spikeMADs robust standard deviations and gains at
// least spikeMinGain followers and spikeMinShare of the follower count. It
// is viral when engagement around it (the snapshot before to two after) rose
// to at least viralEngagementRise times its level before, or its best post
// to viralPostFactor times, or the posting rate to viralPostsRise times;
// otherwise suspicious. The simulator check in `scout eval` led to the
// pre-spike baseline, the best-post signal and viralMinPosts.
const (
	spikeMADs           = 6.0
	spikeMinGain        = 50
	spikeMinShare       = 0.02
	viralEngagementRise = 1.5
	viralPostsRise      = 3.0
	// A post is taking off when the best post of the sample reaches
	// viralPostFactor times its usual level; a posting burst needs at least
	// viralMinPosts posts in the interval.
	viralPostFactor = 3.0
	viralMinPosts   = 5
	// A viral rise in engagement must also be large in absolute terms: the
	// best post's extra engagements at least viralGainCover times the
	// follower gain (people engage with a viral post before they follow;
	// a small account's random swings do not cover a bought jump).
	viralGainCover = 0.5
	// Trend classes by monthly follower change.
	risingMonthly    = 0.03
	decliningMonthly = -0.01
	// Volatile: daily deltas' standard deviation over their mean magnitude
	// above volatileCV, with rises and falls each beyond volatileMoveShare
	// of followers.
	volatileCV        = 3.0
	volatileMoveShare = 0.01
	// newAccountDays: an account younger than this is "new".
	newAccountDays = 60
	// suspiciousSpikePenalty points of growth and authenticity per
	// suspicious spike (at most 3 counted).
	suspiciousSpikePenalty = 20.0
)

// Consistency (judgement): three posts a week or more is a full cadence
// score; recency decays with a 30-day scale.
const (
	consistencyFullPPW      = 3.0
	consistencyRecencyDays  = 30.0
	consistencyWeightCad    = 0.4
	consistencyWeightReg    = 0.35
	consistencyWeightRecent = 0.25
)

// Brand safety: points lost per flagged post, capped per topic (judgement).
const (
	safetyPenaltyPerPost = 10.0
	safetyPenaltyCap     = 40.0
	adultLabelPenalty    = 60.0
	undisclosedPenalty   = 5.0 // per undisclosed sponsored post, capped at safetyPenaltyCap
)

// Niche relevance (tuned on scoring/testdata/niches.jsonl): a text's
// relevance to a niche is 1-exp(-w/nicheTextScale) for matched term weight
// w; a profile's mixes bio and the weighted share of posts on the niche.
const (
	nicheTextScale    = 1.5
	nichePostScale    = 3.0
	nicheBioWeight    = 0.3
	nicheMinRelevance = 0.1
	// nichePostMin is the relevance a post needs for its most relevant
	// niche to count as the post's own (for focus).
	nichePostMin = 0.3
	// nicheBioPosts is how many posts the bio counts as in a creator's
	// niche relevance.
	nicheBioPosts = 3.0
	// nicheModelPosts is how many posts (the newest) the niche model reads;
	// focus is the share of these on the primary niche. The mean of eight
	// posts' logits is a steady reading, and each post read costs its
	// share of the model's cache misses (simulator primary niche: 0.91
	// reading 12, 0.92 reading 8).
	nicheModelPosts = 8
)

// Confidence scales: a sub-score's confidence is 1-exp(-n/scale) for sample
// size n (judgement: 8 posts give 0.63, 24 give 0.95).
const (
	confPosts     = 8.0
	confAccounts  = 30.0
	confComments  = 40.0
	confSnapshots = 5.0
)
