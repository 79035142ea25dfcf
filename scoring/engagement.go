package scoring

import (
	"fmt"
	"math"
	"strconv"

	"github.com/creatorscout/scout/creator"
)

// Engagement labels.
const (
	EngagementLow        = "low"
	EngagementTypical    = "typical"
	EngagementHigh       = "high"
	EngagementSuspicious = "suspiciously high"
)

// postEngagement is likes+replies+reposts+quotes of a post, in float64 so
// huge counts cannot overflow.
func postEngagement(p *creator.Post) float64 {
	return float64(max(p.Likes, 0)) + float64(max(p.Replies, 0)) + float64(max(p.Reposts, 0)) + float64(max(p.Quotes, 0))
}

// EngagementRate is the median over posts of
// (likes+replies+reposts+quotes)/followers, as a fraction; 0 with no posts
// or followers.
func EngagementRate(posts []creator.Post, followers int64) float64 {
	if len(posts) == 0 || followers <= 0 {
		return 0
	}
	var buf [64]float64
	rates := buf[:0]
	if len(posts) > len(buf) {
		rates = make([]float64, 0, len(posts))
	}
	for i := range posts {
		rates = append(rates, postEngagement(&posts[i])/float64(followers))
	}
	return finite(medianInPlace(rates))
}

// engagementResult is the engagement part of a profile's scoring.
type engagementResult struct {
	sub        creator.SubScore
	rate       float64 // median engagement by followers
	label      string
	avg        float64 // mean engagement per post
	byViews    float64 // median engagement by views, 0 when unknown
	replyLike  float64 // replies per like over the sample
	ratioOdd   bool    // replies per like outside the norm
	suspicious bool
}

// scoreEngagement rates engagement against the benchmark band of the
// creator's platform and tier.
func scoreEngagement(p *creator.Profile, tier string) engagementResult {
	var r engagementResult
	s := creator.SubScore{Name: "engagement", Evidence: make([]creator.Evidence, 0, 16)}
	n := len(p.Posts)
	if n == 0 {
		s.Summary = "No posts were sampled, so engagement was not rated."
		r.sub = s
		return r
	}
	var sum, likes, replies float64
	var viewRates []float64
	for i := range p.Posts {
		e := postEngagement(&p.Posts[i])
		sum += e
		likes += float64(max(p.Posts[i].Likes, 0))
		replies += float64(max(p.Posts[i].Replies, 0))
		if v := p.Posts[i].Views; v > 0 {
			viewRates = append(viewRates, e/float64(v))
		}
	}
	r.avg = finite(sum / float64(n))
	if len(viewRates) > 0 {
		r.byViews = finite(median(viewRates))
	}
	if likes > 0 {
		r.replyLike = finite(replies / likes)
	}
	if p.Followers <= 0 {
		s.Summary = fmt.Sprintf("The follower count is unknown or zero, so the engagement rate of %d posts (%s engagements each on average) cannot be judged.", n, humanInt(r.avg))
		s.Evidence = append(s.Evidence, creator.Evidence{Signal: "avg_engagement", Value: r.avg, SampleSize: n})
		r.sub = s
		return r
	}
	r.rate = EngagementRate(p.Posts, p.Followers)
	band, published := engagementBand(p.Ref.Platform, tier)
	switch {
	case r.rate > band.high*suspiciousFactor:
		r.label, r.suspicious = EngagementSuspicious, true
		s.Score = 70
	case r.rate > band.high:
		r.label = EngagementHigh
		s.Score = 90 + 10*clamp01((r.rate-band.high)/(band.high*(suspiciousFactor-1)))
	case r.rate >= band.low:
		r.label = EngagementTypical
		s.Score = 60 + 30*(r.rate-band.low)/(band.high-band.low)
	default:
		r.label = EngagementLow
		s.Score = 60 * r.rate / band.low
	}
	s.Score = round3(clamp(s.Score, 0, 100))
	s.Label = r.label
	s.Confidence = confidence(float64(n), confPosts)
	if !published {
		s.Confidence *= 0.5
	}
	s.Summary = "Median engagement is " + pct(r.rate) + " of followers over " + strconv.Itoa(n) + " posts, " + r.label + " for a " + tier +
		" creator (typical " + pct(band.low) + "-" + pct(band.high) + ")."
	s.Evidence = append(s.Evidence,
		creator.Evidence{Signal: "engagement_rate", Value: r.rate, SampleSize: n, Text: s.Summary},
		creator.Evidence{Signal: "benchmark_low", Value: band.low, Text: "Benchmark source: " + band.source + "."},
		creator.Evidence{Signal: "benchmark_high", Value: band.high},
		creator.Evidence{Signal: "avg_engagement", Value: r.avg, SampleSize: n,
			Text: "Posts get " + humanInt(r.avg) + " likes, replies, reposts and quotes on average."},
	)
	if len(viewRates) > 0 {
		s.Evidence = append(s.Evidence, creator.Evidence{Signal: "engagement_rate_by_views", Value: r.byViews, SampleSize: len(viewRates),
			Text: fmt.Sprintf("Median engagement is %s of views over %d posts with view counts.", pct(r.byViews), len(viewRates))})
	}
	if likes >= ratioMinLikes {
		r.ratioOdd = r.replyLike < minRepliesPerLike || r.replyLike > maxRepliesPerLike
		ev := creator.Evidence{Signal: "replies_per_like", Value: round3(r.replyLike), SampleSize: n,
			Text: fmt.Sprintf("%.3f replies per like (usual %.3f-%.1f).", r.replyLike, minRepliesPerLike, maxRepliesPerLike)}
		s.Evidence = append(s.Evidence, ev)
	}
	// Per-post rates, for the curious.
	for i := range p.Posts {
		if i == 10 {
			break
		}
		s.Evidence = append(s.Evidence, creator.Evidence{Signal: "post_engagement_rate", PostID: p.Posts[i].ID,
			Value: finite(postEngagement(&p.Posts[i]) / float64(p.Followers))})
	}
	r.sub = s
	return r
}

// engagementTrend estimates the monthly relative change of engagement across
// the post sample (a least-squares slope of log engagement over post time),
// for growth when there is no snapshot history. ok is false with fewer than
// five dated posts spanning a week.
func engagementTrend(posts []creator.Post) (monthly float64, n int, ok bool) {
	var xs, ys []float64
	var first, last float64
	for i := range posts {
		if posts[i].CreatedAt.IsZero() {
			continue
		}
		d := float64(posts[i].CreatedAt.Unix()) / 86400
		if len(xs) == 0 || d < first {
			first = d
		}
		if len(xs) == 0 || d > last {
			last = d
		}
		xs = append(xs, d)
		ys = append(ys, math.Log1p(postEngagement(&posts[i])))
	}
	if len(xs) < 5 || last-first < 7 {
		return 0, len(xs), false
	}
	mx, _ := meanStd(xs)
	my, _ := meanStd(ys)
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	if sxx == 0 {
		return 0, len(xs), false
	}
	slope := sxy / sxx // log engagement per day
	return finite(math.Expm1(math.Max(-5, math.Min(5, slope*30)))), len(xs), true
}
