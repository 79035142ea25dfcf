package scoring

import "github.com/creatorscout/scout/creator"

// erBand is the typical engagement rate by followers (likes, replies,
// reposts and quotes over followers, as a fraction) for one platform family
// and tier, with where the figures come from.
type erBand struct {
	low, high float64
	source    string
}

// Sources of the engagement bands.
const (
	srcIssue2026  = "2026 figures marketers quote (issue 3: micro 3.5-7%, mega 1.2-3% on Instagram-like platforms)"
	srcGrowhtos   = "growhtos.com, \"What's a good engagement rate in 2026? (by follower tier)\", June 2026: under 1k 4-9%, 1k-10k 3-7%"
	srcInterp     = "interpolated between the micro and mega figures of the issue 3 quote"
	srcAssumedDec = "assumption: Instagram-like bands; no published per-tier benchmark checked for this platform, so confidence is halved"
)

// instagramLike are the engagement bands by tier for Instagram-like
// platforms (Instagram, and the default for others).
var instagramLike = map[string]erBand{
	creator.TierEmerging: {0.04, 0.09, srcGrowhtos},
	creator.TierNano:     {0.035, 0.08, srcGrowhtos + "; " + srcIssue2026},
	creator.TierMicro:    {0.035, 0.07, srcIssue2026},
	creator.TierMid:      {0.02, 0.05, srcInterp},
	creator.TierMacro:    {0.015, 0.04, srcInterp},
	creator.TierMega:     {0.012, 0.03, srcIssue2026},
}

// engagementBand returns the band for a platform and tier, and whether it
// was published for that platform (false means borrowed, lower confidence).
func engagementBand(platform, tier string) (erBand, bool) {
	b, ok := instagramLike[tier]
	if !ok {
		b = instagramLike[creator.TierMicro]
	}
	if platform == creator.Instagram {
		return b, true
	}
	b.source = srcAssumedDec + " (" + b.source + ")"
	return b, false
}

// priceBand is the typical price of one sponsored post by tier, in USD.
type priceBand struct{ min, max float64 }

// Price sources: the tier ranges and the $ per engagement figures of the
// "Pricing guide when working with influencers" of aInfluencer (Instagram
// photo post: nano $10-100, micro $100-500, mid $500-5K, macro $5K-10K;
// recent average engagements x $0.14 for a photo and x $0.20 for a video).
// The emerging floor and mega ceiling are assumptions (gifting only below
// 1k; mega rates are negotiated and open-ended).
const srcPrice = "aInfluencer pricing guide: nano $10-100, micro $100-500, mid $500-5K, macro $5K-10K per Instagram post; $0.14-0.20 per average engagement"

var priceByTier = map[string]priceBand{
	creator.TierEmerging: {0, 25},
	creator.TierNano:     {10, 100},
	creator.TierMicro:    {100, 500},
	creator.TierMid:      {500, 5000},
	creator.TierMacro:    {5000, 10000},
	creator.TierMega:     {10000, 100000},
}

const (
	usdPerEngagementMin = 0.14
	usdPerEngagementMax = 0.20
)
