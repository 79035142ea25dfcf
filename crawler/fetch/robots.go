package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"

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

// robotsRules decides paths for one origin.
type robotsRules struct {
	data    *robotstxt.RobotsData // nil: decided by allowAll
	all     bool
	status  int
	expires time.Time
}

func (r *robotsRules) crawlDelay(agent string) time.Duration {
	if r.data == nil {
		return 0
	}
	if g := r.data.FindGroup(agent); g != nil {
		return g.CrawlDelay
	}
	return 0
}

func (r *robotsRules) allows(agent, path string) bool {
	if r.data == nil {
		return r.all
	}
	return r.data.TestAgent(path, agent)
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
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	if !rules.allows(c.agent, path) {
		why := "disallowed by " + origin + "/robots.txt"
		if rules.data == nil {
			why = fmt.Sprintf("%s/robots.txt unavailable (status %d), retrying later", origin, rules.status)
			if rules.status == robotsUnreachable {
				why = origin + "/robots.txt unreachable, retrying later"
			}
		}
		return 0, fmt.Errorf("fetching %s: %w: %s", redact(u), creator.ErrForbidden, why)
	}
	return rules.crawlDelay(c.agent), nil
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
			r := e.rules()
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
	r := e.rules()
	c.robotsCache.put(origin, r)
	return r, nil
}

// cacheable reports whether the entry is kept for the full TTL: a 2xx or
// 4xx (other than 429) answer. Others are retried after the short interval.
func (e robotsEntry) cacheable() bool {
	return (e.Status >= 200 && e.Status <= 299) || (e.Status >= 400 && e.Status <= 499 && e.Status != http.StatusTooManyRequests)
}

func (e robotsEntry) rules() *robotsRules {
	r := &robotsRules{status: e.Status, expires: time.UnixMilli(e.Expires)}
	switch {
	case e.Status >= 200 && e.Status <= 299:
		data, err := robotstxt.FromBytes(e.Body)
		if err != nil {
			// An unparsable file says nothing we can honour precisely:
			// treat it like an unreachable one.
			r.all = false
			return r
		}
		r.data = data
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
