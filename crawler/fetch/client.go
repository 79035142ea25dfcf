package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/creator"
)

// DefaultUserAgent names the project and where to reach its maintainers.
const DefaultUserAgent = "CreatorScout/0.1 (+https://github.com/creatorscout/scout)"

// DefaultMaxBodyBytes is the default limit on a decompressed response body.
const DefaultMaxBodyBytes = 10 << 20

// headroom is the share of a configured or announced rate the client aims
// at, so that network jitter between the limiter and the server (up to
// about a tenth of a second at 10 requests per second) does not push one of
// the server's windows over the limit.
const headroom = 0.9

// maxAnnouncedPause caps how long an announced reset may pause a host.
const maxAnnouncedPause = 24 * time.Hour

// defaultPause is how long a 429 without any reset information pauses a host.
const defaultPause = 5 * time.Second

// HostPolicy is the politeness policy for one host.
type HostPolicy struct {
	// Rate is the requests per second all workers together may send; 0 or
	// less means no rate limit.
	Rate float64
	// Burst is how many requests may go at once; 0 means 1.
	Burst int
	// DailyQuota, when > 0, caps the units (requests unless WithCost says
	// otherwise) spent per day; work is refused before the quota is passed.
	DailyQuota int
	// QuotaLocation is where the quota's day starts at midnight (YouTube:
	// America/Los_Angeles); nil means UTC.
	QuotaLocation *time.Location
}

// DefaultHostPolicy applies to hosts without a policy of their own: one
// request per second with bursts of up to 5, polite for web sites.
var DefaultHostPolicy = HostPolicy{Rate: 1, Burst: 5}

// StatusError reports a response status the caller did not expect.
type StatusError struct {
	StatusCode int
	// URL is the request URL with credentials in its query redacted.
	URL string
	// Body is the start of the response body (at most StatusBodyMax
	// bytes), for the error code APIs put there; nil when unread.
	Body []byte
}

// StatusBodyMax is how much of an unexpected response's body a
// *StatusError keeps.
const StatusBodyMax = 2 << 10

// Error implements error.
func (e *StatusError) Error() string {
	return fmt.Sprintf("unexpected status %d %s from %s", e.StatusCode, http.StatusText(e.StatusCode), e.URL)
}

// ErrTimeout reports a connect, read or total timeout.
var ErrTimeout = errors.New("timed out")

// Response is a fully read response.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// URL is the final URL, after redirects.
	URL *url.URL
}

// Client is the outbound HTTP client. Build it with New; it is safe for
// concurrent use.
type Client struct {
	ua, agent     string
	connect, read time.Duration
	total         time.Duration
	maxBody       int64
	maxRetries    int
	maxWait       time.Duration
	backoff       time.Duration
	backoffMax    time.Duration
	maxRedirects  int
	now           func() time.Time
	sleep         func(context.Context, time.Duration) error
	guard         Guard
	rdb           redis.UniversalClient
	prefix        string
	robots        bool
	robotsTTL     time.Duration
	robotsRetry   time.Duration
	base          http.RoundTripper
	coord         coord
	pools         sync.Map // rate-limit slots reserved, by host and limit (*slotPool)
	states        sync.Map // host state read lately, by host (cachedState)
	hc            *http.Client
	robotsCache   *robotsCache
	obs           Observer
	hostsMu       sync.RWMutex
	hosts         map[string]HostPolicy
	defaultPolicy HostPolicy
}

// Option configures a Client.
type Option func(*Client)

// WithUserAgent sets the User-Agent sent on every request; it should name
// the project and a contact URL. Its product token (before the first "/")
// is the agent matched in robots.txt. Default DefaultUserAgent.
func WithUserAgent(ua string) Option { return func(c *Client) { c.ua = ua } }

// WithTimeouts sets the connect timeout (dial and TLS handshake), the read
// timeout (waiting for response headers, and for each read of the body) and
// the total timeout of one request including its body. Zero leaves a value
// at its default: 10 s, 30 s and 60 s.
func WithTimeouts(connect, read, total time.Duration) Option {
	return func(c *Client) {
		if connect > 0 {
			c.connect = connect
		}
		if read > 0 {
			c.read = read
		}
		if total > 0 {
			c.total = total
		}
	}
}

