package fetch

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/creatorscout/scout/creator"
)

type budgetKey struct{}

// ErrBudgetSpent reports that a task used up its page budget (WithBudget);
// the request was not sent. It wraps creator.ErrForbidden.
var ErrBudgetSpent = fmt.Errorf("page budget spent: %w", creator.ErrForbidden)

// pages counts the requests a task may still send.
type pages struct{ left atomic.Int64 }

// WithBudget returns a context under which at most n requests are sent
// (redirect hops and retries count, robots.txt fetches do not). Further
// requests fail with an error wrapping ErrBudgetSpent. A budget already in
// ctx is replaced. The budget is safe for concurrent use.
func WithBudget(ctx context.Context, n int) context.Context {
	p := &pages{}
	p.left.Store(int64(n))
	return context.WithValue(ctx, budgetKey{}, p)
}

// BudgetLeft reports how many requests the budget in ctx still allows, and
// whether ctx carries a budget at all.
func BudgetLeft(ctx context.Context) (int, bool) {
	p, ok := ctx.Value(budgetKey{}).(*pages)
	if !ok {
		return 0, false
	}
	return int(p.left.Load()), true
}

// takePage spends one page of the budget in ctx. It reports false when the
// budget is spent; a context without a budget always has pages left.
func takePage(ctx context.Context) bool {
	p, ok := ctx.Value(budgetKey{}).(*pages)
	if !ok {
		return true
	}
	for {
		n := p.left.Load()
		if n <= 0 {
			return false
		}
		if p.left.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// Limits bound the work of one task (one crawl of one creator).
type Limits struct {
	// Pages caps the requests the task sends; 0 means no cap.
	Pages int
	// Timeout is the task's total deadline; 0 means none beyond ctx's.
	Timeout time.Duration
}

// NewTask returns a context carrying l's page budget and deadline. Call the
// cancel function when the task ends.
func NewTask(ctx context.Context, l Limits) (context.Context, context.CancelFunc) {
	if l.Pages > 0 {
		ctx = WithBudget(ctx, l.Pages)
	}
	if l.Timeout > 0 {
		return context.WithTimeout(ctx, l.Timeout)
	}
	return context.WithCancel(ctx)
}
