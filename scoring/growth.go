package scoring

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/creatorscout/scout/creator"
)

// Growth trend classes.
const (
	TrendNew       = "new"
	TrendRising    = "rising"
	TrendSteady    = "steady"
	TrendDeclining = "declining"
	TrendVolatile  = "volatile"
)

// Spike kinds.
const (
	// SpikeViral is a follower jump with a matching rise in engagement or
	// posting around it.
	SpikeViral = "viral"
	// SpikeSuspicious is a follower jump with no matching rise in
	// engagement or posting: the pattern of bought followers.
	SpikeSuspicious = "suspicious"
	// SpikeDrop is a sharp fall in followers (a platform purge of fake
	// accounts, or an exodus).
	SpikeDrop = "drop"
)

// Spike is one unusual change in followers between two consecutive
// snapshots.
type Spike struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Change is the follower change over the interval (negative for a drop).
	Change int64 `json:"change"`
	// PerDay is Change per day; Baseline the median daily change of the
	// history.
	PerDay   float64 `json:"per_day"`
	Baseline float64 `json:"baseline_per_day"`
	Kind     string  `json:"kind"`
	// EngagementRise is the highest mean engagement per post from the
	// snapshot before the spike to two after it, over the baseline (median
	// of the other snapshots); 0 when engagement is unknown.
	EngagementRise float64 `json:"engagement_rise"`
	// PostsRise is the posting rate in the spike's interval over the
	// baseline posting rate; 0 when unknown.
	PostsRise float64 `json:"posts_rise"`
	// Summary is a sentence a marketer can read.
	Summary string `json:"summary"`
}

// GrowthResult is a creator's growth trajectory from its snapshot history.
type GrowthResult struct {
	Trend string `json:"trend"`
	// Change7d, Change30d and Change90d are the fractional follower changes
	// over the last 7, 30 and 90 days (0.05 = +5%), extrapolated from the
	// history's span when it is shorter (see Extrapolated).
	Change7d  float64 `json:"change_7d"`
	Change30d float64 `json:"change_30d"`
	Change90d float64 `json:"change_90d"`
	// Delta30d is the follower change over 30 days, in followers.
	Delta30d int64 `json:"delta_30d"`
	// MonthlyRate is the compounded monthly follower change over the
	// longest span available up to 90 days.
	MonthlyRate  float64 `json:"monthly_rate"`
	Extrapolated bool    `json:"extrapolated,omitempty"`
	Snapshots    int     `json:"snapshots"`
	SpanDays     float64 `json:"span_days"`
	Spikes       []Spike `json:"spikes,omitempty"`
	// Suspicious counts the suspicious spikes.
	Suspicious int `json:"suspicious"`
	// EstimatedFromPosts says there was no usable history and the trend
	// was estimated from engagement across the post sample.
	EstimatedFromPosts bool `json:"estimated_from_posts,omitempty"`
	// Score is 0..100, higher for healthier growth; Confidence 0..1.
	Score      float64 `json:"score"`
	Confidence float64 `json:"confidence"`
	Summary    string  `json:"summary"`
}

