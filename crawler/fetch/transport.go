package fetch

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/creatorscout/scout/creator"
)

// gate is the client's http.RoundTripper: the chokepoint every request,
// including each redirect hop, passes.
type gate Client

// RoundTrip implements http.RoundTripper.
func (g *gate) RoundTrip(req *http.Request) (*http.Response, error) {
	c := (*Client)(g)
	ctx := req.Context()
	u := req.URL
	if u.Scheme != "http" && u.Scheme != "https" {
		closeBody(req)
		return nil, fmt.Errorf("fetching %s: %w: scheme must be http or https", redact(u), creator.ErrForbidden)
	}
	if left, ok := BudgetLeft(ctx); ok && left <= 0 {
		closeBody(req)
		return nil, fmt.Errorf("fetching %s: %w", redact(u), ErrBudgetSpent)
	}
	var crawlDelay time.Duration
	if c.robotsApply(ctx, req.Method) {
		var err error
		if crawlDelay, err = c.checkRobots(ctx, u); err != nil {
			closeBody(req)
			return nil, err
		}
	}
	var maxRate float64
	if crawlDelay > 0 {
		maxRate = 1 / crawlDelay.Seconds()
	}
	waitStart := time.Now()
	if err := c.wait(ctx, u, maxRate); err != nil {
		closeBody(req)
		return nil, err
	}
	if c.obs != nil {
		c.obs.Waited(u.Host, time.Since(waitStart))
	}
	if !takePage(ctx) {
		closeBody(req)
		return nil, fmt.Errorf("fetching %s: %w", redact(u), ErrBudgetSpent)
	}
	resp, err := c.send(req)
	if c.obs != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		c.obs.Fetched(u.Host, status, err)
	}
	return resp, err
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

func (c *Client) robotsApply(ctx context.Context, method string) bool {
	if method != "" && method != http.MethodGet && method != http.MethodHead {
		return false
	}
	if on, set := robotsFrom(ctx); set {
		return on
	}
	return c.robots
}

// send sends one request with the User-Agent and timeouts, records what the
// response announces, and wraps its body with the size and read limits.
func (c *Client) send(req *http.Request) (*http.Response, error) {
	u := req.URL
	ctx, cancel := context.WithCancelCause(req.Context())
	ctx, cancelTotal := context.WithTimeoutCause(ctx, c.total, fmt.Errorf("%w: no complete response within %s", ErrTimeout, c.total))
	stop := func(err error) { cancel(err); cancelTotal() }
	out := req.Clone(ctx)
	out.Header.Set("User-Agent", c.ua)
	// Let the transport negotiate gzip itself so that it decompresses, and
	// the body limit counts decompressed bytes.
	out.Header.Del("Accept-Encoding")
	resp, err := c.base.RoundTrip(out)
	if err != nil {
		stop(nil)
		if cause := context.Cause(ctx); cause != nil && errors.Is(cause, ErrTimeout) {
			return nil, fmt.Errorf("fetching %s: %w", redact(u), cause)
		}
		var te interface{ Timeout() bool }
		if errors.As(err, &te) && te.Timeout() && req.Context().Err() == nil {
			return nil, fmt.Errorf("fetching %s: %w: %v", redact(u), ErrTimeout, err)
		}
		return nil, fmt.Errorf("fetching %s: %w", redact(u), err)
	}
	c.observe(req.Context(), u, resp)
	if resp.ContentLength > c.maxBody {
		resp.Body.Close()
		stop(nil)
		return nil, fmt.Errorf("fetching %s: %w: content length %d over the %d-byte limit", redact(u), creator.ErrTooLarge, resp.ContentLength, c.maxBody)
	}
	var body io.ReadCloser = resp.Body
	if !resp.Uncompressed && strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip") {
		// Sent compressed although not asked to: decompress here so the
		// limit still counts decompressed bytes.
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			resp.Body.Close()
			stop(nil)
			return nil, fmt.Errorf("fetching %s: %w: bad gzip: %v", redact(u), creator.ErrMalformed, err)
		}
		body = &gzipBody{zr: zr, raw: resp.Body}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	}
	resp.Body = &limitedBody{
		rc:    body,
		left:  c.maxBody,
		max:   c.maxBody,
		url:   u,
		ctx:   ctx,
		stop:  stop,
		idle:  c.read,
		timer: time.AfterFunc(c.read, func() { cancel(fmt.Errorf("%w: no body data for %s", ErrTimeout, c.read)) }),
	}
	return resp, nil
}

