package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/crawler/fetch/budget"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/scoring"
)

// Task types and queues.
const (
	TypeDiscover = "discover"
	TypeCrawl    = "crawl"

	// QueueInteractive holds discover and crawl tasks submitted by users.
	QueueInteractive = "interactive"
	// QueueRescan holds watchlist rescans, below interactive work.
	QueueRescan = "rescan"
	// QueueWebhooks holds webhook deliveries.
	QueueWebhooks = "webhooks"
	// QueueMaintenance holds purges and other housekeeping.
	QueueMaintenance = "maintenance"
)

// Queues is the weighting of the queues a worker serves.
var Queues = map[string]int{QueueInteractive: 6, QueueWebhooks: 3, QueueRescan: 2, QueueMaintenance: 1}

// Crawl reasons.
const (
	ReasonRequest  = "request"
	ReasonDiscover = "discover"
	ReasonRescan   = "rescan"
	// ReasonLinked is a crawl of an account another creator is linked to
	// (PipelineConfig.FollowLinks).
	ReasonLinked = "linked"
)

// DiscoverPayload is the payload of a discover task.
type DiscoverPayload struct {
	JobID  string `json:"job_id"`
	Source string `json:"source"`
	Query  string `json:"query"`
	Limit  int    `json:"limit"`
}

// CrawlPayload is the payload of a crawl task.
type CrawlPayload struct {
	Ref         creator.Ref `json:"ref"`
	Reason      string      `json:"reason"`
	JobID       string      `json:"job_id,omitempty"`
	WatchlistID string      `json:"watchlist_id,omitempty"`
}

// itemKey is the key of a crawl within its job: the store key when the id
// is known, else one derived from the lower-cased handle.
func (p CrawlPayload) itemKey() string { return refItemKey(p.Ref) }

func refItemKey(r creator.Ref) string {
	if r.ID != "" {
		return creator.Key(r)
	}
	return creator.KeyOf(r.Platform, "handle:"+strings.ToLower(r.Handle))
}

// NewDiscoverTask returns the discover task for p. Its task id is derived
// from the job, so enqueuing the same job twice queues it once.
func NewDiscoverTask(p DiscoverPayload, maxRetry int) (*asynq.Task, error) {
	if p.JobID == "" || p.Source == "" || p.Query == "" {
		return nil, fmt.Errorf("building discover task: %w: job_id, source and query are required", creator.ErrInvalid)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding discover task: %w", err)
	}
	return asynq.NewTask(TypeDiscover, b, asynq.Queue(QueueInteractive), asynq.MaxRetry(maxRetry),
		asynq.TaskID("discover-"+p.JobID), asynq.Timeout(5*time.Minute)), nil
}

// NewCrawlTask returns the crawl task for p: on the rescan queue for
// rescans, else the interactive queue. Its task id is derived from the job
// (or, for rescans, the creator), so a crawl that is still queued is not
// queued again.
func NewCrawlTask(p CrawlPayload, maxRetry int) (*asynq.Task, error) {
	if p.Ref.Platform == "" || (p.Ref.ID == "" && p.Ref.Handle == "") {
		return nil, fmt.Errorf("building crawl task: %w: ref needs a platform and an id or handle", creator.ErrInvalid)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding crawl task: %w", err)
	}
	return asynq.NewTask(TypeCrawl, b, asynq.Queue(crawlQueue(p)), asynq.MaxRetry(maxRetry),
		asynq.TaskID(crawlTaskID(p)), asynq.Timeout(3*time.Minute)), nil
}

func crawlQueue(p CrawlPayload) string {
	if p.Reason == ReasonRescan || p.Reason == ReasonLinked {
		return QueueRescan
	}
	return QueueInteractive
}

func crawlTaskID(p CrawlPayload) string {
	switch p.Reason {
	case ReasonRescan:
		return "rescan-" + p.itemKey()
	case ReasonLinked:
		return "linked-" + p.itemKey()
	}
	return "crawl-" + p.JobID + "-" + p.itemKey()
}

// Store is the part of the store the pipeline uses.
type Store interface {
	index.Creators
	index.Jobs
	index.OptOuts
}

// AfterWriteFunc is called after a crawl's write is stored, with the
// previous record (nil on the first crawl) and the history including the
// new snapshot, oldest first. An error fails the task, which is retried.
type AfterWriteFunc func(ctx context.Context, prev, cur *creator.Record, history []creator.Snapshot, reason string) error