// Growth judges a creator's follower trajectory from its snapshot history
// (oldest first; unsorted input is sorted, and of snapshots at the same
// instant the last wins) and the current snapshot cur. A zero cur.At means
// the last snapshot of history is the current one. The 7, 30 and 90-day
// windows end at the newest snapshot; now is the time of the judgement
// (zero means the newest snapshot's). The inputs are not modified. It finds spikes in
// the daily follower deltas and classes each as viral (engagement or posting
// rose around it), suspicious (no matching rise: likely bought) or a drop.
// With fewer than two snapshots spanning a day the trend is new and the
// result says so. Growth is pure and safe for concurrent use; the watchlist
// calls it to judge a follower jump.
func Growth(history []creator.Snapshot, cur creator.Snapshot, now time.Time) GrowthResult {
	gs := growthPool.Get().(*growthScratch)
	defer growthPool.Put(gs)
	series := gs.series[:0]
	defer func() { gs.series = series[:0] }()
	for i := range history {
		if !history[i].At.IsZero() {
			series = append(series, pointOf(&history[i]))
		}
	}
	if !cur.At.IsZero() {
		series = append(series, pointOf(&cur))
	}
	less := func(i, j int) bool { return series[i].At.Before(series[j].At) }
	if !sort.SliceIsSorted(series, less) {
		sort.SliceStable(series, less)
	}
	// Keep the last of snapshots taken at the same instant.
	dedup := series[:0]
	for i, s := range series {
		if i > 0 && s.At.Equal(dedup[len(dedup)-1].At) {
			dedup[len(dedup)-1] = s
			continue
		}
		dedup = append(dedup, s)
	}
	series = dedup
	var g GrowthResult
	g.Snapshots = len(series)
	if now.IsZero() && len(series) > 0 {
		now = series[len(series)-1].At
	}
	if len(series) < 2 || series[len(series)-1].At.Sub(series[0].At) < 24*time.Hour {
		g.Trend = TrendNew
		g.Score = 0 // not rated: Confidence 0
		if len(series) == 0 {
			g.Summary = "No snapshots yet, so growth cannot be judged."
		} else {
			g.Summary = fmt.Sprintf("Only %d snapshot%s within a day, so follower growth cannot be measured yet.", len(series), plural(len(series)))
		}
		return g
	}
	first, last := series[0], series[len(series)-1]
	g.SpanDays = last.At.Sub(first.At).Hours() / 24
	lastF := float64(last.Followers)

	// Follower changes over windows, by interpolation.
	change := func(days float64) (float64, float64) {
		from := last.At.Add(-time.Duration(days * 24 * float64(time.Hour)))
		if from.Before(first.At) {
			// Extrapolate the span's average daily change.
			g.Extrapolated = true
			perDay := (lastF - float64(first.Followers)) / g.SpanDays
			base := lastF - perDay*days
			if base <= 0 {
				base = math.Max(float64(first.Followers), 1)
			}
			return perDay * days / base, perDay * days
		}
		v := followersAt(series, from)
		if v <= 0 {
			return 0, lastF - v
		}
		return (lastF - v) / v, lastF - v
	}
	g.Change7d, _ = change(7)
	var d30 float64
	g.Change30d, d30 = change(30)
	g.Delta30d = int64(clamp(d30, -9e18, 9e18))
	g.Change90d, _ = change(90)
	span := math.Min(g.SpanDays, 90)
	fromV := followersAt(series, last.At.Add(-time.Duration(span*24*float64(time.Hour))))
	if fromV > 0 && lastF > 0 {
		g.MonthlyRate = math.Pow(lastF/fromV, 30/span) - 1
	} else if fromV > 0 {
		g.MonthlyRate = -1
	}
	g.MonthlyRate = clamp(g.MonthlyRate, -1, 100)

	// Daily deltas between consecutive snapshots.
	steps := gs.steps[:0]
	deltas := gs.deltas[:0]
	gaps := append(gs.gaps[:0], 0) // gaps[i]: days from snapshot i-1 to i
	defer func() { gs.steps, gs.deltas, gs.gaps = steps[:0], deltas[:0], gaps[:0] }()
	for i := 1; i < len(series); i++ {
		days := series[i].At.Sub(series[i-1].At).Hours() / 24
		gaps = append(gaps, days)
		if days <= 0 {
			continue
		}
		d := float64(series[i].Followers - series[i-1].Followers)
		pd := d / days
		share := 0.0
		if series[i-1].Followers > 0 {
			share = d / float64(series[i-1].Followers)
		}
		steps = append(steps, growthStep{i, pd, share})
		deltas = append(deltas, pd)
	}
	base := gs.median(deltas)
	dev := gs.dev[:0]
	for _, d := range deltas {
		dev = append(dev, math.Abs(d-base))
	}
	mad := 1.4826 * gs.median(dev)
	gs.dev = dev[:0]
	// A floor on the spread so perfectly smooth histories do not flag noise.
	floor := math.Max(math.Abs(base)*0.5, math.Max(1, lastF*0.001))
	spread := math.Max(mad, floor)
	engKnown := false
	for _, s := range series {
		engKnown = engKnown || s.AvgEngagement > 0
	}
	postsBase := gs.baselinePostsPerDay(series, gaps)
	var rises, falls bool
	var lastViralEnd time.Time // end of the last viral step, to carry it over
	for _, st := range steps {
		if st.share > volatileMoveShare {
			rises = true
		}
		if st.share < -volatileMoveShare {
			falls = true
		}
		s0, s1 := series[st.i-1], series[st.i]
		gain := float64(s1.Followers - s0.Followers)
		if math.Abs(st.perDay-base) <= spikeMADs*spread {
			continue
		}
		if math.Abs(gain) < spikeMinGain || math.Abs(st.share) < spikeMinShare && s0.Followers > 0 {
			continue
		}
		sp := Spike{From: s0.At, To: s1.At, Change: s1.Followers - s0.Followers, PerDay: finite(st.perDay), Baseline: finite(base)}
		if gain < 0 {
			sp.Kind = SpikeDrop
			sp.Summary = fmt.Sprintf("Followers fell by %s between %s and %s (%s), against a usual %s a day.",
				humanInt(-gain), day(s0.At), day(s1.At), signedPct(st.share), signedInt(base))
		} else {
			var extra float64
			sp.EngagementRise, extra = engagementRise(series, st.i)
			sp.PostsRise = postsRise(s0, s1, postsBase)
			engViral := sp.EngagementRise >= viralEngagementRise && extra >= viralGainCover*gain
			carried := !lastViralEnd.IsZero() && s0.At.Equal(lastViralEnd)
			if engViral || sp.PostsRise >= viralPostsRise || carried {
				lastViralEnd = s1.At
				sp.Kind = SpikeViral
				sp.Summary = fmt.Sprintf("Followers rose by %s between %s and %s (%s) with engagement at %.1fx its usual level: a viral moment.",
					humanInt(gain), day(s0.At), day(s1.At), signedPct(st.share), math.Max(sp.EngagementRise, 0))
				if carried && !engViral && sp.PostsRise < viralPostsRise {
					sp.Summary = fmt.Sprintf("Followers rose by %s between %s and %s (%s), continuing the viral rise of the day before.",
						humanInt(gain), day(s0.At), day(s1.At), signedPct(st.share))
				} else if !engViral {
					sp.Summary = fmt.Sprintf("Followers rose by %s between %s and %s (%s) while posting ran at %.1fx its usual rate: growth that follows activity.",
						humanInt(gain), day(s0.At), day(s1.At), signedPct(st.share), sp.PostsRise)
				}
			} else {
				sp.Kind = SpikeSuspicious
				g.Suspicious++
				what := "no matching rise in engagement or posting"
				if !engKnown {
					what = "no engagement data to explain it"
				}
				sp.Summary = fmt.Sprintf("Followers rose by %s between %s and %s (%s, %s a day against a usual %s) with %s.",
					humanInt(gain), day(s0.At), day(s1.At), signedPct(st.share), humanInt(st.perDay), signedInt(base), what)
			}
		}
		sp.EngagementRise = finite(sp.EngagementRise)
		sp.PostsRise = finite(sp.PostsRise)
		g.Spikes = append(g.Spikes, sp)
	}
	mean, std := meanStd(deltas)
	cv := std / math.Max(math.Abs(mean), 1e-9)
	switch {
	case g.SpanDays >= 14 && rises && falls && cv > volatileCV:
		g.Trend = TrendVolatile
	case g.MonthlyRate >= risingMonthly:
		g.Trend = TrendRising
	case g.MonthlyRate <= decliningMonthly:
		g.Trend = TrendDeclining
	default:
		g.Trend = TrendSteady
	}
	// Score: 50 at no growth, rising towards 100 at +20%/month and more,
	// falling to 0 at -20%/month; minus suspicious spikes and volatility.
	sc := 50 + 50*math.Tanh(g.MonthlyRate/0.1)
	sc -= suspiciousSpikePenalty * float64(min(g.Suspicious, 3))
	if g.Trend == TrendVolatile {
		sc -= 10
	}
	g.Score = round3(clamp(sc, 0, 100))
	g.Confidence = confidence(float64(len(series)-1), confSnapshots) * clamp01(g.SpanDays/30+0.25)
	g.Summary = "Followers " + signedPct(g.Change30d) + " over 30 days (" + signedInt(float64(g.Delta30d)) + ", " + signedPct(g.MonthlyRate) +
		" a month), " + g.Trend + " over " + strconv.Itoa(g.Snapshots) + " snapshots spanning " + decimals(g.SpanDays, 0) + " days."
	if g.Extrapolated && g.SpanDays < 30 {
		g.Summary = fmt.Sprintf("Followers %s a month, extrapolated from %d snapshots over %.0f days: %s.",
			signedPct(g.MonthlyRate), g.Snapshots, g.SpanDays, g.Trend)
	}
	if g.Suspicious > 0 {
		g.Summary += fmt.Sprintf(" %d suspicious follower spike%s.", g.Suspicious, plural(g.Suspicious))
	}
	g.Change7d, g.Change30d, g.Change90d = clamp(g.Change7d, -1, 1e6), clamp(g.Change30d, -1, 1e6), clamp(g.Change90d, -1, 1e6)
	return g
}

