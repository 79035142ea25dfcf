package scoring

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creatorscout/scout/creator"
)

// followerPool is an audience of n accounts, about one in seven fake, of
// varied but realistic shapes.
func followerPool(r *rand.Rand, n int) []creator.Account {
	pool := make([]creator.Account, n)
	for i := range pool {
		a := creator.Account{ID: fmt.Sprintf("f%d", i)}
		if r.IntN(7) == 0 {
			a.Handle = fmt.Sprintf("user%08d.bsky.social", r.IntN(1e8))
			a.HasAvatar = creator.Ptr(r.IntN(4) == 0)
			a.Followers = creator.Ptr(int64(r.IntN(20)))
			a.Following = creator.Ptr(int64(500 + r.IntN(5000)))
			a.Posts = creator.Ptr(int64(r.IntN(3)))
			a.Bio = creator.Ptr("")
		} else {
			a.Handle = fmt.Sprintf("reader%d.bsky.social", i)
			a.HasAvatar = creator.Ptr(r.IntN(10) > 0)
			a.Followers = creator.Ptr(int64(20 + r.IntN(2000)))
			a.Following = creator.Ptr(int64(50 + r.IntN(900)))
			a.Posts = creator.Ptr(int64(r.IntN(3000)))
			a.Bio = creator.Ptr([]string{"", "Reader, walker, tea drinker", "dad. cook. runner"}[r.IntN(3)])
			a.DisplayName = creator.Ptr("Alex R")
		}
		pool[i] = a
	}
	return pool
}

// rescanner samples an unchanged creator as the crawler sees it: the
// newest 100 followers and 200 comments. Between scans, shift new followers
// arrive from the same audience (one in seven fake) and push the oldest out
// of the sample, and commentShift new comments replace old ones.
type rescanner struct {
	r                   *rand.Rand
	pool                []creator.Account
	comments            []creator.Comment
	audience            []creator.Account
	recent              []creator.Comment
	shift, commentShift int
	drawn               int
}

func (rs *rescanner) next(base *creator.Profile) *creator.Profile {
	n := 100
	if len(rs.audience) > 0 {
		n = rs.shift
	}
	for i := 0; i < n; i++ {
		rs.audience = append(rs.audience, rs.follower())
	}
	rs.audience = rs.audience[len(rs.audience)-100:]
	n = 200
	if len(rs.recent) > 0 {
		n = rs.commentShift
	}
	for i := 0; i < n; i++ {
		rs.recent = append(rs.recent, rs.comments[rs.r.IntN(len(rs.comments))])
	}
	rs.recent = rs.recent[len(rs.recent)-200:]
	p := *base
	p.Audience = append([]creator.Account(nil), rs.audience...)
	p.Comments = append([]creator.Comment(nil), rs.recent...)
	return &p
}

// follower draws the next follower: every seventh from the pool's fake
// accounts, the others from its genuine ones, so the audience's make-up
// never changes, only which accounts the sample holds.
func (rs *rescanner) follower() creator.Account {
	rs.drawn++
	for {
		a := rs.pool[rs.r.IntN(len(rs.pool))]
		if isFake := strings.HasPrefix(a.Handle, "user"); isFake == (rs.drawn%7 == 0) {
			return a
		}
	}
}

func TestAuthenticityStableAcrossRescans(t *testing.T) {
	tests := []struct {
		name string
		// new followers and comments a day, of 100 and 200 sampled
		shift, commentShift int
		// every scan from the second on within tol of their mean
		tol float64
	}{
		{"same sample every day", 0, 0, 0},
		{"ten new followers and twenty new comments a day", 10, 20, 2},
		{"thirty new followers and sixty new comments a day", 30, 60, 2},
		{"every sample redrawn", 100, 200, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(11, 12))
			base := testProfile(r, 30, 1000, 0)
			rs := &rescanner{r: r, pool: followerPool(r, 2000), comments: base.Comments, shift: tt.shift, commentShift: tt.commentShift}
			var history []creator.Snapshot
			var scores []float64
			for d := 0; d < 14; d++ {
				p := rs.next(base)
				s := Score(p, history, Options{Now: testNow.AddDate(0, 0, d)})
				history = append(history, Snapshot(p, s))
				scores = append(scores, s.Authenticity)
			}
			var mean float64
			for _, v := range scores[1:] {
				mean += v / float64(len(scores)-1)
			}
			for d, v := range scores[1:] {
				if math.Abs(v-mean) > tt.tol+1e-9 {
					t.Errorf("scan %d: authenticity %.2f, more than %.0f points from the rescans' mean %.2f (all: %.1f)", d+1, v, tt.tol, mean, scores)
				}
			}
		})
	}
}