// PipelineConfig configures a Pipeline. Zero values take the defaults given.
type PipelineConfig struct {
	// Store is the durable store (required).
	Store Store
	// Sources are the sources by name (required, at least one).
	Sources map[string]Source
	// Redis holds the queue and the crawl uniqueness locks (required).
	Redis redis.UniversalClient
	// UniqueFor is how long a creator crawled through discovery is not
	// crawled again; 0 means one hour.
	UniqueFor time.Duration
	// MaxRetry is how often a failed task is retried before it is
	// archived; 0 means 5, negative means never.
	MaxRetry int
	// CrawlLimits caps the requests and time of one crawl; zero fields mean
	// 200 pages and 2 minutes. DiscoverLimits likewise for one discovery;
	// zero fields mean 100 pages and 3 minutes.
	CrawlLimits    budget.Limits
	DiscoverLimits budget.Limits
	// HistoryLimit is how many snapshots scoring reads; 0 means 90.
	HistoryLimit int
	// Scoring are the options passed to scoring.Score (its Now is set by
	// the pipeline's clock).
	Scoring scoring.Options
	// AfterWrite hooks run after each stored crawl, in order.
	AfterWrite []AfterWriteFunc
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger logs task outcomes; nil means slog.Default().
	Logger *slog.Logger
	// LockLease is how long a crawl's per-creator write lock outlives its
	// holder's last renewal: the holder renews it every third of that
	// while it runs, so a holder that dies (kill -9, a lost connection)
	// frees the creator within one lease. 0 means 30 seconds.
	LockLease time.Duration
	// FollowLinks crawls, on the rescan queue and at most once per
	// UniqueFor, the accounts a crawled creator is linked to by evidence
	// (Profile.Linked) whose platform has a source, so that a creator's
	// site or other accounts are stored too. False crawls only what is
	// asked for or discovered.
	FollowLinks bool
	// Unavailable names registered sources that could not be built (no
	// credentials, ...) with why, so that a job asking for one says so
	// instead of calling it unknown.
	Unavailable map[string]string
}

// noSource says why there is no source called name.
func (p *Pipeline) noSource(name string) string {
	if why, ok := p.cfg.Unavailable[name]; ok {
		return fmt.Sprintf("%q is not set up: %s", name, why)
	}
	return fmt.Sprintf("unknown source %q", name)
}

// Pipeline submits discover and crawl jobs and handles their tasks. It is
// safe for concurrent use.
type Pipeline struct {
	cfg  PipelineConfig
	q    *asynq.Client
	insp *asynq.Inspector
	log  *slog.Logger
}

// NewPipeline returns a pipeline for cfg. Close releases its queue client.
func NewPipeline(cfg PipelineConfig) (*Pipeline, error) {
	if cfg.Store == nil || cfg.Redis == nil || len(cfg.Sources) == 0 {
		return nil, fmt.Errorf("building pipeline: %w: store, redis and sources are required", creator.ErrInvalid)
	}
	if cfg.UniqueFor == 0 {
		cfg.UniqueFor = time.Hour
	}
	if cfg.MaxRetry == 0 {
		cfg.MaxRetry = 5
	} else if cfg.MaxRetry < 0 {
		cfg.MaxRetry = 0
	}
	if cfg.HistoryLimit == 0 {
		cfg.HistoryLimit = 90
	}
	if cfg.LockLease <= 0 {
		cfg.LockLease = 30 * time.Second
	}
	if cfg.CrawlLimits.Pages == 0 {
		cfg.CrawlLimits.Pages = 200
	}
	if cfg.CrawlLimits.Timeout == 0 {
		cfg.CrawlLimits.Timeout = 2 * time.Minute
	}
	if cfg.DiscoverLimits.Pages == 0 {
		cfg.DiscoverLimits.Pages = 100
	}
	if cfg.DiscoverLimits.Timeout == 0 {
		cfg.DiscoverLimits.Timeout = 3 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Pipeline{cfg: cfg, q: asynq.NewClientFromRedisClient(cfg.Redis), insp: asynq.NewInspectorFromRedisClient(cfg.Redis), log: log}, nil
}

// Close releases the pipeline's queue client (not the Redis client).
func (p *Pipeline) Close() error { return p.q.Close() }

// Register adds the pipeline's task handlers to mux.
func (p *Pipeline) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TypeDiscover, p.HandleDiscover)
	mux.HandleFunc(TypeCrawl, p.HandleCrawl)
	mux.HandleFunc(TypePurge, p.HandlePurge)
}

// SubmitDiscover records a discover job and enqueues it. When the store
// or the queue fails, the error wraps creator.ErrUnavailable: the job was
// not accepted, and the same request may be sent again.
func (p *Pipeline) SubmitDiscover(ctx context.Context, source, query string, limit int) (_ *index.Job, err error) {
	defer func() { err = creator.Unavailable(err) }()
	if _, ok := p.cfg.Sources[source]; !ok {
		return nil, fmt.Errorf("submitting discover: %w: source: %s", creator.ErrInvalid, p.noSource(source))
	}
	query = strings.TrimSpace(query)
	if query == "" || len(query) > 256 {
		return nil, fmt.Errorf("submitting discover: %w: query: must be 1 to 256 bytes", creator.ErrInvalid)
	}
	if limit <= 0 || limit > 1000 {
		return nil, fmt.Errorf("submitting discover: %w: limit: must be 1 to 1000", creator.ErrInvalid)
	}
	dp := DiscoverPayload{JobID: newID(p.cfg.Now()), Source: source, Query: query, Limit: limit}
	req, _ := json.Marshal(dp)
	now := p.cfg.Now().UTC()
	job := &index.Job{ID: dp.JobID, Kind: TypeDiscover, Request: req, State: index.JobQueued, CreatedAt: now, UpdatedAt: now, CreatedBy: index.ActorFrom(ctx)}
	if err := p.cfg.Store.PutJob(ctx, job); err != nil {
		return nil, fmt.Errorf("recording discover job: %w", err)
	}
	if err := p.enqueueDiscover(ctx, dp); err != nil {
		p.failJob(context.WithoutCancel(ctx), job.ID, err.Error())
		return nil, err
	}
	return job, nil
}

