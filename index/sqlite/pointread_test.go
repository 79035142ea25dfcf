package sqlite

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/creatorscout/scout/index"
)

// BenchmarkPointRead: the opt-out check a crawl makes several times, as
// the store runs it (pointCtx: the driver does not watch the context)
// against the same prepared statement run with a context that can end.
func BenchmarkPointRead(b *testing.B) {
	st := openTest(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.IsOptedOut(ctx, "bluesky", "did:plc:abc", "a.bsky.social"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("watched-context", func(b *testing.B) {
		stmt, err := st.readStmt(isOptedOutSQL)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			var n int
			if err := stmt.QueryRowContext(ctx, "bluesky", "did:plc:abc", "a.bsky.social").Scan(&n); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestPointReadsHonourEndedContext: a read asked for with a context that
// has already ended fails with the context's error rather than running.
func TestPointReadsHonourEndedContext(t *testing.T) {
	st := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := st.IsOptedOut(ctx, "bluesky", "did:plc:abc", ""); !errors.Is(err, context.Canceled) {
		t.Errorf("IsOptedOut with an ended context: %v", err)
	}
	if _, err := st.Get(ctx, "bluesky-abc"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with an ended context: %v", err)
	}
	if _, err := st.GetJob(ctx, "j1"); !errors.Is(err, context.Canceled) {
		t.Errorf("GetJob with an ended context: %v", err)
	}
	if _, err := st.History(ctx, "bluesky-abc", 5); !errors.Is(err, context.Canceled) {
		t.Errorf("History with an ended context: %v", err)
	}
}

// TestConcurrentFirstReads: many reads at once on a store just opened all
// finish. Preparing a statement takes a reading connection; GetJob used to
// prepare its two on first use while holding a transaction, so four such
// reads at once (the pool's size) each held a connection and waited for
// another for ever. The reads are now prepared by Open (readQueries).
func TestConcurrentFirstReads(t *testing.T) {
	dir := t.TempDir()
	st := openAt(t, dir+"/scout.db")
	ctx := context.Background()
	if err := st.PutJob(ctx, &index.Job{ID: "job-1", Kind: "discover", State: index.JobRunning}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	for round := range 5 {
		// A store just opened, on a pool of four connections as on 2 cores.
		st := openAt(t, dir+"/scout.db", WithReadConns(4))
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for i := range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i%2 == 0 {
					_, err := st.GetJob(ctx, "job-1")
					errs <- err
					return
				}
				_, err := st.IsOptedOut(ctx, "bluesky", "did:plc:abc", "a.bsky.social")
				errs <- err
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: 32 concurrent first reads still waiting after 30 s (readers deadlocked on the connection pool)", round)
		}
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		st.Close()
	}
}