// spikeHistory is daily snapshots from start to end (exclusive) of a
// creator growing by 40 followers a day, with a jump of jump followers on
// spikeDay and engagement flat throughout.
func spikeHistory(start time.Time, days, spikeDay int, jump int64) []creator.Snapshot {
	var h []creator.Snapshot
	f := int64(20_000)
	for d := 0; d < days; d++ {
		f += 40
		if d == spikeDay {
			f += jump
		}
		h = append(h, creator.Snapshot{At: start.AddDate(0, 0, d), Followers: f, PostsCount: 1000 + int64(d)/2,
			AvgEngagement: 800, MaxEngagement: 1200, PostsPerWeek: 3.5, Authenticity: 0})
	}
	return h
}

func TestSuspiciousSpikeWeighsThroughWindow(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	p := testProfile(r, 30, 200, 100)
	start := testNow.AddDate(0, 0, -150)
	const spikeDay = 20
	spikeAt := start.AddDate(0, 0, spikeDay)
	tests := []struct {
		name      string
		daysAfter int
		lowered   bool
	}{
		{"day after", 1, true},
		{"a month after", 30, true},
		{"last day of the window", 89, true},
		{"after the window", 91, false},
		{"long after", 120, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := spikeAt.AddDate(0, 0, tt.daysAfter).Add(time.Hour)
			n := spikeDay + tt.daysAfter
			with := spikeHistory(start, n, spikeDay, 9_280)
			without := spikeHistory(start, n, spikeDay, 0)
			q := *p
			q.Followers = with[len(with)-1].Followers + 40
			sw := Score(&q, with, Options{Now: now})
			q.Followers = without[len(without)-1].Followers + 40
			so := Score(&q, without, Options{Now: now})
			diff := so.Authenticity - sw.Authenticity
			if tt.lowered && diff < authSpikePenalty-0.5 {
				t.Errorf("%d days after the spike: authenticity %.1f with it, %.1f without; want at least %.0f lower",
					tt.daysAfter, sw.Authenticity, so.Authenticity, authSpikePenalty)
			}
			if !tt.lowered && math.Abs(diff) > 0.5 {
				t.Errorf("%d days after the spike: authenticity %.1f with it, %.1f without; want the same after the window",
					tt.daysAfter, sw.Authenticity, so.Authenticity)
			}
			found := false
			for _, e := range detail(sw, "authenticity").Evidence {
				found = found || e.Signal == "spike_deduction" && e.Value == -authSpikePenalty
			}
			if found != tt.lowered {
				t.Errorf("spike deduction in the evidence: %v, want %v", found, tt.lowered)
			}
		})
	}
}

func detail(s creator.Scores, name string) creator.SubScore {
	for _, d := range s.Details {
		if d.Name == name {
			return d
		}
	}
	return creator.SubScore{}
}

