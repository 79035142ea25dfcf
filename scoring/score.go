package scoring

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/creatorscout/scout/creator"
)

// Options tunes Score. The zero value scores as of time.Now with the
// built-in taxonomy and every sub-score on.
type Options struct {
	// Now is the time scores are computed at; zero means time.Now().
	Now time.Time
	// Taxonomy is the niche taxonomy; nil means the built-in one. Build a
	// custom one with DefaultTaxonomy().Extend or ParseTaxonomy.
	Taxonomy *Taxonomy
	// RawOnly, when true, computes only the raw figures (tier, engagement
	// rate, posting rate, days since the last post) and no derived ratings,
	// for sources whose terms forbid derived metrics (YouTube data unless the
	// operator declares the API project approved for them).
	RawOnly bool
}

// Score rates the creator p given its stored history (oldest first, not
// including this crawl). It never panics on odd input, and no NaN or Inf
// reaches the result. Score is safe for concurrent use.
func Score(p *creator.Profile, history []creator.Snapshot, o Options) creator.Scores {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	tax := o.Taxonomy
	if tax == nil {
		tax = defaultTaxonomy
	}
	s := creator.Scores{
		ComputedAt:     now.UTC(),
		Model:          Model,
		Tier:           Tier(p.Followers),
		EngagementRate: EngagementRate(p.Posts, p.Followers),
		PostsPerWeek:   PostsPerWeek(p.Posts, now),
		DaysSinceLast:  daysSinceLast(p.Posts, now),
	}
	if o.RawOnly {
		s.Details = []creator.SubScore{{Name: "overall", Summary: "Derived scores are off for this source by its terms; only raw figures are shown."}}
		sanitize(&s)
		return s
	}

	m := getMatcher(tax)
	nr := scoreNiches(m, p)
	putMatcher(m)
	s.PrimaryNiche, s.NicheRelevance, s.NicheFocus, s.Niches = nr.primary, nr.relevance, round3(nr.focus), nr.niches

	er := scoreEngagement(p, s.Tier)
	s.EngagementLabel = er.label

	sample := p.Audience
	kind := p.AudienceKind
	if len(sample) == 0 {
		// No audience sample: the commenters are the next best thing.
		sample, kind = commenters(p), "commenters"
	}
	aud := EstimateFakeShare(sample, p.Ref.Platform, now)
	audSub := audienceScore(aud, kind)
	s.FakeFollowerShare = round3(aud.Share)

	cr := scoreComments(p)

	cur := snapshotOf(p, &s, now, er.avg)
	g := Growth(history, cur, now)
	growthS, g := growthSub(g, p, now)
	s.GrowthTrend, s.Growth30d, s.GrowthScore = g.Trend, g.Change30d, g.Score

	consS := scoreConsistency(p, s.PostsPerWeek, s.DaysSinceLast)
	s.Consistency = consS.Score

	dr := scoreDisclosure(p, nr.posts)
	s.SponsoredPct = round3(dr.pct)
	safe := scoreSafety(p, nr.posts, nr.bioFlags, len(dr.undisclosed))
	s.BrandSafety = safe.Score

	auth := scoreAuthenticity(audSub, aud, cr, er, g, history, p.Followers, slices.Contains(p.Labels, creator.LabelNoAudienceSample), now)
	s.Authenticity = auth.Score

	price := scorePrice(p, s.Tier, er.avg, aud.Share)
	s.PriceMinUSD, s.PriceMaxUSD = price.min, price.max

	subs := [...]namedSub{
		{"authenticity", &auth}, {"engagement", &er.sub}, {"brand_safety", &safe},
		{"consistency", &consS}, {"niche", &nr.sub}, {"growth", &growthS},
	}
	// A sub-score that could not be computed (confidence 0) leaves its flat
	// field at 0, as creator.Scores documents.
	for _, f := range []struct {
		sub  creator.SubScore
		flat *float64
	}{{auth, &s.Authenticity}, {growthS, &s.GrowthScore}, {consS, &s.Consistency}, {safe, &s.BrandSafety}} {
		if f.sub.Confidence <= 0 {
			*f.flat = 0
		}
	}
	overall := scoreOverall(subs[:])
	s.Overall, s.Confidence = overall.Score, overall.Confidence

	if sm := p.Sample; sm != nil {
		// What the source read, beside the scores it moved.
		cr.sub.Evidence = append(cr.sub.Evidence, creator.Evidence{Signal: "sampled", Value: float64(sm.Threads), SampleSize: sm.Comments, Text: sm.CommentsText()})
		if kind == "followers" {
			audSub.Evidence = append(audSub.Evidence, creator.Evidence{Signal: "sampled", Value: float64(sm.Counted), SampleSize: sm.Followers, Text: sm.AudienceText()})
		}
	}
	s.Details = []creator.SubScore{overall, nr.sub, er.sub, auth, audSub, cr.sub, growthS, consS, dr.sub, safe, price.sub}
	sanitize(&s)
	return s
}