// WithMaxBodyBytes limits decompressed response bodies; a longer body fails
// with an error wrapping creator.ErrTooLarge. Default DefaultMaxBodyBytes.
func WithMaxBodyBytes(n int64) Option { return func(c *Client) { c.maxBody = n } }

// WithRetries sets how many times a request is retried after a 429, a 5xx
// or a transient network error (default 3), and the longest the client
// waits for a retry or a host pause before giving up with an error wrapping
// *creator.RetryAfter (default 30 s).
func WithRetries(n int, maxWait time.Duration) Option {
	return func(c *Client) {
		c.maxRetries = n
		if maxWait > 0 {
			c.maxWait = maxWait
		}
	}
}

// WithBackoff sets the first retry delay after a 5xx or network error and
// its cap; each retry doubles it, and each delay is drawn from the upper
// half of its step (see Backoff). Default 500 ms and 30 s.
func WithBackoff(first, limit time.Duration) Option {
	return func(c *Client) { c.backoff, c.backoffMax = first, limit }
}

// WithClock sets the clock; default time.Now.
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// WithSleep sets how the client waits; it must return early with ctx's
// error when ctx ends. Default a timer. Tests inject one that advances a
// fake clock.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) { c.sleep = sleep }
}

// WithAllowNets lets the SSRF guard reach the given networks
// (SCOUT_ALLOW_PRIVATE_NETS=127.0.0.0/8 for tests and the demo; see
// ParseNets). Off by default.
func WithAllowNets(nets ...netip.Prefix) Option {
	return func(c *Client) { c.guard.Allow = append(c.guard.Allow, nets...) }
}

// WithResolver sets the resolver the SSRF guard uses; default
// net.DefaultResolver.
func WithResolver(r Resolver) Option { return func(c *Client) { c.guard.Resolver = r } }

// WithRedis shares rate limits, host pauses, adapted rates, quotas and the
// robots.txt cache through rdb, so they hold for every worker using it.
// Without it the state lives in the process.
func WithRedis(rdb redis.UniversalClient) Option { return func(c *Client) { c.rdb = rdb } }

// WithKeyPrefix sets the prefix of the client's Redis keys; default
// "scout:fetch:". Clients that must coordinate use the same prefix.
func WithKeyPrefix(p string) Option { return func(c *Client) { c.prefix = p } }

// WithHost sets the policy of one host: a host name ("public.api.bsky.app")
// applies to every port, "host:port" to that port only.
func WithHost(host string, p HostPolicy) Option {
	return func(c *Client) { c.hosts[strings.ToLower(host)] = p }
}

// WithDefaultHostPolicy sets the policy of hosts without one of their own;
// default DefaultHostPolicy.
func WithDefaultHostPolicy(p HostPolicy) Option { return func(c *Client) { c.defaultPolicy = p } }

// WithRobots says whether Get, Do and the Transport consult robots.txt
// (default true). GetJSON never does unless the context says so
// (WithRobotsCheck).
func WithRobots(on bool) Option { return func(c *Client) { c.robots = on } }

// WithRobotsCache sets how long a fetched robots.txt is cached (at most and
// by default 24 h) and how long a 5xx, 429 or unreachable robots.txt
// disallows the site before it is fetched again (default 5 min).
func WithRobotsCache(ttl, retry time.Duration) Option {
	return func(c *Client) {
		if ttl > 0 {
			c.robotsTTL = min(ttl, 24*time.Hour)
		}
		if retry > 0 {
			c.robotsRetry = retry
		}
	}
}