// TestAuthenticityHeadline checks that the summary names the signal that
// costs the most points, and that the parts' evidence recomputes the score.
func TestAuthenticityHeadline(t *testing.T) {
	spike := GrowthResult{Snapshots: 30, Spikes: []Spike{{Kind: SpikeSuspicious, To: testNow.AddDate(0, 0, -3), Change: 9280}}}
	okComments := commentResult{n: 100, sub: creator.SubScore{Score: 95, Confidence: 0.9}, genericShare: 0.05}
	dupComments := commentResult{n: 100, sub: creator.SubScore{Score: 60, Confidence: 0.9}, dupShare: 1}
	goodAud := AudienceEstimate{Sampled: 100, Share: 0.02, Low: 0, High: 0.06}
	badAud := AudienceEstimate{Sampled: 100, Share: 0.4, Low: 0.3, High: 0.5}
	audSub := func(e AudienceEstimate) creator.SubScore { return audienceScore(e, "followers") }
	tests := []struct {
		name  string
		aud   AudienceEstimate
		cr    commentResult
		g     GrowthResult
		want  string
		score float64
	}{
		{"spike strongest", goodAud, okComments, spike, "suspicious follower spike (+9,280", 0},
		{"repeated comments strongest", goodAud, dupComments, GrowthResult{}, "100% of 100 sampled comments are repeated across posts", 0},
		{"fake audience strongest", badAud, okComments, GrowthResult{}, "an estimated 40% of the audience is fake", 0},
		{"nothing wrong", goodAud, okComments, GrowthResult{}, "No signal costs more than", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := scoreAuthenticity(audSub(tt.aud), tt.aud, tt.cr, engagementResult{}, tt.g, nil, 100_000, false, testNow)
			if !strings.Contains(s.Summary, tt.want) {
				t.Errorf("summary %q, want it to name %q", s.Summary, tt.want)
			}
			// Recompute from the evidence: sum of weight x sub-score over
			// the weights, minus the spike deduction.
			var sum, sw, ded float64
			for _, e := range s.Evidence {
				var w float64
				if _, after, ok := strings.Cut(e.Text, ", weight "); ok && strings.HasPrefix(e.Text, "Part ") {
					if _, err := fmt.Sscanf(after, "%f", &w); err != nil {
						t.Fatalf("evidence %q: reading the weight: %v", e.Text, err)
					}
					sum += w * e.Value
					sw += w
				}
				if e.Signal == "spike_deduction" {
					ded = e.Value
				}
			}
			if got := clamp(sum/sw+ded, 0, 100); math.Abs(got-s.Score) > 0.01 {
				t.Errorf("parts recompute to %.3f, score is %.3f; evidence %+v", got, s.Score, s.Evidence)
			}
		})
	}
}

// TestAuthenticityWithoutAudienceSample checks that a creator from a
// platform without follower lists (Instagram, Twitch) is rated on
// engagement and growth alone, with lower confidence, and says so.
func TestAuthenticityWithoutAudienceSample(t *testing.T) {
	base := creator.Profile{Ref: creator.Ref{Platform: "instagram", ID: "1", Handle: "cook"}, Followers: 20_000}
	for i := range 12 {
		base.Posts = append(base.Posts, creator.Post{ID: strconv.Itoa(i), Text: "Dinner tonight", Likes: 600, Replies: 25,
			Views: -1, CreatedAt: testNow.Add(-time.Duration(i*36) * time.Hour)})
	}
	auth := func(p creator.Profile) creator.SubScore {
		for _, d := range Score(&p, nil, Options{Now: testNow}).Details {
			if d.Name == "authenticity" {
				return d
			}
		}
		t.Fatal("no authenticity sub-score")
		return creator.SubScore{}
	}
	plain := auth(base)
	if plain.Score != 0 {
		t.Errorf("without a label or sample: score %.1f, want none", plain.Score)
	}
	labeled := base
	labeled.Labels = []string{creator.LabelNoAudienceSample}
	got := auth(labeled)
	if got.Score <= 0 || got.Confidence <= 0 || got.Confidence >= 0.5 {
		t.Errorf("labeled: score %.1f confidence %.2f, want a score with confidence under 0.5", got.Score, got.Confidence)
	}
	said := false
	for _, e := range got.Evidence {
		if e.Signal == "no_audience_sample" && strings.Contains(e.Text, "no follower lists") {
			said = true
		}
	}
	if !said {
		t.Errorf("evidence does not say there are no follower lists: %+v", got.Evidence)
	}
}
