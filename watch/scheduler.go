package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/internal/lease"
)

// Enqueuer queues the rescan of one creator of a watchlist on the
// lower-priority rescan queue. Implementations must not queue a creator
// whose rescan is still pending a second time (crawler.Pipeline does this
// with a task id per creator) and return nil in that case.
type Enqueuer interface {
	EnqueueRescan(ctx context.Context, ref creator.Ref, watchlistID string) error
}

// SchedulerConfig configures a Scheduler. Zero values take the defaults
// given.
type SchedulerConfig struct {
	// Service holds the store and the clock (required).
	Service *Service
	// Enqueuer queues rescans (required).
	Enqueuer Enqueuer
	// Redis holds the lease that lets one scheduler act at a time
	// (required).
	Redis redis.UniversalClient
	// KeyPrefix prefixes the Redis keys; "" means "scout:watch".
	KeyPrefix string
	// LeaseTTL is how long the lease lasts unless renewed; 0 means 30s.
	// A tick renews it before each watchlist.
	LeaseTTL time.Duration
	// Interval is how often Run ticks, in real time; 0 means 15s.
	Interval time.Duration
	// SearchLimit caps the matches a saved search adds per run; 0 means
	// 1000.
	SearchLimit int
	// Logger logs; nil means slog.Default().
	Logger *slog.Logger
	// Reconcile, when set, is called by the lease holder every
	// ReconcileInterval, on becoming leader and at once when Redis lost
	// its data, to enqueue again the work the store says is unfinished but
	// the queue no longer holds (crawler.Pipeline.Reconcile). It returns
	// how many tasks it enqueued. Nil reconciles only watchlist rescans.
	Reconcile func(ctx context.Context) (int, error)
	// ReconcileInterval is how often Reconcile runs, in real time; 0
	// means one minute. Run ticks at least this often.
	ReconcileInterval time.Duration
	// Now is the real-time clock ReconcileInterval is measured on (the
	// Service's clock, which may be simulated, decides what is due); nil
	// means time.Now.
	Now func() time.Time
}

// Scheduler enqueues the rescans of due watchlists. Several may run against
// one Redis and one store; only the holder of the lease acts. Its state is
// the store's (Watchlist.NextRunAt and LastRunAt), so a restart or the loss
// of Redis skips nothing. A Scheduler is safe for concurrent use, though
// one process needs only one.
type Scheduler struct {
	cfg        SchedulerConfig
	svc        *Service
	log        *slog.Logger
	lease      *lease.Lease
	epochKey   string
	mu         sync.Mutex // serializes ticks
	reconciled bool
	// lastJobs is when Reconcile last ran (real time).
	lastJobs time.Time
}

// TickResult says what one Tick did.
type TickResult struct {
	// Leader is whether this scheduler held the lease and acted.
	Leader bool
	// Due is how many watchlists were due and run.
	Due int
	// Enqueued is how many rescans were handed to the Enqueuer (including
	// ones it found already pending).
	Enqueued int
	// Added is how many members saved searches added.
	Added int
	// Reconciled is how many rescans of earlier cycles were enqueued again
	// because their creator was not rescanned since (after Redis lost its
	// data, or on becoming leader).
	Reconciled int
	// Jobs is how many tasks of unfinished jobs SchedulerConfig.Reconcile
	// enqueued again; JobsReconciled is whether it ran.
	Jobs           int
	JobsReconciled bool
}