// New builds a client.
func New(opts ...Option) (*Client, error) {
	c := &Client{
		ua:            DefaultUserAgent,
		connect:       10 * time.Second,
		read:          30 * time.Second,
		total:         60 * time.Second,
		maxBody:       DefaultMaxBodyBytes,
		maxRetries:    3,
		maxWait:       30 * time.Second,
		backoff:       500 * time.Millisecond,
		backoffMax:    30 * time.Second,
		maxRedirects:  5,
		now:           time.Now,
		sleep:         sleepCtx,
		prefix:        "scout:fetch:",
		robots:        true,
		robotsTTL:     24 * time.Hour,
		robotsRetry:   5 * time.Minute,
		hosts:         map[string]HostPolicy{},
		defaultPolicy: DefaultHostPolicy,
	}
	for _, o := range opts {
		o(c)
	}
	if c.maxBody <= 0 {
		return nil, fmt.Errorf("building fetch client: %w: body limit must be positive", creator.ErrInvalid)
	}
	if c.maxRetries < 0 || c.maxRedirects < 0 {
		return nil, fmt.Errorf("building fetch client: %w: negative retries or redirects", creator.ErrInvalid)
	}
	if strings.TrimSpace(c.ua) == "" {
		return nil, fmt.Errorf("building fetch client: %w: empty user agent", creator.ErrInvalid)
	}
	c.agent = c.ua
	if i := strings.IndexAny(c.agent, "/ "); i >= 0 {
		c.agent = c.agent[:i]
	}
	c.base = newTransport(&c.guard, c.connect, c.read)
	if c.rdb != nil {
		c.coord = newRedisCoord(c.rdb, c.prefix)
	} else {
		c.coord = newMemCoord(c.now)
	}
	c.robotsCache = newRobotsCache()
	c.hc = c.newHTTPClient()
	return c, nil
}

func (c *Client) newHTTPClient() *http.Client {
	return &http.Client{
		Transport: (*gate)(c),
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > c.maxRedirects {
				return fmt.Errorf("following redirects from %s: stopped after %d", redact(via[0].URL), c.maxRedirects)
			}
			return nil
		},
	}
}

// SetHost sets the policy of one host after construction, as WithHost does.
func (c *Client) SetHost(host string, p HostPolicy) {
	c.hostsMu.Lock()
	defer c.hostsMu.Unlock()
	c.hosts[strings.ToLower(host)] = p
}

// PolicyOf returns the policy requests to u's host get.
func (c *Client) PolicyOf(u *url.URL) HostPolicy { return c.policy(u) }

func (c *Client) policy(u *url.URL) HostPolicy {
	c.hostsMu.RLock()
	defer c.hostsMu.RUnlock()
	if p, ok := c.hosts[strings.ToLower(u.Host)]; ok {
		return p
	}
	if p, ok := c.hosts[strings.ToLower(u.Hostname())]; ok {
		return p
	}
	return c.defaultPolicy
}

// Guard returns a copy of the client's SSRF guard, for checking URLs that
// users or webhooks submit.
func (c *Client) Guard() *Guard {
	g := c.guard
	g.Allow = append([]netip.Prefix(nil), c.guard.Allow...)
	return &g
}

// CheckURL checks raw with the client's SSRF guard; see Guard.CheckURL.
func (c *Client) CheckURL(ctx context.Context, raw string) (*url.URL, error) {
	return c.guard.CheckURL(ctx, raw)
}

// Transport returns the client's http.RoundTripper: every request through
// it gets the User-Agent, the SSRF guard, robots.txt (for GET and HEAD),
// rate limits, pauses, quotas, the page budget, timeouts and the body
// limit, but no retries. Use it to wire other HTTP libraries (colly).
func (c *Client) Transport() http.RoundTripper { return (*gate)(c) }

// HTTPClient returns a new *http.Client using Transport that follows at
// most the configured number of redirects.
func (c *Client) HTTPClient() *http.Client { return c.newHTTPClient() }

// Get fetches u; see Do.
func (c *Client) Get(ctx context.Context, u *url.URL) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w: %v", redact(u), creator.ErrInvalid, err)
	}
	return c.Do(req)
}