type gzipBody struct {
	zr  *gzip.Reader
	raw io.ReadCloser
}

func (g *gzipBody) Read(p []byte) (int, error) { return g.zr.Read(p) }
func (g *gzipBody) Close() error {
	g.zr.Close()
	return g.raw.Close()
}

// limitedBody fails reads past the body limit with creator.ErrTooLarge,
// fails reads after an idle or total timeout with ErrTimeout, and releases
// the request's context when closed.
type limitedBody struct {
	rc    io.ReadCloser
	left  int64
	max   int64
	url   *url.URL // redacted only when an error names it
	ctx   context.Context
	stop  func(error)
	idle  time.Duration
	timer *time.Timer

	mu     sync.Mutex
	closed bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, fmt.Errorf("reading body of %s: %w: over the %d-byte limit", redact(b.url), creator.ErrTooLarge, b.max)
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	b.timer.Reset(b.idle)
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n + int(b.left), fmt.Errorf("reading body of %s: %w: over the %d-byte limit", redact(b.url), creator.ErrTooLarge, b.max)
	}
	if err != nil && err != io.EOF {
		if cause := context.Cause(b.ctx); cause != nil && errors.Is(cause, ErrTimeout) {
			return n, fmt.Errorf("reading body of %s: %w", redact(b.url), cause)
		}
		return n, fmt.Errorf("reading body of %s: %w", redact(b.url), err)
	}
	return n, err
}

func (b *limitedBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	b.timer.Stop()
	err := b.rc.Close()
	b.stop(nil)
	return err
}

// rateKey is the key of u's host, and of the credential in ctx if any.
func rateKey(ctx context.Context, u *url.URL) string {
	k := strings.ToLower(u.Host)
	if cred := credentialFrom(ctx); cred != "" {
		k += "#" + cred
	}
	return k
}

// wait blocks until u's host may be sent a request: it waits out a host
// pause shorter than the client's longest wait, spends the daily quota and
// takes a token from the host's rate limit, at most maxRate requests per
// second when maxRate > 0 (a robots.txt Crawl-delay). It fails with an
// error wrapping *creator.RetryAfter when the pause is longer or the quota
// is spent.
func (c *Client) wait(ctx context.Context, u *url.URL, maxRate float64) error {
	key := rateKey(ctx, u)
	pol := c.policy(u)
	var adapted float64
	for {
		until, rps, err := c.hostState(ctx, key)
		if err != nil {
			return fmt.Errorf("fetching %s: %w", redact(u), err)
		}
		adapted = rps
		now := c.now()
		if !until.After(now) {
			break
		}
		d := until.Sub(now)
		dl, hasDL := ctx.Deadline()
		if d > c.maxWait || (hasDL && dl.Before(until)) {
			return fmt.Errorf("fetching %s: host %s paused: %w", redact(u), key, &creator.RetryAfter{Until: until})
		}
		if err := c.sleep(ctx, d); err != nil {
			return fmt.Errorf("fetching %s: waiting out pause: %w", redact(u), err)
		}
	}
	if pol.DailyQuota > 0 {
		loc := pol.QuotaLocation
		if loc == nil {
			loc = time.UTC
		}
		now := c.now().In(loc)
		day := now.Format("2006-01-02")
		next := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, loc)
		ok, err := c.coord.spend(ctx, key+":"+day, costFrom(ctx), int64(pol.DailyQuota), next.Sub(now)+time.Hour)
		if err != nil {
			return fmt.Errorf("fetching %s: %w", redact(u), err)
		}
		if !ok {
			return fmt.Errorf("fetching %s: %w", redact(u), &creator.RetryAfter{Until: next, Err: ErrQuotaSpent})
		}
	}
	rate, burst := pol.Rate, pol.Burst
	for _, lower := range []float64{adapted, maxRate} {
		if lower > 0 && (rate <= 0 || lower < rate) {
			rate, burst = lower, 1
		}
	}
	if rate <= 0 {
		return nil
	}
	lim := rateLimit{Interval: intervalFor(rate * headroom), Burst: max(burst, 1)}
	if err := c.take(ctx, key, lim); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("fetching %s: waiting for rate limit: %w", redact(u), err)
		}
		return fmt.Errorf("fetching %s: %w", redact(u), err)
	}
	return nil
}