// point is the part of a Snapshot that growth reads.
type point struct {
	At            time.Time
	Followers     int64
	PostsCount    int64
	AvgEngagement float64
	MaxEngagement float64
}

func pointOf(s *creator.Snapshot) point {
	return point{At: s.At, Followers: s.Followers, PostsCount: s.PostsCount, AvgEngagement: s.AvgEngagement, MaxEngagement: s.MaxEngagement}
}

// followersAt interpolates the follower count at t within series.
func followersAt(series []point, t time.Time) float64 {
	if !t.After(series[0].At) {
		return float64(series[0].Followers)
	}
	for i := 1; i < len(series); i++ {
		if !series[i].At.Before(t) {
			a, b := series[i-1], series[i]
			span := b.At.Sub(a.At).Seconds()
			if span <= 0 {
				return float64(b.Followers)
			}
			f := t.Sub(a.At).Seconds() / span
			return float64(a.Followers) + f*float64(b.Followers-a.Followers)
		}
	}
	return float64(series[len(series)-1].Followers)
}

// engagementRise is how far engagement rose around the step into snapshot
// i (from snapshot i-1 to i+2) over its level before (the median of the
// snapshots up to i-2, or of all others when there are none): the larger of
// the rise of mean engagement per post and, over viralPostFactor, of the
// best single post; and the extra engagements of the best post over its
// usual level. Both are 0 when engagement is unknown.
func engagementRise(series []point, i int) (rise, extra float64) {
	lo, hi := max(i-1, 0), min(i+2, len(series)-1)
	var avgBase, maxBase []float64
	for j := 0; j < lo; j++ {
		if series[j].AvgEngagement > 0 {
			avgBase = append(avgBase, series[j].AvgEngagement)
		}
		if series[j].MaxEngagement > 0 {
			maxBase = append(maxBase, series[j].MaxEngagement)
		}
	}
	if len(avgBase) == 0 {
		for j := hi + 1; j < len(series); j++ {
			if series[j].AvgEngagement > 0 {
				avgBase = append(avgBase, series[j].AvgEngagement)
			}
			if series[j].MaxEngagement > 0 {
				maxBase = append(maxBase, series[j].MaxEngagement)
			}
		}
	}
	ab, mb := median(avgBase), median(maxBase)
	for j := lo; j <= hi; j++ {
		if ab > 0 {
			rise = math.Max(rise, series[j].AvgEngagement/ab)
		}
		if mb > 0 {
			rise = math.Max(rise, series[j].MaxEngagement/mb/viralPostFactor*viralEngagementRise)
			extra = math.Max(extra, series[j].MaxEngagement-mb)
		}
	}
	if mb == 0 && ab > 0 {
		// Snapshots without a best-post figure: the mean's rise over a
		// nominal ten-post sample.
		for j := lo; j <= hi; j++ {
			extra = math.Max(extra, (series[j].AvgEngagement-ab)*10)
		}
	}
	return rise, extra
}

