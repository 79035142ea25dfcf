package crawler_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/internal/testredis"
)

type silentAsynq struct{}

func (silentAsynq) Debug(...any) {}
func (silentAsynq) Info(...any)  {}
func (silentAsynq) Warn(...any)  {}
func (silentAsynq) Error(...any) {}
func (silentAsynq) Fatal(...any) {}

// cutHook fails every command once cut, as a lost connection would.
type cutHook struct{ cut atomic.Bool }

func (h *cutHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *cutHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if h.cut.Load() {
			cmd.SetErr(errCut)
			return errCut
		}
		return next(ctx, cmd)
	}
}
func (h *cutHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if h.cut.Load() {
			for _, c := range cmds {
				c.SetErr(errCut)
			}
			return errCut
		}
		return next(ctx, cmds)
	}
}

var errCut = errors.New("connection cut")

// TestRequeueStranded runs two tasks on a real asynq worker whose
// connection to Redis then goes (it can no longer extend their leases),
// ages one lease past crawler.StrandedAfter, and checks that
// RequeueStranded queues that one again, only it, and that another worker
// then runs it; the task with a fresh lease is left to its worker.
func TestRequeueStranded(t *testing.T) {
	f := newFixture(t, 0)
	rs := testredis.New(t, redisDB)
	ctx := context.Background()
	pipe, err := crawler.NewPipeline(crawler.PipelineConfig{Store: f.store, Erasure: f.comp, Sources: map[string]crawler.Source{creator.Bluesky: f.source}, Redis: rs.Client})
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close()
	q := asynq.NewClientFromRedisClient(rs.Client)
	defer q.Close()
	for _, id := range []string{"stale", "fresh"} {
		if _, err := q.Enqueue(asynq.NewTask("test:block", nil, asynq.TaskID(id), asynq.Queue(crawler.QueueInteractive))); err != nil {
			t.Fatal(err)
		}
	}

	// The worker that will die: its own connection, which then fails
	// every command (closing it under asynq panics asynq).
	deadConn := redis.NewClient(rs.Opts)
	cut := &cutHook{}
	deadConn.AddHook(cut)
	defer deadConn.Close()
	started := make(chan string, 2)
	release := make(chan struct{})
	dead := asynq.NewServerFromRedisClient(deadConn, asynq.Config{Concurrency: 2, Queues: crawler.Queues,
		TaskCheckInterval: 20 * time.Millisecond, ShutdownTimeout: 100 * time.Millisecond, Logger: silentAsynq{}, LogLevel: asynq.FatalLevel})
	if err := dead.Start(asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		id, _ := asynq.GetTaskID(ctx)
		started <- id
		<-release
		return nil
	})); err != nil {
		t.Fatal(err)
	}
	defer func() { close(release); dead.Shutdown() }()
	for range 2 {
		select {
		case <-started:
		case <-time.After(10 * time.Second):
			t.Fatal("the worker did not take both tasks")
		}
	}
	cut.cut.Store(true)

	if n, err := pipe.RequeueStranded(ctx); err != nil || n != 0 {
		t.Fatalf("with fresh leases RequeueStranded = %d, %v; want 0", n, err)
	}
	lease := "asynq:{" + crawler.QueueInteractive + "}:lease"
	stale := time.Now().Add(30*time.Second - crawler.StrandedAfter - time.Second).Unix()
	if err := rs.Client.ZAdd(ctx, lease, redis.Z{Member: "stale", Score: float64(stale)}).Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := pipe.RequeueStranded(ctx); err != nil || n != 1 {
		t.Fatalf("RequeueStranded = %d, %v; want 1", n, err)
	}
	insp := asynq.NewInspectorFromRedisClient(rs.Client)
	for id, want := range map[string]asynq.TaskState{"stale": asynq.TaskStatePending, "fresh": asynq.TaskStateActive} {
		ti, err := insp.GetTaskInfo(crawler.QueueInteractive, id)
		if err != nil {
			t.Fatal(err)
		}
		if ti.State != want {
			t.Errorf("task %s is %v, want %v", id, ti.State, want)
		}
	}
	if n, err := pipe.RequeueStranded(ctx); err != nil || n != 0 {
		t.Errorf("a second RequeueStranded = %d, %v; want 0", n, err)
	}

	ran := make(chan string, 2)
	live := asynq.NewServerFromRedisClient(rs.Client, asynq.Config{Concurrency: 2, Queues: crawler.Queues,
		TaskCheckInterval: 20 * time.Millisecond, Logger: silentAsynq{}, LogLevel: asynq.FatalLevel})
	if err := live.Start(asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		id, _ := asynq.GetTaskID(ctx)
		ran <- id
		return nil
	})); err != nil {
		t.Fatal(err)
	}
	defer live.Shutdown()
	select {
	case id := <-ran:
		if id != "stale" {
			t.Errorf("the live worker ran %q, want the stranded task", id)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no worker ran the stranded task")
	}
	select {
	case id := <-ran:
		t.Errorf("the live worker also ran %q, held by the other worker", id)
	case <-time.After(200 * time.Millisecond):
	}
}