// ErrQuotaSpent reports that a host's daily quota would be passed by a
// request; it wraps creator.ErrRateLimited.
var ErrQuotaSpent = fmt.Errorf("daily quota spent: %w", creator.ErrRateLimited)

// observe records what a response announces about the rate limit: a 429
// (or a 503 with Retry-After) pauses the host for every worker until the
// announced time; another 5xx pauses it for the first backoff delay; an
// exhausted announced limit pauses it until the reset; a lower announced
// rate lowers the host's rate until the reset.
func (c *Client) observe(ctx context.Context, u *url.URL, resp *http.Response) {
	key := rateKey(ctx, u)
	now := c.now()
	limitPause := func(t time.Time) time.Time {
		return minTime(t, now.Add(maxAnnouncedPause))
	}
	_, hasRA := parseRetryAfter(resp.Header, now)
	if resp.StatusCode == http.StatusTooManyRequests || (resp.StatusCode == http.StatusServiceUnavailable && hasRA) {
		until := limitPause(resetFrom(resp.Header, now, now.Add(defaultPause)))
		_ = c.setPause(ctx, key, until, now)
		return
	}
	if resp.StatusCode >= 500 && resp.StatusCode <= 599 && resp.StatusCode != http.StatusNotImplemented {
		// Back off for every worker, briefly: the server is struggling.
		_ = c.setPause(ctx, key, now.Add(c.backoff), now)
	}
	if pct, regain, ok := parseMetaUsage(resp.Header, now); ok {
		c.observeMeta(ctx, key, u, pct, regain, now)
	}
	a := parseAnnounced(resp.Header, now)
	if !a.HasReset || !a.Reset.After(now) || a.Remaining < 0 {
		return
	}
	if a.Remaining == 0 {
		_ = c.setPause(ctx, key, limitPause(a.Reset), now)
		return
	}
	rps := float64(a.Remaining) / a.Reset.Sub(now).Seconds()
	if pol := c.policy(u); pol.Rate <= 0 || rps < pol.Rate {
		_ = c.setAdapt(ctx, key, rps, limitPause(a.Reset), now)
	} else if _, adapted, err := c.hostState(ctx, key); err == nil && adapted > 0 {
		// The announced rate is back above the policy's: drop the adaptation.
		_ = c.setAdapt(ctx, key, 0, now.Add(time.Second), now)
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// observeMeta applies Meta's usage headers to key for every worker: at
// full usage the host (or credential) is paused until access is regained
// (metaDefaultPause when no time is given); from metaSlowFrom on, its rate
// is cut linearly towards zero, for the rest of the rolling hour.
func (c *Client) observeMeta(ctx context.Context, key string, u *url.URL, pct float64, regain, now time.Time) {
	switch {
	case pct >= metaFull || regain.After(now):
		if !regain.After(now) {
			regain = now.Add(metaDefaultPause)
		}
		_ = c.setPause(ctx, key, minTime(regain, now.Add(maxAnnouncedPause)), now)
	case pct >= metaSlowFrom:
		pol := c.policy(u)
		if pol.Rate <= 0 {
			return
		}
		rps := pol.Rate * (metaFull - pct) / (metaFull - metaSlowFrom)
		_ = c.setAdapt(ctx, key, rps, now.Add(time.Hour), now)
	}
}