// commenters returns the distinct authors of p's comments other than p.
func commenters(p *creator.Profile) []creator.Account {
	seen := make(map[string]bool, len(p.Comments))
	var out []creator.Account
	for i := range p.Comments {
		a := p.Comments[i].Author
		if a.ID == "" || a.ID == p.Ref.ID || seen[a.ID] {
			continue
		}
		seen[a.ID] = true
		out = append(out, a)
	}
	return out
}

// Tier classifies a follower count (see creator.TierFor).
func Tier(followers int64) string { return creator.TierFor(followers) }

// PostsPerWeek is the posting rate over the span of the sampled posts,
// measured up to now, counting at least one week.
func PostsPerWeek(posts []creator.Post, now time.Time) float64 {
	var oldest time.Time
	n := 0
	for _, p := range posts {
		if p.CreatedAt.IsZero() {
			continue
		}
		n++
		if oldest.IsZero() || p.CreatedAt.Before(oldest) {
			oldest = p.CreatedAt
		}
	}
	if n == 0 {
		return 0
	}
	weeks := now.Sub(oldest).Hours() / (24 * 7)
	if weeks < 1 || math.IsNaN(weeks) {
		weeks = 1
	}
	return finite(float64(n) / weeks)
}

func daysSinceLast(posts []creator.Post, now time.Time) float64 {
	var last time.Time
	for _, p := range posts {
		if p.CreatedAt.After(last) {
			last = p.CreatedAt
		}
	}
	if last.IsZero() {
		return 0
	}
	return round3(math.Max(0, now.Sub(last).Hours()/24))
}

// Snapshot returns what one crawl contributes to a creator's history, from
// the profile and the scores Score computed for it.
func Snapshot(p *creator.Profile, s creator.Scores) creator.Snapshot {
	var sum float64
	for i := range p.Posts {
		sum += postEngagement(&p.Posts[i])
	}
	avg := 0.0
	if len(p.Posts) > 0 {
		avg = sum / float64(len(p.Posts))
	}
	snap := snapshotOf(p, &s, s.ComputedAt, avg)
	// Sponsored posts, recomputed with the built-in lexicon.
	m := getMatcher(defaultTaxonomy)
	defer putMatcher(m)
	for i := range p.Posts {
		m.begin()
		m.scan(p.Posts[i].Text)
		for _, h := range p.Posts[i].Hashtags {
			m.scanHashtag(h)
		}
		sp, disc := isSponsored(postScan{flags: m.flags, mentions: m.mentions})
		if sp {
			snap.SponsoredPostIDs = append(snap.SponsoredPostIDs, p.Posts[i].ID)
			if !disc {
				snap.UndisclosedPostIDs = append(snap.UndisclosedPostIDs, p.Posts[i].ID)
			}
		}
	}
	return snap
}

// RecordSnapshot returns the snapshot a stored record implies: the one its
// crawl appended (Snapshot of its profile and scores), taken at the
// record's UpdatedAt, the time of that crawl (Scores.ComputedAt when
// UpdatedAt is unset). The crawl writes it; a store copy synthesizes it for
// a record without history; change detection stands it in when a history
// is short. Post engagement counts below zero count as zero, as in Score.
func RecordSnapshot(r *creator.Record) creator.Snapshot {
	snap := Snapshot(&r.Profile, r.Scores)
	if !r.UpdatedAt.IsZero() {
		snap.At = r.UpdatedAt.UTC()
	}
	return snap
}

func snapshotOf(p *creator.Profile, s *creator.Scores, at time.Time, avg float64) creator.Snapshot {
	snap := creator.Snapshot{
		At:             at.UTC(),
		Followers:      p.Followers,
		Following:      p.Following,
		PostsCount:     p.PostsCount,
		EngagementRate: finite(s.EngagementRate),
		AvgEngagement:  finite(avg),
		PostsPerWeek:   finite(s.PostsPerWeek),
		Authenticity:   finite(s.Authenticity),
		PrimaryNiche:   s.PrimaryNiche,
	}
	for i := range p.Posts {
		if p.Posts[i].CreatedAt.After(snap.LastPostAt) {
			snap.LastPostAt = p.Posts[i].CreatedAt
		}
		snap.MaxEngagement = math.Max(snap.MaxEngagement, finite(postEngagement(&p.Posts[i])))
	}
	return snap
}

