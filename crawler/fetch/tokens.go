package fetch

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Rate limits are shared by every worker through one GCRA state per host
// in Redis (its theoretical arrival time, TAT). A client does not ask for
// one request at a time: it reserves a batch of send times ("slots") in
// one round trip, as many as it has goroutines waiting for one (or until
// theirs) and, at high
// rates, what the rate allows in batchHorizon, and hands them out in
// order. Each slot is a time the shared limit allows, spaced as the limit
// spaces them, so the limit stays exact across workers however the slots
// are split between them; a slot nobody is there to use in time, or whose
// goroutine wakes too late for it, is dropped, never used late (which
// could bunch requests), and counts against the limit (conservative).

// batchHorizon is how far ahead a batch reaches when the rate is high
// enough that its spacing, not the waiting goroutines, sets the batch.
const batchHorizon = 50 * time.Millisecond

// maxBatch caps the slots one round trip reserves.
const maxBatch = 64

// reserveScript reserves ARGV[3] slots of the GCRA limit with emission
// interval ARGV[1] µs and burst ARGV[2] whose TAT (µs, Redis's clock) is
// in KEYS[1]; it returns each slot's delay from now in µs.
var reserveScript = redis.NewScript(`
redis.replicate_commands()
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tau = (tonumber(ARGV[2]) - 1) * interval
local tat = tonumber(redis.call("GET", KEYS[1]) or "0")
local out = {}
for i = 1, tonumber(ARGV[3]) do
  local slot = math.max(now, tat - tau)
  tat = math.max(tat, slot) + interval
  out[i] = slot - now
end
redis.call("SET", KEYS[1], string.format("%.0f", tat), "PX", math.floor((tat - now) / 1000) + 1000)
return out
`)

// reserve implements coord for Redis.
func (r *redisCoord) reserve(ctx context.Context, key string, l rateLimit, n int) ([]time.Duration, error) {
	vals, err := reserveScript.Run(ctx, r.rdb, []string{r.prefix + "tat:" + key},
		max(l.Interval.Microseconds(), 1), max(l.Burst, 1), max(n, 1)).Int64Slice()
	if err != nil {
		return nil, fmt.Errorf("rate limiting %s: %w", key, err)
	}
	out := make([]time.Duration, len(vals))
	for i, v := range vals {
		out[i] = time.Duration(v) * time.Microsecond
	}
	return out, nil
}

// slotPool holds the slots a client reserved for one host and limit.
type slotPool struct {
	// waiting counts the goroutines taking a slot or sleeping until
	// theirs: those a rate-bound client will soon ask for the next ones.
	waiting atomic.Int32
	mu      sync.Mutex
	slots   []time.Time // oldest first
}

// take waits for a slot of key's limit l: from the pool, or from a batch
// reserved for every goroutine waiting.
func (c *Client) take(ctx context.Context, key string, l rateLimit) error {
	pk := key + "|" + strconv.FormatInt(int64(l.Interval), 10) + "|" + strconv.Itoa(l.Burst)
	v, _ := c.pools.LoadOrStore(pk, &slotPool{})
	p := v.(*slotPool)
	p.waiting.Add(1)
	defer p.waiting.Add(-1)
	// A slot may be used late by at most half the burst's tolerance and a
	// quarter of the interval: later, it could bunch with the slots after
	// it (in any window, the requests sent are then those of the slots in
	// a window a quarter of an interval longer).
	slack := time.Duration(max(l.Burst, 1)-1)*l.Interval/2 + l.Interval/4
	for {
		slot, err := c.nextSlot(ctx, p, key, l, slack)
		if err != nil {
			return err
		}
		if d := slot.Sub(c.now()); d > 0 {
			if err := c.sleep(ctx, d); err != nil {
				return err
			}
		}
		if c.now().Sub(slot) <= slack {
			return nil
		}
		// Woken too late (a starved process): this slot is lost; take
		// another rather than bunch with the ones after it.
	}
}

// nextSlot takes the pool's next slot still usable, reserving a batch
// when there is none.
func (c *Client) nextSlot(ctx context.Context, p *slotPool, key string, l rateLimit, slack time.Duration) (time.Time, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := c.now()
	for len(p.slots) > 0 && now.Sub(p.slots[0]) > slack {
		p.slots = p.slots[1:]
	}
	if len(p.slots) == 0 {
		n := int(p.waiting.Load())
		if l.Interval > 0 {
			n = max(n, int(batchHorizon/l.Interval))
		}
		delays, err := c.coord.reserve(ctx, key, l, min(max(n, 1), maxBatch))
		if err != nil {
			return time.Time{}, err
		}
		now = c.now()
		for _, d := range delays {
			p.slots = append(p.slots, now.Add(d))
		}
	}
	slot := p.slots[0]
	p.slots = p.slots[1:]
	return slot, nil
}

// hostStateTTL is how long a client trusts the host state (pause, adapted
// rate) it read from Redis; its own pauses and adaptations take effect at
// once, other workers' within this time.
const hostStateTTL = 250 * time.Millisecond

type cachedState struct {
	until time.Time
	rps   float64
	read  time.Time
}

// hostState reads key's pause and adapted rate through a brief cache.
func (c *Client) hostState(ctx context.Context, key string) (time.Time, float64, error) {
	now := c.now()
	if v, ok := c.states.Load(key); ok {
		s := v.(cachedState)
		if d := now.Sub(s.read); d >= 0 && d < hostStateTTL {
			return s.until, s.rps, nil
		}
	}
	until, rps, err := c.coord.hostState(ctx, key)
	if err != nil {
		return until, rps, err
	}
	c.states.Store(key, cachedState{until: until, rps: rps, read: now})
	return until, rps, nil
}

// forgetState drops key's cached host state after this client changed it.
func (c *Client) forgetState(key string) { c.states.Delete(key) }

// setPause pauses key for every worker, this one at once.
func (c *Client) setPause(ctx context.Context, key string, until, now time.Time) error {
	defer c.forgetState(key)
	return c.coord.pause(ctx, key, until, now)
}

// setAdapt lowers key's rate for every worker, this one at once.
func (c *Client) setAdapt(ctx context.Context, key string, rps float64, until, now time.Time) error {
	defer c.forgetState(key)
	return c.coord.adapt(ctx, key, rps, until, now)
}
