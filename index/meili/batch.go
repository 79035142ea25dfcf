package meili

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// errClosed is returned by writes after Close.
var errClosed = errors.New("meilisearch store closed")

// batcher coalesces concurrent creator writes into batches: one goroutine
// takes the first waiting request, collects more until size writes or wait
// has passed, sends them with flush and gives every caller the first
// error flush reports for its writes. Batches are flushed one at a time,
// in arrival order; operations that must not overlap a batch (do) run on
// the same goroutine, in their turn. It is safe for concurrent use.
type batcher struct {
	in   chan batchReq
	stop chan struct{}
	done chan struct{}
	size int
	wait time.Duration
	// flush writes a batch and returns each write's error, one per
	// write (nil where it succeeded).
	flush func(ctx context.Context, ws []prepared) []error
	// waiting counts the requests handed to send that the loop has not
	// taken yet (a Delete waiting behind a batch in flight).
	waiting atomic.Int32
}

type batchReq struct {
	ws  []prepared
	op  func() error // set for do: run alone, between batches
	err chan error
}

func newBatcher(size int, wait time.Duration, flush func(context.Context, []prepared) []error) *batcher {
	b := &batcher{
		in: make(chan batchReq), stop: make(chan struct{}), done: make(chan struct{}),
		size: size, wait: wait, flush: flush,
	}
	go b.loop()
	return b
}

// submit queues ws and waits for its batch to be flushed. If ctx ends
// first, submit returns ctx's error, and the writes may still be applied.
func (b *batcher) submit(ctx context.Context, ws []prepared) error {
	return b.send(ctx, batchReq{ws: ws, err: make(chan error, 1)})
}

// do runs op on the batching goroutine, after the batches of the writes
// submitted before it and before any submitted after it, so that it never
// runs while a batch is being written, and returns op's error. If ctx
// ends first, do returns ctx's error, and op may still run.
func (b *batcher) do(ctx context.Context, op func() error) error {
	return b.send(ctx, batchReq{op: op, err: make(chan error, 1)})
}

func (b *batcher) send(ctx context.Context, r batchReq) error {
	b.waiting.Add(1)
	var err error
	select {
	case b.in <- r:
	case <-b.done:
		err = errClosed
	case <-ctx.Done():
		err = ctx.Err()
	}
	b.waiting.Add(-1)
	if err != nil {
		return err
	}
	select {
	case err := <-r.err:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close flushes what is queued and stops the loop. It is idempotent.
func (b *batcher) close() {
	select {
	case <-b.stop:
	default:
		close(b.stop)
	}
	<-b.done
}

func (b *batcher) loop() {
	defer close(b.done)
	for {
		var first batchReq
		select {
		case first = <-b.in:
		case <-b.stop:
			return
		}
		if first.op != nil {
			first.err <- first.op()
			continue
		}
		group := []batchReq{first}
		n := len(first.ws)
		var next *batchReq // an op that ended the collecting
		timer := time.NewTimer(b.wait)
	collect:
		for n < b.size {
			select {
			case r := <-b.in:
				if r.op != nil {
					next = &r
					break collect
				}
				group = append(group, r)
				n += len(r.ws)
			case <-timer.C:
				break collect
			case <-b.stop:
				break collect
			}
		}
		timer.Stop()
		ws := make([]prepared, 0, n)
		for _, r := range group {
			ws = append(ws, r.ws...)
		}
		errs := b.flush(context.Background(), ws)
		off := 0
		for _, r := range group {
			var err error
			for _, e := range errs[off : off+len(r.ws)] {
				if e != nil {
					err = e
					break
				}
			}
			off += len(r.ws)
			r.err <- err
		}
		if next != nil {
			next.err <- next.op()
		}
	}
}
