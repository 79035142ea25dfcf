package sqlite_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/internal/corpus"
)

// TestCommit: Commit stores creator writes and job items in one call
// (records readable, items listed and counted in their job), and a call
// with one thing the store refuses stores nothing of it.
func TestCommit(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	var _ index.Committer = s
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if err := s.PutJob(ctx, &index.Job{ID: "job1", Kind: "discover", State: index.JobRunning, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	g := corpus.New(3)
	ws := []index.Write{g.Record(0), g.Record(1)}
	items := []*index.JobItem{
		{JobID: "job1", Key: "bluesky-a", State: index.ItemDone, UpdatedAt: now},
		{JobID: "job1", Key: "bluesky-b", State: index.ItemPending, UpdatedAt: now},
	}
	if err := s.Commit(ctx, ws, items); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	for _, w := range ws {
		if _, err := s.Get(ctx, w.Record.Key); err != nil {
			t.Errorf("Get %s after Commit: %v", w.Record.Key, err)
		}
	}
	j, err := s.GetJob(ctx, "job1")
	if err != nil {
		t.Fatal(err)
	}
	if j.Counts.Done != 1 || j.Counts.Pending != 1 {
		t.Errorf("job counts after Commit %+v, want 1 done and 1 pending", j.Counts)
	}

	// Refused: an item without a key beside a valid record, and a record
	// with a bad key beside a valid item. Neither valid part is stored.
	w2 := g.Record(2)
	err = s.Commit(ctx, []index.Write{w2}, []*index.JobItem{{JobID: "job1", State: index.ItemDone}})
	if !errors.Is(err, creator.ErrInvalid) {
		t.Errorf("Commit with an item without a key: %v, want ErrInvalid", err)
	}
	if _, err := s.Get(ctx, w2.Record.Key); !errors.Is(err, creator.ErrNotFound) {
		t.Errorf("the record beside a refused item: Get gives %v, want ErrNotFound", err)
	}
	bad := g.Record(3)
	bad.Record.Key = "not a valid key!"
	err = s.Commit(ctx, []index.Write{bad}, []*index.JobItem{{JobID: "job1", Key: "bluesky-c", State: index.ItemDone, UpdatedAt: now}})
	if !errors.Is(err, creator.ErrInvalid) {
		t.Errorf("Commit with a bad record key: %v, want ErrInvalid", err)
	}
	got, err := s.JobItems(ctx, "job1", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Errorf("job1 has %d items after the refused calls, want the 2 first committed", len(got))
	}
	// Either side alone.
	if err := s.Commit(ctx, []index.Write{w2}, nil); err != nil {
		t.Errorf("Commit of a record alone: %v", err)
	}
	if err := s.Commit(ctx, nil, []*index.JobItem{{JobID: "job1", Key: "bluesky-c", State: index.ItemFailed, UpdatedAt: now}}); err != nil {
		t.Errorf("Commit of an item alone: %v", err)
	}
	if j, _ := s.GetJob(ctx, "job1"); j == nil || j.Counts.Failed != 1 {
		t.Errorf("job after an item alone: %+v, want 1 failed", j)
	}
}
