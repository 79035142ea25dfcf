package crawler

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// batcher makes concurrent callers share store calls: an Add waits in line
// while one call is being made, and everything that queued meanwhile goes
// in the next call, one transaction (one sync to disk for SQLite, one
// indexing task for Meilisearch) for many. Each Add still returns only once
// its own item is stored (or failed), so a crawl is acknowledged after its
// write as before. It is safe for concurrent use.
type batcher[T any] struct {
	// write stores items in one call.
	write func(ctx context.Context, items []T) error
	// key names an item's target: one target at most once per call (a
	// second item for it waits for the next), so a batch keeps the callers'
	// order.
	key func(T) string

	mu      sync.Mutex
	pending []*pendingItem[T]
	running bool
}

type pendingItem[T any] struct {
	item T
	done chan error
}

// groupMax caps the items of one shared call.
const groupMax = 64

// groupTimeout bounds one shared call; it does not end with any one
// caller's context, since others wait on it too.
const groupTimeout = time.Minute

// Add queues item for the next shared call and waits for it. Once queued
// the item may be stored whatever ctx says, so Add waits for the outcome:
// a caller told it failed must not find it stored.
func (b *batcher[T]) Add(ctx context.Context, item T) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := &pendingItem[T]{item: item, done: make(chan error, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, p)
	if !b.running {
		b.running = true
		go b.run()
	}
	b.mu.Unlock()
	return <-p.done
}

// run makes calls for what is queued, batch by batch, until nothing is.
func (b *batcher[T]) run() {
	for {
		b.mu.Lock()
		n := min(len(b.pending), groupMax)
		if n == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		batch := make([]*pendingItem[T], 0, n)
		seen := make(map[string]bool, n)
		rest := b.pending[:0:0]
		for _, p := range b.pending {
			if k := b.key(p.item); len(batch) < groupMax && !seen[k] {
				seen[k] = true
				batch = append(batch, p)
			} else {
				rest = append(rest, p)
			}
		}
		b.pending = rest
		b.mu.Unlock()
		b.flush(batch)
	}
}

// flush stores batch in one call; when the store refuses it as invalid,
// each item is tried alone so one bad item fails only itself.
func (b *batcher[T]) flush(batch []*pendingItem[T]) {
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	items := make([]T, len(batch))
	for i, p := range batch {
		items[i] = p.item
	}
	err := b.write(ctx, items)
	if err != nil && len(batch) > 1 && errors.Is(err, creator.ErrInvalid) {
		for _, p := range batch {
			p.done <- b.write(ctx, []T{p.item})
		}
		return
	}
	for _, p := range batch {
		p.done <- err
	}
}

// groupCommit makes the crawls' creator writes share UpsertMany calls.
type groupCommit struct {
	Store
	b batcher[index.Write]
}

func newGroupCommit(st Store) *groupCommit {
	g := &groupCommit{Store: st}
	g.b.write = st.UpsertMany
	g.b.key = func(w index.Write) string { return w.Record.Key }
	return g
}

// Upsert queues rec and snap for the next shared write and waits for it.
func (g *groupCommit) Upsert(ctx context.Context, rec *creator.Record, snap creator.Snapshot) error {
	if rec == nil || !creator.ValidKey(rec.Key) {
		// Refused by the store alone, with its own words, not in a batch.
		return g.Store.Upsert(ctx, rec, snap)
	}
	return g.b.Add(ctx, index.Write{Record: rec, Snapshot: snap})
}

// itemBatcher makes the crawls' job-item outcomes share PutJobItems calls.
type itemBatcher struct {
	st Store
	b  batcher[*index.JobItem]
}

func newItemBatcher(st Store) *itemBatcher {
	ib := &itemBatcher{st: st}
	ib.b.write = func(ctx context.Context, items []*index.JobItem) error { return st.PutJobItems(ctx, items...) }
	ib.b.key = func(it *index.JobItem) string { return it.JobID + "\x00" + it.Key }
	return ib
}

// Add queues it for the next shared write and waits for it.
func (ib *itemBatcher) Add(ctx context.Context, it *index.JobItem) error {
	if it == nil || it.JobID == "" || it.Key == "" {
		// Refused by the store alone, with its own words, not in a batch.
		return ib.st.PutJobItems(ctx, it)
	}
	return ib.b.Add(ctx, it)
}
