package watch

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/scoring"
)

var t0 = time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC)

func day(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }

// snap is a healthy baseline snapshot on day n.
func snap(n int, edit func(s *creator.Snapshot)) creator.Snapshot {
	s := creator.Snapshot{
		At: day(n), Followers: 10000, EngagementRate: 0.03, AvgEngagement: 300,
		LastPostAt: day(n).Add(-24 * time.Hour), Authenticity: 80, PrimaryNiche: "fitness",
	}
	if edit != nil {
		edit(&s)
	}
	return s
}

func rec(key string) *creator.Record {
	return &creator.Record{Key: key, Profile: creator.Profile{Ref: creator.Ref{Platform: creator.Bluesky, ID: "did:plc:" + key}},
		Scores: creator.Scores{Model: scoring.Model}}
}

func kinds(evs []index.AlertEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Kind)
	}
	return out
}

func TestDetectKinds(t *testing.T) {
	tests := []struct {
		name    string
		noPrev  bool
		history []creator.Snapshot
		rules   index.AlertRules
		want    []string
		// prevModel is the scoring model of the previous record ("" the
		// same as the current one's).
		prevModel string
	}{
		{
			name:    "no change",
			history: []creator.Snapshot{snap(0, nil), snap(1, nil)},
		},
		{
			name: "bought followers: spike without engagement",
			history: []creator.Snapshot{snap(0, nil), snap(1, func(s *creator.Snapshot) {
				s.Followers, s.AvgEngagement, s.EngagementRate = 14000, 305, 0.022
			})},
			want: []string{KindFollowerSpike},
		},
		{
			name: "viral: spike with engagement",
			history: []creator.Snapshot{snap(0, nil), snap(1, func(s *creator.Snapshot) {
				s.Followers, s.AvgEngagement, s.EngagementRate = 14000, 900, 0.06
			})},
		},
		{
			name: "spike switched off",
			history: []creator.Snapshot{snap(0, nil), snap(1, func(s *creator.Snapshot) {
				s.Followers, s.AvgEngagement = 14000, 305
			})},
			rules: index.AlertRules{DisableSpike: true},
		},
		{
			name: "spike continuing from the previous scan is not repeated",
			history: []creator.Snapshot{
				snap(0, nil),
				snap(1, func(s *creator.Snapshot) { s.Followers = 12000 }),
				snap(2, func(s *creator.Snapshot) { s.Followers = 14400 }),
			},
		},
		{
			name: "slow growth is no spike",
			history: []creator.Snapshot{snap(0, nil), snap(7, func(s *creator.Snapshot) {
				s.Followers = 12000
				s.LastPostAt = day(6)
			})},
		},
		{
			name:    "gain below the minimum is no spike",
			history: []creator.Snapshot{snap(0, func(s *creator.Snapshot) { s.Followers = 500 }), snap(1, func(s *creator.Snapshot) { s.Followers = 590 })},
		},
		{
			name:    "authenticity crosses below the threshold",
			history: []creator.Snapshot{snap(0, func(s *creator.Snapshot) { s.Authenticity = 60 }), snap(1, func(s *creator.Snapshot) { s.Authenticity = 45 })},
			want:    []string{KindAuthenticityBelow},
		},
		{
			name:    "authenticity already below raises nothing",
			history: []creator.Snapshot{snap(0, func(s *creator.Snapshot) { s.Authenticity = 45 }), snap(1, func(s *creator.Snapshot) { s.Authenticity = 44 })},
		},
		{
			name:    "authenticity drops by more than the points",
			history: []creator.Snapshot{snap(0, func(s *creator.Snapshot) { s.Authenticity = 90 }), snap(1, func(s *creator.Snapshot) { s.Authenticity = 70 })},
			want:    []string{KindAuthenticityDrop},
		},
		{
			name:    "authenticity drop and crossing together",
			history: []creator.Snapshot{snap(0, func(s *creator.Snapshot) { s.Authenticity = 70 }), snap(1, func(s *creator.Snapshot) { s.Authenticity = 40 })},
			want:    []string{KindAuthenticityBelow, KindAuthenticityDrop},
		},
		{
			name:    "custom authenticity thresholds",
			history: []creator.Snapshot{snap(0, func(s *creator.Snapshot) { s.Authenticity = 80 }), snap(1, func(s *creator.Snapshot) { s.Authenticity = 74 })},
			rules:   index.AlertRules{AuthenticityBelow: 75, AuthenticityDrop: 5},
			want:    []string{KindAuthenticityBelow, KindAuthenticityDrop},
		},
		{
			name:    "authenticity not computed raises nothing",
			history: []creator.Snapshot{snap(0, nil), snap(1, func(s *creator.Snapshot) { s.Authenticity = 0 })},
		},
		{
			name:    "engagement rate drops by 40%",
			history: []creator.Snapshot{snap(0, func(s *creator.Snapshot) { s.EngagementRate = 0.05 }), snap(1, func(s *creator.Snapshot) { s.EngagementRate = 0.03 })},
			want:    []string{KindEngagementDrop},
		},
		{
			name:    "engagement rate drop of 20% is under the default",
			history: []creator.Snapshot{snap(0, func(s *creator.Snapshot) { s.EngagementRate = 0.05 }), snap(1, func(s *creator.Snapshot) { s.EngagementRate = 0.04 })},
		},
		{
			name:    "engagement rate drop of 20% over a custom 10%",
			history: []creator.Snapshot{snap(0, func(s *creator.Snapshot) { s.EngagementRate = 0.05 }), snap(1, func(s *creator.Snapshot) { s.EngagementRate = 0.04 })},
			rules:   index.AlertRules{EngagementDropPct: 10},
			want:    []string{KindEngagementDrop},
		},
		{
			name: "quiet period reached",
			history: []creator.Snapshot{
				snap(13, func(s *creator.Snapshot) { s.LastPostAt = day(0) }),
				snap(14, func(s *creator.Snapshot) { s.LastPostAt = day(0) }),
			},
			want: []string{KindQuiet},
		},
		{
			name: "quiet period already reported",
			history: []creator.Snapshot{
				snap(14, func(s *creator.Snapshot) { s.LastPostAt = day(0) }),
				snap(15, func(s *creator.Snapshot) { s.LastPostAt = day(0) }),
			},
		},
		{
			name: "custom quiet days",
			history: []creator.Snapshot{
				snap(2, func(s *creator.Snapshot) { s.LastPostAt = day(0) }),
				snap(3, func(s *creator.Snapshot) { s.LastPostAt = day(0) }),
			},
			rules: index.AlertRules{QuietDays: 3},
			want:  []string{KindQuiet},
		},
		{
			name: "new undisclosed sponsored post",
			history: []creator.Snapshot{
				snap(0, func(s *creator.Snapshot) { s.UndisclosedPostIDs = []string{"p1"} }),
				snap(1, func(s *creator.Snapshot) { s.UndisclosedPostIDs = []string{"p1", "p2"} }),
			},
			want: []string{KindUndisclosedSponsored},
		},
		{
			name: "undisclosed post already seen",
			history: []creator.Snapshot{
				snap(0, func(s *creator.Snapshot) { s.UndisclosedPostIDs = []string{"p1"} }),
				snap(1, func(s *creator.Snapshot) { s.UndisclosedPostIDs = []string{"p1"} }),
			},
		},
		{
			name: "undisclosed switched off",
			history: []creator.Snapshot{
				snap(0, nil),
				snap(1, func(s *creator.Snapshot) { s.UndisclosedPostIDs = []string{"p2"} }),
			},
			rules: index.AlertRules{DisableUndisclosed: true},
		},
		{
			name:    "niche change",
			history: []creator.Snapshot{snap(0, nil), snap(1, func(s *creator.Snapshot) { s.PrimaryNiche = "gaming" })},
			want:    []string{KindNicheChange},
		},
		{
			// A new scoring model reads niches anew: not the creator's doing.
			name:      "niche change with the scoring model",
			history:   []creator.Snapshot{snap(0, nil), snap(1, func(s *creator.Snapshot) { s.PrimaryNiche = "gaming" })},
			prevModel: "v1-2026-11",
		},
		{
			// Other alerts still fire across a model change.
			name:      "authenticity below across a model change",
			history:   []creator.Snapshot{snap(0, nil), snap(1, func(s *creator.Snapshot) { s.Authenticity = 30 })},
			prevModel: "v1-2026-11",
			want:      []string{KindAuthenticityBelow, KindAuthenticityDrop},
		},
		{
			name:    "niche change switched off",
			history: []creator.Snapshot{snap(0, nil), snap(1, func(s *creator.Snapshot) { s.PrimaryNiche = "gaming" })},
			rules:   index.AlertRules{DisableNicheChange: true},
		},
		{
			name:    "niche unknown before is no change",
			history: []creator.Snapshot{snap(0, func(s *creator.Snapshot) { s.PrimaryNiche = "" }), snap(1, nil)},
		},
		{
			name:   "first crawl: only conditions that hold now",
			noPrev: true,
			history: []creator.Snapshot{snap(0, func(s *creator.Snapshot) {
				s.Authenticity = 30
				s.UndisclosedPostIDs = []string{"p9"}
			})},
			want: []string{KindAuthenticityBelow, KindUndisclosedSponsored},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var prev *creator.Record
			if !tc.noPrev {
				prev = rec("a")
				if tc.prevModel != "" {
					prev.Scores.Model = tc.prevModel
				}
			}
			got := Detect(prev, rec("a"), tc.history, tc.rules, tc.history[len(tc.history)-1].At)
			if diff := cmp.Diff(tc.want, kinds(got)); diff != "" {
				t.Errorf("kinds (-want +got):\n%s", diff)
			}
			for _, e := range got {
				if e.CreatorKey != "a" || !e.At.Equal(tc.history[len(tc.history)-1].At) || e.Message == "" {
					t.Errorf("event %+v: want creator a, At of the last snapshot and a message", e)
				}
			}
		})
	}
}

