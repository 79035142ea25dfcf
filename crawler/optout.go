package crawler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// OptOutRequest names a creator who asks not to be collected: a platform
// and a handle, a platform-native id, or a profile URL.
type OptOutRequest struct {
	Platform string `json:"platform"`
	Handle   string `json:"handle,omitempty"`
	ID       string `json:"id,omitempty"`
	URL      string `json:"url,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// OptOutResult says what an opt-out did.
type OptOutResult struct {
	OptOut index.OptOut `json:"opt_out"`
	// Erased lists the store keys erased.
	Erased []string `json:"erased"`
}

// ParseProfileURL turns a profile URL into a Ref with a handle or id:
// https://bsky.app/profile/<handle-or-did>, https://<instance>/@user,
// https://www.instagram.com/<username>/ and https://www.twitch.tv/<login>
// (their site pages, such as /p/... or /videos/..., are not profiles).
func ParseProfileURL(raw string) (creator.Ref, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return creator.Ref{}, fmt.Errorf("parsing profile url: %w: url: not an http(s) URL", creator.ErrInvalid)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	host := strings.ToLower(u.Hostname())
	switch {
	case (u.Host == "bsky.app" || u.Host == "staging.bsky.app") && len(parts) >= 2 && parts[0] == "profile" && parts[1] != "":
		if strings.HasPrefix(parts[1], "did:") {
			return creator.Ref{Platform: creator.Bluesky, ID: parts[1]}, nil
		}
		return creator.Ref{Platform: creator.Bluesky, Handle: strings.ToLower(parts[1])}, nil
	case (host == "instagram.com" || host == "www.instagram.com") && len(parts) == 1 && instagramUserRE.MatchString(parts[0]) && !instagramPages[strings.ToLower(parts[0])]:
		return creator.Ref{Platform: creator.Instagram, Handle: strings.ToLower(parts[0])}, nil
	case (host == "twitch.tv" || host == "www.twitch.tv" || host == "m.twitch.tv") && len(parts) == 1 && twitchLoginRE.MatchString(parts[0]) && !twitchPages[strings.ToLower(parts[0])]:
		return creator.Ref{Platform: creator.Twitch, Handle: strings.ToLower(parts[0])}, nil
	case len(parts) >= 1 && strings.HasPrefix(parts[0], "@") && len(parts[0]) > 1:
		acct := parts[0][1:]
		if !strings.Contains(acct, "@") {
			acct += "@" + u.Hostname() // a local account; /@user@other.host is a remote one
		}
		return creator.Ref{Platform: creator.Mastodon, Handle: strings.ToLower(acct)}, nil
	}
	return creator.Ref{}, fmt.Errorf("parsing profile url: %w: url: not a profile URL this crawler knows", creator.ErrInvalid)
}

// OptOut records that a creator opted out, durably, then erases
// everything stored about the creator; errors of the store wrap
// creator.ErrUnavailable. Discovery and crawls check the list
// before fetching, so nothing about the creator is collected again.
func (p *Pipeline) OptOut(ctx context.Context, req OptOutRequest) (_ *OptOutResult, err error) {
	// A store that fails: the opt-out may be sent again (it is idempotent).
	defer func() { err = creator.Unavailable(err) }()
	ref := creator.Ref{Platform: strings.ToLower(strings.TrimSpace(req.Platform)), ID: strings.TrimSpace(req.ID),
		Handle: strings.ToLower(strings.TrimPrefix(strings.TrimSpace(req.Handle), "@"))}
	if req.URL != "" {
		r, err := ParseProfileURL(req.URL)
		if err != nil {
			return nil, err
		}
		if ref.Platform != "" && ref.Platform != r.Platform {
			return nil, fmt.Errorf("opting out: %w: platform: %q does not match the URL's %q", creator.ErrInvalid, ref.Platform, r.Platform)
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
		return nil, fmt.Errorf("opting out: %w: platform: required", creator.ErrInvalid)
	}
	// Any platform this project knows, configured here or not: an opt-out
	// recorded now still holds when the operator enables that source.
	switch ref.Platform {
	case creator.Bluesky, creator.Mastodon, creator.YouTube, creator.Twitch, creator.Instagram, creator.Web:
	default:
		return nil, fmt.Errorf("opting out: %w: platform: unknown platform %.32q", creator.ErrInvalid, ref.Platform)
	}
	if ref.Platform == creator.Mastodon {
		ref.ID = strings.ToLower(ref.ID) // accts are stored lower-cased
	}
	if ref.ID == "" && ref.Handle == "" {
		return nil, fmt.Errorf("opting out: %w: handle: a handle, id or url is required", creator.ErrInvalid)
	}
	if len(ref.Handle) > 256 || len(ref.ID) > 512 || len(req.Reason) > 1000 {
		return nil, fmt.Errorf("opting out: %w: handle: too long", creator.ErrInvalid)
	}
	// Find stored records: by id, and by handle.
	keys := map[string]bool{}
	if ref.ID != "" {
		keys[creator.Key(ref)] = true
	}
	if ref.Handle != "" {
		found, err := p.keysByHandle(ctx, ref.Platform, ref.Handle)
		if err != nil {
			return nil, err
		}
		for _, k := range found {
			keys[k] = true
		}
	}
	if req.URL != "" {
		// The stored profile URL, exactly, wherever the URL's own form
		// points.
		hits, err := index.ByProfileURL(ctx, p.cfg.Store, req.URL)
		if err != nil && !errors.Is(err, creator.ErrInvalid) {
			return nil, fmt.Errorf("finding %s: %w", req.URL, err)
		}
		for _, h := range hits {
			if h.Profile.Ref.Platform == ref.Platform {
				keys[h.Key] = true
			}
		}
	}
	o := index.OptOut{Platform: ref.Platform, ID: ref.ID, Handle: ref.Handle, Reason: req.Reason, CreatedAt: p.cfg.Now().UTC(), RecordedBy: index.ActorFrom(ctx)}
	// Learn the id from a stored record so a later rename does not escape.
	if o.ID == "" {
		for k := range keys {
			if rec, err := p.cfg.Store.Get(ctx, k); err == nil {
				o.ID = rec.Profile.Ref.ID
			}
		}
	}
	// Record first: if the erasure fails half way, the creator is already
	// blocked from collection and the erasure can be repeated.
	if err := p.cfg.Store.AddOptOut(ctx, &o); err != nil {
		return nil, fmt.Errorf("recording opt-out: %w", err)
	}
	// The erasure must finish even if the caller goes away.
	ctx = context.WithoutCancel(ctx)
	all := []string{}
	for k := range keys {
		all = append(all, k)
	}
	who := creator.Ref{Platform: o.Platform, ID: o.ID, Handle: o.Handle}
	// Job items first, so that they still count once re-keyed (Delete
	// drops the items under the creator's key); again after, for the log.
	if err := p.scrub(ctx, who, all); err != nil {
		return nil, err
	}
	res := &OptOutResult{OptOut: o, Erased: []string{}}
	for k := range keys {
		if _, err := p.cfg.Store.Get(ctx, k); errors.Is(err, creator.ErrNotFound) {
			continue
		}
		if err := p.cfg.Store.Delete(ctx, k); err != nil {
			return nil, fmt.Errorf("erasing %s: %w", k, err)
		}
		res.Erased = append(res.Erased, k)
	}
	if err := p.scrub(ctx, who, all); err != nil {
		return nil, err
	}
	return res, nil
}

// scrub removes what job records keep of ref (and of the store keys
// given) when the store can (index.Scrubber): job items and requests that
// name the creator. Erasure calls it after deleting the records.
func (p *Pipeline) scrub(ctx context.Context, ref creator.Ref, keys []string) error {
	sc, ok := p.cfg.Store.(index.Scrubber)
	if !ok {
		return nil
	}
	if ref.ID != "" {
		keys = append(keys, refItemKey(creator.Ref{Platform: ref.Platform, ID: ref.ID}))
	}
	if ref.Handle != "" {
		keys = append(keys, refItemKey(creator.Ref{Platform: ref.Platform, Handle: ref.Handle}))
	}
	if err := sc.ScrubCreator(context.WithoutCancel(ctx), ref, keys); err != nil {
		return fmt.Errorf("erasing job records of %s: %w", ref, err)
	}
	return nil
}

// optedOutItem is the job item of a discovered creator who opted out: it
// counts as skipped, under a key derived from the job and the creator that
// names neither (so a retried discovery writes the same item again).
func optedOutItem(jobID string, r creator.Ref, now time.Time) *index.JobItem {
	sum := sha256.Sum256([]byte(jobID + "\x00" + refItemKey(r)))
	return &index.JobItem{JobID: jobID, Key: "optedout-" + hex.EncodeToString(sum[:8]), State: index.ItemSkipped, Error: "opted out", UpdatedAt: now}
}

// eraseRef deletes whatever is stored about ref: by its id, and by its
// handle when that is all a caller knew.
func (p *Pipeline) eraseRef(ctx context.Context, ref creator.Ref) error {
	ctx = context.WithoutCancel(ctx)
	var keys []string
	if ref.ID != "" {
		keys = append(keys, creator.Key(ref))
	}
	if ref.Handle != "" {
		found, err := p.keysByHandle(ctx, ref.Platform, ref.Handle)
		if err != nil {
			return err
		}
		keys = append(keys, found...)
	}
	for _, k := range keys {
		if err := p.cfg.Store.Delete(ctx, k); err != nil {
			return fmt.Errorf("erasing %s: %w", k, err)
		}
	}
	return p.scrub(ctx, ref, keys)
}

// keysByHandle finds stored creators of a platform with this handle.
func (p *Pipeline) keysByHandle(ctx context.Context, platform, handle string) ([]string, error) {
	hits, err := index.ByHandle(ctx, p.cfg.Store, platform, handle)
	if err != nil {
		return nil, fmt.Errorf("finding %s on %s: %w", handle, platform, err)
	}
	keys := make([]string, len(hits))
	for i, h := range hits {
		keys[i] = h.Key
	}
	return keys, nil
}

// TypePurge is the task that deletes data past its source's retention.
const TypePurge = "maintenance:purge"

// NewPurgeTask returns the purge task for the hour containing at; one per
// hour runs however many schedulers enqueue it.
func NewPurgeTask(at time.Time) *asynq.Task {
	return asynq.NewTask(TypePurge, nil, asynq.Queue(QueueMaintenance), asynq.MaxRetry(3),
		asynq.TaskID("purge-"+at.UTC().Format("2006010215")))
}

// HandlePurge deletes every stored creator whose source's policy keeps
// data for a limited time and whose last crawl is older than that.
func (p *Pipeline) HandlePurge(ctx context.Context, _ *asynq.Task) error {
	n, err := p.Purge(ctx)
	if n > 0 {
		p.log.Info("purged data past retention", "creators", n)
	}
	return err
}

// Purge deletes stored creators past their source's retention and
// reports how many.
func (p *Pipeline) Purge(ctx context.Context) (int, error) {
	total := 0
	for name, src := range p.cfg.Sources {
		ret := src.Policy().Retention
		if ret <= 0 {
			continue
		}
		cutoff := float64(p.cfg.Now().Add(-ret).Unix())
		f := index.And(index.Eq("platform", name), index.Range("updated_at", nil, &cutoff))
		for {
			res, err := p.cfg.Store.Search(ctx, index.Query{Filter: &f, PerPage: index.MaxPerPage})
			if err != nil {
				return total, fmt.Errorf("finding %s data past retention: %w", name, err)
			}
			for _, h := range res.Hits {
				if err := p.cfg.Store.Delete(ctx, h.Key); err != nil {
					return total, fmt.Errorf("purging %s: %w", h.Key, err)
				}
				total++
			}
			if len(res.Hits) < index.MaxPerPage {
				break
			}
		}
	}
	return total, nil
}

// EnqueuePurge queues this hour's purge task; a purge already queued for
// the hour is left as it is.
func (p *Pipeline) EnqueuePurge(ctx context.Context) error {
	if _, err := p.q.EnqueueContext(ctx, NewPurgeTask(p.cfg.Now())); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueuing purge: %w", err)
	}
	return nil
}

var (
	instagramUserRE = regexp.MustCompile(`^[A-Za-z0-9._]{1,30}$`)
	twitchLoginRE   = regexp.MustCompile(`^[A-Za-z0-9_]{1,25}$`)
	// instagramPages and twitchPages are first path segments of the sites'
	// own pages, which are not accounts.
	instagramPages = map[string]bool{"p": true, "reel": true, "reels": true, "explore": true, "stories": true,
		"accounts": true, "direct": true, "about": true, "legal": true, "developer": true, "tv": true}
	twitchPages = map[string]bool{"videos": true, "directory": true, "p": true, "settings": true, "downloads": true,
		"jobs": true, "search": true, "subscriptions": true, "inventory": true, "wallet": true, "turbo": true}
)
