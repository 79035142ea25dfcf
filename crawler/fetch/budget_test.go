package fetch

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestBudgetTakeIsExact(t *testing.T) {
	ctx := WithBudget(context.Background(), 100)
	var wg sync.WaitGroup
	var mu sync.Mutex
	taken := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for takePage(ctx) {
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
	if left, ok := BudgetLeft(ctx); !ok || left != 0 {
		t.Errorf("BudgetLeft = %d, %v; want 0, true", left, ok)
	}
}

func TestBudgetNone(t *testing.T) {
	ctx, cancel := NewTask(context.Background(), Limits{})
	defer cancel()
	if !takePage(ctx) {
		t.Error("takePage without a budget = false, want true")
	}
	if _, ok := BudgetLeft(ctx); ok {
		t.Error("BudgetLeft reports a budget that was never set")
	}
}

func TestNewTaskSetsDeadline(t *testing.T) {
	ctx, cancel := NewTask(context.Background(), Limits{Pages: 1, Timeout: time.Hour})
	defer cancel()
	if _, ok := ctx.Deadline(); !ok {
		t.Error("NewTask with a timeout set no deadline")
	}
}
