package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// TestCheckpointer writes batches of about 12 MB of creators, each more
// than the 8 MB after which a write asks for a checkpoint: the
// checkpointer, not the writer, must copy the log into the file after each,
// so that the next batch writes the log from its start and the log stays
// far below what the writer's own threshold (10000 pages, 80 MB) allows.
// It waits for each checkpoint to be done rather than for a while.
func TestCheckpointer(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ckpt.db")
	s, err := Open(path, WithSynchronous("NORMAL"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(3, 4))
	noise := func(n int) string { // text that does not compress
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + rng.IntN(26))
		}
		return string(b)
	}
	maxWAL := int64(0)
	for batch := range 8 {
		done := s.ckpts.Load()
		ws := make([]index.Write, 500)
		for i := range ws {
			r := testRecord(creator.Bluesky, fmt.Sprintf("b%d-%d", batch, i), "DE", int64(i))
			r.Profile.Bio = noise(8000)
			ws[i] = index.Write{Record: r}
		}
		if err := s.UpsertMany(ctx, ws); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(time.Minute); s.ckpts.Load() == done; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("batch %d: no checkpoint a minute after a write that asked for one", batch)
			}
		}
		if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > maxWAL {
			maxWAL = fi.Size()
		}
	}
	if maxWAL > 48<<20 {
		t.Errorf("the log grew to %d MB: the checkpointer does not keep up", maxWAL>>20)
	}
	t.Logf("%d checkpoints; largest log %d MB", s.ckpts.Load(), maxWAL>>20)
}
