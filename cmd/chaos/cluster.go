package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// proc is one child process of the suite: started, killed with SIGKILL and
// started again under the same name. Its output goes to its log file
// through a pipe (so a file-size limit on it does not stop its logging).
type proc struct {
	name string
	argv []string
	env  []string
	log  *os.File

	mu     sync.Mutex
	cmd    *exec.Cmd
	done   chan struct{}
	killed bool // the suite ended it; an exit otherwise is a crash
	// crashes lists the exits the suite did not cause.
	crashes *crashLog
}

// crashLog collects unexpected exits of any process.
type crashLog struct {
	mu  sync.Mutex
	all []string
}

func (c *crashLog) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.all = append(c.all, s)
}

func (c *crashLog) list() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.all...)
}

// prefixWriter writes to the log file; it is not an *os.File, so exec
// gives the child a pipe.
type prefixWriter struct{ f *os.File }

func (w prefixWriter) Write(b []byte) (int, error) { return w.f.Write(b) }

func (p *proc) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	cmd := exec.Command(p.argv[0], p.argv[1:]...)
	cmd.Env = append(os.Environ(), p.env...)
	fmt.Fprintf(p.log, "=== %s start %s\n", time.Now().Format(time.RFC3339Nano), p.name)
	cmd.Stdout, cmd.Stderr = prefixWriter{p.log}, prefixWriter{p.log}
	// The children die with the suite, whatever ends it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", p.name, err)
	}
	done := make(chan struct{})
	p.cmd, p.done, p.killed = cmd, done, false
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		killed := p.killed
		p.mu.Unlock()
		fmt.Fprintf(p.log, "=== %s exit %s: %v\n", time.Now().Format(time.RFC3339Nano), p.name, err)
		if !killed {
			p.crashes.add(fmt.Sprintf("%s exited by itself: %v (see %s)", p.name, err, p.log.Name()))
		}
		close(done)
	}()
	return nil
}

func (p *proc) pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

func (p *proc) alive() bool {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// signal sends sig and waits up to wait for the exit (then SIGKILL).
func (p *proc) signal(sig syscall.Signal, wait time.Duration) {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.killed = true
	p.mu.Unlock()
	if cmd == nil || done == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(wait):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
	}
}

// kill9 ends the process with SIGKILL, as a crash would.
func (p *proc) kill9() { p.signal(syscall.SIGKILL, 10*time.Second) }

// stop ends the process with SIGTERM, giving it time to finish.
func (p *proc) stop() { p.signal(syscall.SIGTERM, 15*time.Second) }

