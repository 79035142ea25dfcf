package watch

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/scoring"
)

// Alert kinds, the values of index.AlertEvent.Kind.
const (
	// KindFollowerSpike is a follower spike judged suspicious: followers
	// jumped with no matching rise in engagement.
	KindFollowerSpike = "follower_spike"
	// KindAuthenticityBelow is authenticity falling below the threshold.
	KindAuthenticityBelow = "authenticity_below"
	// KindAuthenticityDrop is authenticity falling by more than N points
	// since the previous scan.
	KindAuthenticityDrop = "authenticity_drop"
	// KindEngagementDrop is the engagement rate falling by more than X%
	// since the previous scan.
	KindEngagementDrop = "engagement_drop"
	// KindQuiet is no posts for N days.
	KindQuiet = "quiet"
	// KindUndisclosedSponsored is a new sponsored post without disclosure.
	KindUndisclosedSponsored = "undisclosed_sponsored"
	// KindNicheChange is a change of primary niche.
	KindNicheChange = "niche_change"
)

// Kinds lists every alert kind.
var Kinds = []string{KindFollowerSpike, KindAuthenticityBelow, KindAuthenticityDrop, KindEngagementDrop,
	KindQuiet, KindUndisclosedSponsored, KindNicheChange}

// Default thresholds, used where a watchlist's index.AlertRules field is
// zero.
const (
	// DefaultAuthenticityBelow is the authenticity (0..100) under which a
	// creator is flagged.
	DefaultAuthenticityBelow = 50.0
	// DefaultAuthenticityDrop is the fall in authenticity points between two
	// scans that is flagged.
	DefaultAuthenticityDrop = 15.0
	// DefaultEngagementDropPct is the relative fall in engagement rate, in
	// percent, between two scans that is flagged.
	DefaultEngagementDropPct = 30.0
	// DefaultQuietDays is how many days without a post are flagged.
	DefaultQuietDays = 14.0
)

// Follower spike thresholds (not configurable per watchlist; a watchlist
// can only switch the alert off with AlertRules.DisableSpike). With
// MinGrowthSnapshots snapshots or more the growth scorer (scoring.Growth)
// judges spikes against the creator's own history; the pairwise thresholds
// below apply to shorter histories.
const (
	// MinGrowthSnapshots is the history length from which scoring.Growth
	// judges follower spikes.
	MinGrowthSnapshots = 6

	// SpikeMinGain is the smallest follower gain between two scans that can
	// be a spike.
	SpikeMinGain = 100
	// SpikeMinDailyPct is the smallest follower growth, in percent per day
	// between two scans, that is a spike.
	SpikeMinDailyPct = 5.0
	// SpikeEngagementShare is how much of the follower growth the engagement
	// growth must match for a spike to be organic (viral): with followers
	// +100% and average engagement per post up by less than +25%, the spike
	// is judged suspicious.
	SpikeEngagementShare = 0.25
)

