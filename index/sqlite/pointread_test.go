package sqlite

import (
	"context"
	"errors"
	"testing"
)

// BenchmarkPointRead: the opt-out check a crawl makes several times, as
// the store runs it (pointCtx: the driver does not watch the context)
// against the same prepared statement run with a context that can end.
func BenchmarkPointRead(b *testing.B) {
	st, err := Open(b.TempDir() + "/scout.db")
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
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
		stmt, err := st.readStmt(ctx, isOptedOutSQL)
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
	st, err := Open(t.TempDir() + "/scout.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
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
