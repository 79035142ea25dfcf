package memredis_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/internal/memredis"
)

// TestTTLsExpire: keys expire although no command advances the clock,
// and keys without a TTL or with a long one stay.
func TestTTLsExpire(t *testing.T) {
	s, c := startClient(t, memredis.Config{Tick: 10 * time.Millisecond})
	ctx := context.Background()
	c.Set(ctx, "short", "1", 50*time.Millisecond)
	c.Set(ctx, "long", "1", time.Hour)
	c.Set(ctx, "forever", "1", 0)
	deadline := time.Now().Add(10 * time.Second)
	for s.Exists("short") {
		if time.Now().After(deadline) {
			t.Fatal("a key with a 50 ms TTL still exists after 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, k := range []string{"long", "forever"} {
		if n, _ := c.Exists(ctx, k).Result(); n != 1 {
			t.Errorf("%s expired", k)
		}
	}
	if d, _ := c.TTL(ctx, "long").Result(); d <= 59*time.Minute || d > time.Hour {
		t.Errorf("TTL of long = %v, want just under an hour", d)
	}
}

// startClient starts an embedded Redis with cfg and a client of it, both
// closed when t ends.
func startClient(t *testing.T, cfg memredis.Config) (*memredis.Server, *redis.Client) {
	t.Helper()
	s, err := memredis.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c := redis.NewClient(&redis.Options{Addr: s.Addr()})
	t.Cleanup(func() { c.Close() })
	return s, c
}

// script is a command shaped like asynq's: a Lua script touching a list,
// a hash and a sorted set.
var script = redis.NewScript(`
redis.call("HSET", KEYS[1], "state", "active", "n", ARGV[1])
redis.call("ZADD", KEYS[2], ARGV[1], KEYS[1])
redis.call("ZREM", KEYS[2], KEYS[1])
return redis.call("HGET", KEYS[1], "n")
`)

// BenchmarkCommand measures one asynq-shaped command against the embedded
// Redis holding 1k, 10k and 100k keys (half with a TTL), with TTLs driven
// by the ticker (flat in the number of keys) and, for contrast, by
// miniredis's ClockTTL(true) (a sort of every key per command).
func BenchmarkCommand(b *testing.B) {
	for _, mode := range []string{"ticker", "clockttl"} {
		for _, n := range []int{1_000, 10_000, 100_000} {
			if mode == "clockttl" && n > 10_000 {
				continue // tens of ms a command: too slow to run
			}
			b.Run(fmt.Sprintf("%s/keys=%d", mode, n), func(b *testing.B) {
				var addr string
				if mode == "ticker" {
					s, err := memredis.Start(memredis.Config{})
					if err != nil {
						b.Fatal(err)
					}
					defer s.Close()
					addr = s.Addr()
				} else {
					m := miniredis.NewMiniRedis()
					m.ClockTTL(true)
					if err := m.Start(); err != nil {
						b.Fatal(err)
					}
					defer m.Close()
					addr = m.Addr()
				}
				c := redis.NewClient(&redis.Options{Addr: addr})
				defer c.Close()
				ctx := context.Background()
				fill(b, ctx, c, n)
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					if err := script.Run(ctx, c, []string{fmt.Sprintf("t:%d", i%64), "lease"}, i).Err(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func fill(b *testing.B, ctx context.Context, c *redis.Client, n int) {
	b.Helper()
	for start := 0; start < n; start += 1000 {
		p := c.Pipeline()
		for i := start; i < min(n, start+1000); i++ {
			ttl := time.Duration(0)
			if i%2 == 0 {
				ttl = time.Hour
			}
			p.Set(ctx, fmt.Sprintf("k:%d", i), "v", ttl)
		}
		if _, err := p.Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// TestScriptStackRoom: the embedded Redis's Lua states (lua.go) hold what
// asynq's largest use needs, a ZREM of thousands of ids unpacked at once,
// like its archive script after a quiet spell; and a script past the room
// fails with an error rather than bringing anything down.
func TestScriptStackRoom(t *testing.T) {
	_, c := startClient(t, memredis.Config{})
	ctx := context.Background()
	const n = 4000
	ids := make([]any, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("task-%d", i)
		c.ZAdd(ctx, "archived", redis.Z{Score: float64(i), Member: ids[i]})
	}
	zrem := redis.NewScript(`
local old = redis.call("ZRANGE", KEYS[1], 0, -1)
return redis.call("ZREM", KEYS[1], unpack(old))`)
	got, err := zrem.Run(ctx, c, []string{"archived"}).Int()
	if err != nil || got != n {
		t.Fatalf("unpacking %d ids into one ZREM: %d removed, err %v", n, got, err)
	}
	big := make([]any, 20_000)
	for i := range big {
		big[i] = i
	}
	if err := redis.NewScript(`return #{unpack(ARGV)}`).Run(ctx, c, nil, big...).Err(); err == nil {
		t.Error("a script unpacking 20,000 values ran; want an error (past the Lua stack)")
	}
	if err := c.Ping(ctx).Err(); err != nil {
		t.Errorf("the embedded Redis after a failed script: %v", err)
	}
}
