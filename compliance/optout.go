package compliance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// Store is the part of the store compliance uses: creators (to find and
// delete them) and the opt-out list. A store that also implements
// index.Scrubber has the job records that name an erased creator scrubbed.
type Store interface {
	index.Creators
	index.OptOuts
}

// Config configures a Service. Zero values take the defaults given.
type Config struct {
	// Store is the durable store (required).
	Store Store
	// ParseProfileURL turns an opt-out's profile URL into a creator
	// (crawler.ParseProfileURL); nil refuses opt-outs by URL alone.
	ParseProfileURL func(raw string) (creator.Ref, error)
	// Retention is how long each platform's data may be kept (its source's
	// declared policy); a platform not listed, or listed with 0, is kept.
	Retention map[string]time.Duration
	// Queue enqueues the hourly purge task (EnqueuePurge); nil makes
	// EnqueuePurge fail.
	Queue *asynq.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger logs purges; nil means slog.Default().
	Logger *slog.Logger
}

// Service records opt-outs, erases creators and purges data past
// retention. It is safe for concurrent use.
type Service struct {
	cfg Config
	log *slog.Logger
}

// New returns a Service for cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("building compliance service: %w: a store is required", creator.ErrInvalid)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Service{cfg: cfg, log: log}, nil
}

// OptOutRequest names a creator who asks not to be collected: a platform
// and a handle, a platform-native id, or a profile URL. It is the body of
// POST /v1/optout and what `scout optout` reads from its flags.
type OptOutRequest struct {
	// Platform is required unless URL is given.
	Platform string `json:"platform" enum:"platform"`
	// Handle is the creator's handle, without "@".
	Handle string `json:"handle,omitempty" maxLength:"256"`
	// ID is the platform-native id (a DID, ...).
	ID string `json:"id,omitempty" maxLength:"512"`
	// URL is the creator's profile URL.
	URL string `json:"url,omitempty" format:"uri"`
	// Reason is kept with the opt-out.
	Reason string `json:"reason,omitempty" maxLength:"1000"`
}

// OptOutResult says what an opt-out did.
type OptOutResult struct {
	OptOut index.OptOut `json:"opt_out"`
	// Erased lists the store keys of the creators erased.
	Erased []string `json:"erased"`
}

// OptOut records that a creator opted out, durably, then erases
// everything stored about the creator; errors of the store wrap
// creator.ErrUnavailable (the opt-out is idempotent: send it again).
// Discovery and crawls check the list before fetching, so nothing about
// the creator is collected again.
func (s *Service) OptOut(ctx context.Context, req OptOutRequest) (_ *OptOutResult, err error) {
	defer func() { err = creator.Unavailable(err) }()
	ref, err := s.refOf(req)
	if err != nil {
		return nil, err
	}
	// Find stored records: by id, by handle, and by the exact stored
	// profile URL, wherever the URL's own form points.
	keys := map[string]bool{}
	if ref.ID != "" {
		keys[creator.Key(ref)] = true
	}
	if ref.Handle != "" {
		found, err := s.keysByHandle(ctx, ref.Platform, ref.Handle)
		if err != nil {
			return nil, err
		}
		for _, k := range found {
			keys[k] = true
		}
	}
	if req.URL != "" {
		hits, err := index.ByProfileURL(ctx, s.cfg.Store, req.URL)
		if err != nil && !errors.Is(err, creator.ErrInvalid) {
			return nil, fmt.Errorf("finding %s: %w", req.URL, err)
		}
		for _, h := range hits {
			if h.Profile.Ref.Platform == ref.Platform {
				keys[h.Key] = true
			}
		}
	}
	o := index.OptOut{Platform: ref.Platform, ID: ref.ID, Handle: ref.Handle, Reason: req.Reason, CreatedAt: s.cfg.Now().UTC(), RecordedBy: index.ActorFrom(ctx)}
	// Learn the id from a stored record so a later rename does not escape.
	if o.ID == "" {
		for k := range keys {
			if rec, err := s.cfg.Store.Get(ctx, k); err == nil {
				o.ID = rec.Profile.Ref.ID
			}
		}
	}
	// Record first: if the erasure fails half way, the creator is already
	// blocked from collection and the erasure can be repeated.
	if err := s.cfg.Store.AddOptOut(ctx, &o); err != nil {
		return nil, fmt.Errorf("recording opt-out: %w", err)
	}
	// The erasure must finish even if the caller goes away.
	ctx = context.WithoutCancel(ctx)
	all := make([]string, 0, len(keys))
	for k := range keys {
		all = append(all, k)
	}
	slices.Sort(all)
	who := creator.Ref{Platform: o.Platform, ID: o.ID, Handle: o.Handle}
	// Job items first, so that they still count once re-keyed (Delete
	// drops the items under the creator's key); again after, for the log.
	if err := s.Scrub(ctx, who, all); err != nil {
		return nil, err
	}
	res := &OptOutResult{OptOut: o, Erased: []string{}}
	for _, k := range all {
		if _, err := s.cfg.Store.Get(ctx, k); errors.Is(err, creator.ErrNotFound) {
			continue
		}
		if err := s.cfg.Store.Delete(ctx, k); err != nil {
			return nil, fmt.Errorf("erasing %s: %w", k, err)
		}
		res.Erased = append(res.Erased, k)
	}
	if err := s.Scrub(ctx, who, all); err != nil {
		return nil, err
	}
	return res, nil
}

