package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// The process's Prometheus series beside the API's own (package api),
// on the default registry that /metrics serves.
var (
	taskCount = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "scout_tasks_total",
		Help: "Queue tasks run by this process, by type and outcome (ok, error: retried, failed: not retried, rate_limited: a source's limit, retried later).",
	}, []string{"type", "outcome"})
	taskSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "scout_task_duration_seconds",
		Help:    "Time to run a queue task, by type.",
		Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"type"})
	storeWriteSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "scout_store_write_duration_seconds",
		Help:    "Time a store write took until durable, by operation.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"op"})
	registerMetrics sync.Once
)

func init() {
	registerMetrics.Do(func() {
		prometheus.MustRegister(taskCount, taskSeconds, storeWriteSeconds)
	})
}

// countTasks is asynq middleware that counts every task by type and
// outcome and times it.
func countTasks(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		start := time.Now()
		err := next.ProcessTask(ctx, t)
		outcome := "ok"
		switch {
		case err == nil:
		case errors.Is(err, creator.ErrRateLimited):
			outcome = "rate_limited"
		case errors.Is(err, asynq.SkipRetry):
			outcome = "failed"
		default:
			outcome = "error"
		}
		taskCount.WithLabelValues(t.Type(), outcome).Inc()
		taskSeconds.WithLabelValues(t.Type()).Observe(time.Since(start).Seconds())
		return err
	})
}

// timedStore times the writes of the store it wraps and notes their
// outcome in health (for /readyz); reads pass through. The pipeline and
// the watch service write through it.
type timedStore struct {
	index.Store
	health *writeHealth
}

// writeHealth remembers how the store's latest writes went. It is safe for
// concurrent use; a nil *writeHealth notes nothing.
type writeHealth struct {
	lastOK, lastFail atomic.Int64 // unix nanoseconds
}

func (h *writeHealth) note(err error) {
	if h == nil {
		return
	}
	if err == nil {
		h.lastOK.Store(time.Now().UnixNano())
	} else if !errors.Is(err, creator.ErrInvalid) && !errors.Is(err, creator.ErrNotFound) && !errors.Is(err, context.Canceled) {
		h.lastFail.Store(time.Now().UnixNano())
	}
}

// check fails when the latest write failed, within the last minute: the
// store cannot write now, though it may still read.
func (h *writeHealth) check(context.Context) error {
	fail := h.lastFail.Load()
	if fail > h.lastOK.Load() && time.Since(time.Unix(0, fail)) < time.Minute {
		return errors.New("the latest write to the store failed")
	}
	return nil
}

func (s timedStore) done(op string, start time.Time, err error) error {
	storeWriteSeconds.WithLabelValues(op).Observe(time.Since(start).Seconds())
	s.health.note(err)
	return err
}

func (s timedStore) Upsert(ctx context.Context, rec *creator.Record, snap creator.Snapshot) error {
	return s.done("upsert", time.Now(), s.Store.Upsert(ctx, rec, snap))
}

func (s timedStore) UpsertMany(ctx context.Context, ws []index.Write) error {
	return s.done("upsert_many", time.Now(), s.Store.UpsertMany(ctx, ws))
}

// timedCommitter is a timedStore on a store that writes creators and job
// items in one transaction (index.Committer); withCommit gives it only for
// such a store, so that the crawl's group commit never takes two separate
// calls for one.
type timedCommitter struct{ timedStore }

func (s timedCommitter) Commit(ctx context.Context, ws []index.Write, items []*index.JobItem) error {
	return s.done("commit", time.Now(), s.Store.(index.Committer).Commit(ctx, ws, items))
}

// withCommit is s, with Commit where its store has one.
func withCommit(s timedStore) crawler.Store {
	if _, ok := s.Store.(index.Committer); ok {
		return timedCommitter{s}
	}
	return s
}

func (s timedStore) Delete(ctx context.Context, key string) error {
	return s.done("delete", time.Now(), s.Store.Delete(ctx, key))
}