// cluster is the system under test: a Redis, the simulator, the API, two
// workers and two schedulers on one data directory.
type cluster struct {
	opts      options
	work      string
	dataDir   string
	diskMode  string // "tmpfs" (a filler file fills it) or "fsize" (RLIMIT_FSIZE on the workers)
	redisPort int
	redisDir  string
	simURL    string
	apiURL    string
	apiKey    string
	rdb       *redis.Client
	insp      *asynq.Inspector
	http      *http.Client
	crashes   *crashLog

	redis, sim, serve *proc
	workers, scheds   []*proc
	// leader is the index in scheds of the scheduler holding the lease.
	leader int

	mu sync.Mutex
	// killedLeases are the lease scores of the tasks killed workers ran.
	killedLeases map[string]float64
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (c *cluster) newProc(name string, argv []string, env ...string) (*proc, error) {
	f, err := os.OpenFile(filepath.Join(c.work, "logs", name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &proc{name: name, argv: argv, env: env, log: f, crashes: c.crashes}, nil
}

// startCluster starts every process and waits until each is ready.
func startCluster(ctx context.Context, o options) (*cluster, error) {
	c := &cluster{opts: o, work: o.workDir, crashes: &crashLog{}, killedLeases: map[string]float64{}, http: &http.Client{Timeout: 15 * time.Second}}
	for _, d := range []string{"logs", "data", "redis"} {
		if err := os.MkdirAll(filepath.Join(c.work, d), 0o755); err != nil {
			return nil, err
		}
	}
	c.dataDir, c.redisDir = filepath.Join(c.work, "data"), filepath.Join(c.work, "redis")
	c.diskMode = "fsize"
	if o.disk != "fsize" {
		// A small file system of its own, which a filler file fills for
		// real (ENOSPC); it needs the right to mount.
		err := syscall.Mount("tmpfs", c.dataDir, "tmpfs", 0, "size="+strconv.Itoa(o.tmpfsMB)+"m")
		switch {
		case err == nil:
			c.diskMode = "tmpfs"
		case o.disk == "tmpfs":
			return nil, fmt.Errorf("mounting a tmpfs on %s: %w (try -disk fsize)", c.dataDir, err)
		}
	}
	var err error
	if c.redisPort, err = freePort(); err != nil {
		return nil, err
	}
	c.redis, err = c.newProc("redis", []string{o.redisServer, "--port", strconv.Itoa(c.redisPort), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", c.redisDir})
	if err != nil {
		return nil, err
	}
	if err := c.startRedis(ctx); err != nil {
		return c, err
	}
	c.rdb = redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(c.redisPort)})
	c.insp = asynq.NewInspectorFromRedisClient(c.rdb)

	simPort, err := freePort()
	if err != nil {
		return c, err
	}
	c.simURL = "http://127.0.0.1:" + strconv.Itoa(simPort)
	c.sim, err = c.newProc("sim", []string{o.scout, "sim", "--addr", "127.0.0.1:" + strconv.Itoa(simPort),
		"--creators", strconv.Itoa(o.creators), "--seed", strconv.FormatInt(o.seed, 10), "--fault-admin"})
	if err != nil {
		return c, err
	}
	if err := c.sim.start(); err != nil {
		return c, err
	}
	if err := waitFor(ctx, 20*time.Second, "the simulator", func() error { return c.getJSON(c.simURL+"/_sim/faults", nil) }); err != nil {
		return c, err
	}

	env := []string{
		"SCOUT_REDIS_URL=redis://127.0.0.1:" + strconv.Itoa(c.redisPort) + "/0",
		"SCOUT_DATA_DIR=" + c.dataDir,
		"SCOUT_BLUESKY_URL=" + c.simURL,
		"SCOUT_ALLOW_PRIVATE_NETS=127.0.0.0/8",
		"SCOUT_RECONCILE_INTERVAL=" + o.reconcile.String(),
		"SCOUT_LOG_FORMAT=text",
		"SCOUT_API_KEY=", // the suite's API runs without keys
		// Few crawls at a time per worker, so that some wait in the queue
		// (the platform's rate limit, 10 a second, paces them anyway).
		"SCOUT_CONCURRENCY=3",
	}
	// The suite reads through the API far more than a person would: its
	// own key, with a rate to match (the store's API keys are the
	// product's own: `scout apikey`).
	key := exec.Command(o.scout, "apikey", "create", "chaos", "--scope", "admin", "--rate", "1000000")
	key.Env = append(os.Environ(), "SCOUT_DATA_DIR="+c.dataDir)
	var keyErr bytes.Buffer
	key.Stderr = &keyErr
	out, err := key.Output()
	if err != nil {
		return c, fmt.Errorf("creating the suite's API key: %v: %s", err, keyErr.String())
	}
	c.apiKey = strings.TrimSpace(string(out))
	apiPort, err := freePort()
	if err != nil {
		return c, err
	}
	c.apiURL = "http://127.0.0.1:" + strconv.Itoa(apiPort)
	if c.serve, err = c.newProc("serve", []string{o.scout, "serve"}, append(env, "SCOUT_ADDR=127.0.0.1:"+strconv.Itoa(apiPort))...); err != nil {
		return c, err
	}
	if err := c.startServe(ctx); err != nil {
		return c, err
	}
	for i := range 2 {
		w, err := c.newProc(fmt.Sprintf("worker-%d", i+1), []string{o.scout, "worker"}, env...)
		if err != nil {
			return c, err
		}
		c.workers = append(c.workers, w)
		if err := c.startWorker(ctx, w); err != nil {
			return c, err
		}
	}
	// The first scheduler takes the lease before the second starts, so
	// the suite knows which one leads.
	for i := range 2 {
		s, err := c.newProc(fmt.Sprintf("scheduler-%d", i+1), []string{o.scout, "scheduler"}, env...)
		if err != nil {
			return c, err
		}
		c.scheds = append(c.scheds, s)
		if err := s.start(); err != nil {
			return c, err
		}
		if i == 0 {
			if err := waitFor(ctx, 30*time.Second, "the scheduler's lease", func() error {
				if _, err := c.leaseHolder(ctx); err != nil {
					return err
				}
				return nil
			}); err != nil {
				return c, err
			}
		}
	}
	return c, nil
}

// leaseKey is the Redis key of the scheduler's lease (watch.Scheduler's
// default prefix).
const leaseKey = "scout:watch:scheduler:lease"

// leaseHolder returns the token of the scheduler holding the lease.
func (c *cluster) leaseHolder(ctx context.Context) (string, error) {
	return c.rdb.Get(ctx, leaseKey).Result()
}

func (c *cluster) startRedis(ctx context.Context) error {
	if err := c.redis.start(); err != nil {
		return err
	}
	cl := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(c.redisPort)})
	defer cl.Close()
	return waitFor(ctx, 20*time.Second, "redis-server", func() error { return cl.Ping(ctx).Err() })
}

func (c *cluster) startServe(ctx context.Context) error {
	if err := c.serve.start(); err != nil {
		return err
	}
	return waitFor(ctx, 60*time.Second, "scout serve", func() error { return c.getJSON(c.apiURL+"/readyz", nil) })
}

// startWorker starts w and waits until it has registered with the queue.
func (c *cluster) startWorker(ctx context.Context, w *proc) error {
	if err := w.start(); err != nil {
		return err
	}
	return waitFor(ctx, 30*time.Second, w.name, func() error {
		servers, err := c.insp.Servers()
		if err != nil {
			return err
		}
		for _, s := range servers {
			if s.PID == w.pid() {
				return nil
			}
		}
		return errors.New("not registered yet")
	})
}

// stopAll ends every process gracefully, the store's writers first.
func (c *cluster) stopAll() {
	var all []*proc
	all = append(all, c.scheds...)
	all = append(all, c.workers...)
	all = append(all, c.serve, c.sim, c.redis)
	for _, p := range all {
		if p != nil && p.alive() {
			p.stop()
		}
	}
	if c.rdb != nil {
		c.rdb.Close()
	}
}

// unmount releases the tmpfs, if one was mounted.
func (c *cluster) unmount() {
	if c.diskMode == "tmpfs" {
		_ = syscall.Unmount(c.dataDir, syscall.MNT_DETACH)
	}
}

func waitFor(ctx context.Context, d time.Duration, what string, ok func() error) error {
	deadline := time.Now().Add(d)
	var err error
	for time.Now().Before(deadline) {
		if err = ok(); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s not ready after %s: %v", what, d, err)
}

// getJSON GETs url and decodes a 200 answer into v (nil: discard).
func (c *cluster) getJSON(url string, v any) error {
	return c.do(http.MethodGet, url, nil, v)
}

// postJSON POSTs body to url and decodes a 2xx answer into v.
func (c *cluster) postJSON(url string, body, v any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return c.do(http.MethodPost, url, b, v)
}

// do makes one request with the suite's key, waiting out 429s as their
// Retry-After says (up to a minute in all), and decodes a 2xx answer
// into v.
func (c *cluster) do(method, url string, body []byte, v any) error {
	deadline := time.Now().Add(time.Minute)
	for {
		req, err := http.NewRequest(method, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if c.apiKey != "" && strings.HasPrefix(url, c.apiURL) {
			req.Header.Set("Authorization", "Bearer "+c.apiKey)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return err
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests && time.Now().Before(deadline) {
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			time.Sleep(time.Duration(max(1, min(wait, 10))) * time.Second)
			continue
		}
		if resp.StatusCode/100 != 2 {
			return &httpError{resp.StatusCode, strings.TrimSpace(string(out))}
		}
		if v == nil {
			return nil
		}
		return json.Unmarshal(out, v)
	}
}

type httpError struct {
	status int
	body   string
}

func (e *httpError) Error() string { return fmt.Sprintf("status %d: %s", e.status, e.body) }
