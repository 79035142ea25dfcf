package meili

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/storetest"
)

// TestIntegrationConformance runs the store conformance suite against a
// real Meilisearch at SCOUT_TEST_MEILI_URL (with SCOUT_TEST_MEILI_KEY as the
// API key, if set). Each store the suite opens gets its own indexes under a
// random prefix, deleted when the subtest ends.
func TestIntegrationConformance(t *testing.T) {
	url := os.Getenv("SCOUT_TEST_MEILI_URL")
	if url == "" {
		t.Skip("SCOUT_TEST_MEILI_URL is not set, so there is no Meilisearch to run the conformance suite against; " +
			"start one (see deploy/README.md) and set it to run this test. The contract tests (TestContract...) ran instead.")
	}
	key := os.Getenv("SCOUT_TEST_MEILI_KEY")
	var b [4]byte
	_, _ = rand.Read(b[:])
	run := hex.EncodeToString(b[:])
	var n atomic.Int64
	storetest.RunWith(t, func(t *testing.T) index.Store {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		s, err := Open(ctx, Config{
			URL: url, APIKey: key,
			IndexPrefix: fmt.Sprintf("scouttest_%s_%d_", run, n.Add(1)),
			BatchWait:   time.Millisecond,
		})
		if err != nil {
			t.Fatalf("opening meilisearch store: %v", err)
		}
		t.Cleanup(func() {
			if err := s.dropIndexes(context.Background()); err != nil {
				t.Errorf("dropping test indexes: %v", err)
			}
			s.Close()
		})
		return s
	}, storetest.Features{Typo: true})
}

// dropIndexes deletes every index of the store and waits; tests use it to
// leave a shared Meilisearch as they found it.
func (s *Store) dropIndexes(ctx context.Context) error {
	var first error
	for _, sp := range s.specs() {
		ti, err := s.ms.DeleteIndexWithContext(ctx, sp.uid)
		if err == nil {
			err = s.wait(ctx, ti)
		}
		if err != nil && first == nil {
			first = err
		}
	}
	return first
}
