package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/creatorscout/scout/crawler"
)

// progress is one scenario in progress: its jobs, when its fault cleared and
// what the fault did.
type progress struct {
	ids  []string
	t0   time.Time
	note string
	// after, when set, gives the note once the jobs ended.
	after func() string
}

// scenario is one fault: it submits its jobs (usually before the fault)
// and returns once the fault has cleared, setting r.t0.
type scenario struct {
	name    string
	queries []string
	// submitFirst: the suite submits every query before calling fault.
	submitFirst bool
	fault       func(ctx context.Context, c *cluster, o options, sc *scenario, r *progress) error
}

var scenarios = []scenario{
	{name: "worker kill -9", queries: []string{"fitness", "food"}, submitFirst: true, fault: killWorkers},
	{name: "serve kill -9", queries: []string{"travel", "books"}, fault: killServe},
	{name: "scheduler kill -9", queries: []string{"tech"}, submitFirst: true, fault: killScheduler},
	{name: "redis restarted empty", queries: []string{"music"}, submitFirst: true, fault: restartRedis},
	{name: "disk full", queries: []string{"pets"}, submitFirst: true, fault: fillDisk},
	{name: "sim 429/5xx", queries: []string{"beauty", "gaming"}, submitFirst: true, fault: simErrors},
}

// midCrawl waits until the jobs are crawling (at least one item finished,
// some pending) and, when w is set, until w is running a crawl; it returns
// how many tasks w runs.
func midCrawl(ctx context.Context, c *cluster, ids []string, w *proc) (int, error) {
	active, over := 0, false
	err := waitFor(ctx, 3*time.Minute, "a crawl in progress", func() error {
		done, pending, open := 0, 0, 0
		for _, id := range ids {
			j, err := c.job(id)
			if err != nil {
				return err
			}
			done += j.Counts.Done + j.Counts.Skipped
			pending += j.Counts.Pending
			if !ended(j.State) {
				open++
			}
		}
		if open == 0 {
			over = true
			return nil
		}
		if done == 0 || pending < 2 {
			return fmt.Errorf("%d items finished, %d pending", done, pending)
		}
		if w == nil {
			return nil
		}
		servers, err := c.insp.Servers()
		if err != nil {
			return err
		}
		for _, s := range servers {
			if s.PID == w.pid() && len(s.ActiveWorkers) > 0 {
				active = len(s.ActiveWorkers)
				return nil
			}
		}
		return fmt.Errorf("%s runs no crawl", w.name)
	})
	if err == nil && over {
		err = errJobsEnded
	}
	return active, err
}

// errJobsEnded: the jobs ended before the fault could cut into them.
var errJobsEnded = errors.New("the jobs ended before the fault: make them bigger (-limit)")

// killWorkers kills the workers in turn mid-crawl, each started again
// half a second later.
func killWorkers(ctx context.Context, c *cluster, o options, _ *scenario, r *progress) error {
	cut := 0
	for i := range o.kills {
		w := c.workers[i%len(c.workers)]
		if _, err := midCrawl(ctx, c, r.ids, w); err != nil {
			if i > 0 {
				break // the jobs are nearly done: no crawl left to cut
			}
			return err
		}
		n, err := c.noteKilled(w)
		if err != nil {
			return err
		}
		w.kill9()
		r.t0 = time.Now() // recovery counts from the last kill
		cut += n
		time.Sleep(500 * time.Millisecond)
		if err := c.startWorker(ctx, w); err != nil {
			return err
		}
		r.note = fmt.Sprintf("%d kills, %d crawls cut", i+1, cut)
		if i < o.kills-1 {
			time.Sleep(o.killGap)
		}
	}
	return nil
}

// killServe kills the API after its first job is crawling, while the next
// is being submitted (with retries, as a client would), and starts it
// again a second later.
func killServe(ctx context.Context, c *cluster, o options, sc *scenario, r *progress) error {
	id, err := c.submit(sc.queries[0], o.limit)
	if err != nil {
		return err
	}
	r.ids = append(r.ids, id)
	if _, err := midCrawl(ctx, c, r.ids, nil); err != nil {
		return err
	}
	c.serve.kill9()
	restarted := make(chan error, 1)
	go func() {
		time.Sleep(time.Second)
		restarted <- c.startServe(ctx)
	}()
	refused := 0
	for _, q := range sc.queries[1:] {
		for {
			id, err := c.submit(q, o.limit)
			if err == nil {
				r.ids = append(r.ids, id)
				break
			}
			refused++
			time.Sleep(200 * time.Millisecond)
			if refused > 300 {
				return fmt.Errorf("the API did not come back: %w", err)
			}
		}
	}
	if err := <-restarted; err != nil {
		return err
	}
	r.t0 = time.Now()
	r.note = fmt.Sprintf("%d submissions refused while down", refused)
	return nil
}

// killScheduler kills the scheduler holding the lease and, while no
// scheduler acts, loses the queued crawls; the other scheduler must take
// the lease and queue them again. The killed one comes back as the
// standby once the lease has passed.
func killScheduler(ctx context.Context, c *cluster, o options, _ *scenario, r *progress) error {
	if _, err := midCrawl(ctx, c, r.ids, nil); err != nil {
		return err
	}
	holder, err := c.leaseHolder(ctx)
	if err != nil {
		return fmt.Errorf("reading the lease: %w", err)
	}
	leader := c.scheds[c.leader]
	leader.kill9()
	r.t0 = time.Now()
	lost, err := c.insp.DeleteAllPendingTasks(crawler.QueueInteractive)
	if err != nil {
		return fmt.Errorf("deleting queued crawls: %w", err)
	}
	passed := make(chan string, 1)
	go func() {
		var took time.Duration
		err := waitFor(ctx, 3*time.Minute, "a new lease holder", func() error {
			h, err := c.leaseHolder(ctx)
			if err != nil || h == holder {
				return fmt.Errorf("lease still %q (%v)", h, err)
			}
			took = time.Since(r.t0)
			return nil
		})
		if err != nil {
			passed <- err.Error()
			return
		}
		c.leader = 1 - c.leader
		if err := leader.start(); err != nil {
			passed <- err.Error()
			return
		}
		passed <- fmt.Sprintf("lease passed after %.1fs", took.Seconds())
	}()
	r.after = func() string { return fmt.Sprintf("%d queued crawls deleted; %s", lost, <-passed) }
	return nil
}

