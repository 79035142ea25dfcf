package fetch

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// epochThreshold separates delta seconds from epoch seconds in reset
// headers: no announced delay is over ten years, and no epoch time is
// before 2001.
const epochThreshold = 1_000_000_000

// MaxRetryWait is the longest a response's Retry-After, rate-limit reset
// or usage header may pause a host: a later time (a huge number, +Inf, a
// date years ahead) is read as this long from now, so a broken or hostile
// header cannot stop a source for good, nor overflow into a time in the
// past that pauses nothing.
const MaxRetryWait = time.Hour

// clampWait caps t at MaxRetryWait from now.
func clampWait(t, now time.Time) time.Time {
	if limit := now.Add(MaxRetryWait); t.After(limit) {
		return limit
	}
	return t
}

// afterSeconds is now plus n seconds, capped at MaxRetryWait; it reports
// false for NaN and negative n.
func afterSeconds(n float64, now time.Time) (time.Time, bool) {
	if math.IsNaN(n) || n < 0 {
		return time.Time{}, false
	}
	if n >= MaxRetryWait.Seconds() {
		return now.Add(MaxRetryWait), true
	}
	return now.Add(time.Duration(n * float64(time.Second))), true
}

// parseRetryAfter reads a Retry-After header: delta seconds or an HTTP
// date, capped at MaxRetryWait from now. It reports false when the header
// is absent or unreadable (NaN, negative, not a date).
func parseRetryAfter(h http.Header, now time.Time) (time.Time, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return afterSeconds(n, now) // out of range: ±Inf
	}
	if t, err := http.ParseTime(v); err == nil {
		return clampWait(t, now), true
	}
	return time.Time{}, false
}

// parseReset reads a rate-limit reset value: epoch seconds (atproto,
// Twitch, GitHub), delta seconds (the IETF RateLimit draft) or an ISO-8601
// time (Mastodon), capped at MaxRetryWait from now. It reports false when
// v is absent or unreadable (NaN, negative, not a time).
func parseReset(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if math.IsNaN(n) || n < 0 {
			return time.Time{}, false
		}
		if n >= epochThreshold {
			if n-float64(now.Unix()) >= MaxRetryWait.Seconds() {
				return now.Add(MaxRetryWait), true // also +Inf
			}
			sec := int64(n)
			return time.Unix(sec, int64((n-float64(sec))*1e9)), true
		}
		return afterSeconds(n, now)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700"} {
		if t, err := time.Parse(layout, v); err == nil {
			return clampWait(t, now), true
		}
	}
	if t, err := http.ParseTime(v); err == nil {
		return clampWait(t, now), true
	}
	return time.Time{}, false
}

// announced is what a response says about the client's rate limit.
type announced struct {
	Limit     int // -1 when absent
	Remaining int // -1 when absent
	Reset     time.Time
	HasReset  bool
}

// parseAnnounced reads RateLimit-*, X-RateLimit-* (and so Ratelimit-*, as
// header names are case-insensitive) and the IETF draft's combined
// "RateLimit: limit=100, remaining=50, reset=30".
func parseAnnounced(h http.Header, now time.Time) announced {
	a := announced{Limit: -1, Remaining: -1}
	for _, prefix := range []string{"RateLimit-", "X-RateLimit-"} {
		if a.Limit < 0 {
			a.Limit = atoiOr(h.Get(prefix+"Limit"), -1)
		}
		if a.Remaining < 0 {
			a.Remaining = atoiOr(h.Get(prefix+"Remaining"), -1)
		}
		if !a.HasReset {
			a.Reset, a.HasReset = parseReset(h.Get(prefix+"Reset"), now)
		}
	}
	if v := h.Get("RateLimit"); v != "" {
		for _, part := range strings.Split(v, ",") {
			k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok {
				continue
			}
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "limit":
				if a.Limit < 0 {
					a.Limit = atoiOr(val, -1)
				}
			case "remaining", "r":
				if a.Remaining < 0 {
					a.Remaining = atoiOr(val, -1)
				}
			case "reset", "t":
				if !a.HasReset {
					a.Reset, a.HasReset = parseReset(val, now)
				}
			}
		}
	}
	return a
}

