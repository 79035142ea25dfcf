package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/creatorscout/scout/api"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL", raw)
	}
	return u, nil
}

// setup reads the environment and builds the app, printing errors.
func setup(ctx context.Context, stderr io.Writer, opts ...appOption) (*app, bool) {
	cfg, err := configFromEnv()
	if err != nil {
		fmt.Fprintln(stderr, "scout:", err)
		return nil, false
	}
	a, err := newApp(ctx, cfg, opts...)
	if err != nil {
		fmt.Fprintln(stderr, "scout:", err)
		return nil, false
	}
	return a, true
}

// cmdAll runs `scout all`: API + worker in one process.
func cmdAll(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("all", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if _, code, ok := parseOrExit(fs, args, stderr); !ok {
		return code
	}
	serviceLogs()
	a, ok := setup(ctx, stderr)
	if !ok {
		return 1
	}
	defer a.Close()
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		fmt.Fprintln(stderr, "scout:", err)
		return 1
	}
	mode := "embedded (miniredis + SQLite in " + a.cfg.DataDir + ")"
	if a.cfg.RedisURL != "" {
		mode = "distributed"
	}
	fmt.Fprintf(stdout, "scout: API on http://%s, worker running, %s\n", ln.Addr(), mode)
	if err := a.runAll(ctx, ln); err != nil {
		fmt.Fprintln(stderr, "scout:", err)
		return 1
	}
	return 0
}

// cmdDiscover runs `scout discover --source S --query Q [--limit N]`. In
// embedded mode it runs a worker in-process until the job ends; with
// SCOUT_REDIS_URL it waits for the cluster's workers (or not, with --wait=false).
func cmdDiscover(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("discover", flag.ContinueOnError)
	fs.SetOutput(stderr)
	source := fs.String("source", creator.Bluesky, "source to discover on")
	query := fs.String("query", "", "what to search for (required)")
	limit := fs.Int("limit", 50, "how many creators at most")
	wait := fs.Bool("wait", true, "wait until the job ends")
	if _, code, ok := parseOrExit(fs, args, stderr); !ok {
		return code
	}
	if strings.TrimSpace(*query) == "" {
		fmt.Fprintln(stderr, "scout discover: --query is required")
		return 2
	}
	a, ok := setup(ctx, stderr)
	if !ok {
		return 1
	}
	defer a.Close()
	job, err := a.pipe.SubmitDiscover(ctx, *source, *query, *limit)
	if err != nil {
		fmt.Fprintln(stderr, "scout discover:", err)
		return 1
	}
	return a.follow(ctx, job.ID, *wait, stdout, stderr)
}

// cmdCrawl runs `scout crawl [--platform P] HANDLE_OR_ID` and prints the
// stored record as JSON.
func cmdCrawl(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("crawl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	platform := fs.String("platform", creator.Bluesky, "platform of the creator")
	pos, code, ok := parseOrExit(fs, args, stderr)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "usage: scout crawl [--platform bluesky] <handle or id> (see scout crawl --help)")
		return 2
	}
	ref := creator.Ref{Platform: *platform, Handle: pos[0]}
	if strings.HasPrefix(ref.Handle, "did:") {
		ref.ID, ref.Handle = ref.Handle, ""
	}
	a, ok := setup(ctx, stderr)
	if !ok {
		return 1
	}
	defer a.Close()
	job, err := a.pipe.SubmitCrawl(ctx, ref)
	if err != nil {
		fmt.Fprintln(stderr, "scout crawl:", err)
		return 1
	}
	if rc := a.follow(ctx, job.ID, true, io.Discard, stderr); rc != 0 {
		return rc
	}
	items, err := a.store.JobItems(ctx, job.ID, "")
	if err != nil || len(items) == 0 {
		fmt.Fprintln(stderr, "scout crawl: job has no result")
		return 1
	}
	it := items[0]
	if it.State != index.ItemDone {
		fmt.Fprintf(stderr, "scout crawl: %s: %s\n", it.State, it.Error)
		return 1
	}
	rec, err := a.findRecord(ctx, it.Ref)
	if err != nil {
		fmt.Fprintln(stderr, "scout crawl:", err)
		return 1
	}
	printJSON(stdout, rec)
	return 0
}

// findRecord gets the stored record of ref, by id or, for a handle-only
// ref, by searching the handle.
func (a *app) findRecord(ctx context.Context, ref creator.Ref) (*creator.Record, error) {
	if ref.ID != "" {
		return a.store.Get(ctx, creator.Key(ref))
	}
	hits, err := index.ByHandle(ctx, a.store, ref.Platform, ref.Handle)
	if err != nil {
		return nil, err
	}
	if len(hits) > 0 {
		return a.store.Get(ctx, hits[0].Key)
	}
	return nil, fmt.Errorf("finding %s: %w", ref, creator.ErrNotFound)
}

