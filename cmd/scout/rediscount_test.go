package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/sim"
)

// cmdCounter counts the Redis commands a client sends, by name (scripts by
// the first key's prefix), pipelines command by command.
type cmdCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *cmdCounter) add(cmd redis.Cmder) {
	name := strings.ToLower(cmd.Name())
	args := cmd.Args()
	if (name == "evalsha" || name == "eval") && len(args) > 3 {
		if k, ok := args[3].(string); ok {
			if i := strings.LastIndex(k, ":"); i > 0 {
				k = k[:i]
			}
			if len(k) > 40 {
				k = k[:40]
			}
			name += " " + k
		}
	}
	c.mu.Lock()
	c.n[name]++
	c.mu.Unlock()
}

func (c *cmdCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *cmdCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { c.add(cmd); return next(ctx, cmd) }
}
func (c *cmdCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			c.add(cmd)
		}
		return next(ctx, cmds)
	}
}

func (c *cmdCounter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := 0
	for _, n := range c.n {
		t += n
	}
	return t
}

func (c *cmdCounter) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := make([]string, 0, len(c.n))
	for k := range c.n {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return c.n[names[i]] > c.n[names[j]] })
	var b strings.Builder
	for _, k := range names {
		fmt.Fprintf(&b, "  %6d %s\n", c.n[k], k)
	}
	return b.String()
}

// TestRedisCommandsPerCreator counts the Redis commands a discovery and
// the crawls of what it found send (queue, locks, uniqueness, rate
// limits, host state), per crawled creator, at the tests' simulator limit
// (1000 a second) and the demo's concurrency; everything the worker polls
// meanwhile is counted too. -v prints them by command.
func TestRedisCommandsPerCreator(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls 60 creators")
	}
	world := sim.New(sim.Config{Seed: 3, Creators: 200})
	simSrv := httptest.NewServer(world.Handler())
	defer simSrv.Close()
	cfg := testConfig(t, simSrv.URL, t.TempDir())
	cfg.Concurrency = 16
	a := startApp(t, cfg)
	defer a.Close()
	cnt := &cmdCounter{n: map[string]int{}}
	a.rdb.(*redis.Client).AddHook(cnt)
	runWorker(t, a)
	ctx := context.Background()
	job, err := a.pipe.SubmitDiscover(ctx, creator.Bluesky, "fitness", 60)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	var j *index.Job
	for {
		if j, err = a.store.GetJob(ctx, job.ID); err != nil {
			t.Fatal(err)
		}
		if j.State == index.JobDone || j.State == index.JobFailed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job still %s after 2 minutes: %+v", j.State, j.Counts)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if j.Counts.Done == 0 {
		t.Fatalf("nothing crawled: %+v", j.Counts)
	}
	per := float64(cnt.total()) / float64(j.Counts.Done)
	t.Logf("%d creators crawled, %d Redis commands: %.1f per creator\n%s", j.Counts.Done, cnt.total(), per, cnt)
	if per > 30 {
		t.Errorf("%.1f Redis commands per crawled creator, want at most 30", per)
	}
}
