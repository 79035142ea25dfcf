package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/api"
	"github.com/creatorscout/scout/compliance"
	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/bluesky/jetstream"
	"github.com/creatorscout/scout/crawler/fetch"
	_ "github.com/creatorscout/scout/crawler/sources" // registers every source
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
	"github.com/creatorscout/scout/internal/memredis"
	"github.com/creatorscout/scout/scoring"
	"github.com/creatorscout/scout/watch"
)

// app is one scout process's wiring: the queue's Redis, the store, the
// outbound client, the sources and the pipeline. Every command builds one.
type app struct {
	cfg     config
	log     *slog.Logger
	rdb     redis.UniversalClient
	mini    *memredis.Server // embedded queue; nil with SCOUT_REDIS_URL
	store   index.Store
	http    *fetch.Client
	sources map[string]crawler.Source
	pipe    *crawler.Pipeline
	comp    *compliance.Service
	watch   *watch.Service
	q       *asynq.Client
	now     func() time.Time

	// life ends when Close is called; workers stop then, before the
	// Redis client closes under them.
	life    context.Context
	stop    context.CancelFunc
	running sync.WaitGroup

	// handlers register more task handlers on the worker.
	handlers []func(*asynq.ServeMux)
	// schedInterval is how often the watchlist scheduler ticks; 0 means
	// its default.
	schedInterval time.Duration

	// taxonomy is the niche taxonomy scoring uses; nil means the default.
	taxonomy *scoring.Taxonomy

	// hostOverrides are extra per-host policies (the demo's simulator).
	hostOverrides map[string]fetch.HostPolicy
	// resolver, when set, resolves host names for the outbound client
	// (the demo's simulated sites).
	resolver fetch.Resolver
	// unavailable says why registered sources could not be built.
	unavailable map[string]string
	// writes notes how the store's writes go, for /readyz.
	writes *writeHealth
	// wrapStore, when set, wraps the store once opened (tests inject
	// faults with it).
	wrapStore func(index.Store) index.Store
	// jsStats is the Jetstream consumer's progress (track.go).
	jsOnce  sync.Once
	jsStats *jetstream.Stats
}

// appOption adjusts an app before it is built (tests and the demo).
type appOption func(*app)

func withNow(now func() time.Time) appOption { return func(a *app) { a.now = now } }

func withHostPolicy(host string, p fetch.HostPolicy) appOption {
	return func(a *app) {
		if a.hostOverrides == nil {
			a.hostOverrides = map[string]fetch.HostPolicy{}
		}
		a.hostOverrides[host] = p
	}
}

func withLogger(l *slog.Logger) appOption { return func(a *app) { a.log = l } }

func withResolver(r fetch.Resolver) appOption { return func(a *app) { a.resolver = r } }