// follow waits for a job to end, running an in-process worker in embedded
// mode, and prints its progress. It returns the exit status.
func (a *app) follow(ctx context.Context, id string, wait bool, stdout, stderr io.Writer) int {
	fmt.Fprintf(stderr, "job %s accepted\n", id)
	if !wait {
		fmt.Fprintln(stdout, id)
		return 0
	}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	if a.cfg.RedisURL == "" {
		a.startWorker(wctx)
	}
	last := ""
	for {
		j, err := a.store.GetJob(ctx, id)
		if err != nil {
			fmt.Fprintln(stderr, "scout:", err)
			return 1
		}
		line := fmt.Sprintf("job %s: %s, discovered %d, done %d, failed %d, skipped %d, pending %d",
			id, j.State, j.Discovered, j.Counts.Done, j.Counts.Failed, j.Counts.Skipped, j.Counts.Pending)
		if line != last {
			fmt.Fprintln(stderr, line)
			last = line
		}
		switch j.State {
		case index.JobDone:
			fmt.Fprintln(stdout, line)
			return 0
		case index.JobFailed:
			fmt.Fprintf(stderr, "job %s failed: %s\n", id, j.Error)
			return 1
		}
		select {
		case <-ctx.Done():
			fmt.Fprintln(stderr, "scout: interrupted; the job continues when a worker runs")
			return 1
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// cmdSearch runs `scout search [--json|--csv] [words...] [param=value ...]`
// with the API's search parameters (tier=micro, followers_min=1000,
// sort=-followers).
func cmdSearch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the API's JSON answer (one page)")
	asCSV := fs.Bool("csv", false, "print every match (up to 10000) as CSV, as the API's export")
	pos, code, ok := parseOrExit(fs, args, stderr)
	if !ok {
		return code
	}
	if *asJSON && *asCSV {
		fmt.Fprintln(stderr, "scout search: --json and --csv: choose one")
		return 2
	}
	v := url.Values{}
	for _, arg := range pos {
		k, val, ok := strings.Cut(arg, "=")
		if !ok {
			v.Set("q", strings.TrimSpace(v.Get("q")+" "+arg))
			continue
		}
		v.Add(k, val)
	}
	cfg, err := configFromEnv()
	if err != nil {
		fmt.Fprintln(stderr, "scout:", err)
		return 1
	}
	a := &app{cfg: cfg}
	q, err := api.NewSearchParser(a.enums()).Parse(v)
	if err != nil {
		fmt.Fprintln(stderr, "scout search:", err)
		return 2
	}
	if dir, demo := demoFallback(cfg.DataDir, os.Getenv("SCOUT_DATA_DIR") != ""); demo {
		fmt.Fprintf(stderr, "scout search: %s holds no store; reading the demo's in %s (set SCOUT_DATA_DIR to choose)\n", cfg.DataDir, dir)
		a.cfg.DataDir = dir
	}
	if err := a.openStore(ctx); err != nil {
		fmt.Fprintln(stderr, "scout:", err)
		return 1
	}
	defer a.store.Close()
	if *asCSV {
		return searchCSV(ctx, a.store, q, stdout, stderr)
	}
	res, err := a.store.Search(ctx, q)
	if err != nil {
		fmt.Fprintln(stderr, "scout search:", err)
		return 1
	}
	if *asJSON {
		printJSON(stdout, res)
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tHANDLE\tPLATFORM\tFOLLOWERS\tTIER\tNICHE\tER%\tAUTH\tOVERALL")
	for _, h := range res.Hits {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%.0f\t%.0f\n", cell(h.Profile.DisplayName, 28), cell(h.Profile.Ref.Handle, 36),
			h.Profile.Ref.Platform, humanCount(h.Profile.Followers), h.Scores.Tier, h.Scores.PrimaryNiche,
			h.Scores.EngagementRate*100, h.Scores.Authenticity, h.Scores.Overall)
	}
	tw.Flush()
	switch {
	case res.Total == 0:
		fmt.Fprintln(stdout, "no creators match")
	default:
		fmt.Fprintf(stdout, "%d-%d of %d (page %d; page=N for more, --json for keys and details)\n",
			(res.Page-1)*res.PerPage+min(1, len(res.Hits)), (res.Page-1)*res.PerPage+len(res.Hits), res.Total, res.Page)
	}
	return 0
}

// cell makes stored text one table cell: control characters and tabs
// become spaces, and it is cut to n characters.
func cell(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if s == "" {
		return "-"
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// searchCSV writes every match of q (up to api.MaxExportRows) as the API's
// CSV export does.
func searchCSV(ctx context.Context, st index.Store, q index.Query, stdout, stderr io.Writer) int {
	w := csv.NewWriter(stdout)
	w.Write(api.CreatorCSVHeader)
	q.Page, q.PerPage, q.Facets = 1, index.MaxPerPage, nil
	rows := 0
	for {
		res, err := st.Search(ctx, q)
		if err != nil {
			w.Flush()
			fmt.Fprintln(stderr, "scout search:", err)
			return 1
		}
		for i := range res.Hits {
			if rows < api.MaxExportRows {
				w.Write(api.CreatorCSVRow(&res.Hits[i]))
				rows++
			}
		}
		if len(res.Hits) < q.PerPage || rows >= min(res.Total, api.MaxExportRows) {
			w.Flush()
			if res.Total > api.MaxExportRows {
				fmt.Fprintf(stderr, "scout search: %d creators match; the export stops at %d\n", res.Total, api.MaxExportRows)
			}
			return 0
		}
		q.Page++
	}
}

// service runs one long-lived part of scout (serve, worker, scheduler)
// until ctx is done. A part that needs the shared Redis refuses to start
// without SCOUT_REDIS_URL, before opening anything; resume re-enqueues what
// the store says is unfinished first.
func service(ctx context.Context, name string, args []string, stdout, stderr io.Writer, needRedis, resume bool, run func(a *app) error) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if _, code, ok := parseOrExit(fs, args, stderr); !ok {
		return code
	}
	serviceLogs()
	if needRedis && os.Getenv("SCOUT_REDIS_URL") == "" {
		fmt.Fprintf(stderr, "scout %s: SCOUT_REDIS_URL is required (the embedded queue lives inside one process; use `scout all`)\n", name)
		return 2
	}
	a, ok := setup(ctx, stderr)
	if !ok {
		return 1
	}
	defer a.Close()
	if addr := os.Getenv("SCOUT_PPROF_ADDR"); addr != "" {
		at, err := servePprof(ctx, addr)
		if err != nil {
			fmt.Fprintf(stderr, "scout %s: %v\n", name, err)
			return 1
		}
		fmt.Fprintf(stderr, "scout %s: profiles on http://%s/debug/pprof/\n", name, at)
	}
	if addr := os.Getenv("SCOUT_METRICS_ADDR"); addr != "" && name != "serve" {
		// A worker or scheduler has no API: its series are served here.
		if err := serveMetrics(ctx, addr, a); err != nil {
			fmt.Fprintf(stderr, "scout %s: SCOUT_METRICS_ADDR: %v\n", name, err)
			return 1
		}
	}
	if resume {
		if _, err := a.pipe.Resume(ctx); err != nil {
			fmt.Fprintln(stderr, "scout:", err)
			return 1
		}
	}
	if err := run(a); err != nil {
		fmt.Fprintf(stderr, "scout %s: %v\n", name, err)
		return 1
	}
	return 0
}

// cmdServe runs `scout serve`: the API only. Without SCOUT_REDIS_URL the
// jobs it accepts wait in the store until a `scout all` resumes them.
func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return service(ctx, "serve", args, stdout, stderr, false, true, func(a *app) error {
		if a.cfg.RedisURL == "" {
			fmt.Fprintln(stderr, "scout serve: warning: no SCOUT_REDIS_URL, so no worker reads the jobs accepted here until `scout all` runs")
		}
		ln, err := net.Listen("tcp", a.cfg.Addr)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "scout: API on http://%s\n", ln.Addr())
		return a.serveAPI(ctx, ln)
	})
}

// cmdWorker runs `scout worker`.
func cmdWorker(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return service(ctx, "worker", args, stdout, stderr, true, false, func(a *app) error {
		fmt.Fprintln(stdout, "scout: worker running")
		return a.alongsideTracking(ctx, a.worker)
	})
}

// cmdScheduler runs `scout scheduler`: periodic work (watchlist rescans,
// retention purges). Several may run; the watchlist scheduler's lease in
// Redis lets one act at a time, and purges are one task per hour.
func cmdScheduler(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return service(ctx, "scheduler", args, stdout, stderr, true, true, func(a *app) error {
		fmt.Fprintln(stdout, "scout: scheduler running")
		return a.scheduler(ctx)
	})
}

// printJSON writes v to w as indented JSON, the output of the commands
// that print records.
func printJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
