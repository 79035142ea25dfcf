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
	calls, itemCalls, commits, mixed atomic.Int32
}

func (s *slowWrites) Commit(ctx context.Context, ws []index.Write, items []*index.JobItem) error {
	s.commits.Add(1)
	if len(ws) > 0 && len(items) > 0 {
		s.mixed.Add(1)
	}
	time.Sleep(20 * time.Millisecond)
	return s.Store.Commit(ctx, ws, items)
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

// sharedWrites runs write(i) for i in 0..23 at once on a slow real store
// (write 7 is one the store refuses), and checks that each valid write
// is stored when its call returns (stored reports it), that the refused
// one fails alone with ErrInvalid, and that calls(slow) shows the writes
// sharing transactions.
func sharedWrites(t *testing.T, what string, committer bool, write func(g Store, i int) error, stored func(st *sqlite.Store, i int) error, calls func(*slowWrites) int32) *slowWrites {
	t.Helper()
	st, err := sqlite.Open(t.TempDir() + "/scout.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	slow := &slowWrites{Store: st}
	var wg sync.WaitGroup
	errs := make([]error, 24)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var g Store = slowStore{slow}
			if !committer {
				g = noCommit{g}
			}
			if errs[i] = write(g, i); errs[i] == nil {
				if err := stored(st, i); err != nil {
					errs[i] = fmt.Errorf("the call returned before %s %d was stored: %w", what, i, err)
				}
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		switch {
		case i == 7 && !errors.Is(err, creator.ErrInvalid):
			t.Errorf("invalid %s: err %v, want ErrInvalid", what, err)
		case i != 7 && err != nil:
			t.Errorf("%s %d: %v", what, i, err)
		}
	}
	if n := calls(slow); n > 12 {
		t.Errorf("%d transactions for 24 concurrent %ss, want them shared", n, what)
	}
	t.Logf("%d transactions for 24 concurrent %ss", calls(slow), what)
	return slow
}

// TestGroupCommit: 24 crawls writing at once share a few transactions,
// every write is stored when its Upsert returns, and a record the store
// refuses fails only its own Upsert (on a store without index.Committer).
func TestGroupCommit(t *testing.T) {
	var g *groupCommit
	var once sync.Once
	key := func(i int) string {
		if i == 7 {
			return "not a valid key!"
		}
		return fmt.Sprintf("k%02d", i)
	}
	sharedWrites(t, "write", false,
		func(st Store, i int) error {
			once.Do(func() { g = newGroupCommit(st) })
			return g.Upsert(context.Background(), testRecord(key(i)), creator.Snapshot{At: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Followers: 100})
		},
		func(st *sqlite.Store, i int) error {
			_, err := st.Get(context.Background(), key(i))
			return err
		},
		func(s *slowWrites) int32 { return s.calls.Load() })
}

// slowStore gives slowWrites the pipeline's Store interface.
type slowStore struct{ *slowWrites }

var _ Store = slowStore{}
var _ index.Committer = slowStore{}

// noCommit is a store without index.Committer.
type noCommit struct{ Store }

// TestGroupCommitItems: 24 crawls recording their job items at once share
// a few transactions, each item is stored when its call returns, and an
// item the store refuses fails only its own call (on a store without
// index.Committer).
func TestGroupCommitItems(t *testing.T) {
	var g *groupCommit
	var once sync.Once
	key := func(i int) string {
		if i == 7 {
			return "" // refused
		}
		return fmt.Sprintf("bluesky-k%02d", i)
	}
	sharedWrites(t, "item", false,
		func(st Store, i int) error {
			once.Do(func() { g = newGroupCommit(st) })
			return g.AddItem(context.Background(), &index.JobItem{JobID: "job1", Key: key(i), State: index.ItemDone})
		},
		func(st *sqlite.Store, i int) error {
			items, err := st.JobItems(context.Background(), "job1", index.ItemDone)
			for _, it := range items {
				if it.Key == key(i) {
					return err
				}
			}
			return fmt.Errorf("not in job1's items (err %v)", err)
		},
		func(s *slowWrites) int32 { return s.itemCalls.Load() })
}

// TestGroupCommitShared: on a store with index.Committer (SQLite), 24
// crawls at once, half writing their record and half their job item,
// share a few transactions, some of which carry both a record and an
// item; each write is stored when its call returns, and a record the store
// refuses fails only its own call.
func TestGroupCommitShared(t *testing.T) {
	var g *groupCommit
	var once sync.Once
	key := func(i int) string {
		if i == 7 {
			return "not a valid key!"
		}
		return fmt.Sprintf("bluesky-k%02d", i)
	}
	slow := sharedWrites(t, "write", true,
		func(st Store, i int) error {
			once.Do(func() { g = newGroupCommit(st) })
			if g.shared == nil {
				t.Fatal("the group commit does not use the store's Commit")
			}
			if i%2 == 1 {
				return g.Upsert(context.Background(), testRecord(key(i)), creator.Snapshot{At: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Followers: 100})
			}
			return g.AddItem(context.Background(), &index.JobItem{JobID: "job1", Key: key(i), State: index.ItemDone})
		},
		func(st *sqlite.Store, i int) error {
			if i%2 == 1 {
				_, err := st.Get(context.Background(), key(i))
				return err
			}
			items, err := st.JobItems(context.Background(), "job1", index.ItemDone)
			for _, it := range items {
				if it.Key == key(i) {
					return err
				}
			}
			return fmt.Errorf("not in job1's items (err %v)", err)
		},
		func(s *slowWrites) int32 { return s.commits.Load() })
	if slow.calls.Load() != 0 || slow.itemCalls.Load() != 0 {
		t.Errorf("%d UpsertMany and %d PutJobItems calls beside Commit, want none", slow.calls.Load(), slow.itemCalls.Load())
	}
	if slow.mixed.Load() == 0 {
		t.Error("no transaction carried both a record and a job item")
	}
}