// SubmitCrawl records a crawl job for one creator and enqueues it. When
// the store or the queue fails, the error wraps creator.ErrUnavailable.
func (p *Pipeline) SubmitCrawl(ctx context.Context, ref creator.Ref) (_ *index.Job, err error) {
	defer func() { err = creator.Unavailable(err) }()
	if _, ok := p.cfg.Sources[ref.Platform]; !ok {
		return nil, fmt.Errorf("submitting crawl: %w: platform: %s", creator.ErrInvalid, p.noSource(ref.Platform))
	}
	ref.Handle = strings.TrimPrefix(strings.TrimSpace(ref.Handle), "@")
	ref.ID = strings.TrimSpace(ref.ID)
	if ref.ID == "" && ref.Handle == "" {
		return nil, fmt.Errorf("submitting crawl: %w: handle: an id or a handle is required", creator.ErrInvalid)
	}
	if len(ref.ID) > 512 || len(ref.Handle) > 256 {
		return nil, fmt.Errorf("submitting crawl: %w: handle: too long", creator.ErrInvalid)
	}
	if err := ValidateRef(ref); err != nil {
		return nil, fmt.Errorf("submitting crawl: %w", err)
	}
	if out, err := p.cfg.Store.IsOptedOut(ctx, ref.Platform, ref.ID, ref.Handle); err != nil {
		return nil, fmt.Errorf("checking opt-out: %w", err)
	} else if out {
		return nil, fmt.Errorf("submitting crawl of %s: %w", ref, creator.ErrOptedOut)
	}
	cp := CrawlPayload{Ref: ref, Reason: ReasonRequest, JobID: newID(p.cfg.Now())}
	req, _ := json.Marshal(cp)
	now := p.cfg.Now().UTC()
	job := &index.Job{ID: cp.JobID, Kind: TypeCrawl, Request: req, State: index.JobQueued, Discovered: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: index.ActorFrom(ctx)}
	if err := p.cfg.Store.PutJob(ctx, job); err != nil {
		return nil, fmt.Errorf("recording crawl job: %w", err)
	}
	if err := p.cfg.Store.PutJobItem(ctx, &index.JobItem{JobID: job.ID, Key: cp.itemKey(), Ref: ref, State: index.ItemPending, UpdatedAt: now}); err != nil {
		return nil, fmt.Errorf("recording crawl job: %w", err)
	}
	if err := p.enqueueCrawl(ctx, cp); err != nil {
		// The caller sees an error: do not let Resume run the job later.
		p.failJob(context.WithoutCancel(ctx), job.ID, err.Error())
		return nil, err
	}
	return job, nil
}

// EnqueueRescan queues a watchlist rescan of ref on the rescan queue. A
// rescan of the same creator that is still queued is not queued twice.
func (p *Pipeline) EnqueueRescan(ctx context.Context, ref creator.Ref, watchlistID string) error {
	return p.enqueueCrawl(ctx, CrawlPayload{Ref: ref, Reason: ReasonRescan, WatchlistID: watchlistID})
}

// Resume enqueues again what the store says is unfinished: discover jobs
// whose discovery had not ended and the pending crawls of every unfinished
// job. Call it on start-up; tasks still queued are not doubled. It returns
// how many tasks it enqueued.
func (p *Pipeline) Resume(ctx context.Context) (int, error) {
	jobs, err := p.cfg.Store.UnfinishedJobs(ctx)
	if err != nil {
		return 0, fmt.Errorf("resuming jobs: %w", err)
	}
	n := 0
	for _, j := range jobs {
		if j.Kind == TypeDiscover && j.State == index.JobQueued {
			var dp DiscoverPayload
			if err := json.Unmarshal(j.Request, &dp); err != nil {
				p.failJob(ctx, j.ID, fmt.Sprintf("decoding stored request: %v", err))
				continue
			}
			if err := p.enqueueDiscover(ctx, dp); err != nil {
				return n, err
			}
			n++
			continue
		}
		k, err := p.enqueuePending(ctx, &j)
		if err != nil {
			return n, fmt.Errorf("resuming job %s: %w", j.ID, err)
		}
		n += k
	}
	return n, nil
}