func newApp(ctx context.Context, cfg config, opts ...appOption) (_ *app, err error) {
	a := &app{cfg: cfg, now: time.Now, log: slog.Default(), writes: &writeHealth{}}
	a.life, a.stop = context.WithCancel(context.Background())
	for _, o := range opts {
		o(a)
	}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if err := a.openRedis(ctx); err != nil {
		return nil, err
	}
	if err := a.openStore(ctx); err != nil {
		return nil, err
	}
	if a.wrapStore != nil {
		a.store = a.wrapStore(a.store)
	}
	fobs := newFetchObserver()
	fopts := []fetch.Option{fetch.WithRedis(a.rdb), fetch.WithAllowNets(cfg.AllowNets...), fetch.WithClock(a.now), fetch.WithObserver(fobs)}
	if cfg.UserAgent != "" {
		fopts = append(fopts, fetch.WithUserAgent(cfg.UserAgent))
	}
	if r, ok := cfg.Rates[creator.Web]; ok {
		// The web source's hosts are anyone's sites: its rate is the
		// default host policy.
		fopts = append(fopts, fetch.WithDefaultHostPolicy(r.apply(fetch.DefaultHostPolicy)))
	}
	if a.resolver != nil {
		fopts = append(fopts, fetch.WithResolver(a.resolver))
	}
	if a.http, err = fetch.New(fopts...); err != nil {
		return nil, fmt.Errorf("building the outbound client: %w", err)
	}
	a.sources = map[string]crawler.Source{}
	for _, name := range crawler.Names() {
		scfg := crawler.Config{HTTP: a.http, Now: a.now, Options: cfg.SourceOptions[name]}
		rate, override := cfg.Rates[name]
		if override {
			scfg.HTTP = rateLimited{a.http, rate}
		}
		if name == creator.Bluesky {
			scfg.BaseURL = cfg.BlueskyURL
		}
		src, err := crawler.New(name, scfg)
		if err != nil {
			a.log.Debug("source not available", "source", name, "err", err)
			if a.unavailable == nil {
				a.unavailable = map[string]string{}
			}
			a.unavailable[name] = sourceWhy(err)
			continue
		}
		a.sources[name] = src
		if host := baseHost(src, scfg.BaseURL); host != "" {
			pol := src.Policy().Host()
			if override {
				pol = rate.apply(pol)
			}
			a.http.SetHost(host, pol)
			fobs.hosts.Store(strings.ToLower(host), name)
		}
	}
	for host, p := range a.hostOverrides {
		a.http.SetHost(host, p)
	}
	a.q = asynq.NewClientFromRedisClient(a.rdb)
	wopts := []watch.Option{
		watch.WithClock(a.now),
		watch.WithURLCheck(func(ctx context.Context, u string) error { _, err := a.http.CheckURL(ctx, u); return err }),
		watch.WithHTTPClient(a.http.HTTPClient()),
		watch.WithTaskEnqueuer(a.q),
		watch.WithDeliveryQueue(crawler.QueueWebhooks),
		watch.WithResolveQueue(crawler.QueueInteractive),
		watch.WithLogger(a.log),
	}
	// Members added by a profile URL with a handle are resolved to an id
	// through their platform's source.
	wopts = append(wopts, watch.WithProfileURLs(crawler.ParseProfileURL), watch.WithHandleLookup(func(ctx context.Context, r creator.Ref) (creator.Ref, error) {
		src, ok := a.sources[r.Platform]
		if !ok {
			return creator.Ref{}, fmt.Errorf("looking up %s: %w: %s is not set up here", r, creator.ErrInvalid, r.Platform)
		}
		// watch refuses opted-out creators before and after the lookup.
		p, err := src.Fetch(ctx, r)
		if err != nil {
			return creator.Ref{}, err
		}
		return p.Ref, nil
	}))
	a.watch = watch.New(timedStore{a.store, a.writes}, wopts...)
	var scoringOpts scoring.Options
	if cfg.NichesFile != "" {
		f, err := os.Open(cfg.NichesFile)
		if err != nil {
			return nil, fmt.Errorf("SCOUT_NICHES_FILE: %w", err)
		}
		scoringOpts.Taxonomy, err = scoring.DefaultTaxonomy().Extend(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("SCOUT_NICHES_FILE %s: %w", cfg.NichesFile, err)
		}
	}
	a.taxonomy = scoringOpts.Taxonomy
	retention := map[string]time.Duration{}
	for name, src := range a.sources {
		retention[name] = src.Policy().Retention
	}
	a.comp, err = compliance.New(compliance.Config{
		Store: timedStore{a.store, a.writes}, ParseProfileURL: crawler.ParseProfileURL,
		Retention: retention, Queue: a.q, Now: a.now, Logger: a.log,
	})
	if err != nil {
		return nil, err
	}
	a.pipe, err = crawler.NewPipeline(crawler.PipelineConfig{
		Store:       withCommit(timedStore{a.store, a.writes}),
		Erasure:     a.comp,
		Sources:     a.sources,
		Redis:       a.rdb,
		UniqueFor:   cfg.UniqueFor,
		MaxRetry:    maxRetryFor(cfg.MaxRetry),
		AfterWrite:  []crawler.AfterWriteFunc{a.watch.AfterWrite},
		Scoring:     scoringOpts,
		Now:         a.now,
		Logger:      a.log,
		Unavailable: a.unavailable,
		FollowLinks: true,
		GroupCommit: true,
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// maxRetryFor maps the config's "0 means no retries" onto the pipeline's
// "negative means never".
func maxRetryFor(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// baseHost is the host:port a source talks to, for its rate limit.
// sourceWhy is a source's construction error as a user reads it: the
// part after the sentinel ("needs the operator's ... (SCOUT_...)").
func sourceWhy(err error) string {
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, creator.ErrInvalid.Error()+": "); ok {
		return rest
	}
	return msg
}

func baseHost(src crawler.Source, base string) string {
	if base == "" {
		if src.Name() == creator.Bluesky {
			return "public.api.bsky.app"
		}
		return ""
	}
	u, err := parseURL(base)
	if err != nil {
		return ""
	}
	return u.Host
}

func (a *app) openRedis(ctx context.Context) error {
	if a.cfg.RedisURL != "" {
		opts, err := redis.ParseURL(a.cfg.RedisURL)
		if err != nil {
			return fmt.Errorf("SCOUT_REDIS_URL: %w", err)
		}
		a.rdb = redis.NewClient(opts)
		if err := a.rdb.Ping(ctx).Err(); err != nil {
			return fmt.Errorf("connecting to redis: %w", err)
		}
		return nil
	}
	// Embedded: asynq on an in-process miniredis whose TTLs (our
	// uniqueness windows, locks and caches) a ticker counts down.
	var err error
	if a.mini, err = memredis.Start(memredis.Config{}); err != nil {
		return fmt.Errorf("starting the embedded queue: %w", err)
	}
	a.rdb = redis.NewClient(&redis.Options{Addr: a.mini.Addr(), PoolSize: 64})
	return nil
}

func (a *app) openStore(ctx context.Context) error {
	if a.cfg.MeiliURL != "" {
		st, err := openMeili(ctx, a.cfg)
		if err != nil {
			return err
		}
		a.store = st
		return nil
	}
	if err := os.MkdirAll(a.cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("creating data dir: %w", err)
	}
	var opts []sqlite.Option
	if a.cfg.SQLiteSync != "" {
		opts = append(opts, sqlite.WithSynchronous(a.cfg.SQLiteSync))
	}
	st, err := sqlite.Open(filepath.Join(a.cfg.DataDir, "scout.db"), opts...)
	if err != nil {
		return fmt.Errorf("opening the store: %w", err)
	}
	a.store = st
	return nil
}

// Close stops the app's workers and releases everything it opened.
func (a *app) Close() {
	if a.stop != nil {
		a.stop()
		a.running.Wait()
	}
	if a.pipe != nil {
		a.pipe.Close()
	}
	if a.q != nil {
		a.q.Close()
	}
	if a.store != nil {
		a.store.Close()
	}
	if a.rdb != nil {
		a.rdb.Close()
	}
	if a.mini != nil {
		a.mini.Close()
	}
}

// startWorker runs a worker in the background until ctx is done or the
// app closes; Close waits for it.
func (a *app) startWorker(ctx context.Context) {
	a.running.Add(1) // before the goroutine starts, so Close cannot miss it
	go func() {
		defer a.running.Done()
		if err := a.worker(ctx); err != nil {
			a.log.Error("worker stopped", "err", err)
		}
	}()
}

// worker runs queue workers until ctx is done or the app closes.
func (a *app) worker(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(a.life, cancel)
	defer stop()
	srv := asynq.NewServerFromRedisClient(a.rdb, asynq.Config{
		Concurrency:              a.cfg.Concurrency,
		Queues:                   crawler.Queues,
		RetryDelayFunc:           crawler.RetryDelay(a.cfg.RetryBase, a.now),
		DelayedTaskCheckInterval: time.Second,
		// An idle processor sleeps 0.5-1.5x this between polls of empty
		// queues, so a crawl asked for on an idle worker (or a batch a
		// discovery has just queued) waited up to 300 ms at 200 ms; at 50 ms
		// the wait is at most 75 ms, for about 20 polls a second when idle
		// (one Lua script each, under 1% of a core embedded).
		TaskCheckInterval: 50 * time.Millisecond,
		ShutdownTimeout:   10 * time.Second,
		Logger:            quietAsynq{a.log},
		LogLevel:          asynq.WarnLevel,
		IsFailure: func(err error) bool {
			return !errors.Is(err, creator.ErrRateLimited)
		},
	})
	mux := asynq.NewServeMux()
	mux.Use(countTasks)
	a.pipe.Register(mux)
	a.comp.Register(mux)
	mux.HandleFunc(watch.TypeDeliver, a.watch.HandleDeliver)
	mux.HandleFunc(watch.TypeResolve, a.watch.HandleResolve)
	for _, reg := range a.handlers {
		reg(mux)
	}
	if err := srv.Start(mux); err != nil {
		return fmt.Errorf("starting worker: %w", err)
	}
	<-ctx.Done()
	srv.Shutdown()
	return nil
}

// apiHandler is the HTTP API over the app's store and pipeline.
func (a *app) apiHandler() http.Handler {
	var keys api.KeyStore
	if ks, ok := a.store.(index.APIKeys); ok {
		keys = ks
	}
	queue := newQueueCollector(a.rdb)
	if err := prometheus.Register(queue); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) { // a second handler in one process (tests): report this app's queue
			prometheus.Unregister(are.ExistingCollector)
			prometheus.MustRegister(queue)
		}
	}
	registerJetstreamMetrics(a)
	return a.withJetstreamStatus(api.New(api.Config{
		Keys:       keys,
		Store:      a.store,
		Submitter:  a.pipe,
		OptOuts:    a.comp,
		Watchlists: a.watch,
		APIKey:     a.cfg.APIKey,
		Redis:      a.rdb,
		Enums:      a.enums(),
		Logger:     a.log,
		ResolveURL: crawler.ParseProfileURL,
		Ready: map[string]func(ctx context.Context) error{
			"redis": func(ctx context.Context) error { return a.rdb.Ping(ctx).Err() },
			"store": func(ctx context.Context) error {
				_, err := a.store.Search(ctx, index.Query{PerPage: 1})
				return err
			},
			// Reads may work while writes fail (a full disk): this one
			// fails while the latest write failed, for up to a minute.
			"store_writes": a.writes.check,
		},
	}))
}

// enums are the valid values of the API's enumerated parameters: the
// api package's own and those of the scoring models.
func (a *app) enums() api.Enums {
	e := api.DefaultEnums()
	tax := a.taxonomy
	if tax == nil {
		tax = scoring.DefaultTaxonomy()
	}
	e["niche"] = tax.Niches()
	e["engagement_label"] = []string{scoring.EngagementLow, scoring.EngagementTypical, scoring.EngagementHigh, scoring.EngagementSuspicious}
	e["growth_trend"] = []string{scoring.TrendNew, scoring.TrendRising, scoring.TrendSteady, scoring.TrendDeclining, scoring.TrendVolatile}
	return e
}

// serveAPI serves the API on ln until ctx is done.
func (a *app) serveAPI(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: a.apiHandler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second}
	// The SQLite store reads its in-memory copy of the creators whole on
	// its first search: start that now, not on a user's first query.
	go a.store.Search(ctx, index.Query{PerPage: 1})
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		return nil
	case err := <-errc:
		return err
	}
}

