package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/compliance"
	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/internal/testredis"
	"github.com/creatorscout/scout/sim"
)

// TestIntegrationRedisLossHeals loses the queue in the middle of a
// discover job while a worker and the scheduler keep running, and checks
// that the job completes without restarting anything: every discovered
// creator is stored once, none is lost, the job ends done. Two losses:
// Redis emptied whole (FLUSHDB on the test's database: on a shared test
// Redis a FLUSHALL would wipe the other packages' databases; for a process
// on one database it is the same loss), which the scheduler notices at its
// next tick; and only the queued crawls deleted (the scheduler's own keys
// kept), which the periodic reconciliation finds. It logs the time from
// the loss to the first crawl run again and to the job's end.
func TestIntegrationRedisLossHeals(t *testing.T) {
	for _, tc := range []struct {
		name string
		lose func(ctx context.Context, a *app) error
	}{
		{"redis emptied", func(ctx context.Context, a *app) error { return a.rdb.FlushDB(ctx).Err() }},
		{"queued crawls deleted", func(ctx context.Context, a *app) error {
			_, err := asynq.NewInspectorFromRedisClient(a.rdb).DeleteAllPendingTasks(crawler.QueueInteractive)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			world := sim.New(sim.Config{Seed: 11, Creators: 300})
			h := world.Handler()
			// Each request takes a little time, so the job is still
			// running when the queue is lost.
			simSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(5 * time.Millisecond)
				h.ServeHTTP(w, r)
			}))
			defer simSrv.Close()
			cfg := testConfig(t, simSrv.URL, t.TempDir())
			cfg.Concurrency = 2
			cfg.ReconcileInterval = 500 * time.Millisecond
			a := startApp(t, cfg)
			defer a.Close()
			a.schedInterval = time.Hour // watchlist ticks: only the reconciliation's interval drives Run
			runWorker(t, a)
			ctx, cancel := context.WithCancel(context.Background())
			schedDone := make(chan error, 1)
			go func() { schedDone <- a.scheduler(ctx) }()
			defer func() {
				cancel()
				if err := <-schedDone; err != nil && !errors.Is(err, context.Canceled) {
					t.Errorf("scheduler: %v", err)
				}
			}()

			job, err := a.pipe.SubmitDiscover(ctx, "bluesky", "fitness", 24)
			if err != nil {
				t.Fatal(err)
			}
			// Lose the queue once a few crawls are done and many wait.
			var at *index.Job
			deadline := time.Now().Add(60 * time.Second)
			for {
				if at, err = a.store.GetJob(ctx, job.ID); err != nil {
					t.Fatal(err)
				}
				if at.Counts.Done >= 2 && at.Counts.Pending >= 10 {
					break
				}
				if at.State == index.JobDone || time.Now().After(deadline) {
					t.Fatalf("job %s before the loss: %+v", at.State, at.Counts)
				}
				time.Sleep(5 * time.Millisecond)
			}
			lostAt := time.Now()
			if err := tc.lose(ctx, a); err != nil {
				t.Fatal(err)
			}
			// Crawls running at the loss still finish; a count past them
			// is a crawl the reconciliation queued again.
			var resumed time.Duration
			for {
				j, err := a.store.GetJob(ctx, job.ID)
				if err != nil {
					t.Fatal(err)
				}
				if resumed == 0 && j.Counts.Done > at.Counts.Done+cfg.Concurrency {
					resumed = time.Since(lostAt)
				}
				if j.State == index.JobDone || j.State == index.JobFailed {
					at = j
					break
				}
				if time.Since(lostAt) > 60*time.Second {
					t.Fatalf("job still %s 60 s after the loss: %+v (nothing re-enqueued its crawls)", j.State, j.Counts)
				}
				time.Sleep(10 * time.Millisecond)
			}
			recovered := time.Since(lostAt)

			if at.State != index.JobDone || at.Counts.Pending != 0 || at.Counts.Failed != 0 {
				t.Fatalf("job ended %s with %+v, want done with nothing failed or pending", at.State, at.Counts)
			}
			if got := at.Counts.Done + at.Counts.Skipped; got != at.Discovered {
				t.Errorf("done %d + skipped %d = %d items, want all %d discovered", at.Counts.Done, at.Counts.Skipped, got, at.Discovered)
			}
			items, err := a.store.JobItems(ctx, job.ID, index.ItemDone)
			if err != nil {
				t.Fatal(err)
			}
			stored, snaps := 0, 0
			for _, it := range items {
				if _, err := a.store.Get(ctx, it.Key); err != nil {
					t.Errorf("done item %s: %v", it.Key, err)
					continue
				}
				stored++
				hist, err := a.store.History(ctx, it.Key, 0)
				if err != nil {
					t.Fatal(err)
				}
				snaps += len(hist)
			}
			if stored != len(items) || stored < 10 {
				t.Errorf("%d of %d crawled creators stored (want all, at least 10)", stored, len(items))
			}
			// A crawl running when its task vanished may run a second time
			// (its record is one; it gains a second snapshot), no more.
			if snaps > stored+cfg.Concurrency {
				t.Errorf("%d snapshots for %d creators: more than the %d crawls running at the loss were repeated", snaps, stored, cfg.Concurrency)
			}
			redis := "miniredis"
			if testredis.Real() {
				redis = "real redis"
			}
			t.Logf("%s (%s, reconcile every %s): %d creators stored, %d snapshots; first re-run crawl done %.2f s after the loss, job done after %.2f s",
				tc.name, redis, cfg.ReconcileInterval, stored, snaps, resumed.Seconds(), recovered.Seconds())
		})
	}
}

// TestQueueNames: the worker serves (crawler.Queues) the queue compliance
// puts its purges in, which compliance names itself as crawler may not
// import it.
func TestQueueNames(t *testing.T) {
	if _, ok := crawler.Queues[compliance.QueueMaintenance]; !ok {
		t.Errorf("compliance queues its purges in %q, which the worker does not serve (%v)", compliance.QueueMaintenance, crawler.Queues)
	}
	if crawler.QueueMaintenance != compliance.QueueMaintenance {
		t.Errorf("crawler.QueueMaintenance %q, compliance.QueueMaintenance %q: want one queue", crawler.QueueMaintenance, compliance.QueueMaintenance)
	}
}