// Reconcile enqueues again the work the store says is unfinished but the
// queue no longer holds: discover jobs still queued whose discover task is
// gone, and pending crawls of unfinished jobs whose crawl task is gone
// (Redis restarted empty, a flush, an eviction). A task still pending,
// scheduled, running or waiting to retry is left alone; an archived or
// completed one stands for lost work and is replaced. A job whose items
// are all finished but that was left open is closed. It returns how many
// tasks it enqueued. Unlike Resume it is safe to call periodically while
// workers run: a task found missing is enqueued only when the store still
// says its work is unfinished after the lookup, and a worker records an
// item's outcome before its task leaves the queue. The scheduler calls it
// under its lease (watch.SchedulerConfig.Reconcile).
func (p *Pipeline) Reconcile(ctx context.Context) (int, error) {
	jobs, err := p.cfg.Store.UnfinishedJobs(ctx)
	if err != nil {
		return 0, fmt.Errorf("reconciling jobs: %w", err)
	}
	// asynq's clients list a queue in asynq:queues once per process, so
	// after Redis lost its data the queues may be unlisted, and asynq's
	// lookups would call every task missing: list them again.
	if err := p.cfg.Redis.SAdd(ctx, asynqQueuesKey, QueueInteractive, QueueRescan, QueueWebhooks, QueueMaintenance).Err(); err != nil {
		return 0, fmt.Errorf("reconciling jobs: listing queues: %w", err)
	}
	n := 0
	for _, j := range jobs {
		if j.Kind == TypeDiscover && j.State == index.JobQueued {
			lost, err := p.taskLost(QueueInteractive, "discover-"+j.ID)
			if err != nil || !lost {
				if err != nil {
					return n, fmt.Errorf("reconciling job %s: %w", j.ID, err)
				}
				continue
			}
			cur, err := p.cfg.Store.GetJob(ctx, j.ID)
			if err != nil {
				return n, fmt.Errorf("reconciling job %s: %w", j.ID, err)
			}
			if cur.State != index.JobQueued {
				continue // discovery ended meanwhile; its crawls are looked at next time
			}
			var dp DiscoverPayload
			if err := json.Unmarshal(cur.Request, &dp); err != nil {
				p.failJob(ctx, j.ID, fmt.Sprintf("decoding stored request: %v", err))
				continue
			}
			if err := p.enqueueDiscover(ctx, dp); err != nil {
				return n, err
			}
			n++
			continue
		}
		k, err := p.reconcileItems(ctx, &j)
		n += k
		if err != nil {
			return n, fmt.Errorf("reconciling job %s: %w", j.ID, err)
		}
	}
	return n, nil
}

// reconcileItems enqueues the pending crawls of j whose task is lost.
func (p *Pipeline) reconcileItems(ctx context.Context, j *index.Job) (int, error) {
	items, err := p.cfg.Store.JobItems(ctx, j.ID, index.ItemPending)
	if err != nil {
		return 0, fmt.Errorf("loading pending items: %w", err)
	}
	if len(items) == 0 {
		p.finishJobIfComplete(ctx, j.ID)
		return 0, nil
	}
	reason := ReasonDiscover
	if j.Kind == TypeCrawl {
		reason = ReasonRequest
	}
	var lost []CrawlPayload
	for _, it := range items {
		cp := CrawlPayload{Ref: it.Ref, Reason: reason, JobID: j.ID}
		gone, err := p.taskLost(crawlQueue(cp), crawlTaskID(cp))
		if err != nil {
			return 0, err
		}
		if gone {
			lost = append(lost, cp)
		}
	}
	if len(lost) == 0 {
		return 0, nil
	}
	// Read the items again: a crawl that ended between the two reads
	// recorded its outcome before its task left the queue.
	again, err := p.cfg.Store.JobItems(ctx, j.ID, index.ItemPending)
	if err != nil {
		return 0, fmt.Errorf("loading pending items: %w", err)
	}
	still := make(map[string]bool, len(again))
	for _, it := range again {
		still[it.Key] = true
	}
	n := 0
	for _, cp := range lost {
		if !still[cp.itemKey()] {
			continue
		}
		if err := p.enqueueCrawl(ctx, cp); err != nil {
			return n, err
		}
		n++
	}
	if n > 0 {
		p.log.Info("re-enqueued lost crawls", "job", j.ID, "tasks", n)
	}
	return n, nil
}

// asynqQueuesKey is the Redis set asynq lists its queues in.
const asynqQueuesKey = "asynq:queues"

// taskLost reports whether the task with id is not live in queue: absent,
// archived or completed.
func (p *Pipeline) taskLost(queue, id string) (bool, error) {
	info, err := p.insp.GetTaskInfo(queue, id)
	switch {
	case errors.Is(err, asynq.ErrTaskNotFound), errors.Is(err, asynq.ErrQueueNotFound):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("looking up task %s: %w", id, err)
	}
	return info.State == asynq.TaskStateArchived || info.State == asynq.TaskStateCompleted, nil
}

func (p *Pipeline) enqueueDiscover(ctx context.Context, dp DiscoverPayload) error {
	t, err := NewDiscoverTask(dp, p.cfg.MaxRetry)
	if err != nil {
		return err
	}
	if err := p.enqueue(ctx, t, QueueInteractive, "discover-"+dp.JobID); err != nil {
		return fmt.Errorf("enqueuing discover: %w", err)
	}
	return nil
}

