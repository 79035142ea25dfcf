package scoring

import (
	"sort"
	"time"

	"github.com/creatorscout/scout/creator"
)

// Model names the current scoring version.
const Model = "v0-spine"

// Options tunes Score. The zero value scores as of time.Now with the
// built-in taxonomy.
type Options struct {
	// Now is the time scores are computed at; zero means time.Now().
	Now time.Time
}

// Score rates the creator p given its stored history (oldest first, not
// including this crawl).
func Score(p *creator.Profile, history []creator.Snapshot, o Options) creator.Scores {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	s := creator.Scores{
		ComputedAt:     now.UTC(),
		Model:          Model,
		Tier:           Tier(p.Followers),
		EngagementRate: EngagementRate(p.Posts, p.Followers),
		PostsPerWeek:   PostsPerWeek(p.Posts, now),
	}
	return s
}

// Tier classifies a follower count.
func Tier(followers int64) string {
	switch {
	case followers >= 1_000_000:
		return creator.TierMega
	case followers >= 500_000:
		return creator.TierMacro
	case followers >= 100_000:
		return creator.TierMid
	case followers >= 10_000:
		return creator.TierMicro
	case followers >= 1_000:
		return creator.TierNano
	default:
		return creator.TierEmerging
	}
}

// EngagementRate is the median over posts of
// (likes+replies+reposts+quotes)/followers; 0 with no posts or followers.
func EngagementRate(posts []creator.Post, followers int64) float64 {
	if len(posts) == 0 || followers <= 0 {
		return 0
	}
	rates := make([]float64, len(posts))
	for i, p := range posts {
		rates[i] = float64(p.Likes+p.Replies+p.Reposts+p.Quotes) / float64(followers)
	}
	return median(rates)
}

// PostsPerWeek is the posting rate over the span of the sampled posts,
// measured up to now.
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
	if weeks < 1 {
		weeks = 1
	}
	return float64(n) / weeks
}

// Snapshot returns what one crawl contributes to a creator's history.
func Snapshot(p *creator.Profile, s creator.Scores) creator.Snapshot {
	snap := creator.Snapshot{
		At:             s.ComputedAt,
		Followers:      p.Followers,
		Following:      p.Following,
		PostsCount:     p.PostsCount,
		EngagementRate: s.EngagementRate,
		PostsPerWeek:   s.PostsPerWeek,
		Authenticity:   s.Authenticity,
		PrimaryNiche:   s.PrimaryNiche,
	}
	var sum float64
	for _, post := range p.Posts {
		sum += float64(post.Likes + post.Replies + post.Reposts + post.Quotes)
		if post.CreatedAt.After(snap.LastPostAt) {
			snap.LastPostAt = post.CreatedAt
		}
	}
	if len(p.Posts) > 0 {
		snap.AvgEngagement = sum / float64(len(p.Posts))
	}
	return snap
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}
