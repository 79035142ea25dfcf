package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jimsmart/grobotstxt"

	"github.com/creatorscout/scout/creator"
)

// robotsMaxBytes is how much of a robots.txt is parsed; RFC 9309 asks for
// at least 500 KiB and allows ignoring the rest.
const robotsMaxBytes = 512 << 10

// robotsUnreachable is the status recorded when robots.txt could not be
// fetched at all.
const robotsUnreachable = 0

// robotsEntry is a fetched robots.txt as cached in Redis.
type robotsEntry struct {
	Status int    `json:"s"`
	Body   []byte `json:"b,omitempty"`
	// Expires is when the entry is stale by the client's clock (Unix ms).
	Expires int64 `json:"e"`
}

// robotsRules decides paths for one origin. The file is matched by
// grobotstxt, a port of Google's parser, the reference implementation of
// RFC 9309; it reads any bytes, so no file is ever unparsable.
type robotsRules struct {
	body    string // the file, when Status was 2xx
	parsed  bool   // body holds a fetched file
	all     bool   // without a file: whether everything is allowed
	delay   time.Duration
	status  int
	expires time.Time
}

func (r *robotsRules) crawlDelay() time.Duration { return r.delay }

// allows reports whether agent may fetch path, the escaped path and query
// of a URL (starting with "/"). The matcher normalises its input as a URL,
// so path is given under a placeholder origin: a path that starts with
// "//" is then not read as a host.
func (r *robotsRules) allows(agent, path string) (ok bool) {
	if !r.parsed {
		return r.all
	}
	defer func() {
		// grobotstxt panics on a path without a leading "/"; refuse
		// that one URL rather than the worker.
		if recover() != nil {
			ok = false
		}
	}()
	return grobotstxt.AgentAllowed(r.body, agent, "http://robots.invalid"+path)
}

// maxCrawlDelay caps a Crawl-delay: a larger one is read as this long.
const maxCrawlDelay = time.Minute

// delayReader finds the Crawl-delay of one agent's group, else of the "*"
// group, grouping lines as grobotstxt's matcher does (a group ends at the
// first User-agent line after one of its rules). Crawl-delay is not part
// of RFC 9309: a value that is not a number of seconds is ignored.
type delayReader struct {
	agent                     string
	inSpecific, inGlobal, sep bool
	specific, global          time.Duration
	seenSpecific, seenGlobal  bool
}

var _ grobotstxt.ParseHandler = (*delayReader)(nil)

func (d *delayReader) HandleRobotsStart() {}
func (d *delayReader) HandleRobotsEnd()   {}
func (d *delayReader) HandleUserAgent(_ int, v string) {
	if d.sep {
		d.inSpecific, d.inGlobal, d.sep = false, false, false
	}
	if v == "*" || strings.HasPrefix(v, "* ") || strings.HasPrefix(v, "*\t") {
		d.inGlobal = true
		return
	}
	if i := strings.IndexFunc(v, func(r rune) bool { return !isAgentChar(r) }); i >= 0 {
		v = v[:i]
	}
	if v != "" && strings.EqualFold(v, d.agent) {
		d.inSpecific = true
	}
}
func (d *delayReader) HandleAllow(int, string)    { d.rule() }
func (d *delayReader) HandleDisallow(int, string) { d.rule() }
func (d *delayReader) HandleSitemap(int, string)  {}
func (d *delayReader) HandleUnknownAction(_ int, action, value string) {
	if !strings.EqualFold(action, "crawl-delay") || !(d.inSpecific || d.inGlobal) {
		return
	}
	secs, err := strconv.ParseFloat(value, 64)
	if err != nil || secs <= 0 || math.IsNaN(secs) || math.IsInf(secs, 0) {
		return
	}
	dur := maxCrawlDelay
	if secs < maxCrawlDelay.Seconds() {
		dur = time.Duration(secs * float64(time.Second))
	}
	if d.inSpecific && !d.seenSpecific {
		d.specific, d.seenSpecific = dur, true
	} else if !d.inSpecific && d.inGlobal && !d.seenGlobal {
		d.global, d.seenGlobal = dur, true
	}
}