// enqueue queues t under its task id. A task with that id still pending,
// scheduled, running or waiting to retry is left as it is; an archived or
// completed one (asynq keeps their ids taken for months) is deleted and t
// queued in its place, so a failed crawl or rescan can run again.
func (p *Pipeline) enqueue(ctx context.Context, t *asynq.Task, queue, id string) error {
	_, err := p.q.EnqueueContext(ctx, t)
	if !errors.Is(err, asynq.ErrTaskIDConflict) {
		return err
	}
	info, ierr := p.insp.GetTaskInfo(queue, id)
	if ierr != nil {
		return nil // gone in between, or not inspectable: treat as queued
	}
	if info.State != asynq.TaskStateArchived && info.State != asynq.TaskStateCompleted {
		return nil
	}
	if derr := p.insp.DeleteTask(queue, id); derr != nil {
		return fmt.Errorf("replacing finished task %s: %w", id, derr)
	}
	if _, err := p.q.EnqueueContext(ctx, t); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return err
	}
	return nil
}

// enqueueCrawl queues cp; a task with the same id still in the queue is
// left as it is (see enqueue).
func (p *Pipeline) enqueueCrawl(ctx context.Context, cp CrawlPayload) error {
	t, err := NewCrawlTask(cp, p.cfg.MaxRetry)
	if err != nil {
		return err
	}
	if err := p.enqueue(ctx, t, crawlQueue(cp), crawlTaskID(cp)); err != nil {
		return fmt.Errorf("enqueuing crawl of %s: %w", cp.Ref, err)
	}
	return nil
}

// claimRecent takes the uniqueness window for a discovered ref: it reports
// false when the creator was already claimed within UniqueFor.
func (p *Pipeline) claimRecent(ctx context.Context, r creator.Ref) (bool, error) {
	ok, err := p.cfg.Redis.SetNX(ctx, "scout:uniq:crawl:"+refItemKey(r), "1", p.cfg.UniqueFor).Result()
	if err != nil {
		return false, fmt.Errorf("claiming crawl of %s: %w", r, err)
	}
	return ok, nil
}

// HandleDiscover runs a discover task: it asks the source, records each
// ref as a pending item of the job, and enqueues a crawl for each ref not
// crawled within the uniqueness window.
func (p *Pipeline) HandleDiscover(ctx context.Context, t *asynq.Task) error {
	var dp DiscoverPayload
	if err := json.Unmarshal(t.Payload(), &dp); err != nil || dp.JobID == "" {
		return fmt.Errorf("decoding discover payload: %v: %w", err, asynq.SkipRetry)
	}
	src, ok := p.cfg.Sources[dp.Source]
	if !ok {
		p.failJob(ctx, dp.JobID, "unknown source "+dp.Source)
		return fmt.Errorf("discovering: unknown source %q: %w", dp.Source, asynq.SkipRetry)
	}
	job, err := p.cfg.Store.GetJob(ctx, dp.JobID)
	if err != nil {
		return fmt.Errorf("loading job %s: %w", dp.JobID, err)
	}
	if job.State == index.JobRunning {
		// Discovery ran but a retry brought us here: its enqueuing may
		// have stopped half way, so queue the crawls still pending (those
		// already queued are left as they are).
		_, err := p.enqueuePending(ctx, job)
		return err
	}
	if job.State != index.JobQueued {
		return nil // done or failed
	}
	dctx, cancel := budget.New(ctx, p.cfg.DiscoverLimits)
	refs, err := src.Discover(dctx, DiscoverQuery{Query: dp.Query, Limit: dp.Limit})
	cancel()
	if err != nil {
		if final(ctx) || errors.Is(err, creator.ErrInvalid) {
			p.failJob(ctx, dp.JobID, err.Error())
		}
		if errors.Is(err, creator.ErrInvalid) {
			err = fmt.Errorf("%w: %w", err, asynq.SkipRetry)
		}
		return fmt.Errorf("discovering %q on %s: %w", dp.Query, dp.Source, err)
	}
	if err := p.recordDiscovered(ctx, dp, job, refs); err != nil {
		if final(ctx) {
			p.failJob(context.WithoutCancel(ctx), dp.JobID, err.Error())
		}
		return err
	}
	return nil
}

// enqueuePending queues the crawls of a job's pending items and reports
// how many there were.
func (p *Pipeline) enqueuePending(ctx context.Context, j *index.Job) (int, error) {
	items, err := p.cfg.Store.JobItems(ctx, j.ID, index.ItemPending)
	if err != nil {
		return 0, fmt.Errorf("loading pending items of job %s: %w", j.ID, err)
	}
	reason := ReasonDiscover
	if j.Kind == TypeCrawl {
		reason = ReasonRequest
	}
	for _, it := range items {
		if err := p.enqueueCrawl(ctx, CrawlPayload{Ref: it.Ref, Reason: reason, JobID: j.ID}); err != nil {
			return 0, err
		}
	}
	if len(items) == 0 {
		p.finishJobIfComplete(ctx, j.ID)
	}
	return len(items), nil
}