// atoiOr parses a non-negative integer (the first one in a list such as
// "100, 100;w=60"), or returns def.
func atoiOr(v string, def int) int {
	v = strings.TrimSpace(v)
	if i := strings.IndexAny(v, ",;"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return def
	}
	return n
}

// RetryTime returns when a response with header h says a request may be
// tried again: its Retry-After (seconds or HTTP date), else an announced
// rate-limit reset (RateLimit-Reset, X-RateLimit-Reset, Ratelimit-Reset:
// epoch seconds, delta seconds or ISO-8601) if later than now. It reports
// false when h says neither.
func RetryTime(h http.Header, now time.Time) (time.Time, bool) {
	if t, ok := parseRetryAfter(h, now); ok {
		return t, true
	}
	if a := parseAnnounced(h, now); a.HasReset && a.Reset.After(now) {
		return a.Reset, true
	}
	return time.Time{}, false
}

// Meta's usage headers (Graph API, Instagram): X-App-Usage and
// X-Ad-Account-Usage hold percentages of the app's hourly allowance,
// X-Business-Use-Case-Usage a map from business id to a list of
// per-use-case usages, each with estimated_time_to_regain_access in
// minutes once throttled.
const (
	// metaSlowFrom is the usage (percent) from which requests are slowed,
	// linearly down to none at metaFull.
	metaSlowFrom = 75.0
	metaFull     = 100.0
	// metaDefaultPause is how long a host is paused at full usage when the
	// headers give no time to regain access (the window is a rolling hour).
	metaDefaultPause = 10 * time.Minute
)

type metaUsage struct {
	CallCount    float64 `json:"call_count"`
	TotalCPUTime float64 `json:"total_cputime"`
	TotalTime    float64 `json:"total_time"`
	// Acc is the ad-account usage's field; Regain is in minutes.
	AccIDUtilPct float64 `json:"acc_id_util_pct"`
	Regain       float64 `json:"estimated_time_to_regain_access"`
}

func (u metaUsage) max() float64 {
	return max(u.CallCount, u.TotalCPUTime, u.TotalTime, u.AccIDUtilPct)
}

// parseMetaUsage reads Meta's usage headers: the highest usage in percent
// and, when a use case is throttled, when access comes back. It reports
// false when h has none of them or none can be read.
func parseMetaUsage(h http.Header, now time.Time) (pct float64, regain time.Time, ok bool) {
	note := func(u metaUsage) {
		ok = true
		pct = max(pct, u.max())
		if u.Regain > 0 {
			if t, ok := afterSeconds(u.Regain*60, now); ok && t.After(regain) {
				regain = t
			}
		}
	}
	for _, name := range []string{"X-App-Usage", "X-Ad-Account-Usage"} {
		if v := h.Get(name); v != "" {
			var u metaUsage
			if json.Unmarshal([]byte(v), &u) == nil {
				note(u)
			}
		}
	}
	if v := h.Get("X-Business-Use-Case-Usage"); v != "" {
		var byBusiness map[string][]metaUsage
		if json.Unmarshal([]byte(v), &byBusiness) == nil {
			for _, list := range byBusiness {
				for _, u := range list {
					note(u)
				}
			}
		}
	}
	return pct, regain, ok
}

// MetaUsage reads Meta's usage headers (X-App-Usage, X-Ad-Account-Usage,
// X-Business-Use-Case-Usage): the highest usage in percent and, when a use
// case is throttled, when access comes back (zero when none says). It
// reports false when h has none of them.
func MetaUsage(h http.Header, now time.Time) (pct float64, regain time.Time, ok bool) {
	return parseMetaUsage(h, now)
}