func (d *delayReader) rule() {
	if d.inSpecific || d.inGlobal {
		d.sep = true
	}
}

func (d *delayReader) delay() time.Duration {
	if d.seenSpecific {
		return d.specific
	}
	return d.global
}

// isAgentChar reports whether r may be part of a product token.
func isAgentChar(r rune) bool {
	return r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r))
}

// robotsCache keeps parsed rules in the process and makes concurrent
// lookups of one origin fetch once. Safe for concurrent use.
type robotsCache struct {
	mu       sync.Mutex
	rules    map[string]*robotsRules
	inflight map[string]*sync.Mutex
}

func newRobotsCache() *robotsCache {
	return &robotsCache{rules: map[string]*robotsRules{}, inflight: map[string]*sync.Mutex{}}
}

func (rc *robotsCache) local(origin string, now time.Time) *robotsRules {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if r, ok := rc.rules[origin]; ok && now.Before(r.expires) {
		return r
	}
	return nil
}

func (rc *robotsCache) put(origin string, r *robotsRules) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.rules) >= 4096 {
		clear(rc.rules)
	}
	rc.rules[origin] = r
}

func (rc *robotsCache) lock(origin string) func() {
	rc.mu.Lock()
	if len(rc.inflight) >= 4096 {
		// Forget old locks; at worst two lookups of one origin both fetch.
		clear(rc.inflight)
	}
	m, ok := rc.inflight[origin]
	if !ok {
		m = &sync.Mutex{}
		rc.inflight[origin] = m
	}
	rc.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// robotsOrigin returns scheme://host:port, the scope of one robots.txt.
func robotsOrigin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// checkRobots returns the Crawl-delay of the client's group in u's
// robots.txt (0 when none) when it allows the client's agent to fetch u, or
// an error wrapping creator.ErrForbidden. Crawl-delay is not part of RFC
// 9309, but honouring it only ever slows the client down.
func (c *Client) checkRobots(ctx context.Context, u *url.URL) (time.Duration, error) {
	if u.Path == "/robots.txt" {
		return 0, nil
	}
	origin := robotsOrigin(u)
	rules, err := c.robotsFor(ctx, origin)
	if err != nil {
		return 0, fmt.Errorf("fetching %s: reading robots.txt: %w", redact(u), err)
	}
	if !rules.allows(c.agent, robotsPath(u)) {
		why := "disallowed by " + origin + "/robots.txt"
		if !rules.parsed {
			why = fmt.Sprintf("%s/robots.txt unavailable (status %d), retrying later", origin, rules.status)
			if rules.status == robotsUnreachable {
				why = origin + "/robots.txt unreachable, retrying later"
			}
		}
		return 0, fmt.Errorf("fetching %s: %w: %s", redact(u), creator.ErrForbidden, why)
	}
	return rules.crawlDelay(), nil
}

// robotsPath returns what robots.txt rules are matched against: u's
// escaped path ("/" when empty) and its query, without the fragment.
func robotsPath(u *url.URL) string {
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" || u.ForceQuery {
		path += "?" + u.RawQuery
	}
	return path
}

// robotsFor returns the rules of origin from the process, then from the
// shared cache, then by fetching robots.txt.
func (c *Client) robotsFor(ctx context.Context, origin string) (*robotsRules, error) {
	if r := c.robotsCache.local(origin, c.now()); r != nil {
		return r, nil
	}
	unlock := c.robotsCache.lock(origin)
	defer unlock()
	now := c.now()
	if r := c.robotsCache.local(origin, now); r != nil {
		return r, nil
	}
	key := "robots:" + origin
	if b, ok, err := c.coord.get(ctx, key); err != nil {
		return nil, err
	} else if ok {
		var e robotsEntry
		if json.Unmarshal(b, &e) == nil && now.Before(time.UnixMilli(e.Expires)) {
			r := e.rules(c.agent)
			c.robotsCache.put(origin, r)
			return r, nil
		}
	}
	e, err := c.fetchRobots(ctx, origin)
	if err != nil {
		return nil, err
	}
	ttl := c.robotsTTL
	if !e.cacheable() {
		ttl = c.robotsRetry
	}
	e.Expires = now.Add(ttl).UnixMilli()
	if b, err := json.Marshal(e); err == nil {
		if err := c.coord.set(ctx, key, b, ttl); err != nil {
			return nil, err
		}
	}
	r := e.rules(c.agent)
	c.robotsCache.put(origin, r)
	return r, nil
}

