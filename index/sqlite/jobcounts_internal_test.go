package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/index"
)

// countedByItems counts a job's items the slow way, as GetJob did before
// migration 12.
func countedByItems(t *testing.T, s *Store, job string) index.JobCounts {
	t.Helper()
	rows, err := s.r.Query(`SELECT state, count(*) FROM job_items WHERE job_id = ? GROUP BY state`, job)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var c index.JobCounts
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			t.Fatal(err)
		}
		switch st {
		case index.ItemPending:
			c.Pending = n
		case index.ItemDone:
			c.Done = n
		case index.ItemFailed:
			c.Failed = n
		case index.ItemSkipped:
			c.Skipped = n
		}
	}
	return c
}

func checkCounts(t *testing.T, s *Store, step string, jobs ...string) {
	t.Helper()
	for _, id := range jobs {
		j, err := s.GetJob(context.Background(), id)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if want := countedByItems(t, s, id); !cmp.Equal(j.Counts, want) {
			t.Errorf("%s: job %s counts %+v, its items say %+v", step, id, j.Counts, want)
		}
	}
}

// TestJobCountsFollowItems: the counts kept by triggers (migration 12)
// match the items through new items, state changes, rewrites in the same
// state, an erasure and a store migrated from version 11 with items in it.
func TestJobCountsFollowItems(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v11.db")
	old, err := open(path, index.Fields, 11)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b"} {
		if err := old.PutJob(ctx, &index.Job{ID: id, Kind: "crawl", State: index.JobRunning}); err != nil {
			t.Fatal(err)
		}
	}
	item := func(job, key, state string) *index.JobItem {
		return &index.JobItem{JobID: job, Key: key, State: state}
	}
	if err := old.PutJobItems(ctx, item("a", "bluesky:1", index.ItemPending), item("a", "bluesky:2", index.ItemDone), item("b", "bluesky:1", index.ItemPending)); err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, path)
	if v := schemaVersion(t, s); v != len(migrations) {
		t.Fatalf("schema version %d, want %d", v, len(migrations))
	}
	checkCounts(t, s, "after migrating", "a", "b")
	j, _ := s.GetJob(ctx, "a")
	if j.Counts != (index.JobCounts{Pending: 1, Done: 1}) {
		t.Errorf("job a after migrating: %+v, want 1 pending and 1 done", j.Counts)
	}

	steps := []struct {
		name  string
		items []*index.JobItem
	}{
		{"new items", []*index.JobItem{item("a", "bluesky:3", index.ItemPending), item("a", "bluesky:4", index.ItemPending), item("b", "bluesky:2", index.ItemPending)}},
		{"pending to done and failed", []*index.JobItem{item("a", "bluesky:1", index.ItemDone), item("a", "bluesky:3", index.ItemFailed)}},
		{"rewritten in the same state", []*index.JobItem{item("a", "bluesky:1", index.ItemDone), item("b", "bluesky:1", index.ItemPending)}},
		{"failed retried to done", []*index.JobItem{item("a", "bluesky:3", index.ItemDone)}},
		{"skipped (opted out)", []*index.JobItem{item("a", "bluesky:4", index.ItemSkipped), item("b", "bluesky:5", index.ItemSkipped)}},
	}
	for _, st := range steps {
		if err := s.PutJobItems(ctx, st.items...); err != nil {
			t.Fatal(err)
		}
		checkCounts(t, s, st.name, "a", "b")
	}
	// Erasing a creator deletes its items (both jobs hold bluesky:1).
	if _, err := s.w.Exec(`DELETE FROM job_items WHERE key = ?`, "bluesky:1"); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, s, "after deleting a creator's items", "a", "b")
	j, _ = s.GetJob(ctx, "b")
	if j.Counts != (index.JobCounts{Pending: 1, Skipped: 1}) {
		t.Errorf("job b at the end: %+v, want 1 pending and 1 skipped", j.Counts)
	}
	var zero int
	if err := s.r.QueryRow(`SELECT count(*) FROM job_counts WHERE n <= 0`).Scan(&zero); err != nil || zero != 0 {
		t.Errorf("%d count rows at zero or below (err %v), want none kept", zero, err)
	}
}
