package bluesky_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/bluesky"
	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
)

// TestIntegrationPublicAppView discovers and fetches one creator on the real
// public AppView. It needs the internet, so it runs only when
// SCOUT_TEST_BLUESKY_LIVE is set; it logs counts, never handles.
func TestIntegrationPublicAppView(t *testing.T) {
	if os.Getenv("SCOUT_TEST_BLUESKY_LIVE") == "" {
		t.Skip("set SCOUT_TEST_BLUESKY_LIVE=1 to test against the public Bluesky AppView (needs the internet)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	hc, err := fetch.New(fetch.WithHost("public.api.bsky.app", fetch.HostPolicy{Rate: 5, Burst: 5}))
	if err != nil {
		t.Fatal(err)
	}
	src, err := bluesky.New(crawler.Config{HTTP: hc, Options: map[string]string{"followers": "50", "reply_posts": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	refs, err := src.Discover(ctx, crawler.DiscoverQuery{Query: "vegan recipes", Limit: 5})
	if err != nil || len(refs) == 0 {
		t.Fatalf("discover: %d refs, %v", len(refs), err)
	}
	p, err := src.Fetch(ctx, refs[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("followers %d, posts %d sampled, %d comments, %d audience, language %q",
		p.Followers, len(p.Posts), len(p.Comments), len(p.Audience), p.Language)
	if _, err := src.Fetch(ctx, creator.Ref{Platform: creator.Bluesky, Handle: "no-such-account-cs.bsky.social"}); !errors.Is(err, creator.ErrNotFound) {
		t.Errorf("fetching an unknown handle: error = %v, want ErrNotFound", err)
	}
}