// growthStep is one step between consecutive snapshots.
type growthStep struct {
	i             int
	perDay, share float64
}

// growthScratch holds Growth's buffers between calls.
type growthScratch struct {
	series      []point
	steps       []growthStep
	deltas, dev []float64
	gaps        []float64
	xs, sorted  []float64
}

var growthPool = sync.Pool{New: func() any { return new(growthScratch) }}

// median is median(xs) sorting a reused copy.
func (gs *growthScratch) median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append(gs.sorted[:0], xs...)
	gs.sorted = s[:0]
	sort.Float64s(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// baselinePostsPerDay is the median posting rate between snapshots; gaps[i]
// is the days from series[i-1] to series[i].
func (gs *growthScratch) baselinePostsPerDay(series []point, gaps []float64) float64 {
	xs := gs.xs[:0]
	defer func() { gs.xs = xs[:0] }()
	for i := 1; i < len(series); i++ {
		days := gaps[i]
		d := series[i].PostsCount - series[i-1].PostsCount
		if days > 0 && d >= 0 && series[i-1].PostsCount > 0 {
			xs = append(xs, float64(d)/days)
		}
	}
	return gs.median(xs)
}

func postsRise(a, b point, base float64) float64 {
	days := b.At.Sub(a.At).Hours() / 24
	if days <= 0 || a.PostsCount <= 0 || b.PostsCount < a.PostsCount || b.PostsCount-a.PostsCount < viralMinPosts {
		return 0 // too few posts to tell a burst from chance
	}
	rate := float64(b.PostsCount-a.PostsCount) / days
	if base <= 0 {
		if rate >= 1 {
			return viralPostsRise // posting from a standstill
		}
		return 0
	}
	return rate / base
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func signedInt(x float64) string {
	if finite(x) >= 0 {
		return "+" + humanInt(x)
	}
	return humanInt(x)
}

// growthSub turns a GrowthResult into the growth sub-score, estimating the
// trend from engagement across posts when there is no usable history.
func growthSub(g GrowthResult, p *creator.Profile, now time.Time) (creator.SubScore, GrowthResult) {
	s := creator.SubScore{Name: "growth"}
	if g.Trend == TrendNew && g.Snapshots < 2 || g.Trend == TrendNew && g.SpanDays < 1 {
		young := !p.CreatedAt.IsZero() && now.Sub(p.CreatedAt) < newAccountDays*24*time.Hour
		if m, n, ok := engagementTrend(p.Posts); ok && !young {
			g.EstimatedFromPosts = true
			g.MonthlyRate = 0
			switch {
			case m >= 0.1:
				g.Trend = TrendRising
			case m <= -0.1:
				g.Trend = TrendDeclining
			default:
				g.Trend = TrendSteady
			}
			g.Score = round3(clamp(50+50*math.Tanh(m/0.5), 0, 100))
			g.Confidence = 0.2 * confidence(float64(n), confPosts)
			g.Summary = fmt.Sprintf("Only one snapshot so far; engagement across %d sampled posts changes about %s a month, so the trend is estimated as %s.",
				n, signedPct(m), g.Trend)
			s.Evidence = append(s.Evidence, creator.Evidence{Signal: "engagement_trend_monthly", Value: finite(m), SampleSize: n, Text: g.Summary})
		} else if young {
			g.Summary = fmt.Sprintf("The account is under %d days old: a new creator, growth not yet judged.", newAccountDays)
		}
	}
	s.Score, s.Label, s.Confidence, s.Summary = g.Score, g.Trend, g.Confidence, g.Summary
	if !g.EstimatedFromPosts && g.Snapshots >= 2 {
		s.Evidence = append(s.Evidence,
			creator.Evidence{Signal: "change_7d", Value: g.Change7d, SampleSize: g.Snapshots},
			creator.Evidence{Signal: "change_30d", Value: g.Change30d, SampleSize: g.Snapshots,
				Text: "Followers " + signedPct(g.Change30d) + " (" + signedInt(float64(g.Delta30d)) + ") over 30 days."},
			creator.Evidence{Signal: "change_90d", Value: g.Change90d, SampleSize: g.Snapshots},
			creator.Evidence{Signal: "monthly_rate", Value: g.MonthlyRate, SampleSize: g.Snapshots},
			creator.Evidence{Signal: "span_days", Value: round3(g.SpanDays), SampleSize: g.Snapshots},
		)
	}
	for _, sp := range g.Spikes {
		s.Evidence = append(s.Evidence, creator.Evidence{Signal: "spike_" + sp.Kind, Value: float64(sp.Change), Text: sp.Summary})
	}
	return s, g
}