// scoreConsistency rates posting cadence, regularity and recency.
func scoreConsistency(p *creator.Profile, ppw, daysSince float64) creator.SubScore {
	s := creator.SubScore{Name: "consistency"}
	times := make([]time.Time, 0, len(p.Posts))
	for i := range p.Posts {
		if !p.Posts[i].CreatedAt.IsZero() {
			times = append(times, p.Posts[i].CreatedAt)
		}
	}
	if len(times) == 0 {
		s.Summary = "No dated posts were sampled, so posting consistency was not rated."
		return s
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	gaps := make([]float64, 0, len(times)-1)
	for i := 1; i < len(times); i++ {
		gaps = append(gaps, times[i].Sub(times[i-1]).Hours()/24)
	}
	cv := 1.0
	if len(gaps) >= 2 {
		mean, std := meanStd(gaps)
		if mean > 0 {
			cv = std / mean
		}
	}
	cad := clamp01(math.Log1p(ppw) / math.Log1p(consistencyFullPPW))
	reg := 1 / (1 + cv)
	rec := math.Exp(-daysSince / consistencyRecencyDays)
	s.Score = round3(clamp(100*(consistencyWeightCad*cad+consistencyWeightReg*reg+consistencyWeightRecent*rec), 0, 100))
	s.Confidence = confidence(float64(len(times)), confPosts)
	switch {
	case daysSince > 90:
		s.Label = "inactive"
	case s.Score >= 70:
		s.Label = "regular"
	case s.Score >= 45:
		s.Label = "irregular"
	default:
		s.Label = "sporadic"
	}
	s.Summary = "Posts " + decimals(ppw, 1) + " times a week, last " + decimals(daysSince, 0) + " days ago; gaps between posts vary by " + decimals(cv*100, 0) +
		"% (" + strconv.Itoa(len(times)) + " dated posts)."
	s.Evidence = []creator.Evidence{
		{Signal: "posts_per_week", Value: round3(ppw), SampleSize: len(times)},
		{Signal: "gap_variation", Value: round3(cv), SampleSize: len(gaps), Text: "How much the gaps between posts vary: their standard deviation over their mean."},
		{Signal: "days_since_last_post", Value: daysSince},
	}
	return s
}

// namedSub is a sub-score by its overallWeights name.
type namedSub struct {
	name string
	sub  *creator.SubScore
}

type priceResult struct {
	sub      creator.SubScore
	min, max float64
}

// scorePrice estimates the price of one sponsored post from the tier's
// range and the creator's average engagement from genuine accounts.
func scorePrice(p *creator.Profile, tier string, avgEng, fakeShare float64) priceResult {
	band := priceByTier[tier]
	r := priceResult{sub: creator.SubScore{Name: "price"}}
	// Whole engagements and dollars, so the summary's arithmetic is exact.
	real := math.Round(avgEng * (1 - clamp01(fakeShare)))
	if len(p.Posts) == 0 || real < 1 {
		r.min, r.max = band.min, band.max
		r.sub.Summary = fmt.Sprintf("About $%s-$%s per post, the usual range for a %s creator (no engagement to refine it).", humanInt(r.min), humanInt(r.max), tier)
		r.sub.Confidence = 0.2
	} else {
		lo := math.Round(real * usdPerEngagementMin)
		hi := math.Round(real * usdPerEngagementMax)
		// Blend the engagement-based price with the tier's range (geometric
		// mean of each end), so an outlier rate moves the price but not off
		// the market.
		r.min = math.Round(math.Sqrt(lo * math.Max(band.min, 1)))
		r.max = math.Round(math.Sqrt(hi * math.Max(band.max, 1)))
		if r.max < r.min {
			r.min, r.max = r.max, r.min
		}
		mid := (r.min + r.max) / 2
		cpe := mid / real
		r.sub.Score = round3(cpe)
		r.sub.Label = "$" + decimals(cpe, 2) + " per genuine engagement (a price, not a 0-100 score)"
		r.sub.Confidence = confidence(float64(len(p.Posts)), confPosts)
		r.sub.Summary = "About $" + humanInt(r.min) + "-$" + humanInt(r.max) + " per post: " + humanInt(real) + " genuine engagements per post at $" +
			decimals(usdPerEngagementMin, 2) + "-$" + decimals(usdPerEngagementMax, 2) + " each give $" + humanInt(lo) + "-$" + humanInt(hi) +
			", blended with the usual " + tier + " range of $" + humanInt(band.min) + "-$" + humanInt(band.max) +
			" (the geometric mean of each end: √(" + humanInt(lo) + " × " + humanInt(math.Max(band.min, 1)) + ") to √(" + humanInt(hi) + " × " + humanInt(math.Max(band.max, 1)) + "))."
		r.sub.Evidence = append(r.sub.Evidence, creator.Evidence{Signal: "cost_per_engagement", Value: round3(cpe), SampleSize: len(p.Posts),
			Text: "$" + decimals(cpe, 2) + " per genuine engagement at the middle of the range."},
			creator.Evidence{Signal: "genuine_engagement_per_post", Value: round3(real), SampleSize: len(p.Posts)},
			creator.Evidence{Signal: "engagement_price_min", Value: lo},
			creator.Evidence{Signal: "engagement_price_max", Value: hi})
	}
	r.min, r.max = math.Round(r.min), math.Round(r.max)
	r.sub.Evidence = append(r.sub.Evidence, creator.Evidence{Signal: "tier_price_min", Value: band.min, Text: "Source: " + srcPrice + "."},
		creator.Evidence{Signal: "tier_price_max", Value: band.max})
	return r
}

// scoreOverall combines the sub-scores with overallWeights; a sub-score with
// no confidence is left out and its weight spread over the others, and the
// overall confidence is the weighted confidence over all weights, so it
// falls with small samples and missing parts.
func scoreOverall(subs []namedSub) creator.SubScore {
	s := creator.SubScore{Name: "overall"}
	var sw, sum, conf, all float64
	used := make([]string, 0, len(overallWeights))
	for _, w := range overallWeights {
		all += w.weight
		var sub *creator.SubScore
		for _, ns := range subs {
			if ns.name == w.name {
				sub = ns.sub
			}
		}
		if sub == nil || sub.Confidence <= 0 {
			continue
		}
		score := sub.Score
		if w.name == "niche" {
			score = sub.Score // already 100 x relevance
		}
		sw += w.weight
		sum += w.weight * score
		conf += w.weight * sub.Confidence
		used = append(used, strings.ReplaceAll(w.name, "_", " ")+" "+strconv.FormatFloat(score, 'f', 0, 64))
		if s.Evidence == nil {
			s.Evidence = make([]creator.Evidence, 0, len(overallWeights))
		}
		s.Evidence = append(s.Evidence, creator.Evidence{Signal: w.name, Value: round3(score),
			Text: "weight " + strconv.FormatFloat(w.weight, 'f', 2, 64) + ", confidence " + strconv.FormatFloat(sub.Confidence, 'f', 2, 64)})
	}
	if sw == 0 {
		s.Summary = "Too little data for an overall score."
		return s
	}
	s.Score = round3(clamp(sum/sw, 0, 100))
	s.Confidence = round3(clamp01(conf / all))
	switch {
	case s.Score >= 75:
		s.Label = "strong"
	case s.Score >= 55:
		s.Label = "fair"
	default:
		s.Label = "weak"
	}
	s.Summary = "Overall " + decimals(s.Score, 0) + "/100 (" + s.Label + ", confidence " + decimals(s.Confidence, 2) + ") from " + strings.Join(used, ", ") + "."
	return s
}

// sanitize replaces any NaN or Inf in s with 0: a last guard so none leaves
// the package.
func sanitize(s *creator.Scores) {
	for _, f := range []*float64{&s.EngagementRate, &s.PostsPerWeek, &s.DaysSinceLast, &s.NicheRelevance, &s.NicheFocus,
		&s.Authenticity, &s.FakeFollowerShare, &s.Growth30d, &s.GrowthScore, &s.Consistency, &s.BrandSafety,
		&s.PriceMinUSD, &s.PriceMaxUSD, &s.Overall, &s.Confidence, &s.SponsoredPct} {
		*f = finite(*f)
	}
	for i := range s.Niches {
		s.Niches[i].Relevance = finite(s.Niches[i].Relevance)
	}
	for i := range s.Details {
		d := &s.Details[i]
		d.Score, d.Confidence = round3(d.Score), round3(d.Confidence)
		for j := range d.Evidence {
			d.Evidence[j].Value = finite(d.Evidence[j].Value)
		}
	}
}
