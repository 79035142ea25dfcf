package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/sim"
)

// demoQueries are the niche searches the demo discovers with.
var demoQueries = []string{"vegan recipes", "fitness", "gaming", "travel", "tech", "beauty", "finance", "music", "pets", "books"}

// benchDemo are the benchmark's hooks into the demo (bench_test.go); all
// unset otherwise.
var benchDemo struct {
	redisURL string                          // a Redis instead of the embedded one
	wrapSim  func(http.Handler) http.Handler // sees every simulator request
	started  func()                          // called as the crawl jobs are submitted
	crawled  func()                          // called when the crawl jobs end
}

// demoRate is the demo's limit on its simulator (SCOUT_RATE_BLUESKY
// overrides it): 10,000 requests a second, bursts of 1,000, above what a
// small machine's crawl reaches. At 2,000 (then 10 requests a creator) the
// limiter, not the crawl, set the demo's pace on 2 cores once the crawl
// passed about 170 creators a second.
var demoRate = rateOverride{Rate: 10000, Burst: 1000}

// demoSummary is what `scout demo --once` prints.
type demoSummary struct {
	Creators int            `json:"creators"`
	ByTier   map[string]int `json:"by_tier"`
	ByNiche  map[string]int `json:"by_niche"`
	Jobs     int            `json:"jobs"`
	// Crawled is how many creators the discover jobs crawled, in
	// CrawlSeconds from the first job to the last one's end.
	Crawled      int     `json:"crawled"`
	CrawlSeconds float64 `json:"crawl_seconds"`
	Failed       int     `json:"failed"`
	Skipped      int     `json:"skipped"`
	// Linked lists creators linked across platforms by two-way evidence.
	Linked  []demoLink       `json:"linked,omitempty"`
	Watch   *demoWatchResult `json:"watch,omitempty"`
	Seconds float64          `json:"seconds"`
	DataDir string           `json:"data_dir"`
}

