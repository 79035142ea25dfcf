package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
)

type ctxKey int

const (
	credentialKey ctxKey = iota
	costKey
	robotsKey
)

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