// GetJSON fetches u and decodes its JSON body into v (the request sources
// make, through crawler.Doer): 404 and 410 give errors wrapping creator.ErrNotFound, 429
// after retries *creator.RetryAfter (so creator.ErrRateLimited), an
// undecodable body creator.ErrMalformed, other statuses *StatusError
// holding the start of the body.
// robots.txt is not consulted unless ctx says so (WithRobotsCheck).
func (c *Client) GetJSON(ctx context.Context, u *url.URL, v any) error {
	if _, set := robotsFrom(ctx); !set {
		ctx = WithRobotsCheck(ctx, false)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("fetching %s: %w: %v", redact(u), creator.ErrInvalid, err)
	}
	req.Header.Set("Accept", "application/json")
	// The body is read into a pooled buffer: the decoder copies what it
	// keeps, so the buffer is free again once v is filled. Reading every
	// answer into a new slice grown by doubling was a fifth of a crawl's
	// allocated bytes.
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer putBodyBuffer(buf)
	resp, err := c.do(req, buf)
	if err != nil {
		return err
	}
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return fmt.Errorf("fetching %s: %w", redact(u), creator.ErrNotFound)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		body := resp.Body[:min(len(resp.Body), StatusBodyMax)]
		// The status error names the URL; wrapping it in "fetching <url>"
		// would say the URL twice.
		return &StatusError{StatusCode: resp.StatusCode, URL: redact(u), Body: bytes.Clone(body)}
	}
	// Decoded with encoding/json's semantics by the external release of
	// Go's encoding/json/v2 (GOEXPERIMENT=jsonv2 in Go 1.25 and 1.26): a
	// source's typed answer decodes in about half the time (thread, feed
	// and profile answers of the simulator, BenchmarkDecode), and decoding
	// was the largest part of a crawl's CPU. decodeOptions leave out one
	// of those semantics, for a sixth less time again.
	if err := DecodeJSON(resp.Body, v); err != nil {
		return fmt.Errorf("decoding %s: %w: %v", redact(u), creator.ErrMalformed, err)
	}
	return nil
}

// Do sends req and reads the whole response. It returns responses of any
// status; GET, HEAD and OPTIONS requests are retried after a 429, a 5xx or a
// transient network error, with backoff that honours Retry-After and
// RateLimit-Reset. When it gives up on a 429 or 5xx it returns the last
// response and an error wrapping *creator.RetryAfter (wrapping
// creator.ErrRateLimited for a 429, a *StatusError for a 5xx).
func (c *Client) Do(req *http.Request) (*Response, error) { return c.do(req, nil) }

// bodyBuffers holds the buffers GetJSON reads bodies into.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBody is the largest buffer kept for reuse: a rare huge answer's
// buffer is left to the garbage collector rather than held by the pool.
const maxPooledBody = 1 << 20

func putBodyBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBody {
		b.Reset()
		bodyBuffers.Put(b)
	}
}