// cmdDemo runs `scout demo [--once]`: the simulator on loopback, the
// Bluesky source pointed at it, discovery over several niche queries,
// crawls, scores and stores, then the API and the results page.
func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	once := fs.Bool("once", false, "print a one-line JSON summary and exit instead of serving")
	n := fs.Int("creators", 600, "simulated creators")
	perQuery := fs.Int("limit", 100, "creators discovered per query")
	seed := fs.Int64("seed", 1, "simulator seed")
	days := fs.Int("days", 30, "days the watchlist part moves the simulator ahead (0 skips it)")
	if _, code, ok := parseOrExit(fs, args, stderr); !ok {
		return code
	}
	start := time.Now()
	if addr := os.Getenv("SCOUT_PPROF_ADDR"); addr != "" {
		at, err := servePprof(ctx, addr)
		if err != nil {
			fmt.Fprintln(stderr, "scout demo:", err)
			return 1
		}
		fmt.Fprintf(stderr, "demo: profiles on http://%s/debug/pprof/\n", at)
	}
	cfg, err := configFromEnv()
	if err != nil {
		fmt.Fprintln(stderr, "scout:", err)
		return 1
	}
	cfg.DataDir = filepath.Join(cfg.DataDir, "demo")
	cfg.RedisURL, cfg.MeiliURL = benchDemo.redisURL, "" // the demo is always embedded (but for the benchmark)
	cfg.AllowNets = append(cfg.AllowNets, netip.MustParsePrefix("127.0.0.0/8"))
	if cfg.Concurrency < 16 {
		cfg.Concurrency = 16
	}
	if err := os.RemoveAll(cfg.DataDir); err != nil {
		fmt.Fprintln(stderr, "scout demo:", err)
		return 1
	}

	world := sim.New(sim.Config{Seed: *seed, Creators: *n})
	var simHandler http.Handler = world.Handler()
	if benchDemo.wrapSim != nil {
		simHandler = benchDemo.wrapSim(simHandler)
	}
	simSrv, err := sim.ServeHandler(ctx, "", simHandler)
	if err != nil {
		fmt.Fprintln(stderr, "scout demo:", err)
		return 1
	}
	defer simSrv.Close()
	cfg.BlueskyURL = simSrv.URL
	fmt.Fprintf(stderr, "demo: simulator with %d creators on %s\n", *n, cfg.BlueskyURL)

	// The simulator is ours: unless SCOUT_RATE_BLUESKY says otherwise it
	// gets a generous limit (demoRate) instead of the real AppView's, so
	// the demo finishes in well under two minutes.
	if _, ok := cfg.Rates[creator.Bluesky]; !ok {
		if cfg.Rates == nil {
			cfg.Rates = map[string]rateOverride{}
		}
		cfg.Rates[creator.Bluesky] = demoRate
	}
	// The app runs on the simulator's clock, so days can pass in seconds.
	// The simulated creators' sites resolve to the simulator; no other
	// name resolves, so the demo never leaves the machine.
	a, err := newApp(ctx, cfg, withNow(world.Now),
		withResolver(world.Resolver()), withLogger(quietLogger()))
	if err != nil {
		fmt.Fprintln(stderr, "scout demo:", err)
		return 1
	}
	defer a.Close()
	wctx, stopWorker := context.WithCancel(ctx)
	defer stopWorker()
	a.startWorker(wctx)

	crawlStart := time.Now()
	if benchDemo.started != nil {
		benchDemo.started()
	}
	var ids []string
	for _, q := range demoQueries {
		job, err := a.pipe.SubmitDiscover(ctx, creator.Bluesky, q, *perQuery)
		if err != nil {
			fmt.Fprintln(stderr, "scout demo:", err)
			return 1
		}
		ids = append(ids, job.ID)
	}
	fmt.Fprintf(stderr, "demo: %d discover jobs queued: %v\n", len(ids), demoQueries)

	sum, err := waitJobs(ctx, a, ids, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "scout demo:", err)
		return 1
	}
	sum.CrawlSeconds = time.Since(crawlStart).Seconds()
	if benchDemo.crawled != nil {
		benchDemo.crawled()
	}
	res, err := a.store.Search(ctx, index.Query{PerPage: 1, Facets: []string{"tier", "niche"}})
	if err != nil {
		fmt.Fprintln(stderr, "scout demo:", err)
		return 1
	}
	if sum.Linked, err = runLinkDemo(ctx, a, stderr); err != nil {
		fmt.Fprintln(stderr, "scout demo:", err)
		return 1
	}
	if res, err = a.store.Search(ctx, index.Query{PerPage: 1, Facets: []string{"tier", "niche"}}); err != nil {
		fmt.Fprintln(stderr, "scout demo:", err)
		return 1
	}
	sum.Creators, sum.ByTier, sum.ByNiche = res.Total, res.Facets["tier"], res.Facets["niche"]
	if *days > 0 {
		if sum.Watch, err = runWatchDemo(ctx, a, world, *days, stderr); err != nil {
			fmt.Fprintln(stderr, "scout demo:", err)
			return 1
		}
	}
	sum.Seconds = float64(time.Since(start).Milliseconds()) / 1000
	sum.DataDir = cfg.DataDir
	if *once {
		b, _ := json.Marshal(sum)
		fmt.Fprintln(stdout, string(b))
		if sum.Creators == 0 {
			return 1
		}
		return 0
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		fmt.Fprintf(stderr, "demo: %s is taken (%v); using a free port\n", cfg.Addr, err)
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			fmt.Fprintln(stderr, "scout demo:", err)
			return 1
		}
	}
	base := "http://" + ln.Addr().String()
	if sum.Watch != nil {
		fmt.Fprintln(stdout)
		printAlerts(stdout, sum.Watch)
	}
	for _, l := range sum.Linked {
		fmt.Fprintf(stdout, "\nlinked across platforms: %s %s <-> %s %s (%s)\n  %s\n  %s\n",
			l.Platform, l.Handle, l.LinkedPlatform, l.LinkedURL, l.Kind, l.Forward, l.Back)
		if l.LinkedBack {
			fmt.Fprintf(stdout, "  the %s record links back to %s %s\n", l.LinkedPlatform, l.Platform, l.Handle)
		}
	}
	fmt.Fprintf(stdout, `
CreatorScout demo: %d creators stored in %.1fs (%s)
by tier: %v

  results page:  %s/
  API reference: %s/docs
  try:
    curl '%s/v1/creators?q=vegan&sort=-followers&facets=tier,niche'
    curl '%s/v1/creators?tier=micro,mid&authenticity_max=60&sort=authenticity&facets=niche'
    curl '%s/v1/creators?niche=fitness&followers_min=10000&sort=-engagement_rate'
    curl '%s/v1/creators?linked_accounts_min=1'
    curl -H 'Content-Type: application/json' -d '{"source":"bluesky","query":"gaming","limit":20}' %s/v1/discover
    curl '%s/v1/creators/lookup?platform=bluesky&handle=%s'
    curl -o micro.csv '%s/v1/creators?tier=micro&format=csv'
    curl '%s/v1/watchlists'
    curl '%s/v1/openapi.json'
  live from the simulated Bluesky Jetstream: %s/jetstream
  from the command line (another terminal):
    scout search tier=micro sort=-followers

Ctrl-C to stop.
`, sum.Creators, sum.Seconds, cfg.DataDir, sum.ByTier, base, base, base, base, base, base, base, base, sim.HandleRising, base, base, base, base)
	stopStream := startDemoStream(ctx, a, world, cfg.BlueskyURL, stderr)
	defer stopStream()
	if err := a.serveAPI(ctx, ln); err != nil {
		fmt.Fprintln(stderr, "scout demo:", err)
		return 1
	}
	return 0
}

