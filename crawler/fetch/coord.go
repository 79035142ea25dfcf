package fetch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// rateLimit is a GCRA limit: one request per interval, with a burst.
type rateLimit struct {
	Interval time.Duration
	Burst    int
}

// coord holds the state workers share: rate-limit buckets, host pauses,
// adapted rates, the robots.txt cache and quota counters. Implementations
// are safe for concurrent use.
type coord interface {
	// reserve takes n send times from key's limit l and returns how far
	// ahead of now each is, in order.
	reserve(ctx context.Context, key string, l rateLimit, n int) ([]time.Duration, error)
	// hostState returns the pause-until time (zero when none) and the
	// adapted rate in requests per second (0 when none) for host.
	hostState(ctx context.Context, host string) (time.Time, float64, error)
	// pause stops requests to host until until.
	pause(ctx context.Context, host string, until time.Time, now time.Time) error
	// adapt lowers host's rate to rps until until.
	adapt(ctx context.Context, host string, rps float64, until time.Time, now time.Time) error
	// get and set keep small cached values (robots.txt).
	get(ctx context.Context, key string) ([]byte, bool, error)
	set(ctx context.Context, key string, val []byte, ttl time.Duration) error
	// spend adds cost to a quota counter unless that would pass max; it
	// reports whether the cost was spent.
	spend(ctx context.Context, key string, cost, max int64, ttl time.Duration) (bool, error)
}

// redisCoord keeps shared state in Redis so every worker sees it.
type redisCoord struct {
	rdb    redis.UniversalClient
	prefix string
}

func newRedisCoord(rdb redis.UniversalClient, prefix string) *redisCoord {
	return &redisCoord{rdb: rdb, prefix: prefix}
}

func (r *redisCoord) hostState(ctx context.Context, host string) (time.Time, float64, error) {
	vals, err := r.rdb.MGet(ctx, r.prefix+"pause:"+host, r.prefix+"adapt:"+host).Result()
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("reading host state of %s: %w", host, err)
	}
	var until time.Time
	var rps float64
	if s, ok := vals[0].(string); ok {
		if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
			until = time.UnixMilli(ms)
		}
	}
	if s, ok := vals[1].(string); ok {
		rps, _ = strconv.ParseFloat(s, 64)
	}
	return until, rps, nil
}

// extendScript sets KEYS[1] to ARGV[1] with a TTL of ARGV[2] ms unless it
// already holds a later time, so a shorter announcement never cuts a pause.
var extendScript = redis.NewScript(`
local cur = tonumber(redis.call("GET", KEYS[1]) or "0")
if cur >= tonumber(ARGV[1]) then return 0 end
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
return 1
`)

func (r *redisCoord) pause(ctx context.Context, host string, until, now time.Time) error {
	ttl := until.Sub(now) + time.Second
	if ttl <= time.Second {
		return nil
	}
	err := extendScript.Run(ctx, r.rdb, []string{r.prefix + "pause:" + host}, until.UnixMilli(), ttl.Milliseconds()).Err()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("pausing %s: %w", host, err)
	}
	return nil
}

func (r *redisCoord) adapt(ctx context.Context, host string, rps float64, until, now time.Time) error {
	ttl := until.Sub(now)
	if ttl <= 0 {
		return nil
	}
	if err := r.rdb.Set(ctx, r.prefix+"adapt:"+host, strconv.FormatFloat(rps, 'g', -1, 64), max(ttl, time.Millisecond)).Err(); err != nil {
		return fmt.Errorf("adapting rate of %s: %w", host, err)
	}
	return nil
}

func (r *redisCoord) get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := r.rdb.Get(ctx, r.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading %s: %w", key, err)
	}
	return b, true, nil
}

func (r *redisCoord) set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if err := r.rdb.Set(ctx, r.prefix+key, val, ttl).Err(); err != nil {
		return fmt.Errorf("writing %s: %w", key, err)
	}
	return nil
}

// spendScript adds ARGV[1] to KEYS[1] unless the sum would pass ARGV[2].
var spendScript = redis.NewScript(`
local cur = tonumber(redis.call("GET", KEYS[1]) or "0")
if cur + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return 0 end
redis.call("INCRBY", KEYS[1], ARGV[1])
redis.call("PEXPIRE", KEYS[1], ARGV[3])
return 1
`)