// recordDiscovered records each discovered ref as an item of the job,
// marks the job running and enqueues the crawls.
func (p *Pipeline) recordDiscovered(ctx context.Context, dp DiscoverPayload, job *index.Job, refs []creator.Ref) error {
	now := p.cfg.Now().UTC()
	// Items a failed earlier attempt already recorded as pending keep that
	// state: their uniqueness claim is this job's own.
	earlier, err := p.cfg.Store.JobItems(ctx, dp.JobID, index.ItemPending)
	if err != nil {
		return fmt.Errorf("loading items of job %s: %w", dp.JobID, err)
	}
	mine := map[string]bool{}
	for _, it := range earlier {
		mine[it.Key] = true
	}
	var queue []CrawlPayload
	for _, r := range refs {
		it := &index.JobItem{JobID: dp.JobID, Key: refItemKey(r), Ref: r, State: index.ItemPending, UpdatedAt: now}
		out, err := p.cfg.Store.IsOptedOut(ctx, r.Platform, r.ID, r.Handle)
		if err != nil {
			return fmt.Errorf("checking opt-out of %s: %w", r, err)
		}
		if mine[it.Key] && !out {
			queue = append(queue, CrawlPayload{Ref: r, Reason: ReasonDiscover, JobID: dp.JobID})
		} else if out {
			// Counted, but neither the id nor the handle is kept.
			it = optedOutItem(dp.JobID, r, now)
		} else if fresh, err := p.claimRecent(ctx, r); err != nil {
			return err
		} else if !fresh {
			it.State, it.Error = index.ItemSkipped, "crawled within the last "+p.cfg.UniqueFor.String()
		} else {
			queue = append(queue, CrawlPayload{Ref: r, Reason: ReasonDiscover, JobID: dp.JobID})
		}
		if err := p.cfg.Store.PutJobItem(ctx, it); err != nil {
			return fmt.Errorf("recording discovered %s: %w", r, err)
		}
	}
	job.State, job.Discovered, job.UpdatedAt = index.JobRunning, len(refs), now
	if err := p.cfg.Store.PutJob(ctx, job); err != nil {
		return fmt.Errorf("recording discovery of job %s: %w", dp.JobID, err)
	}
	for _, cp := range queue {
		if err := p.enqueueCrawl(ctx, cp); err != nil {
			return err // the items are pending in the store: Resume finds them
		}
	}
	p.log.Info("discovered", "job", dp.JobID, "source", dp.Source, "query", dp.Query, "found", len(refs), "queued", len(queue))
	p.finishJobIfComplete(ctx, dp.JobID)
	return nil
}

// HandleCrawl runs a crawl task: it fetches the creator, scores it against
// its stored history, stores the record and a snapshot, runs the
// after-write hooks, and records the outcome on the job. The task is
// acknowledged only after the store confirmed the write.
func (p *Pipeline) HandleCrawl(ctx context.Context, t *asynq.Task) error {
	var cp CrawlPayload
	if err := json.Unmarshal(t.Payload(), &cp); err != nil || cp.Ref.Platform == "" {
		return fmt.Errorf("decoding crawl payload: %v: %w", err, asynq.SkipRetry)
	}
	err := p.safeCrawl(ctx, cp)
	// The outcome is recorded even when the task's context has ended (a
	// timeout on the last attempt archives the task at once).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	switch {
	case err == nil:
		p.itemDone(ctx, cp, index.ItemDone, "")
		return nil
	case errors.Is(err, creator.ErrOptedOut):
		p.itemDone(ctx, cp, index.ItemSkipped, "opted out")
		// The item named the creator: keep its count, not its name.
		if err := p.scrub(ctx, cp.Ref, nil); err != nil {
			p.log.Warn("scrubbing an opted-out creator's job item", "job", cp.JobID, "err", err)
		}
		return nil
	case errors.Is(err, creator.ErrNotFound), errors.Is(err, creator.ErrInvalid), errors.Is(err, creator.ErrForbidden):
		p.itemDone(ctx, cp, index.ItemFailed, err.Error())
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	if final(ctx) {
		p.itemDone(ctx, cp, index.ItemFailed, err.Error())
	}
	p.log.Warn("crawl failed", "ref", cp.Ref.String(), "err", err)
	return err
}

// safeCrawl is crawl with a panic turned into an error, so the job's item
// is still recorded when scoring or a parser fails on some creator's data.
func (p *Pipeline) safeCrawl(ctx context.Context, cp CrawlPayload) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("crawling %s: panic: %v", cp.Ref, r)
		}
	}()
	return p.crawl(ctx, cp)
}

