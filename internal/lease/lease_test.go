package lease_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/internal/lease"
	"github.com/creatorscout/scout/internal/memredis"
	"github.com/creatorscout/scout/internal/testredis"
)

// redisDB is this package's database on a real Redis.
const redisDB = 11

// TestOneHolder: of two claims one holds the lease; the other takes it
// once it is released, or once the holder stops renewing and it expires.
func TestOneHolder(t *testing.T) {
	srv := testredis.New(t, redisDB)
	ctx := context.Background()
	a := lease.New(srv.Client, "test:lease", 300*time.Millisecond)
	b := lease.New(srv.Client, "test:lease", 300*time.Millisecond)
	if ok, err := a.Acquire(ctx); err != nil || !ok {
		t.Fatalf("a.Acquire = %v, %v; want held", ok, err)
	}
	if ok, err := b.Acquire(ctx); err != nil || ok {
		t.Fatalf("b.Acquire while a holds = %v, %v; want not held", ok, err)
	}
	if ok, err := a.Acquire(ctx); err != nil || !ok {
		t.Fatalf("a.Acquire again (a renewal) = %v, %v; want held", ok, err)
	}
	if ok, err := b.Renew(ctx); err != nil || ok {
		t.Fatalf("b.Renew of a lease it does not hold = %v, %v; want not held", ok, err)
	}
	if err := b.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, _ := a.Renew(ctx); !ok {
		t.Fatal("b's Release took the lease from a")
	}
	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.Acquire(ctx); err != nil || !ok {
		t.Fatalf("b.Acquire after a released = %v, %v; want held", ok, err)
	}
	// b dies (stops renewing): a takes over once the lease expires.
	deadline := time.Now().Add(5 * time.Second)
	for {
		ok, err := a.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a never took over the lease of a holder that stopped renewing")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ok, _ := b.Renew(ctx); ok {
		t.Error("b renewed a lease that expired and was taken")
	}
}

// TestReleaseOnEveryServer: Release gives up only the caller's own lease,
// with DELEX where the server has it (the in-process server) and with the
// script where it does not (a real Redis before 8.4, when CI provides one).
func TestReleaseOnEveryServer(t *testing.T) {
	ctx := context.Background()
	servers := map[string]*redis.Client{"in-process": memClient(t)}
	if testredis.Real() {
		servers["real"] = testredis.New(t, redisDB).Client
	}
	for name, c := range servers {
		t.Run(name, func(t *testing.T) {
			a := lease.New(c, "test:release", time.Minute)
			b := lease.New(c, "test:release", time.Minute)
			if ok, err := a.Acquire(ctx); err != nil || !ok {
				t.Fatalf("a.Acquire = %v, %v", ok, err)
			}
			for range 2 { // the second goes the way the first chose
				if err := b.Release(ctx); err != nil {
					t.Fatalf("b.Release: %v", err)
				}
				if v, err := c.Get(ctx, "test:release").Result(); err != nil || v != a.Token() {
					t.Fatalf("after b.Release the lease holds %q (%v), want a's token", v, err)
				}
			}
			if err := a.Release(ctx); err != nil {
				t.Fatalf("a.Release: %v", err)
			}
			if n, err := c.Exists(ctx, "test:release").Result(); err != nil || n != 0 {
				t.Fatalf("after a.Release the lease exists (%d, %v)", n, err)
			}
			if name == "in-process" && lease.ReleasesByScript(c) {
				t.Error("the in-process server has DELEX, but releases went to the script")
			}
			t.Logf("%s server: releases by script %v", name, lease.ReleasesByScript(c))
			// A value of another type under the key is an error, not a release.
			c.RPush(ctx, "test:release", "x")
			if err := a.Release(ctx); err == nil {
				t.Error("Release of a key holding a list: no error")
			}
			c.Del(ctx, "test:release")
		})
	}
}

// memClient is a client of a fresh in-process server, whatever
// SCOUT_TEST_REDIS_URL says.
func memClient(t *testing.T) *redis.Client {
	t.Helper()
	m, err := memredis.Start(memredis.Config{Tick: 10 * time.Millisecond, MaxBusy: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(&redis.Options{Addr: m.Addr()})
	t.Cleanup(func() { c.Close(); m.Close() })
	return c
}
