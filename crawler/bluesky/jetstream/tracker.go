package jetstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/creatorscout/scout/crawler/bluesky"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/scoring"
)

// Lookup looks accounts up by the batch (bluesky.Source has it).
type Lookup interface {
	Counts(ctx context.Context, actors []string) ([]bluesky.Counts, error)
}

// TrackStore is the part of the store the tracker uses.
type TrackStore interface {
	index.Tracking
	Get(ctx context.Context, key string) (*creator.Record, error)
	History(ctx context.Context, key string, limit int) ([]creator.Snapshot, error)
	UpsertMany(ctx context.Context, ws []index.Write) error
	IsOptedOut(ctx context.Context, platform, id, handle string) (bool, error)
}

// Crawler queues full crawls, erases creators and lends its per-creator
// write lock (crawler.Pipeline has all three: EnqueueStream, Erase and
// LockCreator).
type Crawler interface {
	EnqueueStream(ctx context.Context, ref creator.Ref) error
	Erase(ctx context.Context, ref creator.Ref) error
	// LockCreator takes the write lock a crawl holds while it reads and
	// writes the creator's record; ok is false while a crawl holds it.
	// The returned context ends if the lock is lost.
	LockCreator(ctx context.Context, key string) (lctx context.Context, release func(), ok bool, err error)
}

// Reasons a creator is tracked (index.Tracked.Reason).
const (
	ReasonFloor = "floor"
	ReasonNiche = "niche"
)