func (p *Pipeline) crawl(ctx context.Context, cp CrawlPayload) error {
	src, ok := p.cfg.Sources[cp.Ref.Platform]
	if !ok {
		return fmt.Errorf("crawling %s: %w: no source for platform", cp.Ref, creator.ErrInvalid)
	}
	if out, err := p.cfg.Store.IsOptedOut(ctx, cp.Ref.Platform, cp.Ref.ID, cp.Ref.Handle); err != nil {
		return fmt.Errorf("checking opt-out of %s: %w", cp.Ref, err)
	} else if out {
		return fmt.Errorf("crawling %s: %w", cp.Ref, creator.ErrOptedOut)
	}
	fctx, cancel := budget.New(ctx, p.cfg.CrawlLimits)
	prof, err := src.Fetch(fctx, cp.Ref)
	cancel()
	if errors.Is(err, creator.ErrOptedOut) {
		// A platform opt-out signal: erase whatever was stored before.
		if derr := p.eraseRef(ctx, cp.Ref); derr != nil {
			return fmt.Errorf("erasing opted-out %s: %w", cp.Ref, derr)
		}
	}
	if err != nil {
		return fmt.Errorf("crawling %s: %w", cp.Ref, err)
	}
	if prof.Ref.ID == "" || prof.Ref.Platform != cp.Ref.Platform {
		return fmt.Errorf("crawling %s: %w: source returned no id", cp.Ref, creator.ErrMalformed)
	}
	if out, err := p.cfg.Store.IsOptedOut(ctx, prof.Ref.Platform, prof.Ref.ID, prof.Ref.Handle); err != nil {
		return fmt.Errorf("checking opt-out of %s: %w", prof.Ref, err)
	} else if out {
		return fmt.Errorf("crawling %s: %w", prof.Ref, creator.ErrOptedOut)
	}
	key := creator.Key(prof.Ref)
	// One write per creator at a time, across workers: a request crawl and
	// a rescan of the same creator would otherwise both compare against
	// the same previous record and raise the same alerts twice.
	ctx, unlock, err := p.lockCreator(ctx, key, crawlTaskID(cp))
	if err != nil {
		return err
	}
	defer unlock()
	now := p.cfg.Now().UTC()
	if prof.FetchedAt.IsZero() {
		prof.FetchedAt = now
	}
	prev, err := p.cfg.Store.Get(ctx, key)
	if err != nil && !errors.Is(err, creator.ErrNotFound) {
		return fmt.Errorf("loading %s: %w", key, err)
	}
	carryCounts(prof, prev)
	p.linkStored(ctx, prof)
	history, err := p.cfg.Store.History(ctx, key, p.cfg.HistoryLimit)
	if err != nil {
		return fmt.Errorf("loading history of %s: %w", key, err)
	}
	opts := p.cfg.Scoring
	opts.Now = now
	// A source whose terms forbid derived metrics gets raw figures only.
	opts.RawOnly = opts.RawOnly || !src.Policy().ScoringAllowed
	scores := scoring.Score(prof, history, opts)
	rec := &creator.Record{Key: key, Profile: *prof, Scores: scores, FirstSeen: now, UpdatedAt: now}
	if prev != nil {
		rec.FirstSeen = prev.FirstSeen
	}
	snap := scoring.Snapshot(prof, scores)
	snap.At = now
	if err := p.cfg.Store.Upsert(ctx, rec, snap); err != nil {
		return fmt.Errorf("storing %s: %w", key, err)
	}
	// An opt-out that arrived while this crawl ran erased the creator
	// before the write above: erase again, and tell no hook about it.
	if out, err := p.cfg.Store.IsOptedOut(ctx, prof.Ref.Platform, prof.Ref.ID, prof.Ref.Handle); err != nil {
		return fmt.Errorf("checking opt-out of %s: %w", prof.Ref, err)
	} else if out {
		if err := p.cfg.Store.Delete(context.WithoutCancel(ctx), key); err != nil {
			return fmt.Errorf("erasing opted-out %s: %w", prof.Ref, err)
		}
		return fmt.Errorf("crawling %s: %w", prof.Ref, creator.ErrOptedOut)
	}
	if len(p.cfg.AfterWrite) > 0 {
		hist := append(history, snap)
		for _, h := range p.cfg.AfterWrite {
			if err := retryHook(ctx, func() error { return h(ctx, prev, rec, hist, cp.Reason) }); err != nil {
				return fmt.Errorf("after storing %s: %w", key, err)
			}
		}
	}
	if p.cfg.FollowLinks {
		p.followLinks(ctx, prof)
	}
	return nil
}

// followLinks queues a crawl of each account prof is linked to whose
// platform has a source, unless one was queued within UniqueFor. A failure
// to queue is logged: the creator's own crawl is done.
func (p *Pipeline) followLinks(ctx context.Context, prof *creator.Profile) {
	for _, l := range prof.Linked {
		if _, ok := p.cfg.Sources[l.Platform]; !ok || (l.ID == "" && l.Handle == "") {
			continue
		}
		ref := creator.Ref{Platform: l.Platform, ID: l.ID, Handle: l.Handle}
		if refItemKey(ref) == refItemKey(prof.Ref) {
			continue
		}
		if out, err := p.cfg.Store.IsOptedOut(ctx, ref.Platform, ref.ID, ref.Handle); err != nil || out {
			continue // opted out (or not known to be not): not queued
		}
		if ref.ID != "" {
			// Crawled lately (it may be what linked to prof): not again.
			if rec, err := p.cfg.Store.Get(ctx, creator.Key(ref)); err == nil && p.cfg.Now().Sub(rec.UpdatedAt) < p.cfg.UniqueFor {
				continue
			}
		}
		if ok, err := p.claimRecent(ctx, ref); err != nil || !ok {
			if err != nil {
				p.log.Warn("queuing a linked account", "ref", ref.String(), "err", err)
			}
			continue
		}
		if err := p.enqueueCrawl(ctx, CrawlPayload{Ref: ref, Reason: ReasonLinked}); err != nil {
			p.log.Warn("queuing a linked account", "ref", ref.String(), "err", err)
		}
	}
}

