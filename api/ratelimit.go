package api

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/go-redis/redis_rate/v10"
)

// DefaultRatePerMinute is the rate limit of a key that names none.
const DefaultRatePerMinute = 600

// limit applies k's rate limit, kept in Redis so that it holds across
// replicas of the API: it sets the RateLimit-* headers and, past the
// limit, writes a 429 with Retry-After and returns false. Without
// Config.Redis there is no limit. If Redis fails the request goes through
// (logged): a rate limit must not take the API down with it.
func (s *Server) limit(w http.ResponseWriter, r *http.Request, k *Key) bool {
	if s.limiter == nil {
		return true
	}
	per := k.RatePerMinute
	if per <= 0 {
		per = s.cfg.RatePerMinute
	}
	if per <= 0 {
		per = DefaultRatePerMinute
	}
	res, err := s.limiter.Allow(r.Context(), "scout:ratelimit:"+k.Name, redis_rate.PerMinute(per))
	if err != nil {
		s.log.Warn("rate limit unavailable; request allowed", "key", k.Name, "err", err)
		return true
	}
	h := w.Header()
	h.Set("RateLimit-Policy", strconv.Itoa(per)+";w=60")
	h.Set("RateLimit-Limit", strconv.Itoa(per))
	h.Set("RateLimit-Remaining", strconv.Itoa(max(0, res.Remaining)))
	h.Set("RateLimit-Reset", strconv.Itoa(ceilSeconds(res.ResetAfter)))
	if res.Allowed > 0 {
		return true
	}
	wait := ceilSeconds(res.RetryAfter)
	h.Set("Retry-After", strconv.Itoa(wait))
	s.metrics.rateLimited(k.Name)
	WriteError(w, http.StatusTooManyRequests, "rate_limited",
		"the API key "+quoteName(k.Name)+" may make "+strconv.Itoa(per)+" requests a minute; retry in "+strconv.Itoa(wait)+" s")
	return false
}

// ceilSeconds rounds d up to whole seconds, at least 1 for a positive d
// and at most an hour.
func ceilSeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int(math.Min(3600, math.Ceil(d.Seconds())))
}