// do is Do; with buf non-nil each attempt's body is read into buf (reset
// first), and the Response's Body is buf's bytes, valid until buf is
// reused.
func (c *Client) do(req *http.Request, buf *bytes.Buffer) (*Response, error) {
	ctx := req.Context()
	idempotent := req.Method == http.MethodGet || req.Method == http.MethodHead || req.Method == http.MethodOptions || req.Method == ""
	retries := c.maxRetries
	if !idempotent {
		retries = 0
	}
	var bo *backoff.ExponentialBackOff
	nextBackoff := func() time.Duration {
		if bo == nil {
			bo = Backoff(c.backoff, c.backoffMax)
		}
		return bo.NextBackOff()
	}
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 {
			r = req.Clone(ctx)
			if req.Body != nil && req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, fmt.Errorf("fetching %s: %w", redact(req.URL), err)
				}
				r.Body = body
			}
		}
		resp, err := c.once(r, buf)
		if err != nil {
			if attempt < retries && transient(ctx, err) {
				if err := c.sleep(ctx, nextBackoff()); err != nil {
					return nil, fmt.Errorf("fetching %s: %w", redact(req.URL), err)
				}
				continue
			}
			return nil, err
		}
		now := c.now()
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			// The gate stored a pause for every worker; wait it out here
			// too, so a lost pause (Redis down) cannot make retries hammer.
			until := minTime(resetFrom(resp.Header, now, now.Add(defaultPause)), now.Add(maxAnnouncedPause))
			if wait := until.Sub(now); attempt < retries && wait <= c.maxWait {
				if err := c.sleep(ctx, wait); err != nil {
					return nil, fmt.Errorf("fetching %s: %w", redact(req.URL), err)
				}
				continue
			}
			return resp, fmt.Errorf("fetching %s: %w", redact(req.URL), &creator.RetryAfter{Until: until})
		case resp.StatusCode >= 500 && resp.StatusCode <= 599:
			wait := nextBackoff()
			if t := resetFrom(resp.Header, now, time.Time{}); t.Sub(now) > wait {
				wait = t.Sub(now)
			}
			if attempt < retries && wait <= c.maxWait {
				if err := c.sleep(ctx, wait); err != nil {
					return nil, fmt.Errorf("fetching %s: %w", redact(req.URL), err)
				}
				continue
			}
			return resp, fmt.Errorf("fetching %s: %w", redact(req.URL), &creator.RetryAfter{
				Until: now.Add(wait),
				Err:   &StatusError{StatusCode: resp.StatusCode, URL: redact(req.URL)},
			})
		}
		return resp, nil
	}
}

// once sends one request through the gated client and reads its body,
// into buf when it is not nil.
func (c *Client) once(req *http.Request, buf *bytes.Buffer) (*Response, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		// The gate's errors already say what was fetched; http.Client's
		// *url.Error would repeat the URL, unredacted.
		var ue *url.Error
		if errors.As(err, &ue) {
			if strings.HasPrefix(ue.Err.Error(), "fetching ") {
				return nil, ue.Err
			}
			err = ue.Err
		}
		return nil, fmt.Errorf("fetching %s: %w", redact(req.URL), err)
	}
	defer resp.Body.Close()
	var body []byte
	if buf != nil {
		buf.Reset()
		if resp.ContentLength > 0 && resp.ContentLength <= maxPooledBody {
			buf.Grow(int(resp.ContentLength) + bytes.MinRead)
		}
		_, err = buf.ReadFrom(resp.Body)
		body = buf.Bytes()
	} else {
		body, err = io.ReadAll(resp.Body)
	}
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", redact(req.URL), err)
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body, URL: resp.Request.URL}, nil
}

// resetFrom returns when a response says to retry: Retry-After, else an
// announced reset, else def.
func resetFrom(h http.Header, now, def time.Time) time.Time {
	if t, ok := parseRetryAfter(h, now); ok {
		return t
	}
	if a := parseAnnounced(h, now); a.HasReset && a.Reset.After(now) {
		return a.Reset
	}
	return def
}

// transient reports whether err may go away on a retry: not a policy
// refusal, a body too large, a rate limit the transport gave up on, or the
// caller's own cancellation.
func transient(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	for _, e := range []error{creator.ErrForbidden, creator.ErrTooLarge, creator.ErrRateLimited, creator.ErrInvalid} {
		if errors.Is(err, e) {
			return false
		}
	}
	var ra *creator.RetryAfter
	if errors.As(err, &ra) {
		return false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return false
	}
	return true
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// secretParams are query parameters whose values never appear in errors.
var secretParams = map[string]bool{
	"key": true, "api_key": true, "apikey": true, "token": true, "access_token": true,
	"client_secret": true, "password": true, "secret": true, "sig": true, "signature": true,
}

// redact returns u as a string with secret query values and user info
// replaced.
func redact(u *url.URL) string {
	if u == nil {
		return ""
	}
	r := *u
	if r.User != nil {
		r.User = url.User("REDACTED")
	}
	if r.RawQuery != "" {
		q := r.Query()
		changed := false
		for k := range q {
			if secretParams[strings.ToLower(k)] {
				q[k] = []string{"REDACTED"}
				changed = true
			}
		}
		if changed {
			r.RawQuery = q.Encode()
		}
	}
	return r.String()
}