// retryHook runs an after-write hook up to three times: a retry of the
// whole crawl would compare against the record just written and lose the
// change the hook was to see.
func retryHook(ctx context.Context, f func() error) error {
	var err error
	for i, wait := range []time.Duration{0, 200 * time.Millisecond, time.Second} {
		if i > 0 {
			select {
			case <-ctx.Done():
				return errors.Join(err, ctx.Err())
			case <-time.After(wait):
			}
		}
		if err = f(); err == nil {
			return nil
		}
	}
	return err
}

// itemDone records how a crawl of a job ended and closes the job when it
// was the last.
func (p *Pipeline) itemDone(ctx context.Context, cp CrawlPayload, state, msg string) {
	if cp.JobID == "" {
		return
	}
	it := &index.JobItem{JobID: cp.JobID, Key: cp.itemKey(), Ref: cp.Ref, State: state, Error: msg, UpdatedAt: p.cfg.Now().UTC()}
	if err := p.cfg.Store.PutJobItem(ctx, it); err != nil {
		p.log.Error("recording job item", "job", cp.JobID, "err", err)
		return
	}
	p.finishJobIfComplete(ctx, cp.JobID)
}

// finishJobIfComplete marks a job done (or failed, for a crawl job whose
// one crawl failed) once its discovery has run and no item is pending.
func (p *Pipeline) finishJobIfComplete(ctx context.Context, id string) {
	j, err := p.cfg.Store.GetJob(ctx, id)
	if err != nil {
		p.log.Error("loading job", "job", id, "err", err)
		return
	}
	if j.State == index.JobDone || j.State == index.JobFailed || j.Counts.Pending > 0 {
		return
	}
	if j.Kind == TypeDiscover && j.State == index.JobQueued {
		return
	}
	j.State, j.UpdatedAt = index.JobDone, p.cfg.Now().UTC()
	if j.Kind == TypeCrawl && j.Counts.Done == 0 {
		j.State = index.JobFailed
		if items, err := p.cfg.Store.JobItems(ctx, id, ""); err == nil && len(items) > 0 {
			j.Error = items[0].Error
		}
	}
	if err := p.cfg.Store.PutJob(ctx, j); err != nil {
		p.log.Error("closing job", "job", id, "err", err)
	}
}

func (p *Pipeline) failJob(ctx context.Context, id, msg string) {
	j, err := p.cfg.Store.GetJob(ctx, id)
	if err != nil {
		p.log.Error("loading job", "job", id, "err", err)
		return
	}
	j.State, j.Error, j.UpdatedAt = index.JobFailed, msg, p.cfg.Now().UTC()
	if err := p.cfg.Store.PutJob(ctx, j); err != nil {
		p.log.Error("failing job", "job", id, "err", err)
	}
}

// final reports whether the running task is on its last attempt.
func final(ctx context.Context) bool {
	n, ok1 := asynq.GetRetryCount(ctx)
	max, ok2 := asynq.GetMaxRetry(ctx)
	return ok1 && ok2 && n >= max
}

// RetryDelay returns asynq's retry delay function: the time a
// *creator.RetryAfter names, else exponential backoff from base with
// jitter, capped at ten minutes.
func RetryDelay(base time.Duration, now func() time.Time) asynq.RetryDelayFunc {
	if now == nil {
		now = time.Now
	}
	return func(n int, err error, _ *asynq.Task) time.Duration {
		var ra *creator.RetryAfter
		if errors.As(err, &ra) {
			if d := ra.Until.Sub(now()); d > 0 {
				return d
			}
		}
		d := base << min(n, 20)
		if d <= 0 || d > 10*time.Minute {
			d = 10 * time.Minute
		}
		return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
	}
}

// newID returns a sortable, random job id.
func newID(now time.Time) string {
	return fmt.Sprintf("%s-%08x", now.UTC().Format("20060102T150405"), rand.Uint32())
}

// carryCounts replaces the counts the platform did not send with the
// previous crawl's figures, so an absent count is neither stored as 0 nor
// read as a sudden fall. Without a previous record they stay 0 and listed
// as unknown.
func carryCounts(prof *creator.Profile, prev *creator.Record) {
	if prev == nil || len(prof.UnknownCounts) == 0 {
		return
	}
	for _, c := range []struct {
		name     string
		dst, src *int64
	}{
		{creator.CountFollowers, &prof.Followers, &prev.Profile.Followers},
		{creator.CountFollowing, &prof.Following, &prev.Profile.Following},
		{creator.CountPosts, &prof.PostsCount, &prev.Profile.PostsCount},
	} {
		if !prof.CountKnown(c.name) {
			*c.dst = *c.src
		}
	}
}
