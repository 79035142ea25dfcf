package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	_ "modernc.org/sqlite" // the store's own driver, for the integrity check
)

// options are the suite's settings.
type options struct {
	scout, redisServer, workDir string
	keep, short, verbose        bool
	disk                        string
	tmpfsMB                     int
	creators                    int
	seed                        int64
	limit, kills                int
	reconcile, fault, killGap   time.Duration
	settle                      time.Duration
	only                        string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flag.NewFlagSet("chaos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.scout, "scout", "bin/scout", "the scout binary to run")
	fs.StringVar(&o.redisServer, "redis-server", "", "the redis-server binary (default: redis-server on PATH, else /usr/bin/redis-server)")
	fs.StringVar(&o.workDir, "dir", "", "working directory (default: a new temporary one, removed unless -keep)")
	fs.BoolVar(&o.verbose, "v", false, "say which work is unattended at each poll")
	fs.BoolVar(&o.keep, "keep", false, "keep the working directory (logs, data) after the run")
	fs.BoolVar(&o.short, "short", false, "the CI run: 8 creators a query, 2 worker kills, 10s faults")
	fs.StringVar(&o.disk, "disk", "auto", "how the disk fills: tmpfs (mount one; needs root), fsize (RLIMIT_FSIZE on the workers), auto")
	fs.IntVar(&o.tmpfsMB, "tmpfs-mb", 256, "size of the tmpfs data directory")
	fs.IntVar(&o.creators, "creators", 600, "creators in the simulator")
	fs.Int64Var(&o.seed, "seed", 1, "the simulator's seed")
	fs.IntVar(&o.limit, "limit", 0, "creators a discover job asks for (default 50, -short 8)")
	fs.IntVar(&o.kills, "kills", 0, "worker kills (default 5, -short 2)")
	fs.DurationVar(&o.reconcile, "reconcile", 15*time.Second, "the reconciliation interval the processes run with")
	fs.DurationVar(&o.fault, "fault", 0, "how long the disk stays full and the platform fails (default 1m, -short 10s)")
	fs.DurationVar(&o.killGap, "kill-gap", 3*time.Second, "time between worker kills")
	fs.DurationVar(&o.settle, "settle", 0, "how long a scenario's jobs may take to end after the fault cleared (default 5m, -short 2m)")
	fs.StringVar(&o.only, "only", "", "run only the scenarios whose names contain one of these comma-separated words")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	def := func(d *time.Duration, full, short time.Duration) {
		if *d == 0 {
			*d = full
			if o.short {
				*d = short
			}
		}
	}
	defInt := func(n *int, full, short int) {
		if *n == 0 {
			*n = full
			if o.short {
				*n = short
			}
		}
	}
	defInt(&o.limit, 50, 8)
	defInt(&o.kills, 5, 2)
	def(&o.fault, time.Minute, 10*time.Second)
	def(&o.settle, 5*time.Minute, 2*time.Minute)
	if o.redisServer == "" {
		o.redisServer = "/usr/bin/redis-server"
		if p, err := exec.LookPath("redis-server"); err == nil {
			o.redisServer = p
		}
	}
	if o.disk != "auto" && o.disk != "tmpfs" && o.disk != "fsize" {
		fmt.Fprintf(stderr, "chaos: -disk: want auto, tmpfs or fsize, got %q\n", o.disk)
		return 2
	}
	for _, bin := range []string{o.scout, o.redisServer} {
		if _, err := os.Stat(bin); err != nil {
			fmt.Fprintf(stderr, "chaos: %v (build scout with `make build`; redis-server comes with apt-get install redis-server)\n", err)
			return 2
		}
	}
	var err error
	if o.scout, err = filepath.Abs(o.scout); err != nil {
		fmt.Fprintln(stderr, "chaos:", err)
		return 1
	}
	if o.workDir == "" {
		if o.workDir, err = os.MkdirTemp("", "scout-chaos-"); err != nil {
			fmt.Fprintln(stderr, "chaos:", err)
			return 1
		}
	}

	began := time.Now()
	c, err := startCluster(ctx, o)
	if c != nil {
		defer func() {
			c.stopAll()
			if o.keep && c.diskMode == "tmpfs" {
				fmt.Fprintf(stderr, "chaos: data kept on the tmpfs at %s (umount it when done)\n", c.dataDir)
				return
			}
			c.unmount()
			if !o.keep {
				os.RemoveAll(o.workDir)
			}
		}()
	}
	if err != nil {
		fmt.Fprintln(stderr, "chaos: starting the cluster:", err)
		fmt.Fprintln(stderr, "chaos: logs in", filepath.Join(o.workDir, "logs"), "(kept)")
		o.keep = true
		return 1
	}
	fmt.Fprintf(stderr, "chaos: %d cores; redis :%d, sim %s, api %s; data %s (%s); reconcile every %s; faults %s; logs %s\n",
		runtime.NumCPU(), c.redisPort, c.simURL, c.apiURL, c.dataDir, c.diskMode, o.reconcile, o.fault, filepath.Join(o.workDir, "logs"))

	var rows []row
	var allWants []want
	failed := false
	for i := range scenarios {
		sc := &scenarios[i]
		if !selected(o.only, sc.name) {
			continue
		}
		fmt.Fprintf(stderr, "chaos: %s ...\n", sc.name)
		rw := runScenario(ctx, c, o, sc)
		allWants = append(allWants, rw.wants...)
		rows = append(rows, rw)
		if !rw.ok(o) {
			failed = true
		}
		fmt.Fprintf(stderr, "chaos: %s: %s\n", sc.name, rw.verdict(o))
		if ctx.Err() != nil {
			break
		}
	}
	crashes := c.crashes.list()
	c.stopAll()
	integrity, keys, ierr := checkFile(filepath.Join(c.dataDir, "scout.db"))

	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\texpected\tstored\tduplicated\tlost\tjobs stuck\tunattended max\trequeued after\tresumed after\tdone after\trecrawled\tbar\tfault")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%d\t%s\t%s\n", r.name, r.t.expected, r.t.stored, r.t.duplicated, r.t.lost,
			r.t.stuck, r.rec.maxUnattended, secs(r.rec.attended), secs(r.rec.resumed), secs(r.rec.done), r.t.recrawled, r.verdict(o), r.note)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\n%d cores; reconciliation every %s (bar: requeued within %s); faults lasted %s; disk: %s; %d creators a query; %s in all\n",
		runtime.NumCPU(), o.reconcile, 2*o.reconcile, o.fault, c.diskMode, o.limit, time.Since(began).Round(time.Second))
	if ierr != nil {
		fmt.Fprintln(stdout, "store file: cannot check:", ierr)
		failed = true
	} else {
		unique := map[string]bool{}
		for _, w := range allWants {
			if !w.optedOut {
				unique[w.key] = true
			}
		}
		var extra []string
		for _, k := range keys {
			if !unique[k] {
				extra = append(extra, k)
			}
		}
		fmt.Fprintf(stdout, "store file: integrity %s; %d creator rows for %d distinct expected creators\n", integrity, len(keys), len(unique))
		if len(extra) > 0 {
			fmt.Fprintf(stdout, "store file: %d rows not expected: %s\n", len(extra), strings.Join(extra, " "))
		}
		if integrity != "ok" || len(keys) != len(unique) {
			failed = true
		}
	}
	for _, cr := range crashes {
		fmt.Fprintln(stdout, "crash:", cr)
		failed = true
	}
	if failed {
		fmt.Fprintln(stdout, "FAIL: logs and data kept in", o.workDir)
		o.keep = true
		return 1
	}
	fmt.Fprintln(stdout, "PASS")
	return 0
}