func TestDetectSpikeEvent(t *testing.T) {
	cur := rec("a")
	cur.Scores.Details = []creator.SubScore{{Name: "growth", Evidence: []creator.Evidence{{Signal: "growth_30d", Value: 0.4}}}}
	h := []creator.Snapshot{snap(0, nil), snap(1, func(s *creator.Snapshot) { s.Followers, s.AvgEngagement = 14000, 300 })}
	got := Detect(rec("a"), cur, h, index.AlertRules{}, day(1))
	want := []index.AlertEvent{{
		CreatorKey: "a",
		Kind:       KindFollowerSpike,
		At:         day(1),
		Message:    "followers +4000 (+40%) in 1 day(s) with average engagement +0%: suspicious",
		Before:     map[string]any{"followers": 10000.0, "avg_engagement": 300.0, "at": "2026-03-01T06:00:00Z"},
		After:      map[string]any{"followers": 14000.0, "avg_engagement": 300.0, "at": "2026-03-02T06:00:00Z"},
		Evidence: []creator.Evidence{
			{Signal: "follower_gain", Value: 4000, Text: "follower count +4000 (10000 to 14000) in 1 day(s)"},
			{Signal: "follower_growth_pct_per_day", Value: 40},
			{Signal: "avg_engagement_change_pct", Value: 0, Text: "average engagement per post 300.0 to 300.0, no matching rise"},
			{Signal: "growth_30d", Value: 0.4},
		},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Detect (-want +got):\n%s", diff)
	}
}

func TestDetectWithoutHistoryUsesRecords(t *testing.T) {
	prev, cur := rec("a"), rec("a")
	prev.Scores = creator.Scores{ComputedAt: day(0), Authenticity: 80, PrimaryNiche: "food"}
	cur.Scores = creator.Scores{ComputedAt: day(1), Authenticity: 80, PrimaryNiche: "travel"}
	got := Detect(prev, cur, nil, index.AlertRules{}, day(1))
	if diff := cmp.Diff([]string{KindNicheChange}, kinds(got)); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
}

func TestEventIDIsStable(t *testing.T) {
	a := EventID("wl", "k", KindQuiet, day(1))
	if b := EventID("wl", "k", KindQuiet, day(1).In(time.FixedZone("x", 3600))); a != b {
		t.Errorf("EventID differs by zone: %s vs %s", a, b)
	}
	for _, other := range []string{EventID("wl2", "k", KindQuiet, day(1)), EventID("wl", "k2", KindQuiet, day(1)),
		EventID("wl", "k", KindNicheChange, day(1)), EventID("wl", "k", KindQuiet, day(2))} {
		if other == a {
			t.Errorf("EventID collision: %s", a)
		}
	}
}

// steadyHistory is n daily snapshots growing 50 followers a day with
// slightly varying engagement and posting, as a real history does.
func steadyHistory(n int) []creator.Snapshot {
	var h []creator.Snapshot
	for i := range n {
		h = append(h, snap(i, func(s *creator.Snapshot) {
			s.Followers = 10000 + int64(i*50+(i%3)*7)
			s.AvgEngagement = 300 + float64(i%4)*6
			s.PostsCount = 500 + int64(i)
		}))
	}
	return h
}

func TestDetectSpikeByGrowthScorer(t *testing.T) {
	tests := []struct {
		name  string
		steps []func(s *creator.Snapshot) // snapshots after the steady history
		want  []string
	}{
		{
			name:  "bought: jump with flat engagement",
			steps: []func(s *creator.Snapshot){func(s *creator.Snapshot) { s.Followers, s.AvgEngagement = 13500, 305 }},
			want:  []string{KindFollowerSpike},
		},
		{
			name:  "viral: jump with engagement three times usual",
			steps: []func(s *creator.Snapshot){func(s *creator.Snapshot) { s.Followers, s.AvgEngagement = 13500, 950 }},
		},
		{
			name:  "ordinary day",
			steps: []func(s *creator.Snapshot){func(s *creator.Snapshot) { s.Followers, s.AvgEngagement = 10460, 301 }},
		},
		{
			name: "second day of a bought jump is not reported again",
			steps: []func(s *creator.Snapshot){
				func(s *creator.Snapshot) { s.Followers, s.AvgEngagement = 12000, 302 },
				func(s *creator.Snapshot) { s.Followers, s.AvgEngagement = 14000, 301 },
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := steadyHistory(8)
			for i, f := range tc.steps {
				h = append(h, snap(8+i, func(s *creator.Snapshot) {
					*s = h[len(h)-1]
					s.At = day(8 + i)
					s.LastPostAt = day(8 + i).Add(-time.Hour)
					s.PostsCount++
					f(s)
				}))
			}
			got := Detect(rec("a"), rec("a"), h, index.AlertRules{}, h[len(h)-1].At)
			if diff := cmp.Diff(tc.want, kinds(got)); diff != "" {
				t.Errorf("kinds (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAuthenticityAlertQuotesThePanel checks that an authenticity alert
// quotes the record's score, as the creator's panel shows it (rounded half
// up, and the fall between the numbers shown), with the headline's
// strongest negative signal, even when the history's last snapshot carries
// another figure.
func TestAuthenticityAlertQuotesThePanel(t *testing.T) {
	cur := rec("a")
	cur.Scores = creator.Scores{ComputedAt: day(1), Authenticity: 40.5, Details: []creator.SubScore{{Name: "authenticity",
		Summary: "Authenticity 41/100 (questionable). Strongest negative signal: 62% of 200 sampled comments are repeated across posts (18 points)."}}}
	history := []creator.Snapshot{snap(0, nil), snap(1, func(s *creator.Snapshot) { s.Authenticity = 47 })}
	got := Detect(nil, cur, history, index.AlertRules{}, day(1))
	var msgs []string
	for _, e := range got {
		if e.Kind == KindAuthenticityBelow || e.Kind == KindAuthenticityDrop {
			msgs = append(msgs, e.Message)
		}
	}
	want := []string{
		"authenticity 41 is below 50: 62% of 200 sampled comments are repeated across posts (18 points)",
		"authenticity fell 39 points, from 80 to 41: 62% of 200 sampled comments are repeated across posts (18 points)",
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("alert messages (-want +got):\n%s", diff)
	}
}