// Detect compares the creator's new record cur with the previous one prev
// (nil on a first crawl) and returns the alert events the change raises
// under rules, oldest condition first. history is the creator's snapshot
// history, oldest first, including the snapshot of cur as its last entry;
// when it holds fewer than two snapshots, the records' scores stand in.
//
// Alerts fire when a condition starts to hold, not on every scan while it
// holds: authenticity crossing below the threshold, the quiet period being
// reached, a spike that the previous pair of scans did not already show.
// An authenticity of 0 means "not computed" and raises nothing.
//
// The events carry CreatorKey, Kind, At (the time of cur's snapshot, or now
// when it has none), Message, Before, After and Evidence; the caller fills
// ID and WatchlistID (see EventID). Detect is pure and safe for concurrent
// use.
func Detect(prev, cur *creator.Record, history []creator.Snapshot, rules index.AlertRules, now time.Time) []index.AlertEvent {
	if cur == nil {
		return nil
	}
	r := withDefaults(rules)
	var cs, ps creator.Snapshot
	havePrev := false
	switch n := len(history); {
	case n >= 2:
		cs, ps, havePrev = history[n-1], history[n-2], true
	case n == 1:
		cs = history[0]
		if prev != nil {
			ps, havePrev = scoring.RecordSnapshot(prev), true
		}
	default:
		cs = scoring.RecordSnapshot(cur)
		if prev != nil {
			ps, havePrev = scoring.RecordSnapshot(prev), true
		}
	}
	at := cs.At
	if at.IsZero() {
		at = now
	}
	d := detector{cur: cur, at: at}

	if !rules.DisableSpike && havePrev {
		if ev, ok := spikeAlert(ps, cs, history, at); ok {
			d.add(KindFollowerSpike, ev.message,
				map[string]any{"followers": float64(ps.Followers), "avg_engagement": round(ps.AvgEngagement, 2), "at": stamp(ps.At)},
				map[string]any{"followers": float64(cs.Followers), "avg_engagement": round(cs.AvgEngagement, 2), "at": stamp(cs.At)},
				append(ev.evidence, detailEvidence(cur, "growth")...))
		}
	}

	// The alert quotes the number the creator's panel shows: the record's
	// authenticity, which is also its snapshot's.
	curA := cs.Authenticity
	if cur.Scores.Authenticity > 0 {
		curA = cur.Scores.Authenticity
	}
	if curA > 0 {
		prevA := 0.0
		if havePrev {
			prevA = ps.Authenticity
		}
		if curA < r.AuthenticityBelow && (prevA == 0 || prevA >= r.AuthenticityBelow) {
			d.add(KindAuthenticityBelow,
				"authenticity "+wholeNumber(curA)+" is below "+wholeNumber(r.AuthenticityBelow)+authHeadline(cur),
				beforeMap("authenticity", prevA, havePrev && prevA > 0),
				map[string]any{"authenticity": round(curA, 1), "threshold": r.AuthenticityBelow},
				detailEvidence(cur, "authenticity"))
		}
		if prevA > 0 && prevA-curA > r.AuthenticityDrop {
			d.add(KindAuthenticityDrop,
				"authenticity fell "+wholeNumber(math.Round(prevA)-math.Round(curA))+" points, from "+wholeNumber(prevA)+" to "+wholeNumber(curA)+authHeadline(cur),
				map[string]any{"authenticity": round(prevA, 1)},
				map[string]any{"authenticity": round(curA, 1), "drop": round(prevA-curA, 1), "threshold": r.AuthenticityDrop},
				detailEvidence(cur, "authenticity"))
		}
	}

	if havePrev && ps.EngagementRate > 0 {
		dropPct := (ps.EngagementRate - cs.EngagementRate) / ps.EngagementRate * 100
		if dropPct > r.EngagementDropPct {
			d.add(KindEngagementDrop,
				fmt.Sprintf("engagement rate fell %.0f%%, from %.2f%% to %.2f%%", dropPct, ps.EngagementRate*100, cs.EngagementRate*100),
				map[string]any{"engagement_rate": round(ps.EngagementRate, 5), "avg_engagement": round(ps.AvgEngagement, 2), "followers": float64(ps.Followers)},
				map[string]any{"engagement_rate": round(cs.EngagementRate, 5), "avg_engagement": round(cs.AvgEngagement, 2), "followers": float64(cs.Followers), "drop_pct": round(dropPct, 1), "threshold_pct": r.EngagementDropPct},
				detailEvidence(cur, "engagement"))
		}
	}

	if !cs.LastPostAt.IsZero() {
		quiet := at.Sub(cs.LastPostAt).Hours() / 24
		wasQuiet := false
		if havePrev && !ps.LastPostAt.IsZero() && !ps.At.IsZero() {
			wasQuiet = ps.At.Sub(ps.LastPostAt).Hours()/24 >= r.QuietDays
		}
		if quiet >= r.QuietDays && !wasQuiet {
			d.add(KindQuiet,
				fmt.Sprintf("no posts for %.0f days (since %s)", math.Floor(quiet), cs.LastPostAt.UTC().Format("2006-01-02")),
				nil,
				map[string]any{"last_post_at": stamp(cs.LastPostAt), "days_since_last_post": round(quiet, 1), "threshold_days": r.QuietDays},
				[]creator.Evidence{{Signal: "days_since_last_post", Value: round(quiet, 1),
					Text: fmt.Sprintf("last post %s, %.0f days before this scan", cs.LastPostAt.UTC().Format("2006-01-02"), math.Floor(quiet))}})
		}
	}

	if !rules.DisableUndisclosed {
		var fresh []string
		for _, id := range cs.UndisclosedPostIDs {
			if !slices.Contains(ps.UndisclosedPostIDs, id) && !slices.Contains(fresh, id) {
				fresh = append(fresh, id)
			}
		}
		if len(fresh) > 0 {
			ev := make([]creator.Evidence, 0, len(fresh))
			for _, id := range fresh {
				ev = append(ev, creator.Evidence{Signal: "undisclosed_sponsored_post", Value: 1, PostID: id,
					Text: "post " + id + " looks sponsored but carries no disclosure"})
			}
			ev = append(ev, detailEvidence(cur, "disclosure")...)
			d.add(KindUndisclosedSponsored,
				fmt.Sprintf("%d new sponsored post(s) without disclosure", len(fresh)),
				map[string]any{"undisclosed_post_ids": nonNil(ps.UndisclosedPostIDs)},
				map[string]any{"undisclosed_post_ids": nonNil(cs.UndisclosedPostIDs), "new_post_ids": fresh},
				ev)
		}
	}

	// A primary niche that changed with the scoring model is the model's
	// doing, not the creator's: after an upgrade, the first rescan of
	// every watched creator would otherwise alert.
	sameModel := prev == nil || prev.Scores.Model == cur.Scores.Model
	if !rules.DisableNicheChange && havePrev && sameModel && ps.PrimaryNiche != "" && cs.PrimaryNiche != "" && ps.PrimaryNiche != cs.PrimaryNiche {
		d.add(KindNicheChange,
			fmt.Sprintf("primary niche changed from %s to %s", ps.PrimaryNiche, cs.PrimaryNiche),
			map[string]any{"primary_niche": ps.PrimaryNiche},
			map[string]any{"primary_niche": cs.PrimaryNiche},
			detailEvidence(cur, "niche"))
	}
	return d.events
}

