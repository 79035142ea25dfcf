package crawler

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/scoring"
)

// Store is the part of the store the pipeline uses.
type Store interface {
	index.Creators
	index.Jobs
	index.OptOuts
}

// Erasure erases creators: a *compliance.Service.
type Erasure interface {
	// Erase deletes whatever is stored about ref and scrubs the job
	// records that name it.
	Erase(ctx context.Context, ref creator.Ref) error
	// Scrub removes what job records keep of ref and of the store keys.
	Scrub(ctx context.Context, ref creator.Ref, keys []string) error
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
	// Erasure erases a creator whose platform signals an opt-out, and
	// scrubs the job item of a crawl refused for an opt-out (required: a
	// *compliance.Service on Store).
	Erasure Erasure
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
	CrawlLimits    fetch.Limits
	DiscoverLimits fetch.Limits
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
	// GroupCommit lets concurrent crawls share their store writes: one
	// call for every crawl that finished while the last one was being
	// written (UpsertMany for the records and PutJobItems for their jobs'
	// items, or one Commit for both where the store is an
	// index.Committer), each still acknowledged only after its own write.
	// False writes each crawl with its own Upsert and PutJobItems.
	GroupCommit bool
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
	// writes stores the crawls' records: the store, or a groupCommit on
	// it (kept apart so that cfg.Store keeps its optional interfaces).
	writes interface {
		Upsert(ctx context.Context, rec *creator.Record, snap creator.Snapshot) error
	}
	// items stores the crawls' job-item outcomes: the store, or a batcher
	// on it (with GroupCommit).
	items func(ctx context.Context, it *index.JobItem) error
}

// NewPipeline returns a pipeline for cfg. Close releases its queue client.
func NewPipeline(cfg PipelineConfig) (*Pipeline, error) {
	if cfg.Store == nil || cfg.Redis == nil || cfg.Erasure == nil || len(cfg.Sources) == 0 {
		return nil, fmt.Errorf("building pipeline: %w: store, erasure, redis and sources are required", creator.ErrInvalid)
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
	p := &Pipeline{cfg: cfg, q: asynq.NewClientFromRedisClient(cfg.Redis), insp: asynq.NewInspectorFromRedisClient(cfg.Redis), log: log, writes: cfg.Store}
	p.items = func(ctx context.Context, it *index.JobItem) error { return cfg.Store.PutJobItems(ctx, it) }
	if cfg.GroupCommit {
		g := newGroupCommit(cfg.Store)
		p.writes, p.items = g, g.AddItem
	}
	return p, nil
}

// Close releases the pipeline's queue client (not the Redis client).
func (p *Pipeline) Close() error { return p.q.Close() }

// Register adds the pipeline's task handlers to mux.
func (p *Pipeline) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TypeDiscover, p.HandleDiscover)
	mux.HandleFunc(TypeCrawl, p.HandleCrawl)
}
