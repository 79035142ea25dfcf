package main

import (
	"context"
	"fmt"

	"github.com/creatorscout/scout/index"
)

// openMeili opens the Meilisearch store named by SCOUT_MEILI_URL.
func openMeili(ctx context.Context, cfg config) (index.Store, error) {
	return nil, fmt.Errorf("SCOUT_MEILI_URL is set but the Meilisearch backend is not wired yet")
}