// waitJobs waits for every job to end, printing progress once a second.
func waitJobs(ctx context.Context, a *app, ids []string, stderr io.Writer) (demoSummary, error) {
	sum := demoSummary{Jobs: len(ids)}
	// The jobs are looked at every 50 ms, so that the crawl's time (and
	// the rate the benchmark reads from it) is not rounded up to the next
	// second; progress is printed once a second.
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	var printed time.Time
	ended := map[string]*index.Job{} // an ended job's counts are final: read once
	for {
		open, done, failed, skipped, pending := 0, 0, 0, 0, 0
		for _, id := range ids {
			j := ended[id]
			if j == nil {
				var err error
				if j, err = a.store.GetJob(ctx, id); err != nil {
					return sum, err
				}
				if j.State != index.JobQueued && j.State != index.JobRunning {
					ended[id] = j
				}
			}
			if j.State == index.JobQueued || j.State == index.JobRunning {
				open++
			}
			done += j.Counts.Done
			failed += j.Counts.Failed
			skipped += j.Counts.Skipped
			pending += j.Counts.Pending
		}
		if open == 0 || time.Since(printed) >= time.Second {
			printed = time.Now()
			fmt.Fprintf(stderr, "demo: %5.1fs  jobs open %d/%d  crawled %d  pending %d  skipped %d  failed %d\n",
				time.Since(start).Seconds(), open, len(ids), done, pending, skipped, failed)
		}
		if open == 0 {
			sum.Failed, sum.Skipped, sum.Crawled = failed, skipped, done
			return sum, nil
		}
		select {
		case <-ctx.Done():
			return sum, ctx.Err()
		case <-tick.C:
		}
	}
}

// demoLink is one creator the demo linked to an account on another
// platform, with the evidence.
type demoLink struct {
	Platform       string `json:"platform"`
	Handle         string `json:"handle"`
	LinkedPlatform string `json:"linked_platform"`
	LinkedURL      string `json:"linked_url"`
	Kind           string `json:"kind"`
	Forward        string `json:"forward"`
	Back           string `json:"back"`
	// LinkedStored says the linked account was crawled and stored too;
	// LinkedBack that its record links back to the creator.
	LinkedStored bool `json:"linked_stored"`
	LinkedBack   bool `json:"linked_back"`
}

// runLinkDemo finds the stored creators with linked accounts
// (linked_accounts_min=1), crawls their linked web sites through the web
// source, and reports each link.
func runLinkDemo(ctx context.Context, a *app, stderr io.Writer) ([]demoLink, error) {
	one := 1.0
	q := index.Query{PerPage: 20, Filter: &index.Filter{Op: index.OpRange, Field: "linked_accounts", Min: &one}}
	res, err := a.store.Search(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("searching linked creators: %w", err)
	}
	var links []demoLink
	var jobs []string
	for _, h := range res.Hits {
		for _, l := range h.Profile.Linked {
			if len(l.Evidence) == 0 {
				continue
			}
			d := demoLink{Platform: h.Profile.Ref.Platform, Handle: h.Profile.Ref.Handle, LinkedPlatform: l.Platform,
				LinkedURL: l.URL, Kind: l.Evidence[0].Kind, Forward: l.Evidence[0].Forward, Back: l.Evidence[0].Back}
			if l.Platform == creator.Web {
				job, err := a.pipe.SubmitCrawl(ctx, creator.Ref{Platform: creator.Web, ID: l.ID})
				if err != nil {
					return nil, fmt.Errorf("crawling linked site %s: %w", l.URL, err)
				}
				jobs = append(jobs, job.ID)
			}
			links = append(links, d)
		}
	}
	if len(jobs) > 0 {
		fmt.Fprintf(stderr, "demo: crawling %d linked sites\n", len(jobs))
		if _, err := waitJobs(ctx, a, jobs, io.Discard); err != nil {
			return nil, err
		}
	}
	for i, d := range links {
		if d.LinkedPlatform != creator.Web {
			continue
		}
		rec, err := a.store.Get(ctx, creator.Key(creator.Ref{Platform: creator.Web, ID: d.LinkedURL}))
		if err != nil {
			continue
		}
		links[i].LinkedStored = true
		for _, back := range rec.Profile.Linked {
			if back.Platform == d.Platform && back.Handle == d.Handle {
				links[i].LinkedBack = true
			}
		}
	}
	return links, nil
}
