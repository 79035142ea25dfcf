package lease_test

import (
	"context"
	"testing"
	"time"

	"github.com/creatorscout/scout/internal/lease"
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
