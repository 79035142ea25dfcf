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
	"unicode"

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

// robotsRules decides paths for one origin, for the agent it was compiled
// for. The file is read by grobotstxt's parser, a port of Google's (the
// reference implementation of RFC 9309), which reads any bytes, so no
// file is ever unparsable; compileRobots keeps only the rules of the
// agent's group and of the "*" group, so a decision does not parse the
// file again.
type robotsRules struct {
	compiled *robotsCompiler // nil: decided by all
	all      bool            // without a file: whether everything is allowed
	status   int
	expires  time.Time
}

func (r *robotsRules) crawlDelay() time.Duration {
	if r.compiled == nil {
		return 0
	}
	return r.compiled.delay()
}

// allows reports whether the agent the rules were compiled for may fetch
// path, the escaped path and query of a URL (starting with "/").
func (r *robotsRules) allows(path string) bool {
	if r.compiled == nil {
		return r.all
	}
	return r.compiled.allows(path)
}

// maxCrawlDelay caps a Crawl-delay: a larger one is read as this long.
const maxCrawlDelay = time.Minute

// robotsRule is one Allow or Disallow pattern, escaped by the parser.
type robotsRule struct {
	allow   bool
	pattern string
	// prefix is the pattern's literal start (up to its first "*", without
	// a final "$"): a path that does not start with it cannot match, so
	// most rules are ruled out without running the matcher.
	prefix string
	// alt is Google's reading of an Allow of ".../index.htm(l)": it also
	// allows ".../" exactly ("" when the pattern is no such Allow).
	alt, altPrefix string
}

// literalPrefix returns the part of pattern a matching path must start
// with: up to the first "*", and without a "$" that ends the pattern.
func literalPrefix(pattern string) string {
	if i := strings.IndexByte(pattern, '*'); i >= 0 {
		return pattern[:i]
	}
	return strings.TrimSuffix(pattern, "$")
}

func newRobotsRule(allow bool, pattern string) robotsRule {
	r := robotsRule{allow: allow, pattern: pattern, prefix: literalPrefix(pattern)}
	if allow {
		if slash := strings.LastIndexByte(pattern, '/'); slash >= 0 && strings.HasPrefix(pattern[slash:], "/index.htm") {
			r.alt = pattern[:slash+1] + "$"
			r.altPrefix = literalPrefix(r.alt)
		}
	}
	return r
}

// match returns len(pattern) when pattern matches path, else noMatch, as
// grobotstxt's LongestMatchStrategy does.
func match(path, pattern, prefix string) int {
	if !strings.HasPrefix(path, prefix) || !grobotstxt.Matches(path, pattern) {
		return noMatch
	}
	return len(pattern)
}

// robotsCompiler is a grobotstxt.ParseHandler that keeps, for one agent,
// the rules of the groups that name it and of the "*" groups, grouping
// lines exactly as grobotstxt's RobotsMatcher does: a User-agent line
// after a rule starts a new group, rules before any User-agent line are
// ignored, and a group naming both the agent and "*" counts as the
// agent's. It reads Crawl-delay (not part of RFC 9309) the same way; a
// value that is not a number of seconds is ignored.
type robotsCompiler struct {
	agent                                           string
	seenGlobal, seenSpecific, everSpecific, sepSeen bool
	specific, global                                []robotsRule
	specDelay, globDelay                            time.Duration
	hasSpecDelay, hasGlobDelay                      bool
}

var _ grobotstxt.ParseHandler = (*robotsCompiler)(nil)

// compileRobots reads body for agent.
func compileRobots(body, agent string) *robotsCompiler {
	c := &robotsCompiler{agent: agent}
	grobotstxt.Parse(body, c)
	return c
}

func (c *robotsCompiler) HandleRobotsStart()          {}
func (c *robotsCompiler) HandleRobotsEnd()            {}
func (c *robotsCompiler) HandleSitemap(int, string)   {}
func (c *robotsCompiler) HandleAllow(_ int, v string) { c.rule(true, v) }
func (c *robotsCompiler) HandleDisallow(_ int, v string) {
	c.rule(false, v)
}

func (c *robotsCompiler) HandleUserAgent(_ int, v string) {
	if c.sepSeen {
		c.seenSpecific, c.seenGlobal, c.sepSeen = false, false, false
	}
	// As Google's parser: "*" followed by a space and more is still the
	// global group; any other value counts up to its first character
	// that cannot be in a product token.
	if len(v) >= 1 && v[0] == '*' && (len(v) == 1 || unicode.IsSpace(rune(v[1]))) {
		c.seenGlobal = true
		return
	}
	i := 0
	for i < len(v) && isAgentByte(v[i]) {
		i++
	}
	if strings.EqualFold(v[:i], c.agent) {
		c.seenSpecific, c.everSpecific = true, true
	}
}

func (c *robotsCompiler) rule(allow bool, pattern string) {
	if !c.seenGlobal && !c.seenSpecific {
		return
	}
	c.sepSeen = true
	r := newRobotsRule(allow, pattern)
	if c.seenSpecific {
		c.specific = append(c.specific, r)
	} else {
		c.global = append(c.global, r)
	}
}

func (c *robotsCompiler) HandleUnknownAction(_ int, action, value string) {
	if !strings.EqualFold(action, "crawl-delay") || !(c.seenSpecific || c.seenGlobal) {
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
	switch {
	case c.seenSpecific && !c.hasSpecDelay:
		c.specDelay, c.hasSpecDelay = dur, true
	case !c.seenSpecific && !c.hasGlobDelay:
		c.globDelay, c.hasGlobDelay = dur, true
	}
}

func (c *robotsCompiler) delay() time.Duration {
	if c.hasSpecDelay {
		return c.specDelay
	}
	return c.globDelay
}

// noMatch is the priority of a pattern that does not match: a match of
// the empty pattern (priority 0) still ranks above it.
const noMatch = -1

// priorities returns the longest matching Allow and Disallow patterns'
// lengths among rules (noMatch when none), with Google's reading of
// ".../index.htm(l)": an Allow of it also allows ".../" exactly.
func priorities(rules []robotsRule, path string) (allow, disallow int) {
	allow, disallow = noMatch, noMatch
	for i := range rules {
		r := &rules[i]
		if !r.allow {
			disallow = max(disallow, match(path, r.pattern, r.prefix))
			continue
		}
		p := match(path, r.pattern, r.prefix)
		if p < 0 && r.alt != "" {
			p = match(path, r.alt, r.altPrefix)
		}
		allow = max(allow, p)
	}
	return allow, disallow
}

// allows decides path as RobotsMatcher.Disallowed does: the agent's groups
// when one of their rules matches; no rule at all when the file names the
// agent but nothing matches; else the "*" groups. The longest match wins
// and Allow wins a tie.
func (c *robotsCompiler) allows(path string) bool {
	if a, d := priorities(c.specific, path); a > 0 || d > 0 {
		return d <= a
	}
	if c.everSpecific {
		return true
	}
	if a, d := priorities(c.global, path); a > 0 || d > 0 {
		return d <= a
	}
	return true
}

// isAgentByte reports whether b may be part of a user-agent line's
// product token: RFC 9309's identifier (letters, "-" and "_"), as Google's
// parser reads it. grobotstxt departs from Google here (it also takes
// digits and other token characters, so "User-agent: CreatorScout2" would
// not name us); the client follows Google and the RFC.
func isAgentByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '-' || b == '_'
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
	if !rules.allows(robotsPath(u)) {
		why := "disallowed by " + origin + "/robots.txt"
		if rules.compiled == nil {
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
		r.compiled = compileRobots(string(e.Body), agent)
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