// runAll runs the API, a worker and (when built) the scheduler in one
// process until ctx is done.
func (a *app) runAll(ctx context.Context, ln net.Listener) error {
	if n, err := a.pipe.Resume(ctx); err != nil {
		return err
	} else if n > 0 {
		a.log.Info("resumed unfinished work", "tasks", n)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, 3)
	worker := func(ctx context.Context) error { return a.alongsideTracking(ctx, a.worker) }
	for _, run := range []func(context.Context) error{worker, a.scheduler, func(ctx context.Context) error { return a.serveAPI(ctx, ln) }} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(ctx); err != nil {
				errc <- err
				cancel() // one part failing stops the others
			}
		}()
	}
	wg.Wait()
	close(errc)
	return <-errc
}

// scheduler runs the periodic work until ctx is done: watchlist rescans
// and the reconciliation of unfinished jobs with the queue (one scheduler
// acts at a time, by a lease in Redis) and the retention purge every hour.
func (a *app) scheduler(ctx context.Context) error {
	sched, err := watch.NewScheduler(watch.SchedulerConfig{
		Service: a.watch, Enqueuer: a.pipe, Redis: a.rdb, Logger: a.log, Interval: a.schedInterval,
		// Under the scheduler's lease: jobs whose queued work Redis lost
		// are enqueued again without a restart.
		Reconcile: a.pipe.Reconcile, ReconcileInterval: a.cfg.ReconcileInterval,
		// A standby takes over from a dead holder within about one
		// interval (5 to 30 s), so recovery stays within two.
		LeaseTTL: min(30*time.Second, max(5*time.Second, a.cfg.ReconcileInterval)),
	})
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() {
		err := sched.Run(ctx)
		if errors.Is(err, context.Canceled) {
			err = nil // a normal stop
		}
		errc <- err
	}()
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if err := a.comp.EnqueuePurge(ctx); err != nil {
			a.log.Warn("scheduling purge", "err", err)
		}
		select {
		case <-ctx.Done():
			return <-errc
		case err := <-errc:
			return err
		case <-tick.C:
		}
	}
}

// quietAsynq routes asynq's logs to slog.
type quietAsynq struct{ l *slog.Logger }

func (q quietAsynq) Debug(args ...any) {}
func (q quietAsynq) Info(args ...any)  {}
func (q quietAsynq) Warn(args ...any)  { q.l.Warn(fmt.Sprint(args...)) }
func (q quietAsynq) Error(args ...any) { q.l.Error(fmt.Sprint(args...)) }
func (q quietAsynq) Fatal(args ...any) { q.l.Error(fmt.Sprint(args...)); os.Exit(1) }
