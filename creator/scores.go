package creator

import "time"

// Tier names by follower count.
const (
	TierEmerging = "emerging" // below 1,000
	TierNano     = "nano"     // 1,000 to 9,999
	TierMicro    = "micro"    // 10,000 to 99,999
	TierMid      = "mid"      // 100,000 to 499,999
	TierMacro    = "macro"    // 500,000 to 999,999
	TierMega     = "mega"     // 1,000,000 and more
)

// TierFor classifies a follower count into the tiers above. It is the
// one definition of the thresholds; scoring.Tier is this function.
func TierFor(followers int64) string {
	switch {
	case followers >= 1_000_000:
		return TierMega
	case followers >= 500_000:
		return TierMacro
	case followers >= 100_000:
		return TierMid
	case followers >= 10_000:
		return TierMicro
	case followers >= 1_000:
		return TierNano
	default:
		return TierEmerging
	}
}

// Scores are the ratings of one creator at one time. The flat fields at the
// top are the summary that search filters and sorts on; Details holds every
// sub-score with the evidence behind it.
//
// A score that could not be computed is reported through its SubScore's
// Confidence of 0 and a Summary that says why; the flat field then holds 0.
type Scores struct {
	ComputedAt time.Time `json:"computed_at,omitzero"`
	// Model names the scoring version, so stored scores can be recomputed
	// when it changes.
	Model string `json:"model,omitempty"`

	Tier string `json:"tier"`
	// EngagementRate is the median over sampled posts of
	// (likes+replies+reposts+quotes)/followers, as a fraction (0.035 = 3.5%).
	EngagementRate  float64 `json:"engagement_rate"`
	EngagementLabel string  `json:"engagement_label,omitempty"`
	PostsPerWeek    float64 `json:"posts_per_week"`
	DaysSinceLast   float64 `json:"days_since_last_post"`

	PrimaryNiche   string  `json:"primary_niche,omitempty"`
	NicheRelevance float64 `json:"niche_relevance"`
	NicheFocus     float64 `json:"niche_focus"`
	// Niches holds the primary niche first, then the others by relevance
	// (the catch-all lifestyle may be more relevant than the primary: a
	// creator is primarily what a specific niche says, when one does).
	Niches []NicheScore `json:"niches,omitempty"`

	// Authenticity is 0..100, higher is more genuine.
	Authenticity      float64 `json:"authenticity"`
	FakeFollowerShare float64 `json:"fake_follower_share"`

	GrowthTrend  string  `json:"growth_trend,omitempty"`
	Growth30d    float64 `json:"growth_30d"`
	GrowthScore  float64 `json:"growth"`
	Consistency  float64 `json:"consistency"`
	BrandSafety  float64 `json:"brand_safety"`
	PriceMinUSD  float64 `json:"price_min_usd"`
	PriceMaxUSD  float64 `json:"price_max_usd"`
	Overall      float64 `json:"overall"`
	Confidence   float64 `json:"confidence"`
	SponsoredPct float64 `json:"sponsored_pct"`

	Details []SubScore `json:"details,omitempty"`
}

// NicheScore is a creator's relevance to one niche of the taxonomy.
type NicheScore struct {
	Niche     string   `json:"niche"`
	Relevance float64  `json:"relevance"`
	Terms     []string `json:"terms,omitempty"`
}

// SubScore is one rated aspect of a creator with the evidence behind it.
type SubScore struct {
	// Name is a stable id: "engagement", "authenticity", "audience",
	// "comments", "growth", "niche", "consistency", "disclosure", "price",
	// "overall", ...
	Name  string  `json:"name"`
	Score float64 `json:"score"`
	// Label is a short class where the sub-score has one ("high", "rising").
	Label string `json:"label,omitempty"`
	// Confidence is 0..1; it falls with small samples.
	Confidence float64 `json:"confidence"`
	// Summary is one sentence a marketer can read.
	Summary  string     `json:"summary,omitempty"`
	Evidence []Evidence `json:"evidence,omitempty"`
}

// Evidence is one signal a sub-score used.
type Evidence struct {
	Signal     string  `json:"signal"`
	Value      float64 `json:"value"`
	SampleSize int     `json:"sample_size,omitempty"`
	// Text is a readable sentence ("36% of 180 sampled comments are generic").
	Text string `json:"text,omitempty"`
	// PostID points at the post this evidence is about, where there is one.
	PostID string `json:"post_id,omitempty"`
	// AccountID names the sampled account (follower or commenter) this
	// evidence is about, where there is one; the stored record keeps that
	// account in Profile.Audience.
	AccountID string `json:"account_id,omitempty"`
}
