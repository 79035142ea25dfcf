package storetest

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"time"

	"github.com/creatorscout/scout/creator"
)

// newRecord returns a complete record of a creator on platform with the
// platform-native id, as the pipeline would store it. ids used by the suite
// are lower-case letters and digits, so keys sort the same everywhere.
func newRecord(platform, id string) *creator.Record {
	ref := creator.Ref{Platform: platform, ID: id, Handle: id + ".example.social"}
	return &creator.Record{
		Key: creator.Key(ref),
		Profile: creator.Profile{
			Ref:         ref,
			DisplayName: "Creator " + id,
			Bio:         "placeholder biography",
			URL:         "https://example.social/" + id,
			Links:       []string{"https://example.com/" + id},
			Followers:   1000,
			Following:   100,
			PostsCount:  50,
			CreatedAt:   at(-400 * 24 * time.Hour),
			Country:     "US",
			Language:    "en",
			Labels:      []string{"label-a"},
			Posts: []creator.Post{
				{ID: id + "-p1", Text: "an ordinary post", CreatedAt: at(-24 * time.Hour), Likes: 10, Replies: 2, Reposts: 1, Views: -1},
			},
			Comments: []creator.Comment{
				{ID: id + "-c1", PostID: id + "-p1", Author: creator.Account{ID: "fan1", Handle: "fan1.example", Followers: creator.Ptr(int64(12))}, Text: "nice", Likes: 1},
			},
			Audience:     []creator.Account{{ID: "fan1", HasAvatar: creator.Ptr(true), Posts: creator.Ptr(int64(3))}},
			AudienceKind: "followers",
			FetchedAt:    at(-time.Hour),
		},
		Scores: creator.Scores{
			ComputedAt:      at(-time.Hour),
			Model:           "test-1",
			Tier:            creator.TierNano,
			EngagementRate:  0.02,
			EngagementLabel: "average",
			PostsPerWeek:    3,
			DaysSinceLast:   1,
			PrimaryNiche:    "food",
			NicheRelevance:  0.5,
			NicheFocus:      0.5,
			Niches:          []creator.NicheScore{{Niche: "food", Relevance: 0.5, Terms: []string{"recipe"}}},
			Authenticity:    80,
			GrowthTrend:     "stable",
			Overall:         50,
			Confidence:      0.7,
			Details: []creator.SubScore{{Name: "engagement", Score: 60, Confidence: 0.7, Summary: "fine",
				Evidence: []creator.Evidence{{Signal: "median_rate", Value: 0.02, SampleSize: 1, Text: "2%"}}}},
		},
		FirstSeen: at(-30 * 24 * time.Hour),
		UpdatedAt: at(-time.Hour),
	}
}

// snapOf is the snapshot a crawl of r at time when would append.
func snapOf(r *creator.Record, when time.Time) creator.Snapshot {
	return creator.Snapshot{
		At:             when,
		Followers:      r.Profile.Followers,
		Following:      r.Profile.Following,
		PostsCount:     r.Profile.PostsCount,
		EngagementRate: r.Scores.EngagementRate,
		AvgEngagement:  13,
		PostsPerWeek:   r.Scores.PostsPerWeek,
		LastPostAt:     at(-24 * time.Hour),
		Authenticity:   r.Scores.Authenticity,
		PrimaryNiche:   r.Scores.PrimaryNiche,
	}
}

// randomize fills every numeric field of r that search can filter or sort
// on with a value from a small set, so that values repeat (ties) and vary.
// It sets the int64 counts of the profile and every float64 of the scores
// by reflection, so fields added to Scores later vary too.
func randomize(r *creator.Record, rng *rand.Rand) {
	counts := []int64{0, 250, 9000, 9000, 120000, 2500000}
	r.Profile.Followers = counts[rng.IntN(len(counts))]
	r.Profile.Following = counts[rng.IntN(len(counts))]
	r.Profile.PostsCount = counts[rng.IntN(len(counts))]
	r.Profile.Linked = nil
	for range rng.IntN(3) {
		n := len(r.Profile.Linked)
		r.Profile.Linked = append(r.Profile.Linked, creator.LinkedAccount{
			Platform: creator.Web, ID: fmt.Sprintf("https://site%d.example/", n), URL: fmt.Sprintf("https://site%d.example/", n),
			Evidence: []creator.LinkEvidence{{Kind: creator.EvidenceRelMe, Forward: "rel=me", Back: "rel=me", At: at(-time.Hour)}},
		})
	}
	v := reflect.ValueOf(&r.Scores).Elem()
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Kind() == reflect.Float64 {
			f.SetFloat(float64(rng.IntN(4)) * 0.25 * float64(1+i%3))
		}
	}
	switch rng.IntN(4) {
	case 0:
		r.UpdatedAt = time.Time{} // missing
	case 1:
		r.UpdatedAt = at(-2 * time.Hour)
	default:
		r.UpdatedAt = at(time.Duration(rng.IntN(3)) * time.Hour)
	}
}
