package lease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Lease is one process's claim on a named lease. It is safe for
// concurrent use.
type Lease struct {
	rdb   redis.UniversalClient
	key   string
	token string
	ttl   time.Duration
}

// New returns a claim on the lease stored under key with a fresh random
// token; ttl <= 0 means 30 seconds. It takes nothing until Acquire.
func New(rdb redis.UniversalClient, key string, ttl time.Duration) *Lease {
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	var b [16]byte
	rand.Read(b[:])
	return &Lease{rdb: rdb, key: key, token: hex.EncodeToString(b[:]), ttl: ttl}
}

// WithToken returns a claim on the lease under key whose token is token,
// for a holder that names itself in it (the crawler's per-creator lock
// puts its task's id first, so a later attempt of the task can take over).
// ttl <= 0 means 30 seconds.
func WithToken(rdb redis.UniversalClient, key, token string, ttl time.Duration) *Lease {
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	return &Lease{rdb: rdb, key: key, token: token, ttl: ttl}
}

// Key is the Redis key of the lease.
func (l *Lease) Key() string { return l.key }

// Token is this claim's token, the lease's value while it holds it.
func (l *Lease) Token() string { return l.token }

// TTL is how long the lease lasts unless renewed.
func (l *Lease) TTL() time.Duration { return l.ttl }

// Scripts: act only when the lease holds our token.
var (
	renewScript   = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`)
	releaseScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`)
)

// Acquire takes the lease, or renews it when this claim already holds it,
// and reports whether it is held.
func (l *Lease) Acquire(ctx context.Context) (bool, error) {
	ok, err := l.rdb.SetNX(ctx, l.key, l.token, l.ttl).Result()
	if err != nil {
		return false, fmt.Errorf("taking lease %s: %w", l.key, err)
	}
	if ok {
		return true, nil
	}
	return l.Renew(ctx)
}

// Renew extends the lease if this claim holds it, and reports whether it
// does.
func (l *Lease) Renew(ctx context.Context) (bool, error) {
	n, err := renewScript.Run(ctx, l.rdb, []string{l.key}, l.token, l.ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("renewing lease %s: %w", l.key, err)
	}
	return n == 1, nil
}

// Release gives the lease up if this claim holds it, so that another
// process can take it at once. Where the server has DELEX (Redis 8.4, and
// the embedded queue's in-process server) it is one command, DELEX key
// IFEQ token; elsewhere a script. The embedded server runs every script
// in a new Lua interpreter, and a release per crawled creator was a third
// of the scripts an embedded crawl ran.
func (l *Lease) Release(ctx context.Context) error {
	if _, old := noDelex.Load(l.rdb); !old {
		err := l.rdb.Do(ctx, "DELEX", l.key, "IFEQ", l.token).Err()
		var re redis.Error
		switch {
		case err == nil:
			return nil
		case unknownCommand(err):
			noDelex.Store(l.rdb, true)
		case !errors.As(err, &re) || strings.HasPrefix(re.Error(), "WRONGTYPE") || strings.HasPrefix(re.Error(), "ERR Key should be"):
			// Not the server's answer (a connection, a context), or a
			// value that is not a lease: the script would fail alike.
			return fmt.Errorf("releasing lease %s: %w", l.key, err)
		}
		// Any other refusal (an ACL without DELEX, a proxy that does not
		// pass it, a DELEX without IFEQ): the script, this time.
	}
	if err := releaseScript.Run(ctx, l.rdb, []string{l.key}, l.token).Err(); err != nil {
		return fmt.Errorf("releasing lease %s: %w", l.key, err)
	}
	return nil
}

// noDelex holds the clients whose server answered DELEX as an unknown
// command (Redis before 8.4): they release with the script.
var noDelex sync.Map

// unknownCommand reports whether err is a server's refusal of a command it
// does not know.
func unknownCommand(err error) bool {
	var re redis.Error
	return errors.As(err, &re) && strings.HasPrefix(strings.ToLower(re.Error()), "err unknown command")
}