// restartRedis kills redis-server mid-crawl and starts an empty one on
// the same port.
func restartRedis(ctx context.Context, c *cluster, o options, _ *scenario, r *progress) error {
	if _, err := midCrawl(ctx, c, r.ids, nil); err != nil {
		return err
	}
	pending := 0
	for _, id := range r.ids {
		if j, err := c.job(id); err == nil {
			pending += j.Counts.Pending
		}
	}
	c.redis.kill9()
	if err := os.RemoveAll(c.redisDir); err != nil {
		return err
	}
	if err := os.MkdirAll(c.redisDir, 0o755); err != nil {
		return err
	}
	if err := c.startRedis(ctx); err != nil {
		return err
	}
	r.t0 = time.Now()
	r.note = fmt.Sprintf("%d crawls pending at the loss", pending)
	return nil
}

// fillDisk fills the data directory's file system for o.fault (tmpfs), or
// forbids the workers to grow any file (fsize), mid-crawl.
func fillDisk(ctx context.Context, c *cluster, o options, _ *scenario, r *progress) error {
	if _, err := midCrawl(ctx, c, r.ids, nil); err != nil {
		return err
	}
	var undo func() error
	switch c.diskMode {
	case "tmpfs":
		path := filepath.Join(c.dataDir, "filler")
		n, err := fill(path)
		if err != nil {
			return err
		}
		r.note = fmt.Sprintf("tmpfs filled (%d MB filler)", n>>20)
		undo = func() error { return os.Remove(path) }
	default:
		var olds []unix.Rlimit
		var pids []int
		for _, w := range c.workers {
			var old unix.Rlimit
			lim := unix.Rlimit{Cur: 0, Max: unix.RLIM_INFINITY}
			if err := unix.Prlimit(w.pid(), unix.RLIMIT_FSIZE, &lim, &old); err != nil {
				return fmt.Errorf("limiting %s's file size: %w", w.name, err)
			}
			olds, pids = append(olds, old), append(pids, w.pid())
		}
		r.note = "workers may not grow any file (RLIMIT_FSIZE 0)"
		undo = func() error {
			for i, pid := range pids {
				if err := unix.Prlimit(pid, unix.RLIMIT_FSIZE, &olds[i], nil); err != nil {
					return err
				}
			}
			return nil
		}
	}
	// While full: a write through the API is a 503 with Retry-After
	// (the job is not half-recorded), and /readyz says so.
	time.Sleep(min(o.fault, 3*time.Second))
	_, err := c.submit("books", 1)
	var he *httpError
	switch {
	case errors.As(err, &he):
		r.note += fmt.Sprintf("; a discover got %d", he.status)
	case err == nil:
		r.note += "; a discover was accepted"
	default:
		r.note += "; a discover: " + err.Error()
	}
	if err := c.getJSON(c.apiURL+"/readyz", nil); err != nil {
		r.note += ", /readyz failing"
	} else {
		r.note += ", /readyz ok"
	}
	select {
	case <-ctx.Done():
	case <-time.After(o.fault - min(o.fault, 3*time.Second)):
	}
	if err := undo(); err != nil {
		return fmt.Errorf("freeing the disk: %w", err)
	}
	r.t0 = time.Now()
	return ctx.Err()
}

// fill writes zeros to path until the file system is full, returning the
// bytes written.
func fill(path string) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var n int64
	for _, size := range []int{1 << 20, 4 << 10, 512} {
		buf := make([]byte, size)
		for {
			k, err := f.Write(buf)
			n += int64(k)
			if errors.Is(err, syscall.ENOSPC) {
				break
			}
			if err != nil {
				return n, fmt.Errorf("filling the disk: %w", err)
			}
		}
	}
	return n, nil
}

// simErrors makes the simulator answer 429s and 5xx in turn for o.fault.
func simErrors(ctx context.Context, c *cluster, o options, _ *scenario, r *progress) error {
	if _, err := midCrawl(ctx, c, r.ids, nil); err != nil {
		return err
	}
	spec := map[string]any{"statuses": []int{429, 503, 500, 502}, "for": o.fault.String(), "retry_after": 1}
	if err := c.postJSON(c.simURL+"/_sim/faults", spec, nil); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(o.fault):
	}
	var st struct {
		Active bool             `json:"active"`
		Failed map[string]int64 `json:"failed"`
	}
	if err := waitFor(ctx, 10*time.Second, "the simulator's fault period to end", func() error {
		if err := c.getJSON(c.simURL+"/_sim/faults", &st); err != nil {
			return err
		}
		if st.Active {
			return errors.New("still failing")
		}
		return nil
	}); err != nil {
		return err
	}
	r.t0 = time.Now()
	var total int64
	for _, n := range st.Failed {
		total += n
	}
	r.note = fmt.Sprintf("%d requests answered 429/5xx", total)
	return nil
}
