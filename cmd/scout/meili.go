package main

import (
	"context"
	"fmt"

	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/meili"
)

// openMeili opens the Meilisearch store named by SCOUT_MEILI_URL.
func openMeili(ctx context.Context, cfg config) (index.Store, error) {
	st, err := meili.Open(ctx, meili.Config{URL: cfg.MeiliURL, APIKey: cfg.MeiliKey})
	if err != nil {
		return nil, fmt.Errorf("opening meilisearch at %s: %w", cfg.MeiliURL, err)
	}
	return st, nil
}
