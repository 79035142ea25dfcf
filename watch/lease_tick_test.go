package watch

import (
	"context"
	"testing"
	"time"

	"github.com/creatorscout/scout/internal/testredis"
)

// TestRunKeepsAShortLease runs a scheduler whose lease is much shorter
// than its tick interval: Run must tick often enough to renew it, so a
// second scheduler never takes it while the first is alive.
func TestRunKeepsAShortLease(t *testing.T) {
	srv := testredis.New(t, redisDB)
	st := newMemStore()
	sched, err := NewScheduler(SchedulerConfig{Service: New(st), Enqueuer: newAsynqRescans(t, srv.Client, "rescan-short"),
		Redis: srv.Client, KeyPrefix: "t-short", LeaseTTL: 600 * time.Millisecond, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	other := newScheduler(t, New(st), srv.Client, newAsynqRescans(t, srv.Client, "rescan-short"), "t-short", 600*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sched.Run(ctx) }()
	defer func() { cancel(); <-done }()
	time.Sleep(200 * time.Millisecond) // the first tick takes the lease
	for i := range 8 {
		res, err := other.Tick(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if res.Leader {
			t.Fatalf("after %d ms the other scheduler took the lease of a live one", 200+i*250)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
