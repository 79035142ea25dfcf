package budget

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestTakeIsExact(t *testing.T) {
	ctx := WithPages(context.Background(), 100)
	var wg sync.WaitGroup
	var mu sync.Mutex
	taken := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for Take(ctx) {
				mu.Lock()
				taken++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if taken != 100 {
		t.Errorf("took %d pages of 100", taken)
	}
	if left, ok := Left(ctx); !ok || left != 0 {
		t.Errorf("Left = %d, %v; want 0, true", left, ok)
	}
}

func TestNoBudget(t *testing.T) {
	ctx, cancel := New(context.Background(), Limits{})
	defer cancel()
	if !Take(ctx) {
		t.Error("Take without a budget = false, want true")
	}
	if _, ok := Left(ctx); ok {
		t.Error("Left reports a budget that was never set")
	}
}

func TestNewSetsDeadline(t *testing.T) {
	ctx, cancel := New(context.Background(), Limits{Pages: 1, Timeout: time.Hour})
	defer cancel()
	if _, ok := ctx.Deadline(); !ok {
		t.Error("New with a timeout set no deadline")
	}
}
