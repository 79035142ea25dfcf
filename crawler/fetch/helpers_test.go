package fetch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// testDB is this package's Redis database; other packages' tests share the
// server and use other numbers.
const testDB = 2

// newTestRedis returns a Redis client on SCOUT_TEST_REDIS_URL (database 2
// whatever the URL says) or on a miniredis, and a key prefix unique to the
// test whose keys are deleted when it ends.
func newTestRedis(t testing.TB) (redis.UniversalClient, string) {
	t.Helper()
	var rdb *redis.Client
	if raw := os.Getenv("SCOUT_TEST_REDIS_URL"); raw != "" {
		opt, err := redis.ParseURL(raw)
		if err != nil {
			t.Fatalf("parsing SCOUT_TEST_REDIS_URL: %v", err)
		}
		opt.DB = testDB
		rdb = redis.NewClient(opt)
		if err := rdb.Ping(context.Background()).Err(); err != nil {
			t.Fatalf("pinging redis at SCOUT_TEST_REDIS_URL: %v", err)
		}
	} else {
		mr := miniredis.RunT(t)
		rdb = redis.NewClient(&redis.Options{Addr: mr.Addr(), DB: testDB})
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "scout:fetch:test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		for _, pattern := range []string{prefix + "*"} {
			iter := rdb.Scan(ctx, 0, pattern, 100).Iterator()
			for iter.Next(ctx) {
				rdb.Del(ctx, iter.Val())
			}
		}
		rdb.Close()
	})
	return rdb, prefix
}

var loopback = netip.MustParsePrefix("127.0.0.0/8")

// fakeClock is a clock whose sleeps advance it at once. Safe for
// concurrent use.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.slept = append(f.slept, d)
	f.t = f.t.Add(d)
	return nil
}

func (f *fakeClock) Slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.slept...)
}

// fakeOpts are options for a client on a fake clock, allowed to reach
// loopback, without rate limits (the GCRA in Redis runs on Redis's clock,
// which a fake clock cannot move).
func fakeOpts(clk *fakeClock, more ...Option) []Option {
	return append([]Option{
		WithClock(clk.Now),
		WithSleep(clk.Sleep),
		WithAllowNets(loopback),
		WithDefaultHostPolicy(HostPolicy{}),
	}, more...)
}

func mustNew(t *testing.T, opts ...Option) *Client {
	t.Helper()
	c, err := New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}