func (r *redisCoord) spend(ctx context.Context, key string, cost, limit int64, ttl time.Duration) (bool, error) {
	n, err := spendScript.Run(ctx, r.rdb, []string{r.prefix + "quota:" + key}, cost, limit, ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("spending quota %s: %w", key, err)
	}
	return n == 1, nil
}

// memCoord keeps the state in the process: for tests and one-off tools
// that run a single client. Every scout process passes a Redis (embedded
// mode an in-process miniredis), so its limits are the GCRA in Redis
// (reserveScript); here golang.org/x/time/rate applies the same limit (a
// token bucket of Burst refilled every Interval is GCRA's schedule) on the
// client's clock, which tests fake and Redis's own clock cannot follow.
type memCoord struct {
	now func() time.Time

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	pauses  map[string]time.Time
	adapted map[string]memAdapt
	kv      map[string]memVal
	quota   map[string]memQuota
}

type memAdapt struct {
	rps   float64
	until time.Time
}

type memVal struct {
	val []byte
	exp time.Time
}

type memQuota struct {
	n   int64
	exp time.Time
}

func newMemCoord(now func() time.Time) *memCoord {
	return &memCoord{
		now:     now,
		buckets: map[string]*rate.Limiter{},
		pauses:  map[string]time.Time{},
		adapted: map[string]memAdapt{},
		kv:      map[string]memVal{},
		quota:   map[string]memQuota{},
	}
}

// reserve implements coord in the process: each slot is a reservation
// from key's token bucket, by the same rule as Redis's.
func (m *memCoord) reserve(_ context.Context, key string, l rateLimit, n int) ([]time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	lim, burst := rate.Every(l.Interval), max(l.Burst, 1)
	b, ok := m.buckets[key]
	if !ok {
		b = rate.NewLimiter(lim, burst)
		m.buckets[key] = b
	} else if b.Limit() != lim || b.Burst() != burst {
		b.SetLimitAt(now, lim)
		b.SetBurstAt(now, burst)
	}
	out := make([]time.Duration, max(n, 1))
	for i := range out {
		out[i] = b.ReserveN(now, 1).DelayFrom(now)
	}
	return out, nil
}

func (m *memCoord) hostState(_ context.Context, host string) (time.Time, float64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	until := m.pauses[host]
	if !until.After(now) {
		until = time.Time{}
	}
	var rps float64
	if a, ok := m.adapted[host]; ok && a.until.After(now) {
		rps = a.rps
	}
	return until, rps, nil
}

func (m *memCoord) pause(_ context.Context, host string, until, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if until.After(m.pauses[host]) {
		m.pauses[host] = until
	}
	return nil
}

func (m *memCoord) adapt(_ context.Context, host string, rps float64, until, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.adapted[host] = memAdapt{rps: rps, until: until}
	return nil
}

func (m *memCoord) get(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.kv[key]
	if !ok || !m.now().Before(v.exp) {
		return nil, false, nil
	}
	return v.val, true, nil
}

func (m *memCoord) set(_ context.Context, key string, val []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.kv) > 10000 {
		now := m.now()
		for k, v := range m.kv {
			if !now.Before(v.exp) {
				delete(m.kv, k)
			}
		}
	}
	m.kv[key] = memVal{val: append([]byte(nil), val...), exp: m.now().Add(ttl)}
	return nil
}

func (m *memCoord) spend(_ context.Context, key string, cost, limit int64, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.quota[key]
	if !m.now().Before(q.exp) {
		q = memQuota{exp: m.now().Add(ttl)}
	}
	if q.n+cost > limit {
		return false, nil
	}
	q.n += cost
	m.quota[key] = q
	return true, nil
}

// intervalFor turns requests per second into a GCRA emission interval.
func intervalFor(rps float64) time.Duration {
	if rps <= 0 || math.IsInf(rps, 1) || math.IsNaN(rps) {
		return 0
	}
	return time.Duration(float64(time.Second) / rps)
}