// EventID returns the id of the alert event of kind on the creator key in
// watchlist wl raised by the snapshot taken at at. It is deterministic, so
// running detection twice for the same write stores one event. It is safe
// for concurrent use.
func EventID(wl, key, kind string, at time.Time) string {
	h := sha256.New()
	for _, s := range []string{wl, key, kind, strconv.FormatInt(at.UTC().UnixNano(), 10)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "al-" + hex.EncodeToString(h.Sum(nil)[:16])
}

type detector struct {
	cur    *creator.Record
	at     time.Time
	events []index.AlertEvent
}

func (d *detector) add(kind, msg string, before, after map[string]any, ev []creator.Evidence) {
	d.events = append(d.events, index.AlertEvent{
		CreatorKey: d.cur.Key,
		Kind:       kind,
		At:         d.at.UTC(),
		Message:    msg,
		Before:     before,
		After:      after,
		Evidence:   ev,
	})
}

func withDefaults(r index.AlertRules) index.AlertRules {
	if r.AuthenticityBelow == 0 {
		r.AuthenticityBelow = DefaultAuthenticityBelow
	}
	if r.AuthenticityDrop == 0 {
		r.AuthenticityDrop = DefaultAuthenticityDrop
	}
	if r.EngagementDropPct == 0 {
		r.EngagementDropPct = DefaultEngagementDropPct
	}
	if r.QuietDays == 0 {
		r.QuietDays = DefaultQuietDays
	}
	return r
}

// spikeEvent is a suspicious spike's message and evidence.
type spikeEvent struct {
	message  string
	evidence []creator.Evidence
}

// spikeAlert judges the follower change from ps to cs. With a history the
// growth scorer can read (MinGrowthSnapshots snapshots or more), it follows
// scoring.Growth: an alert when the step ending at cs is a suspicious spike
// and the step before was not one already. With a shorter history it falls
// back to the pairwise check of suspiciousSpike.
func spikeAlert(ps, cs creator.Snapshot, history []creator.Snapshot, at time.Time) (spikeEvent, bool) {
	if len(history) >= MinGrowthSnapshots && history[len(history)-1].At.Equal(cs.At) {
		g := scoring.Growth(history, creator.Snapshot{}, at)
		var cur, before *scoring.Spike
		for i := range g.Spikes {
			sp := &g.Spikes[i]
			if sp.To.Equal(cs.At) {
				cur = sp
			}
			if sp.To.Equal(ps.At) {
				before = sp
			}
		}
		if cur == nil || cur.Kind != scoring.SpikeSuspicious || before != nil && before.Kind == scoring.SpikeSuspicious {
			return spikeEvent{}, false
		}
		days := cur.To.Sub(cur.From).Hours() / 24
		return spikeEvent{
			message: fmt.Sprintf("followers %+d in %.0f day(s) with no matching rise in engagement or posting: suspicious", cur.Change, math.Ceil(days)),
			evidence: []creator.Evidence{
				{Signal: "follower_gain", Value: float64(cur.Change), Text: cur.Summary},
				{Signal: "follower_gain_per_day", Value: round(cur.PerDay, 1)},
				{Signal: "baseline_gain_per_day", Value: round(cur.Baseline, 1)},
				{Signal: "engagement_rise", Value: round(cur.EngagementRise, 3)},
				{Signal: "posts_rise", Value: round(cur.PostsRise, 3)},
			},
		}, true
	}
	sp, ok := suspiciousSpike(ps, cs)
	if !ok {
		return spikeEvent{}, false
	}
	if n := len(history); n >= 3 {
		if _, continued := suspiciousSpike(history[n-3], history[n-2]); continued {
			return spikeEvent{}, false
		}
	}
	return spikeEvent{message: sp.message(), evidence: sp.evidence()}, true
}

// spike describes follower growth between two snapshots.
type spike struct {
	from, to       creator.Snapshot
	days           float64
	gain           int64
	dailyPct       float64
	followerGrowth float64 // relative, 1.0 = +100%
	engGrowth      float64 // relative change of average engagement per post
}

// suspiciousSpike reports whether followers jumped from a to b (at least
// SpikeMinGain and SpikeMinDailyPct per day) with average engagement per
// post rising by less than SpikeEngagementShare of the follower growth.
// Without engagement on both sides it judges nothing.
func suspiciousSpike(a, b creator.Snapshot) (spike, bool) {
	s := spike{from: a, to: b, gain: b.Followers - a.Followers}
	if a.Followers <= 0 || s.gain < SpikeMinGain || a.AvgEngagement <= 0 {
		return s, false
	}
	s.days = b.At.Sub(a.At).Hours() / 24
	if s.days < 1 {
		s.days = 1
	}
	s.followerGrowth = float64(s.gain) / float64(a.Followers)
	s.dailyPct = s.followerGrowth / s.days * 100
	if s.dailyPct < SpikeMinDailyPct {
		return s, false
	}
	s.engGrowth = (b.AvgEngagement - a.AvgEngagement) / a.AvgEngagement
	return s, s.engGrowth < SpikeEngagementShare*s.followerGrowth
}

func (s spike) message() string {
	return fmt.Sprintf("followers +%d (+%.0f%%) in %.0f day(s) with average engagement %+.0f%%: suspicious",
		s.gain, s.followerGrowth*100, math.Ceil(s.days), s.engGrowth*100)
}

func (s spike) evidence() []creator.Evidence {
	return []creator.Evidence{
		{Signal: "follower_gain", Value: float64(s.gain),
			Text: fmt.Sprintf("follower count %+d (%d to %d) in %.0f day(s)", s.gain, s.from.Followers, s.to.Followers, math.Ceil(s.days))},
		{Signal: "follower_growth_pct_per_day", Value: round(s.dailyPct, 1)},
		{Signal: "avg_engagement_change_pct", Value: round(s.engGrowth*100, 1),
			Text: fmt.Sprintf("average engagement per post %.1f to %.1f, no matching rise", s.from.AvgEngagement, s.to.AvgEngagement)},
	}
}

// detailEvidence returns the evidence of the record's sub-score name.
func detailEvidence(r *creator.Record, name string) []creator.Evidence {
	for _, d := range r.Scores.Details {
		if d.Name == name {
			return slices.Clone(d.Evidence)
		}
	}
	return nil
}

func beforeMap(field string, v float64, ok bool) map[string]any {
	if !ok {
		return nil
	}
	return map[string]any{field: round(v, 1)}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// stamp formats a time for an event's before/after values.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

// wholeNumber formats x rounded half away from zero, as the web panel's
// toFixed(0) shows it (fmt's %.0f rounds halves to even).
func wholeNumber(x float64) string {
	return strconv.FormatFloat(math.Round(x), 'f', 0, 64)
}

// authHeadline is the record's authenticity headline after the score (its
// strongest negative signal), as ": <sentence>", or "".
func authHeadline(r *creator.Record) string {
	for _, d := range r.Scores.Details {
		if d.Name != "authenticity" {
			continue
		}
		_, rest, ok := strings.Cut(d.Summary, "). ")
		if ok && strings.HasPrefix(rest, "Strongest negative signal: ") {
			return ": " + strings.TrimSuffix(strings.TrimPrefix(rest, "Strongest negative signal: "), ".")
		}
	}
	return ""
}