// TrackerConfig configures a Tracker. Zero values take the defaults given.
type TrackerConfig struct {
	// Lookup, Store and Crawler are required.
	Lookup  Lookup
	Store   TrackStore
	Crawler Crawler
	// FollowerFloor is the follower count at or above which an account is
	// tracked; 0 means 1,000.
	FollowerFloor int64
	// NicheOf names the configured niche a post's text is about, or "";
	// an author writing in one is tracked whatever its followers. Nil
	// means no niche discovery (see TermNiche).
	NicheOf func(text string) string
	// Recheck is how long an account found below the floor is not looked
	// up again; 0 means 7 days.
	Recheck time.Duration
	// SnapshotEvery is how often a tracked creator gets a count-only
	// snapshot; 0 means 24 hours.
	SnapshotEvery time.Duration
	// RecrawlAfter is the least time between two full crawls queued for a
	// niche change of one creator; 0 means 7 days. (A spike waits a day.)
	RecrawlAfter time.Duration
	// Workers is how many lookups run at once; 0 means 4.
	Workers int
	// BatchWait is how long an account waits for its lookup batch to fill
	// (25) before the batch goes out short, so that a quiet stream still
	// discovers promptly; 0 means one second.
	BatchWait time.Duration
	// SeenCapacity bounds the accounts remembered as looked up (two
	// generations of this many, about 40 bytes each in memory); 0 means
	// 250,000.
	SeenCapacity int
	// Found, when set, is told of the creators the stream discovered (new
	// to the store: tracked, and queued for a crawl) once their tracking
	// is written, for a list of the newest. It must not block for long.
	Found func(ctx context.Context, rows []index.Tracked)
	// Stats receives progress; nil means a private one.
	Stats *Stats
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// Tracker turns Jetstream events into discovery and tracking: authors of
// posts, targets of follows and authors of reposted posts are looked up
// in getProfiles batches of 25; those at or above the follower floor, or
// writing in a configured niche, are tracked and queued for one full
// crawl. Tracked creators get a count-only snapshot every SnapshotEvery
// (RunSnapshots), and a full crawl when their followers spike or their
// posts turn to another niche. #identity events refresh a tracked
// creator's handle at once; #account events with active false erase the
// creator. Opt-outs (the store's list and the !no-unauthenticated label)
// are checked before anything is stored. It implements Handler; it is
// safe for concurrent use.
type Tracker struct {
	cfg   TrackerConfig
	log   *slog.Logger
	stats *Stats
	seen  *seen
	sem   chan struct{}
	wg    sync.WaitGroup

	mu      sync.Mutex
	pending []string          // DIDs to look up, at most MaxProfiles
	since   time.Time         // when the first of pending came
	inBatch map[string]string // pending DID -> niche ("" for none)
	refresh map[string]bool   // DIDs whose identity changed
	gone    map[string]bool   // DIDs whose account ended
	niches  map[string]string // tracked DIDs -> the niche a post was about
	fresh   []index.Tracked   // creators found since the last Flush, to write
	newKeys map[string]bool   // those of fresh new to the store (crawl queued)
	counted time.Time         // when Stats.Tracked was last read from the store
	err     error             // first failure of an asynchronous lookup
}

// NewTracker returns a tracker for cfg. Errors wrap creator.ErrInvalid.
func NewTracker(cfg TrackerConfig) (*Tracker, error) {
	if cfg.Lookup == nil || cfg.Store == nil || cfg.Crawler == nil {
		return nil, fmt.Errorf("building jetstream tracker: %w: lookup, store and crawler are required", creator.ErrInvalid)
	}
	if cfg.FollowerFloor <= 0 {
		cfg.FollowerFloor = 1000
	}
	if cfg.Recheck <= 0 {
		cfg.Recheck = 7 * 24 * time.Hour
	}
	if cfg.SnapshotEvery <= 0 {
		cfg.SnapshotEvery = 24 * time.Hour
	}
	if cfg.RecrawlAfter <= 0 {
		cfg.RecrawlAfter = 7 * 24 * time.Hour
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.BatchWait <= 0 {
		cfg.BatchWait = time.Second
	}
	if cfg.SeenCapacity <= 0 {
		cfg.SeenCapacity = 250_000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	st := cfg.Stats
	if st == nil {
		st = new(Stats)
	}
	t := &Tracker{cfg: cfg, log: log, stats: st, seen: newSeen(cfg.SeenCapacity, cfg.Recheck),
		sem: make(chan struct{}, cfg.Workers), inBatch: map[string]string{},
		refresh: map[string]bool{}, gone: map[string]bool{}, niches: map[string]string{}}
	return t, nil
}

// Stats returns the tracker's progress.
func (t *Tracker) Stats() *Stats { return t.stats }

// HandleEvent implements Handler. It does no I/O itself unless a batch of
// lookups is full and every worker is busy, when it waits for one.
func (t *Tracker) HandleEvent(ctx context.Context, ev *Event) error {
	switch ev.Kind {
	case KindCommit:
		c := ev.Commit
		if c == nil || c.Operation != OpCreate || c.Record == nil {
			return nil
		}
		switch c.Collection {
		case CollectionPost:
			niche := ""
			if t.cfg.NicheOf != nil && c.Record.Text != "" {
				niche = t.cfg.NicheOf(c.Record.Text)
			}
			t.consider(ctx, ev.DID, niche)
		case CollectionFollow, CollectionRepost:
			t.consider(ctx, c.Record.Subject.DID, "")
		}
	case KindIdentity:
		if validDID(ev.DID) {
			t.mu.Lock()
			t.refresh[ev.DID] = true
			t.mu.Unlock()
		}
	case KindAccount:
		if ev.Account != nil && !ev.Account.Active && validDID(ev.DID) {
			t.seen.set(ev.DID, seenTracked, t.cfg.Now())
			t.mu.Lock()
			t.gone[ev.DID] = true
			t.mu.Unlock()
		}
	}
	return nil
}

// consider queues did for a lookup unless it was looked up recently; a
// tracked creator's niche post is kept for a niche check.
func (t *Tracker) consider(ctx context.Context, did, niche string) {
	if !validDID(did) {
		return
	}
	now := t.cfg.Now()
	switch t.seen.get(did, now) {
	case seenTracked:
		if niche != "" {
			t.mu.Lock()
			t.niches[did] = niche
			t.mu.Unlock()
		}
		return
	case seenChecked:
		if niche == "" {
			return
		}
	}
	t.seen.set(did, seenChecked, now)
	t.mu.Lock()
	if prev, ok := t.inBatch[did]; ok {
		if prev == "" && niche != "" {
			t.inBatch[did] = niche
		}
		t.mu.Unlock()
		return
	}
	t.inBatch[did] = niche
	if len(t.pending) == 0 {
		t.since = now
	}
	t.pending = append(t.pending, did)
	var batch map[string]string
	var order []string
	if len(t.pending) >= bluesky.MaxProfiles || now.Sub(t.since) >= t.cfg.BatchWait {
		batch, order = t.inBatch, t.pending
		t.inBatch, t.pending = make(map[string]string, bluesky.MaxProfiles), make([]string, 0, bluesky.MaxProfiles)
	}
	t.mu.Unlock()
	if batch != nil {
		t.dispatch(ctx, order, batch)
	}
}

// dispatch runs one lookup batch on a worker, waiting for a free one.
func (t *Tracker) dispatch(ctx context.Context, order []string, niches map[string]string) {
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		t.fail(ctx.Err(), order)
		return
	}
	t.wg.Add(1)
	go func() {
		defer func() { <-t.sem; t.wg.Done() }()
		// A lookup under way finishes when the consumer stops, so that
		// its last Flush can save the cursor past it.
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lookupTimeout)
		defer cancel()
		if err := t.discover(lctx, order, niches); err != nil {
			t.fail(err, order)
		}
	}()
}

// lookupTimeout bounds one batch of discovery (a lookup and its writes).
const lookupTimeout = 30 * time.Second

// fail records a lookup's failure and forgets its accounts, so that the
// replayed events look them up again.
func (t *Tracker) fail(err error, dids []string) {
	for _, d := range dids {
		t.seen.forget(d)
	}
	t.mu.Lock()
	if t.err == nil {
		t.err = err
	}
	t.mu.Unlock()
	t.stats.update(func(p *Progress) { p.LastError = err.Error() })
}

// Flush implements Handler: it looks up what is pending, waits for every
// lookup, then applies identity changes, erasures and niche checks. It
// returns the first failure since the last Flush.
func (t *Tracker) Flush(ctx context.Context) error {
	t.mu.Lock()
	order, batch := t.pending, t.inBatch
	t.inBatch, t.pending = make(map[string]string, bluesky.MaxProfiles), make([]string, 0, bluesky.MaxProfiles)
	t.mu.Unlock()
	if len(order) > 0 {
		t.dispatch(ctx, order, batch)
	}
	t.wg.Wait()
	t.mu.Lock()
	gone, refresh, niches := t.gone, t.refresh, t.niches
	t.gone, t.refresh, t.niches = map[string]bool{}, map[string]bool{}, map[string]string{}
	err := t.err
	t.err = nil
	fresh, newKeys := t.fresh, t.newKeys
	t.fresh, t.newKeys = nil, nil
	t.mu.Unlock()
	if err != nil {
		t.restoreFresh(fresh, newKeys)
		t.restore(gone, refresh, niches)
		return err
	}
	if err := t.cfg.Store.PutTracked(ctx, fresh); err != nil {
		t.restoreFresh(fresh, newKeys)
		t.restore(gone, refresh, niches)
		return err
	}
	t.stats.update(func(p *Progress) { p.Tracked += int64(len(fresh)) })
	if t.cfg.Found != nil && len(newKeys) > 0 {
		found := make([]index.Tracked, 0, len(newKeys))
		for _, f := range fresh {
			if newKeys[f.Key] {
				found = append(found, f)
			}
		}
		t.cfg.Found(ctx, found)
	}
	for did := range gone {
		if err := t.eraseIfKnown(ctx, creator.Ref{Platform: creator.Bluesky, ID: did}); err != nil {
			t.restore(gone, refresh, niches)
			return err
		}
		delete(refresh, did)
		delete(niches, did)
	}
	if err := t.refreshIdentities(ctx, refresh); err != nil {
		t.restore(nil, refresh, niches)
		return err
	}
	if err := t.checkNiches(ctx, niches); err != nil {
		t.restore(nil, nil, niches)
		return err
	}
	t.countTracked(ctx)
	return nil
}

// restoreFresh keeps rows a failed Flush did not write for the next.
func (t *Tracker) restoreFresh(rows []index.Tracked, newKeys map[string]bool) {
	t.mu.Lock()
	t.fresh = append(rows, t.fresh...)
	for k := range newKeys {
		if t.newKeys == nil {
			t.newKeys = map[string]bool{}
		}
		t.newKeys[k] = true
	}
	t.mu.Unlock()
}

// restore puts back work a failed Flush did not finish.
func (t *Tracker) restore(gone, refresh map[string]bool, niches map[string]string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for d := range gone {
		t.gone[d] = true
	}
	for d := range refresh {
		t.refresh[d] = true
	}
	for d, n := range niches {
		t.niches[d] = n
	}
}

// countTracked refreshes Stats.Tracked from the store, at most every 30
// seconds (counting a million rows is not free).
func (t *Tracker) countTracked(ctx context.Context) {
	t.mu.Lock()
	now := time.Now()
	stale := now.Sub(t.counted) >= 30*time.Second
	if stale {
		t.counted = now
	}
	t.mu.Unlock()
	if !stale {
		return
	}
	if n, err := t.cfg.Store.CountTracked(ctx); err == nil {
		t.stats.update(func(p *Progress) { p.Tracked = int64(n.Tracked) })
	}
}

// discover looks up one batch and tracks, and queues a crawl of, every
// account at or above the floor or writing in a niche.
func (t *Tracker) discover(ctx context.Context, order []string, niches map[string]string) error {
	counts, err := t.cfg.Lookup.Counts(ctx, order)
	if err != nil {
		return fmt.Errorf("looking up %d accounts: %w", len(order), err)
	}
	t.stats.update(func(p *Progress) { p.Lookups++; p.LookedUp += int64(len(order)) })
	now := t.cfg.Now()
	var found []index.Tracked
	for _, c := range counts {
		did := c.Ref.ID
		if c.OptedOut {
			t.seen.set(did, seenTracked, now)
			continue
		}
		reason := ""
		switch {
		case c.Known && c.Followers >= t.cfg.FollowerFloor:
			reason = ReasonFloor
		case niches[did] != "":
			reason = ReasonNiche
		}
		if reason == "" {
			continue // below the floor: checked, looked up again after Recheck
		}
		if out, err := t.cfg.Store.IsOptedOut(ctx, creator.Bluesky, did, c.Ref.Handle); err != nil {
			return fmt.Errorf("checking opt-out of %s: %w", did, err)
		} else if out {
			t.seen.set(did, seenTracked, now)
			continue
		}
		ref := creator.Ref{Platform: creator.Bluesky, ID: did, Handle: c.Ref.Handle}
		found = append(found, index.Tracked{Key: creator.Key(ref), Ref: ref, Reason: reason, Followers: c.Followers, Since: now, CheckedAt: now})
	}
	if len(found) == 0 {
		return nil
	}
	keys := make([]string, len(found))
	for i := range found {
		keys[i] = found[i].Key
	}
	known, err := t.cfg.Store.GetTracked(ctx, keys)
	if err != nil {
		return err
	}
	var fresh []index.Tracked
	var crawled []string
	for _, f := range found {
		if _, ok := known[f.Key]; ok {
			t.seen.set(f.Ref.ID, seenTracked, now)
			continue
		}
		t.mu.Lock()
		ended := t.gone[f.Ref.ID]
		t.mu.Unlock()
		if ended {
			continue
		}
		// A creator stored already (found by a search) is tracked without
		// another crawl.
		if _, err := t.cfg.Store.Get(ctx, f.Key); err == nil {
			f.CrawlQueuedAt = now
			fresh = append(fresh, f)
			continue
		} else if !errors.Is(err, creator.ErrNotFound) {
			return err
		}
		if err := t.cfg.Crawler.EnqueueStream(ctx, f.Ref); err != nil {
			if errors.Is(err, creator.ErrOptedOut) || errors.Is(err, creator.ErrInvalid) {
				t.seen.set(f.Ref.ID, seenTracked, now)
				continue
			}
			return fmt.Errorf("queuing the crawl of %s: %w", f.Ref.ID, err)
		}
		f.CrawlQueuedAt = now
		fresh = append(fresh, f)
		crawled = append(crawled, f.Key)
	}
	// The rows are written at the next Flush, in one transaction with the
	// other batches' (before the cursor passes these events): a crash
	// before then replays the events, and the crawls queued here are not
	// queued twice (one task per creator) nor run twice (the creator is
	// stored by then, and tracked without a crawl).
	t.mu.Lock()
	t.fresh = append(t.fresh, fresh...)
	if len(crawled) > 0 && t.newKeys == nil {
		t.newKeys = map[string]bool{}
	}
	for _, k := range crawled {
		t.newKeys[k] = true
	}
	t.mu.Unlock()
	for _, f := range fresh {
		t.seen.set(f.Ref.ID, seenTracked, now)
	}
	t.stats.update(func(p *Progress) { p.Discovered += int64(len(crawled)) })
	return nil
}

// eraseIfKnown erases a creator the store holds or tracks; an account
// CreatorScout never stored costs a lookup, not an erasure.
func (t *Tracker) eraseIfKnown(ctx context.Context, ref creator.Ref) error {
	key := creator.Key(ref)
	_, err := t.cfg.Store.Get(ctx, key)
	switch {
	case err == nil:
	case errors.Is(err, creator.ErrNotFound):
		tr, err := t.cfg.Store.GetTracked(ctx, []string{key})
		if err != nil {
			return err
		}
		if len(tr) == 0 {
			return nil
		}
	default:
		return err
	}
	if err := t.cfg.Crawler.Erase(ctx, ref); err != nil {
		return fmt.Errorf("erasing %s: %w", ref.ID, err)
	}
	t.stats.update(func(p *Progress) { p.Erased++ })
	t.log.Info("jetstream: erased a creator whose account ended", "key", key)
	return nil
}

// refreshIdentities snapshots at once the tracked creators whose identity
// changed, which reads their new handle.
func (t *Tracker) refreshIdentities(ctx context.Context, dids map[string]bool) error {
	if len(dids) == 0 {
		return nil
	}
	keys := make([]string, 0, len(dids))
	for d := range dids {
		keys = append(keys, creator.Key(creator.Ref{Platform: creator.Bluesky, ID: d}))
	}
	known, err := t.cfg.Store.GetTracked(ctx, keys)
	if err != nil {
		return err
	}
	var due []index.Tracked
	for _, tr := range known {
		due = append(due, tr)
	}
	for start := 0; start < len(due); start += bluesky.MaxProfiles {
		if _, err := t.snapshot(ctx, due[start:min(start+bluesky.MaxProfiles, len(due))]); err != nil {
			return err
		}
	}
	return nil
}

// checkNiches queues a full crawl of a tracked creator whose post was
// about another niche than its record's, at most once per RecrawlAfter.
func (t *Tracker) checkNiches(ctx context.Context, niches map[string]string) error {
	if len(niches) == 0 {
		return nil
	}
	keys := make([]string, 0, len(niches))
	for d := range niches {
		keys = append(keys, creator.Key(creator.Ref{Platform: creator.Bluesky, ID: d}))
	}
	known, err := t.cfg.Store.GetTracked(ctx, keys)
	if err != nil {
		return err
	}
	now := t.cfg.Now()
	var changed []index.Tracked
	for _, tr := range known {
		if now.Sub(tr.CrawlQueuedAt) < t.cfg.RecrawlAfter {
			continue
		}
		rec, err := t.cfg.Store.Get(ctx, tr.Key)
		if errors.Is(err, creator.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if rec.Scores.PrimaryNiche == "" || rec.Scores.PrimaryNiche == niches[tr.Ref.ID] {
			continue
		}
		if err := t.cfg.Crawler.EnqueueStream(ctx, tr.Ref); err != nil && !errors.Is(err, creator.ErrOptedOut) {
			return err
		}
		tr.CrawlQueuedAt = now
		changed = append(changed, tr)
	}
	if err := t.cfg.Store.PutTracked(ctx, changed); err != nil {
		return err
	}
	t.stats.update(func(p *Progress) { p.SpikeCrawls += int64(len(changed)) })
	return nil
}

// RunSnapshots takes the count-only snapshots that fall due, every
// interval (0 means a minute), until ctx ends.
func (t *Tracker) RunSnapshots(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = time.Minute
	}
	for {
		if n, err := t.SnapshotDue(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			t.log.Warn("jetstream: count-only snapshots", "err", err)
			t.stats.update(func(p *Progress) { p.LastError = err.Error() })
		} else if n > 0 {
			t.log.Info("jetstream: count-only snapshots", "creators", n)
		}
		if !sleep(ctx, interval) {
			return ctx.Err()
		}
	}
}

// SnapshotDue snapshots, by getProfiles batches of 25, every tracked
// creator last checked SnapshotEvery ago or more, and returns how many it
// checked.
func (t *Tracker) SnapshotDue(ctx context.Context) (int, error) {
	n := 0
	for ctx.Err() == nil {
		due, err := t.cfg.Store.DueTracked(ctx, t.cfg.Now().Add(-t.cfg.SnapshotEvery), 20*bluesky.MaxProfiles)
		if err != nil {
			return n, err
		}
		if len(due) == 0 {
			break
		}
		round := 0
		for start := 0; start < len(due); start += bluesky.MaxProfiles {
			got, err := t.snapshot(ctx, due[start:min(start+bluesky.MaxProfiles, len(due))])
			n += got
			round += got
			if err != nil {
				return n, err
			}
		}
		if round == 0 {
			break // every creator due is being crawled: the next pass takes them
		}
	}
	t.countTracked(ctx)
	return n, ctx.Err()
}

// historyRead is how many snapshots the spike check reads.
const historyRead = 90

// snapshot looks up one batch of tracked creators (at most MaxProfiles)
// and writes a count-only snapshot of each stored one, with its handle
// as the AppView now gives it; a spike in followers queues a full crawl.
// Each creator's record is read and written under the crawl's
// per-creator write lock, so that a crawl finishing meanwhile is not
// overwritten by the older record with new counts; a creator whose lock a
// crawl holds is skipped (it stays due, and the crawl stores fresh counts
// itself). It returns how many creators it checked.
func (t *Tracker) snapshot(ctx context.Context, batch []index.Tracked) (int, error) {
	dids := make([]string, len(batch))
	for i := range batch {
		dids[i] = batch[i].Ref.ID
	}
	counts, err := t.cfg.Lookup.Counts(ctx, dids)
	if err != nil {
		return 0, fmt.Errorf("looking up %d tracked creators: %w", len(dids), err)
	}
	t.stats.update(func(p *Progress) { p.Lookups++; p.LookedUp += int64(len(dids)) })
	by := make(map[string]bluesky.Counts, len(counts))
	for _, c := range counts {
		by[c.Ref.ID] = c
	}
	now := t.cfg.Now().UTC()
	var (
		rows     []index.Tracked
		writes   []index.Write
		handles  int64
		spikes   int64
		toCrawl  []creator.Ref
		erasures []creator.Ref
		skipped  int
	)
	// The writes below end if any lock they are made under is lost.
	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	for _, tr := range batch {
		c, ok := by[tr.Ref.ID]
		tr.CheckedAt = now
		if !ok {
			rows = append(rows, tr) // not answered for (taken down, hidden): tomorrow again
			continue
		}
		if c.OptedOut {
			erasures = append(erasures, tr.Ref)
			continue
		}
		if out, err := t.cfg.Store.IsOptedOut(ctx, creator.Bluesky, tr.Ref.ID, c.Ref.Handle); err != nil {
			return 0, err
		} else if out {
			erasures = append(erasures, tr.Ref)
			continue
		}
		lctx, release, ok, err := t.cfg.Crawler.LockCreator(ctx, tr.Key)
		if err != nil {
			return 0, fmt.Errorf("locking %s for its count-only snapshot: %w", tr.Key, err)
		}
		if !ok {
			skipped++
			continue
		}
		defer release()
		stop := context.AfterFunc(lctx, func() {
			cancel(fmt.Errorf("the write lock of %s was lost: %w", tr.Key, context.Cause(lctx)))
		})
		defer stop()
		if c.Ref.Handle != tr.Ref.Handle {
			handles++
			tr.Ref.Handle = c.Ref.Handle
		}
		if c.Known {
			tr.Followers = c.Followers
		}
		rec, err := t.cfg.Store.Get(ctx, tr.Key)
		if errors.Is(err, creator.ErrNotFound) || (err == nil && !c.Known) {
			rows = append(rows, tr) // not crawled yet, or no counts: nothing to snapshot
			continue
		}
		if err != nil {
			return 0, err
		}
		hist, err := t.cfg.Store.History(ctx, tr.Key, historyRead)
		if err != nil {
			return 0, err
		}
		snap := creator.Snapshot{At: now, Followers: c.Followers, Following: c.Following, PostsCount: c.Posts}
		if len(hist) > 0 {
			last := hist[len(hist)-1]
			// Scores are the last full crawl's: carried, not recomputed.
			snap.Authenticity, snap.PrimaryNiche = last.Authenticity, last.PrimaryNiche
		}
		rec.Profile.Ref.Handle = tr.Ref.Handle
		rec.Profile.URL = bluesky.ProfileURL(tr.Ref.ID, tr.Ref.Handle)
		rec.Profile.Followers, rec.Profile.Following, rec.Profile.PostsCount = c.Followers, c.Following, c.Posts
		rec.Profile.UnknownCounts = nil
		rec.UpdatedAt = now
		writes = append(writes, index.Write{Record: rec, Snapshot: snap})
		if spiked(hist, snap, now) && now.Sub(tr.CrawlQueuedAt) >= 24*time.Hour {
			toCrawl = append(toCrawl, tr.Ref)
			tr.CrawlQueuedAt = now
			spikes++
		}
		rows = append(rows, tr)
	}
	if err := t.cfg.Store.UpsertMany(wctx, writes); err != nil {
		if cause := context.Cause(wctx); cause != nil && ctx.Err() == nil {
			err = cause
		}
		return 0, fmt.Errorf("writing %d count-only snapshots: %w", len(writes), err)
	}
	for _, ref := range toCrawl {
		if err := t.cfg.Crawler.EnqueueStream(ctx, ref); err != nil && !errors.Is(err, creator.ErrOptedOut) {
			return 0, err
		}
	}
	if err := t.cfg.Store.PutTracked(ctx, rows); err != nil {
		return 0, err
	}
	for _, ref := range erasures {
		if err := t.cfg.Crawler.Erase(ctx, ref); err != nil {
			return 0, fmt.Errorf("erasing %s: %w", ref.ID, err)
		}
		t.seen.set(ref.ID, seenTracked, now)
	}
	t.stats.update(func(p *Progress) {
		p.Snapshots += int64(len(writes))
		p.Handles += handles
		p.SpikeCrawls += spikes
		p.Erased += int64(len(erasures))
	})
	return len(batch) - skipped, nil
}

// spiked reports whether the follower change into snap is a spike by the
// growth scorer (viral, suspicious or a drop).
func spiked(hist []creator.Snapshot, snap creator.Snapshot, now time.Time) bool {
	g := scoring.Growth(hist, snap, now)
	for _, s := range g.Spikes {
		if s.To.Equal(snap.At) {
			return true
		}
	}
	return false
}
