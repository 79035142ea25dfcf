package crawler

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// groupCommit makes the crawls' writes share transactions: an Upsert
// waits in line while one is being written, and everything that queued
// meanwhile goes in the next UpsertMany, one transaction (one sync to
// disk for SQLite, one indexing task for Meilisearch) for many creators.
// Each Upsert still returns only once its own write is stored (or failed),
// so a crawl is acknowledged after its write as before. It is safe for
// concurrent use.
type groupCommit struct {
	Store
	mu      sync.Mutex
	pending []*pendingWrite
	running bool
}

type pendingWrite struct {
	w    index.Write
	done chan error
}

// groupMax caps the creators of one transaction.
const groupMax = 64

// groupTimeout bounds one shared write; it does not end with any one
// caller's context, since others wait on it too.
const groupTimeout = time.Minute

// Upsert queues rec and snap for the next shared write and waits for it.
func (g *groupCommit) Upsert(ctx context.Context, rec *creator.Record, snap creator.Snapshot) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if rec == nil || !creator.ValidKey(rec.Key) {
		// Refused by the store alone, with its own words, not in a batch.
		return g.Store.Upsert(ctx, rec, snap)
	}
	p := &pendingWrite{w: index.Write{Record: rec, Snapshot: snap}, done: make(chan error, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, p)
	if !g.running {
		g.running = true
		go g.run()
	}
	g.mu.Unlock()
	// Waited for whatever ctx says: once queued the write may be made, and
	// a caller told it failed must not find it stored.
	return <-p.done
}

// run writes what is queued, batch by batch, until nothing is.
func (g *groupCommit) run() {
	for {
		g.mu.Lock()
		n := min(len(g.pending), groupMax)
		if n == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		// A creator at most once per batch (a second write of it waits for
		// the next), so the batch's order is the callers' order.
		batch := make([]*pendingWrite, 0, n)
		seen := make(map[string]bool, n)
		rest := g.pending[:0:0]
		for _, p := range g.pending {
			if len(batch) < groupMax && !seen[p.w.Record.Key] {
				seen[p.w.Record.Key] = true
				batch = append(batch, p)
			} else {
				rest = append(rest, p)
			}
		}
		g.pending = rest
		g.mu.Unlock()
		g.write(batch)
	}
}

// write stores batch in one transaction; when the store refuses it as
// invalid, each write is tried alone so one bad record fails only itself.
func (g *groupCommit) write(batch []*pendingWrite) {
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	ws := make([]index.Write, len(batch))
	for i, p := range batch {
		ws[i] = p.w
	}
	err := g.Store.UpsertMany(ctx, ws)
	if err != nil && len(batch) > 1 && errors.Is(err, creator.ErrInvalid) {
		for _, p := range batch {
			p.done <- g.Store.UpsertMany(ctx, []index.Write{p.w})
		}
		return
	}
	for _, p := range batch {
		p.done <- err
	}
}