// cacheable reports whether the entry is kept for the full TTL: a 2xx or
// 4xx (other than 429) answer. Others are retried after the short interval.
func (e robotsEntry) cacheable() bool {
	return (e.Status >= 200 && e.Status <= 299) || (e.Status >= 400 && e.Status <= 499 && e.Status != http.StatusTooManyRequests)
}

// rules reads the entry for agent. A 2xx file is always read: the parser
// skips lines it cannot read, so an odd file never blocks a site.
func (e robotsEntry) rules(agent string) *robotsRules {
	r := &robotsRules{status: e.Status, expires: time.UnixMilli(e.Expires)}
	switch {
	case e.Status >= 200 && e.Status <= 299:
		r.body, r.parsed = string(e.Body), true
		d := &delayReader{agent: agent}
		grobotstxt.Parse(r.body, d)
		r.delay = d.delay()
	case e.cacheable():
		r.all = true // 4xx: robots.txt unavailable, everything allowed
	default:
		r.all = false // 5xx, 429, unreachable: nothing allowed for now
	}
	return r
}

// fetchRobots fetches origin's robots.txt, following up to five redirects
// (each target checked by the SSRF guard when dialled), under the host's
// rate limit. Network failures give an unreachable entry; a refusal by the
// SSRF guard or a long host pause is returned as an error.
func (c *Client) fetchRobots(ctx context.Context, origin string) (robotsEntry, error) {
	target, err := url.Parse(origin + "/robots.txt")
	if err != nil {
		return robotsEntry{}, fmt.Errorf("parsing %s: %w", origin, err)
	}
	for hop := 0; hop <= 5; hop++ {
		if err := c.wait(ctx, target, 0); err != nil {
			return robotsEntry{}, err
		}
		e, next, err := c.fetchRobotsOnce(ctx, target)
		if err != nil {
			return robotsEntry{}, err
		}
		if next == nil {
			return e, nil
		}
		target = next
	}
	// More than five redirects: RFC 9309 lets the crawler treat robots.txt
	// as unavailable, which allows everything.
	return robotsEntry{Status: http.StatusNotFound}, nil
}

func (c *Client) fetchRobotsOnce(outer context.Context, target *url.URL) (robotsEntry, *url.URL, error) {
	ctx, cancel := context.WithTimeout(outer, c.total)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return robotsEntry{}, nil, fmt.Errorf("fetching %s: %w", redact(target), err)
	}
	req.Header.Set("User-Agent", c.ua)
	resp, err := c.base.RoundTrip(req)
	if err != nil {
		if errors.Is(err, creator.ErrForbidden) {
			return robotsEntry{}, nil, fmt.Errorf("fetching %s: %w", redact(target), err)
		}
		if outer.Err() != nil {
			return robotsEntry{}, nil, fmt.Errorf("fetching %s: %w", redact(target), err)
		}
		return robotsEntry{Status: robotsUnreachable}, nil, nil
	}
	defer resp.Body.Close()
	c.observe(ctx, target, resp)
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		loc, err := resp.Location()
		if err != nil {
			return robotsEntry{Status: resp.StatusCode}, nil, nil
		}
		return robotsEntry{}, loc, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return robotsEntry{Status: resp.StatusCode}, nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, robotsMaxBytes))
	if err != nil {
		return robotsEntry{Status: robotsUnreachable}, nil, nil
	}
	return robotsEntry{Status: resp.StatusCode, Body: body}, nil, nil
}
