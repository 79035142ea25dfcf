package crawler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
)

// slowWrites is the real SQLite store whose UpsertMany takes a while, as
// a sync to a busy disk does, and counts its calls.
type slowWrites struct {
	*sqlite.Store
	calls, itemCalls atomic.Int32
}

func (s *slowWrites) PutJobItems(ctx context.Context, items ...*index.JobItem) error {
	s.itemCalls.Add(1)
	time.Sleep(20 * time.Millisecond)
	return s.Store.PutJobItems(ctx, items...)
}

func (s *slowWrites) UpsertMany(ctx context.Context, ws []index.Write) error {
	s.calls.Add(1)
	time.Sleep(20 * time.Millisecond)
	return s.Store.UpsertMany(ctx, ws)
}

func testRecord(key string) *creator.Record {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	return &creator.Record{Key: key, Profile: creator.Profile{Ref: creator.Ref{Platform: creator.Bluesky, ID: "did:plc:" + key}, Followers: 100},
		FirstSeen: now, UpdatedAt: now}
}

// TestGroupCommit: 24 crawls writing at once share a few transactions,
// every write is stored when its Upsert returns, and a record the store
// refuses fails only its own Upsert.
func TestGroupCommit(t *testing.T) {
	st, err := sqlite.Open(t.TempDir() + "/scout.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	slow := &slowWrites{Store: st}
	g := newGroupCommit(slowStore{slow})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 24)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("k%02d", i)
			if i == 7 {
				key = "not a valid key!"
			}
			errs[i] = g.Upsert(ctx, testRecord(key), creator.Snapshot{At: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Followers: 100})
			if errs[i] == nil {
				if _, err := st.Get(ctx, key); err != nil {
					errs[i] = fmt.Errorf("Upsert returned before %s was stored: %w", key, err)
				}
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		switch {
		case i == 7 && !errors.Is(err, creator.ErrInvalid):
			t.Errorf("invalid record: err %v, want ErrInvalid", err)
		case i != 7 && err != nil:
			t.Errorf("write %d: %v", i, err)
		}
	}
	if n := slow.calls.Load(); n > 12 {
		t.Errorf("%d transactions for 24 concurrent writes, want them shared", n)
	}
	t.Logf("%d transactions for 24 concurrent writes", slow.calls.Load())
}

// slowStore gives slowWrites the pipeline's Store interface.
type slowStore struct{ *slowWrites }

var _ Store = slowStore{}

// TestItemBatcher: 24 crawls recording their job items at once share a few
// transactions, each item is stored when its call returns, and an item the
// store refuses fails only its own call.
func TestItemBatcher(t *testing.T) {
	st, err := sqlite.Open(t.TempDir() + "/scout.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	slow := &slowWrites{Store: st}
	add := newItemBatcher(slowStore{slow}).Add
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 24)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			it := &index.JobItem{JobID: "job1", Key: fmt.Sprintf("bluesky-k%02d", i), State: index.ItemDone}
			if i == 7 {
				it.Key = "" // refused
			}
			errs[i] = add(ctx, it)
			if errs[i] == nil {
				items, err := st.JobItems(ctx, "job1", index.ItemDone)
				found := false
				for _, got := range items {
					found = found || got.Key == it.Key
				}
				if err != nil || !found {
					errs[i] = fmt.Errorf("item %s not stored when its call returned (err %v)", it.Key, err)
				}
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		switch {
		case i == 7 && !errors.Is(err, creator.ErrInvalid):
			t.Errorf("invalid item: err %v, want ErrInvalid", err)
		case i != 7 && err != nil:
			t.Errorf("item %d: %v", i, err)
		}
	}
	items, err := st.JobItems(ctx, "job1", "")
	if err != nil || len(items) != 23 {
		t.Errorf("job1 has %d items (err %v), want 23", len(items), err)
	}
	if n := slow.itemCalls.Load(); n > 12 {
		t.Errorf("%d transactions for 24 concurrent items, want them shared", n)
	}
	t.Logf("%d transactions for 24 concurrent items", slow.itemCalls.Load())
}
