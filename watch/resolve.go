package watch

import (
	"context"
	"fmt"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// ProfileURLParser returns the creator a profile URL names, with a
// Handle or an ID; its error wraps creator.ErrInvalid for a URL that is
// not a profile URL (crawler.ParseProfileURL). It does no I/O.
type ProfileURLParser func(raw string) (creator.Ref, error)

// HandleLookup completes a Ref that has a Platform and a Handle but no ID,
// returning the full Ref or an error wrapping creator.ErrNotFound. The
// command wires it to the platform's source (for Bluesky, resolving the
// handle to a DID).
type HandleLookup func(ctx context.Context, ref creator.Ref) (creator.Ref, error)

// storeHandleLookup finds a handle among the creators already stored
// by the exact handle field (index.ByHandle), keeping one whose id is
// known.
func storeHandleLookup(st index.Creators) HandleLookup {
	return func(ctx context.Context, ref creator.Ref) (creator.Ref, error) {
		hits, err := index.ByHandle(ctx, st, ref.Platform, ref.Handle)
		if err != nil {
			return creator.Ref{}, fmt.Errorf("looking up handle %s: %w", ref.Handle, err)
		}
		for _, h := range hits {
			if h.Profile.Ref.ID != "" {
				return h.Profile.Ref, nil
			}
		}
		return creator.Ref{}, fmt.Errorf("looking up handle %s: %w", ref.Handle, creator.ErrNotFound)
	}
}
