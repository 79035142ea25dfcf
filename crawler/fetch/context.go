package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/creatorscout/scout/creator"
)

type ctxKey int

const (
	budgetKey ctxKey = iota
	credentialKey
	costKey
	robotsKey
)

// ErrBudgetSpent reports that a task used up its page budget (WithBudget);
// the request was not sent. It wraps creator.ErrForbidden.
var ErrBudgetSpent = fmt.Errorf("page budget spent: %w", creator.ErrForbidden)

// budget counts the requests a task may still send. Safe for concurrent use.
type budget struct{ left atomic.Int64 }

func (b *budget) take() bool {
	for {
		n := b.left.Load()
		if n <= 0 {
			return false
		}
		if b.left.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// WithBudget returns a context under which at most pages requests are sent
// (redirect hops and retries count, robots.txt fetches do not). Further
// requests fail with an error wrapping ErrBudgetSpent. A budget already in
// ctx is replaced.
func WithBudget(ctx context.Context, pages int) context.Context {
	b := &budget{}
	b.left.Store(int64(pages))
	return context.WithValue(ctx, budgetKey, b)
}

// BudgetLeft reports how many requests the budget in ctx still allows, and
// whether ctx carries a budget at all.
func BudgetLeft(ctx context.Context) (int, bool) {
	b, ok := ctx.Value(budgetKey).(*budget)
	if !ok {
		return 0, false
	}
	return int(b.left.Load()), true
}

// Task bounds the work of one task (one crawl of one creator).
type Task struct {
	// Pages caps the requests the task sends; 0 means no cap.
	Pages int
	// Timeout is the task's total deadline; 0 means none beyond ctx's.
	Timeout time.Duration
}

// NewTask returns a context carrying t's page budget and deadline. Call the
// cancel function when the task ends.
func NewTask(ctx context.Context, t Task) (context.Context, context.CancelFunc) {
	if t.Pages > 0 {
		ctx = WithBudget(ctx, t.Pages)
	}
	if t.Timeout > 0 {
		return context.WithTimeout(ctx, t.Timeout)
	}
	return context.WithCancel(ctx)
}

// WithCredential returns a context whose requests are rate-limited, paused
// and counted against quotas per credential as well as per host, for
// platforms that count per API key. Only a hash of id is kept.
func WithCredential(ctx context.Context, id string) context.Context {
	sum := sha256.Sum256([]byte(id))
	return context.WithValue(ctx, credentialKey, hex.EncodeToString(sum[:8]))
}

// WithCost returns a context whose requests each cost units of a host's
// daily quota (YouTube search.list costs 100) instead of 1.
func WithCost(ctx context.Context, units int) context.Context {
	return context.WithValue(ctx, costKey, units)
}

// WithRobotsCheck returns a context whose requests consult robots.txt (on)
// or not, overriding the defaults: Get, Do and the Transport check it when
// the client was built WithRobots(true) (the default), GetJSON does not.
func WithRobotsCheck(ctx context.Context, on bool) context.Context {
	return context.WithValue(ctx, robotsKey, on)
}

func costFrom(ctx context.Context) int64 {
	if n, ok := ctx.Value(costKey).(int); ok && n > 0 {
		return int64(n)
	}
	return 1
}

func credentialFrom(ctx context.Context) string {
	s, _ := ctx.Value(credentialKey).(string)
	return s
}

func robotsFrom(ctx context.Context) (on, set bool) {
	on, set = ctx.Value(robotsKey).(bool)
	return on, set
}