func selected(only, name string) bool {
	if only == "" {
		return true
	}
	for _, w := range strings.Split(only, ",") {
		if w = strings.TrimSpace(w); w != "" && strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// row is one scenario's line of the table.
type row struct {
	name, note string
	wants      []want
	t          tally
	rec        recovery
	err        error
}

func (r row) ok(o options) bool { return r.verdict(o) == "ok" }

// verdict is "ok" or what missed the bar.
func (r row) verdict(o options) string {
	var miss []string
	if r.err != nil {
		miss = append(miss, "error: "+r.err.Error())
	}
	if r.t.lost > 0 {
		miss = append(miss, fmt.Sprintf("lost %v", r.t.lostKeys))
	}
	if r.t.duplicated > 0 {
		miss = append(miss, "duplicated")
	}
	if r.t.stuck > 0 {
		miss = append(miss, "stuck")
	}
	if r.t.leaked > 0 {
		miss = append(miss, fmt.Sprintf("%d opted-out creators stored", r.t.leaked))
	}
	if r.t.failedItems > 0 {
		miss = append(miss, fmt.Sprintf("%d items failed", r.t.failedItems))
	}
	if r.rec.attended < 0 || r.rec.attended > 2*o.reconcile {
		miss = append(miss, "slow to requeue")
		if r.rec.lastErr != nil {
			miss = append(miss, "last poll error: "+r.rec.lastErr.Error())
		}
	}
	if len(miss) == 0 {
		return "ok"
	}
	return "FAIL: " + strings.Join(miss, "; ")
}

func secs(d time.Duration) string {
	if d < 0 {
		return "never"
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

// runScenario submits a scenario's jobs, breaks the cluster, waits for
// the jobs and counts.
func runScenario(ctx context.Context, c *cluster, o options, sc *scenario) row {
	rw := row{name: sc.name}
	began := time.Now()
	for _, q := range sc.queries {
		ws, err := c.expected(q, o.limit)
		if err != nil {
			rw.err = err
			return rw
		}
		rw.wants = append(rw.wants, ws...)
	}
	r := &progress{}
	if sc.submitFirst {
		for _, q := range sc.queries {
			id, err := c.submit(q, o.limit)
			if err != nil {
				rw.err = err
				return rw
			}
			r.ids = append(r.ids, id)
		}
	}
	if err := sc.fault(ctx, c, o, sc, r); err != nil {
		rw.err = err
		if r.t0.IsZero() {
			r.t0 = time.Now()
		}
	}
	rw.note = r.note
	rec, err := c.watch(ctx, r.ids, r.t0, r.t0.Add(o.settle))
	if err != nil && rw.err == nil {
		rw.err = err
	}
	rw.rec = rec
	if r.after != nil {
		rw.note = r.after()
	}
	t, err := c.count(ctx, r.ids, rw.wants, began)
	if err != nil && rw.err == nil {
		rw.err = err
	}
	rw.t = t
	return rw
}

// checkFile runs SQLite's integrity check on the store file (every
// process stopped) and lists its creators' keys.
func checkFile(path string) (string, []string, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return "", nil, err
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil {
		return "", nil, fmt.Errorf("integrity check: %w", err)
	}
	rows, err := db.Query("SELECT key FROM creators ORDER BY key")
	if err != nil {
		return res, nil, fmt.Errorf("listing creators: %w", err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return res, nil, err
		}
		keys = append(keys, k)
	}
	return res, keys, rows.Err()
}
