package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// TypeResolve is the asynq task type that resolves a watchlist member
// given by a handle the store does not hold: the HandleLookup (which may
// fetch from the platform) runs in a worker, not in the request that added
// the member. Register (*Service).HandleResolve under it on the worker's
// mux.
const TypeResolve = "watch:resolve"

// ResolvePayload is the payload of a TypeResolve task.
type ResolvePayload struct {
	WatchlistID string      `json:"watchlist_id"`
	Key         string      `json:"key"`
	Ref         creator.Ref `json:"ref"`
}

// resolveAttempts is how often a resolution is tried before the member is
// marked unresolvable.
const resolveAttempts = 5

// NewResolveTask returns the task that resolves the pending member key of
// a watchlist. Its id is derived from both, so a resolution still queued is
// not queued twice.
func NewResolveTask(p ResolvePayload) (*asynq.Task, error) {
	if p.WatchlistID == "" || p.Key == "" || p.Ref.Platform == "" || p.Ref.Handle == "" {
		return nil, fmt.Errorf("building resolve task: %w: watchlist, key and handle are required", creator.ErrInvalid)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("building resolve task: %w", err)
	}
	return asynq.NewTask(TypeResolve, b, asynq.TaskID("resolve-"+p.WatchlistID+"-"+p.Key),
		asynq.MaxRetry(resolveAttempts-1), asynq.Timeout(3*time.Minute)), nil
}

// WithResolveQueue sets the queue of member resolutions; the default is
// the delivery queue.
func WithResolveQueue(q string) Option { return func(s *Service) { s.resolveQueue = q } }

// pendingMember is the member a handle becomes until it is resolved.
func pendingMember(ref creator.Ref, now time.Time) index.WatchMember {
	ref = creator.Ref{Platform: ref.Platform, Handle: strings.ToLower(ref.Handle)}
	return index.WatchMember{Key: creator.KeyOf(ref.Platform, "handle:"+ref.Handle), Ref: ref, AddedAt: now, Source: "url", Pending: true}
}

// enqueueResolves queues the resolution of w's pending members. A failure
// is logged: the scheduler's reconciliation queues them again.
func (s *Service) enqueueResolves(ctx context.Context, w *index.Watchlist) {
	if s.tasks == nil {
		return
	}
	for _, m := range w.Members {
		if !m.Pending {
			continue
		}
		if err := s.enqueueResolve(ctx, w.ID, m); err != nil {
			s.log.Warn("queuing a member's resolution", "watchlist", w.ID, "member", m.Key, "err", err)
			return
		}
	}
}

func (s *Service) enqueueResolve(ctx context.Context, id string, m index.WatchMember) error {
	t, err := NewResolveTask(ResolvePayload{WatchlistID: id, Key: m.Key, Ref: m.Ref})
	if err != nil {
		return err
	}
	q := s.resolveQueue
	if q == "" {
		q = s.queue
	}
	opts := []asynq.Option{}
	if q != "" {
		opts = append(opts, asynq.Queue(q))
	}
	if _, err := s.tasks.EnqueueContext(ctx, t, opts...); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) && !errors.Is(err, asynq.ErrDuplicateTask) {
		return fmt.Errorf("enqueueing resolution of %s: %w", m.Key, err)
	}
	return nil
}

// HandleResolve resolves one pending member: by the store's exact handle
// lookup, else the HandleLookup. The member then takes the creator's key
// and full ref (or is dropped when the list already has the creator); a
// creator who opted out is dropped; a handle that does not exist is kept
// with its Error. Other errors are retried, up to resolveAttempts.
func (s *Service) HandleResolve(ctx context.Context, t *asynq.Task) error {
	var p ResolvePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.WatchlistID == "" || p.Key == "" {
		return fmt.Errorf("decoding resolve payload: %v: %w", err, asynq.SkipRetry)
	}
	w, err := s.store.GetWatchlist(ctx, p.WatchlistID)
	if errors.Is(err, creator.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("resolving member of %s: %w", p.WatchlistID, err)
	}
	if !slices.ContainsFunc(w.Members, func(m index.WatchMember) bool { return m.Key == p.Key && m.Pending }) {
		return nil // resolved or removed meanwhile
	}
	ref, err := s.resolvePending(ctx, p.Ref)
	var keep func(m *index.WatchMember)
	switch {
	case errors.Is(err, creator.ErrOptedOut):
		keep = nil // dropped
	case err != nil && (errors.Is(err, creator.ErrNotFound) || errors.Is(err, creator.ErrInvalid) || errors.Is(err, creator.ErrForbidden)):
		msg := "not found"
		if !errors.Is(err, creator.ErrNotFound) {
			msg = "cannot be resolved"
		}
		keep = func(m *index.WatchMember) { m.Pending, m.Error = false, p.Ref.String()+": "+msg }
	case err != nil:
		if !lastAttempt(ctx) {
			return fmt.Errorf("resolving %s for %s: %w", p.Ref, p.WatchlistID, err)
		}
		keep = func(m *index.WatchMember) { m.Pending, m.Error = false, p.Ref.String()+": could not be resolved" }
	default:
		keep = func(m *index.WatchMember) {
			m.Key, m.Ref, m.Pending, m.Error = creator.Key(ref), ref, false, ""
		}
	}
	_, err = s.modifyQuiet(ctx, "resolving member of", p.WatchlistID, func(x *index.Watchlist) error {
		i := slices.IndexFunc(x.Members, func(m index.WatchMember) bool { return m.Key == p.Key && m.Pending })
		if i < 0 {
			return nil
		}
		m := x.Members[i]
		x.Members = slices.Delete(x.Members, i, i+1)
		if keep == nil {
			return nil
		}
		keep(&m)
		if !slices.ContainsFunc(x.Members, func(h index.WatchMember) bool { return h.Key == m.Key }) {
			x.Members = slices.Insert(x.Members, i, m)
		}
		return nil
	})
	if errors.Is(err, creator.ErrNotFound) {
		return nil
	}
	return err
}

// resolvePending finds the creator a handle names, refusing one on the
// opt-out list before and after the lookup.
func (s *Service) resolvePending(ctx context.Context, r creator.Ref) (creator.Ref, error) {
	if err := s.refuseOptedOut(ctx, r); err != nil {
		return creator.Ref{}, err
	}
	ref, err := storeHandleLookup(s.store)(ctx, r)
	if err != nil {
		if ref, err = s.lookup(ctx, r); err != nil {
			return creator.Ref{}, err
		}
	}
	if ref.Platform == "" || ref.ID == "" {
		return creator.Ref{}, fmt.Errorf("resolving %s: %w: no platform id", r, creator.ErrInvalid)
	}
	if err := s.refuseOptedOut(ctx, ref); err != nil {
		return creator.Ref{}, err
	}
	return ref, nil
}

// lastAttempt reports whether the running task is on its last attempt.
func lastAttempt(ctx context.Context) bool {
	n, ok1 := asynq.GetRetryCount(ctx)
	max, ok2 := asynq.GetMaxRetry(ctx)
	return !ok1 || !ok2 || n >= max
}