// refOf checks req and returns the creator it names. Errors wrap
// creator.ErrInvalid and name the field.
func (s *Service) refOf(req OptOutRequest) (creator.Ref, error) {
	ref := creator.Ref{Platform: strings.ToLower(strings.TrimSpace(req.Platform)), ID: strings.TrimSpace(req.ID),
		Handle: index.NormalizeHandle(req.Handle)}
	if req.URL != "" {
		if s.cfg.ParseProfileURL == nil {
			return creator.Ref{}, fmt.Errorf("opting out: %w: url: profile URLs are not read here; give a platform and a handle or id", creator.ErrInvalid)
		}
		r, err := s.cfg.ParseProfileURL(req.URL)
		if err != nil {
			return creator.Ref{}, err
		}
		if ref.Platform != "" && ref.Platform != r.Platform {
			return creator.Ref{}, fmt.Errorf("opting out: %w: platform: %q does not match the URL's %q", creator.ErrInvalid, ref.Platform, r.Platform)
		}
		ref.Platform = r.Platform
		if ref.ID == "" {
			ref.ID = r.ID
		}
		if ref.Handle == "" {
			ref.Handle = r.Handle
		}
	}
	if ref.Platform == "" {
		return creator.Ref{}, fmt.Errorf("opting out: %w: platform: required", creator.ErrInvalid)
	}
	// Any platform this project knows, configured here or not: an opt-out
	// recorded now still holds when the operator enables that source.
	if !slices.Contains(creator.Platforms, ref.Platform) {
		return creator.Ref{}, fmt.Errorf("opting out: %w: platform: unknown platform %.32q", creator.ErrInvalid, ref.Platform)
	}
	if ref.Platform == creator.Mastodon {
		ref.ID = strings.ToLower(ref.ID) // accts are stored lower-cased
	}
	if ref.ID == "" && ref.Handle == "" {
		return creator.Ref{}, fmt.Errorf("opting out: %w: handle: a handle, id or url is required", creator.ErrInvalid)
	}
	if len(ref.Handle) > 256 || len(ref.ID) > 512 || len(req.Reason) > 1000 {
		return creator.Ref{}, fmt.Errorf("opting out: %w: handle: too long", creator.ErrInvalid)
	}
	return ref, nil
}

// ListOptOuts returns the opt-out list, oldest first.
func (s *Service) ListOptOuts(ctx context.Context) ([]index.OptOut, error) {
	return s.cfg.Store.ListOptOuts(ctx)
}

// Erase deletes whatever is stored about ref, by its id and by its handle
// when that is all a caller knew, and scrubs the job records that name
// it. The crawler calls it when a platform says the creator opted out.
// It finishes even when ctx is cancelled.
func (s *Service) Erase(ctx context.Context, ref creator.Ref) error {
	ctx = context.WithoutCancel(ctx)
	var keys []string
	if ref.ID != "" {
		keys = append(keys, creator.Key(ref))
	}
	if ref.Handle != "" {
		found, err := s.keysByHandle(ctx, ref.Platform, ref.Handle)
		if err != nil {
			return err
		}
		keys = append(keys, found...)
	}
	for _, k := range keys {
		if err := s.cfg.Store.Delete(ctx, k); err != nil {
			return fmt.Errorf("erasing %s: %w", k, err)
		}
	}
	return s.Scrub(ctx, ref, keys)
}

// Scrub removes what job records keep of ref (and of the store keys
// given) when the store can (index.Scrubber): job items and requests that
// name the creator. It finishes even when ctx is cancelled.
func (s *Service) Scrub(ctx context.Context, ref creator.Ref, keys []string) error {
	sc, ok := s.cfg.Store.(index.Scrubber)
	if !ok {
		return nil
	}
	if ref.ID != "" {
		keys = append(keys, index.ItemKey(creator.Ref{Platform: ref.Platform, ID: ref.ID}))
	}
	if ref.Handle != "" {
		keys = append(keys, index.ItemKey(creator.Ref{Platform: ref.Platform, Handle: ref.Handle}))
	}
	if err := sc.ScrubCreator(context.WithoutCancel(ctx), ref, keys); err != nil {
		return fmt.Errorf("erasing job records of %s: %w", ref, err)
	}
	return nil
}

// keysByHandle finds stored creators of a platform with this handle.
func (s *Service) keysByHandle(ctx context.Context, platform, handle string) ([]string, error) {
	hits, err := index.ByHandle(ctx, s.cfg.Store, platform, handle)
	if err != nil {
		return nil, fmt.Errorf("finding %s on %s: %w", handle, platform, err)
	}
	keys := make([]string, len(hits))
	for i, h := range hits {
		keys[i] = h.Key
	}
	return keys, nil
}
