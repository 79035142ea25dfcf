package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/creatorscout/scout/crawler/fetch/budget"
)

type ctxKey int

const (
	credentialKey ctxKey = iota
	costKey
	robotsKey
)

// ErrBudgetSpent reports that a task used up its page budget (WithBudget);
// the request was not sent. It wraps creator.ErrForbidden. It is
// budget.ErrSpent.
var ErrBudgetSpent = budget.ErrSpent

// WithBudget returns a context under which at most pages requests are sent
// (redirect hops and retries count, robots.txt fetches do not). Further
// requests fail with an error wrapping ErrBudgetSpent. A budget already in
// ctx is replaced. It is budget.WithPages, for callers that cannot import
// this package.
func WithBudget(ctx context.Context, pages int) context.Context {
	return budget.WithPages(ctx, pages)
}

// BudgetLeft reports how many requests the budget in ctx still allows, and
// whether ctx carries a budget at all.
func BudgetLeft(ctx context.Context) (int, bool) { return budget.Left(ctx) }

// Task bounds the work of one task (one crawl of one creator): Pages caps
// the requests it sends (0: no cap), Timeout is its total deadline (0: none
// beyond ctx's).
type Task = budget.Limits

// NewTask returns a context carrying t's page budget and deadline. Call the
// cancel function when the task ends. It is budget.New.
func NewTask(ctx context.Context, t Task) (context.Context, context.CancelFunc) {
	return budget.New(ctx, t)
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
