package bluesky

import (
	"context"
	"fmt"
	"net/url"

	"github.com/creatorscout/scout/creator"
)

// MaxProfiles is how many accounts one getProfiles call may name.
const MaxProfiles = profilesBatch

// Counts is what one app.bsky.actor.getProfiles entry says of an account:
// enough to decide whether to track it and to snapshot it by counts alone.
type Counts struct {
	// Ref has the DID and the handle ("" when the handle is invalid).
	Ref creator.Ref
	// Followers, Following and Posts are the account's counts; Known says
	// the AppView gave all three.
	Followers, Following, Posts int64
	Known                       bool
	// OptedOut says the account carries the !no-unauthenticated label:
	// nothing of it may be stored.
	OptedOut bool
}

// Counts looks up at most MaxProfiles accounts (DIDs or handles) in one
// getProfiles call. Accounts the AppView does not return (deleted, taken
// down, unknown) are left out; the rest come in response order. It is safe
// for concurrent use.
func (s *Source) Counts(ctx context.Context, actors []string) ([]Counts, error) {
	if len(actors) == 0 {
		return nil, nil
	}
	if len(actors) > MaxProfiles {
		return nil, fmt.Errorf("looking up profiles: %w: at most %d accounts a call, got %d", creator.ErrInvalid, MaxProfiles, len(actors))
	}
	v := url.Values{"actors": actors}
	var r profilesResponse
	if err := s.get(ctx, s.endpoint("app.bsky.actor.getProfiles", v), &r); err != nil {
		return nil, fmt.Errorf("looking up %d profiles: %w", len(actors), err)
	}
	views, err := profilesFromResponse(&r)
	if err != nil {
		return nil, fmt.Errorf("looking up %d profiles: %w", len(actors), err)
	}
	out := make([]Counts, len(views))
	for i := range views {
		pv := &views[i]
		c := Counts{Ref: creator.Ref{Platform: creator.Bluesky, ID: pv.DID, Handle: handleOf(pv)}, OptedOut: optedOut(pv.Labels)}
		if pv.FollowersCount != nil && pv.FollowsCount != nil && pv.PostsCount != nil {
			c.Followers, c.Following, c.Posts, c.Known = *pv.FollowersCount, *pv.FollowsCount, *pv.PostsCount, true
		}
		out[i] = c
	}
	return out, nil
}
