package fetch

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// agentTokenRunsOn finds a letter, "-" or "_" followed by a character
// grobotstxt takes into a user-agent's name and Google's parser does not.
var agentTokenRunsOn = regexp.MustCompile("[a-z_-][0-9!#$%&'*+.^`|~]")

// FuzzRobots compiles arbitrary robots.txt files, seeded from Google's
// test cases of the reference parser, and checks each decision against
// grobotstxt's own matcher on the path the client would send: the compiled
// rules (the literal-prefix check, the agent grouping) never decide
// otherwise, and nothing panics.
func FuzzRobots(f *testing.F) {
	for _, tc := range googleCases() {
		u, err := url.Parse(tc.url)
		if err != nil {
			continue
		}
		f.Add(tc.robots, tc.agent, robotsPath(u))
	}
	f.Add("User-agent: *\nDisallow: /*$\nAllow: /$\n", "CreatorScout", "/")
	f.Add("user-agent: creatorscout\ndisallow: /a%2Fb\n", "CreatorScout", "/a%2Fb?x")
	f.Fuzz(func(t *testing.T, body, agent, path string) {
		if len(body) > 4096 || agent == "" || strings.ContainsFunc(agent, func(r rune) bool { return r >= 0x80 || !isAgentByte(byte(r)) }) {
			return // the client's own name is a token (letters, - and _)
		}
		for _, line := range strings.Split(strings.ToLower(body), "\n") {
			if strings.Contains(line, "user") && agentTokenRunsOn.MatchString(line) {
				// A product token followed by a digit or another token
				// character ("foo2", "foo$"): the client ends the name
				// there, as Google does; grobotstxt reads on (isAgentByte).
				return
			}
		}
		u, err := url.Parse("http://h.example" + path)
		if err != nil || u.Host != "h.example" {
			return
		}
		p := robotsPath(u)
		got := (robotsEntry{Status: 200, Body: []byte(body)}).rules(agent).allows(p)
		if want := reference(body, agent, p); got != want {
			t.Fatalf("agent %q path %q: compiled %v, grobotstxt %v\nrobots.txt:\n%s", agent, p, got, want, body)
		}
	})
}

// FuzzRetryHeaders reads arbitrary Retry-After, rate-limit and Meta usage
// headers: no wait is ever more than MaxRetryWait ahead, a Retry-After in
// seconds never names a time before now, and nothing panics.
func FuzzRetryHeaders(f *testing.F) {
	for _, v := range []string{"120", "1e10", "Inf", "NaN", "-1", "1.5", "Mon, 23 Nov 2026 12:00:30 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
		"1795435260", "2026-11-23T12:05:00.000Z", "limit=10, remaining=0, reset=1e18", "0x1p62", "99999999999999999999"} {
		f.Add(v, `{"call_count":100,"estimated_time_to_regain_access":1e300}`)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	limit := now.Add(MaxRetryWait)
	f.Fuzz(func(t *testing.T, v, usage string) {
		for _, name := range []string{"Retry-After", "RateLimit-Reset", "X-RateLimit-Reset", "RateLimit"} {
			h := http.Header{}
			h.Set(name, v)
			at, ok := RetryTime(h, now)
			if ok && at.After(limit) {
				t.Fatalf("%s: %q waits until %v, past MaxRetryWait", name, v, at)
			}
			if ok && name != "Retry-After" && !at.After(now) {
				t.Fatalf("%s: %q gives %v, not after now (a reset in the past says nothing)", name, v, at)
			}
		}
		h := http.Header{}
		h.Set("Retry-After", v)
		if at, ok := parseRetryAfter(h, now); ok && at.Before(now) && !strings.Contains(v, ",") && !strings.Contains(v, " ") {
			t.Fatalf("Retry-After %q (seconds) gives %v, before now", v, at)
		}
		h = http.Header{}
		for _, name := range []string{"X-App-Usage", "X-Business-Use-Case-Usage", "X-Ad-Account-Usage"} {
			h.Set(name, usage)
		}
		if pct, regain, ok := MetaUsage(h, now); ok && (regain.After(limit) || pct != pct) {
			t.Fatalf("usage %q: %v%%, regain %v", usage, pct, regain)
		}
	})
}