// NewScheduler returns a Scheduler. Errors wrap creator.ErrInvalid.
func NewScheduler(cfg SchedulerConfig) (*Scheduler, error) {
	if cfg.Service == nil || cfg.Enqueuer == nil || cfg.Redis == nil {
		return nil, fmt.Errorf("building scheduler: %w: service, enqueuer and redis are required", creator.ErrInvalid)
	}
	if cfg.KeyPrefix == "" {
		cfg.KeyPrefix = "scout:watch"
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 30 * time.Second
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 15 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ReconcileInterval <= 0 {
		cfg.ReconcileInterval = time.Minute
	}
	if cfg.SearchLimit <= 0 {
		cfg.SearchLimit = 1000
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	l := lease.New(cfg.Redis, cfg.KeyPrefix+":scheduler:lease", cfg.LeaseTTL)
	return &Scheduler{
		cfg: cfg, svc: cfg.Service, log: log,
		lease:    l,
		epochKey: cfg.KeyPrefix + ":scheduler:epoch",
	}, nil
}

// Run ticks every Interval (more often when ReconcileInterval or a third
// of LeaseTTL is shorter) until ctx ends, then releases the lease. Errors
// of a tick are logged, not returned; Run returns ctx's error.
func (s *Scheduler) Run(ctx context.Context) error {
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := s.Release(rctx); err != nil {
			s.log.Warn("releasing scheduler lease", "err", err)
		}
	}()
	every := s.cfg.Interval
	if s.cfg.Reconcile != nil {
		every = min(every, s.cfg.ReconcileInterval)
	}
	// The holder renews the lease at each tick: three ticks to a lease, so
	// a slow tick does not let it lapse.
	every = min(every, s.cfg.LeaseTTL/3)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if res, err := s.Tick(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.log.Error("scheduler tick", "err", err)
		} else if res.Due > 0 || res.Reconciled > 0 || res.Jobs > 0 {
			s.log.Info("scheduler tick", "due", res.Due, "enqueued", res.Enqueued, "added", res.Added, "reconciled", res.Reconciled, "job_tasks_requeued", res.Jobs)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Tick runs one step: it takes or renews the lease (and does nothing more
// without it); re-enqueues the unfinished rescans of earlier cycles when it
// has just become leader or Redis lost its data; runs
// SchedulerConfig.Reconcile then, or when ReconcileInterval has passed;
// then, for every watchlist
// whose NextRunAt has come (by the Service's clock), oldest first, re-runs
// its saved search to add new matches, enqueues a rescan of every member
// not written since the run fell due, and only then advances LastRunAt and
// NextRunAt in the store. A tick cut short leaves NextRunAt as it was, so
// the next tick repeats the run: members rescanned meanwhile are skipped
// and pending ones are not queued twice by the Enqueuer.
func (s *Scheduler) Tick(ctx context.Context) (TickResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var res TickResult
	held, err := s.lease.Acquire(ctx)
	if err != nil || !held {
		if !held {
			s.reconciled = false
		}
		return res, err
	}
	res.Leader = true

	epoch, err := s.cfg.Redis.Exists(ctx, s.epochKey).Result()
	if err != nil {
		return res, fmt.Errorf("checking scheduler epoch: %w", err)
	}
	fresh := !s.reconciled || epoch == 0
	if fresh {
		n, err := s.reconcile(ctx)
		res.Reconciled = n
		if err != nil {
			return res, err
		}
	}
	// Due a moment early rather than a whole tick late: the ticks fall
	// on the interval only roughly.
	slack := min(500*time.Millisecond, s.cfg.ReconcileInterval/10)
	if s.cfg.Reconcile != nil && (fresh || s.cfg.Now().Sub(s.lastJobs)+slack >= s.cfg.ReconcileInterval) {
		began := s.cfg.Now()
		n, err := s.cfg.Reconcile(ctx)
		res.Jobs, res.JobsReconciled = n, true
		if err != nil {
			return res, fmt.Errorf("reconciling jobs: %w", err)
		}
		s.lastJobs = began
	}
	if fresh {
		if err := s.cfg.Redis.Set(ctx, s.epochKey, s.lease.Token(), 0).Err(); err != nil {
			return res, fmt.Errorf("marking scheduler epoch: %w", err)
		}
		s.reconciled = true
	}

	ws, err := s.svc.store.ListWatchlists(ctx)
	if err != nil {
		return res, fmt.Errorf("listing watchlists: %w", err)
	}
	now := s.svc.now()
	var due []index.Watchlist
	for _, w := range ws {
		if !w.NextRunAt.After(now) {
			due = append(due, w)
		}
	}
	slices.SortStableFunc(due, func(a, b index.Watchlist) int { return a.NextRunAt.Compare(b.NextRunAt) })
	for i := range due {
		if held, err := s.lease.Renew(ctx); err != nil || !held {
			if err == nil {
				err = errors.New("scheduler lease lost")
			}
			return res, fmt.Errorf("running watchlist %s: %w", due[i].ID, err)
		}
		added, enq, err := s.runOne(ctx, &due[i], now)
		res.Added += added
		res.Enqueued += enq
		if err != nil {
			return res, err
		}
		res.Due++
	}
	return res, nil
}

// runOne runs one due watchlist.
func (s *Scheduler) runOne(ctx context.Context, listed *index.Watchlist, now time.Time) (added, enqueued int, err error) {
	// Read it again: members may have been added since it was listed.
	w, err := s.svc.store.GetWatchlist(ctx, listed.ID)
	if errors.Is(err, creator.ErrNotFound) {
		return 0, 0, nil // deleted meanwhile
	}
	if err != nil {
		return 0, 0, fmt.Errorf("running watchlist %s: %w", listed.ID, err)
	}
	if w.NextRunAt.After(now) {
		return 0, 0, nil // rescheduled meanwhile
	}
	dueAt := w.NextRunAt
	if w.SavedSearch != nil {
		matches, err := s.search(ctx, *w.SavedSearch)
		if err != nil {
			return 0, 0, fmt.Errorf("running saved search of %s: %w", w.ID, err)
		}
		var fresh []index.WatchMember
		for _, m := range matches {
			// An opted-out creator is erased, so a search should not find
			// it; one whose erasure has not finished is not added either.
			if out, err := s.svc.store.IsOptedOut(ctx, m.Ref.Platform, m.Ref.ID, m.Ref.Handle); err != nil {
				return 0, 0, fmt.Errorf("running saved search of %s: %w", w.ID, err)
			} else if out {
				continue
			}
			if !slices.ContainsFunc(w.Members, func(h index.WatchMember) bool { return h.Key == m.Key }) {
				m.AddedAt = now.UTC()
				fresh = append(fresh, m)
			}
		}
		if len(fresh) > 0 {
			nw, err := s.svc.modifyQuiet(ctx, "adding matches to", w.ID, func(x *index.Watchlist) error {
				before := len(x.Members)
				x.Members = addMembers(x.Members, fresh)
				added = len(x.Members) - before
				return nil
			})
			if err != nil {
				return 0, 0, err
			}
			w = nw
		}
	}
	for _, m := range w.Members {
		if m.Pending || m.Error != "" {
			continue // not resolved to a creator (yet)
		}
		if !dueAt.IsZero() {
			rec, err := s.svc.store.Get(ctx, m.Key)
			if err == nil && !rec.UpdatedAt.Before(dueAt) {
				continue // written since the run fell due
			}
			if err != nil && !errors.Is(err, creator.ErrNotFound) {
				return added, enqueued, fmt.Errorf("loading member %s of %s: %w", m.Key, w.ID, err)
			}
		}
		if out, err := s.svc.store.IsOptedOut(ctx, m.Ref.Platform, m.Ref.ID, m.Ref.Handle); err != nil {
			return added, enqueued, fmt.Errorf("checking opt-out of member %s of %s: %w", m.Key, w.ID, err)
		} else if out {
			continue // never fetched again
		}
		if err := s.cfg.Enqueuer.EnqueueRescan(ctx, m.Ref, w.ID); err != nil {
			return added, enqueued, fmt.Errorf("enqueueing rescan of %s for %s: %w", m.Key, w.ID, err)
		}
		enqueued++
		if enqueued%100 == 0 {
			if held, err := s.lease.Renew(ctx); err != nil || !held {
				if err == nil {
					err = errors.New("scheduler lease lost")
				}
				return added, enqueued, fmt.Errorf("running watchlist %s: %w", w.ID, err)
			}
		}
	}
	cad, err := ParseCadence(w.Cadence)
	if err != nil {
		return added, enqueued, fmt.Errorf("running watchlist %s: %w", w.ID, err)
	}
	_, err = s.svc.modifyQuiet(ctx, "advancing", w.ID, func(x *index.Watchlist) error {
		if !x.NextRunAt.Equal(dueAt) {
			return nil // rescheduled meanwhile (cadence changed)
		}
		x.LastRunAt = dueAt
		if x.LastRunAt.IsZero() {
			x.LastRunAt = now.UTC()
		}
		x.NextRunAt = cad.Next(x.LastRunAt, now)
		return nil
	})
	if errors.Is(err, creator.ErrNotFound) {
		return added, enqueued, nil // deleted meanwhile
	}
	return added, enqueued, err
}

// search runs a saved search and returns its matches as members.
func (s *Scheduler) search(ctx context.Context, q index.Query) ([]index.WatchMember, error) {
	q.Page, q.PerPage, q.Facets = 1, index.MaxPerPage, nil
	// A search saved before queries were limited to index.MaxTextWords
	// runs on its first words, rather than stopping the watchlist.
	q.Text = index.LeadingWords(q.Text, index.MaxTextWords)
	var out []index.WatchMember
	for len(out) < s.cfg.SearchLimit {
		res, err := s.svc.store.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			if len(out) < s.cfg.SearchLimit {
				out = append(out, index.WatchMember{Key: h.Key, Ref: h.Profile.Ref, Source: "search"})
			}
		}
		if len(res.Hits) < q.PerPage || q.Page*q.PerPage >= res.Total || q.Page*q.PerPage >= index.MaxTotalHits {
			break
		}
		q.Page++
	}
	return out, nil
}

// reconcile enqueues again the rescans of each watchlist's last run whose
// creator has not been written since the run fell due: after Redis lost its
// queue, those rescans would otherwise be skipped until the next run.
// Rescans still pending are not doubled by the Enqueuer. It also enqueues
// again the webhook deliveries of pending alert events.
func (s *Scheduler) reconcile(ctx context.Context) (int, error) {
	ws, err := s.svc.store.ListWatchlists(ctx)
	if err != nil {
		return 0, fmt.Errorf("reconciling: listing watchlists: %w", err)
	}
	n := 0
	for i := range ws {
		w := &ws[i]
		if w.LastRunAt.IsZero() {
			continue
		}
		for _, m := range w.Members {
			if m.Pending && s.svc.tasks != nil {
				// Its resolution may have been lost with the queue.
				if err := s.svc.enqueueResolve(ctx, w.ID, m); err != nil {
					return n, fmt.Errorf("reconciling %s: %w", w.ID, err)
				}
				n++
				continue
			}
			if m.Pending || m.Error != "" {
				continue
			}
			rec, err := s.svc.store.Get(ctx, m.Key)
			if err == nil && !rec.UpdatedAt.Before(w.LastRunAt) {
				continue
			}
			if err != nil && !errors.Is(err, creator.ErrNotFound) {
				return n, fmt.Errorf("reconciling %s: %w", w.ID, err)
			}
			if err := s.cfg.Enqueuer.EnqueueRescan(ctx, m.Ref, w.ID); err != nil {
				return n, fmt.Errorf("reconciling %s: enqueueing rescan of %s: %w", w.ID, m.Key, err)
			}
			n++
		}
		if err := s.svc.resumeDeliveries(ctx, w); err != nil {
			return n, fmt.Errorf("reconciling %s: %w", w.ID, err)
		}
	}
	return n, nil
}

// Release gives up the lease if this scheduler holds it, so another can
// take over at once. Run calls it on exit.
func (s *Scheduler) Release(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.lease.Release(ctx); err != nil {
		return fmt.Errorf("releasing scheduler lease: %w", err)
	}
	s.reconciled = false
	return nil
}