func (s timedStore) PutJob(ctx context.Context, j *index.Job) error {
	return s.done("put_job", time.Now(), s.Store.PutJob(ctx, j))
}

func (s timedStore) PutJobItems(ctx context.Context, items ...*index.JobItem) error {
	return s.done("put_job_items", time.Now(), s.Store.PutJobItems(ctx, items...))
}

func (s timedStore) AddOptOut(ctx context.Context, o *index.OptOut) error {
	return s.done("add_opt_out", time.Now(), s.Store.AddOptOut(ctx, o))
}

func (s timedStore) PutWatchlist(ctx context.Context, w *index.Watchlist) error {
	return s.done("put_watchlist", time.Now(), s.Store.PutWatchlist(ctx, w))
}

func (s timedStore) PutAlert(ctx context.Context, e *index.AlertEvent) error {
	return s.done("put_alert", time.Now(), s.Store.PutAlert(ctx, e))
}

// ScrubCreator passes erasure's scrub on to a store that has one
// (index.Scrubber) and does nothing otherwise.
func (s timedStore) ScrubCreator(ctx context.Context, ref creator.Ref, keys []string) error {
	sc, ok := s.Store.(index.Scrubber)
	if !ok {
		return nil
	}
	return s.done("scrub", time.Now(), sc.ScrubCreator(ctx, ref, keys))
}

// queueCollector reports the queue's depth, by queue and state, read from
// Redis at each scrape (so every process that serves /metrics reports the
// cluster's queue).
type queueCollector struct {
	insp *asynq.Inspector
	desc *prometheus.Desc
}

func newQueueCollector(rdb redis.UniversalClient) *queueCollector {
	return &queueCollector{insp: asynq.NewInspectorFromRedisClient(rdb),
		desc: prometheus.NewDesc("scout_queue_tasks", "Tasks in the queue by queue and state (pending, active, scheduled, retry, archived).", []string{"queue", "state"}, nil)}
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	qs, err := c.insp.Queues()
	if err != nil {
		return
	}
	for _, q := range qs {
		info, err := c.insp.GetQueueInfo(q)
		if err != nil {
			continue
		}
		for state, n := range map[string]int{"pending": info.Pending, "active": info.Active, "scheduled": info.Scheduled,
			"retry": info.Retry, "archived": info.Archived} {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), q, state)
		}
	}
}

// serveMetrics serves /metrics (the default registry, with the queue's
// depth) on addr until ctx is done, for processes without the API.
func serveMetrics(ctx context.Context, addr string, a *app) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	_ = prometheus.Register(newQueueCollector(a.rdb))
	registerJetstreamMetrics(a)
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	context.AfterFunc(ctx, func() { srv.Close() })
	return nil
}

var (
	fetchCount = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "scout_fetch_requests_total",
		Help: "Outbound requests by source (the platform whose API host it went to; other: web pages, instances and hosts not configured) and status code (error: no response).",
	}, []string{"source", "status"})
	fetchWait = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "scout_fetch_rate_limit_wait_seconds",
		Help:    "Time outbound requests waited for their host's rate limit, by source.",
		Buckets: []float64{0, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"source"})
	registerFetchMetrics sync.Once
)

// fetchObserver counts the outbound client's requests by source: a host
// is named by the source whose API it is (set as the sources are built).
type fetchObserver struct{ hosts sync.Map }

func newFetchObserver() *fetchObserver {
	registerFetchMetrics.Do(func() { prometheus.MustRegister(fetchCount, fetchWait) })
	return &fetchObserver{}
}

func (o *fetchObserver) source(host string) string {
	if s, ok := o.hosts.Load(strings.ToLower(host)); ok {
		return s.(string)
	}
	return "other"
}

func (o *fetchObserver) Waited(host string, d time.Duration) {
	fetchWait.WithLabelValues(o.source(host)).Observe(d.Seconds())
}

func (o *fetchObserver) Fetched(host string, status int, err error) {
	code := "error"
	if err == nil || status > 0 {
		code = strconv.Itoa(status)
	}
	fetchCount.WithLabelValues(o.source(host), code).Inc()
}
