package scoring

import (
	"testing"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/google/go-cmp/cmp"
)

// series builds daily snapshots ending at testNow from per-day follower
// deltas; eng gives AvgEngagement per day (nil means 500 throughout).
func series(start int64, deltas []int64, eng func(i int) float64) []creator.Snapshot {
	var out []creator.Snapshot
	f := start
	n := len(deltas) + 1
	for i := 0; i < n; i++ {
		if i > 0 {
			f += deltas[i-1]
		}
		e := 500.0
		if eng != nil {
			e = eng(i)
		}
		out = append(out, creator.Snapshot{At: testNow.AddDate(0, 0, -n+1+i), Followers: f, PostsCount: 100 + int64(i)/2, AvgEngagement: e})
	}
	return out
}

// withMax sets MaxEngagement of day i to f(i).
func withMax(h []creator.Snapshot, f func(i int) float64) []creator.Snapshot {
	for i := range h {
		h[i].MaxEngagement = f(i)
	}
	return h
}

func repeat(d int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func withJump(base []int64, at int, d int64) []int64 {
	out := append([]int64(nil), base...)
	out[at] = d
	return out
}

func TestGrowth(t *testing.T) {
	alternating := make([]int64, 40)
	for i := range alternating {
		if i%2 == 0 {
			alternating[i] = 500
		} else {
			alternating[i] = -450
		}
	}
	type want struct {
		Trend  string
		Kinds  []string
		Rising bool // Change30d > 0
	}
	tests := []struct {
		name string
		h    []creator.Snapshot
		want want
	}{
		{"no snapshots", nil, want{Trend: TrendNew}},
		{"one snapshot", series(1000, nil, nil), want{Trend: TrendNew}},
		{"steady", series(10_000, repeat(1, 60), nil), want{Trend: TrendSteady, Rising: true}},
		{"rising", series(10_000, repeat(200, 60), nil), want{Trend: TrendRising, Rising: true}},
		{"declining", series(10_000, repeat(-30, 60), nil), want{Trend: TrendDeclining}},
		{"suspicious spike", series(10_000, withJump(repeat(10, 60), 40, 3000), nil),
			want{Trend: TrendRising, Kinds: []string{SpikeSuspicious}, Rising: true}},
		{"viral spike", series(10_000, withJump(repeat(10, 60), 40, 3000), func(i int) float64 {
			if i >= 40 && i <= 42 {
				return 4000
			}
			return 500
		}), want{Trend: TrendRising, Kinds: []string{SpikeViral}, Rising: true}},
		{"small engagement swing does not explain a jump", withMax(series(10_000, withJump(repeat(10, 60), 40, 3000), func(i int) float64 {
			if i >= 40 && i <= 42 {
				return 800
			}
			return 500
		}), func(i int) float64 {
			if i >= 40 && i <= 42 {
				return 1600
			}
			return 1000
		}), want{Trend: TrendRising, Kinds: []string{SpikeSuspicious}, Rising: true}},
		{"two-day viral rise", withMax(series(10_000, withJump(withJump(repeat(10, 60), 40, 2000), 41, 1500), nil), func(i int) float64 {
			if i >= 40 {
				return 40_000 // a post took off on day 40
			}
			return 1000
		}), want{Trend: TrendRising, Kinds: []string{SpikeViral, SpikeViral}, Rising: true}},
		{"drop", series(10_000, withJump(repeat(5, 60), 30, -2500), nil), want{Trend: TrendDeclining, Kinds: []string{SpikeDrop}}},
		{"volatile", series(10_000, alternating, nil), want{Trend: TrendVolatile, Rising: true}},
		{"zero followers throughout", series(0, repeat(0, 30), nil), want{Trend: TrendSteady}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := Growth(tt.h, creator.Snapshot{}, testNow)
			assertFinite(t, g)
			got := want{Trend: g.Trend, Rising: g.Change30d > 0}
			for _, s := range g.Spikes {
				got.Kinds = append(got.Kinds, s.Kind)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Growth (-want +got):\n%s\nsummary: %s", diff, g.Summary)
			}
			if g.Summary == "" {
				t.Error("empty summary")
			}
			if g.Score < 0 || g.Score > 100 {
				t.Errorf("score %v", g.Score)
			}
			for _, s := range g.Spikes {
				if s.Summary == "" {
					t.Errorf("spike without summary: %+v", s)
				}
			}
		})
	}
}

func TestGrowthOrderAndCurrent(t *testing.T) {
	h := series(10_000, withJump(repeat(10, 30), 20, 2000), nil)
	sorted := Growth(h[:len(h)-1], h[len(h)-1], testNow)
	shuffled := append([]creator.Snapshot(nil), h[:len(h)-1]...)
	for i, j := 0, len(shuffled)-1; i < j; i, j = i+1, j-1 {
		shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
	}
	// A duplicate timestamp keeps the later entry.
	shuffled = append(shuffled, shuffled[0])
	got := Growth(shuffled, h[len(h)-1], testNow)
	if diff := cmp.Diff(sorted, got); diff != "" {
		t.Errorf("Growth on reversed history (-want +got):\n%s", diff)
	}
	if sorted.Suspicious != 1 {
		t.Errorf("suspicious spikes = %d, want 1", sorted.Suspicious)
	}
}

func TestGrowthSubOneSnapshotEstimatesFromPosts(t *testing.T) {
	p := &creator.Profile{Followers: 5000, CreatedAt: testNow.AddDate(-2, 0, 0)}
	for i := 0; i < 20; i++ {
		// Engagement doubles every 10 days: newer posts do better.
		likes := int64(100 << (uint(19-i) / 10))
		p.Posts = append(p.Posts, creator.Post{ID: "p", CreatedAt: testNow.Add(-time.Duration(i) * 24 * time.Hour), Likes: likes})
	}
	g := Growth(nil, creator.Snapshot{At: testNow, Followers: 5000}, testNow)
	sub, g := growthSub(g, p, testNow)
	if !g.EstimatedFromPosts || g.Trend != TrendRising {
		t.Errorf("trend %q, estimated %v, want rising estimated from posts; %s", g.Trend, g.EstimatedFromPosts, g.Summary)
	}
	if sub.Confidence <= 0 || sub.Confidence > 0.25 {
		t.Errorf("confidence %v, want low but positive", sub.Confidence)
	}
}
