package testredis

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/internal/memredis"
)

// Server is a Redis for one test.
type Server struct {
	// Client talks to the server, on the test's database.
	Client *redis.Client
	// Mini is the in-process server, nil when a real Redis is used.
	Mini *memredis.Server
	// Opts are the client options, for opening more clients (a second
	// "process") on the same database.
	Opts *redis.Options
}

// Real reports whether tests run against a real Redis.
func Real() bool { return os.Getenv("SCOUT_TEST_REDIS_URL") != "" }

// New returns a Redis for t on database db (real Redis only; packages use
// distinct numbers because go test runs packages in parallel). The
// database is flushed at the start, so tests in one package must not run in
// parallel with each other.
func New(t testing.TB, db int) *Server {
	t.Helper()
	if u := os.Getenv("SCOUT_TEST_REDIS_URL"); u != "" {
		opts, err := redis.ParseURL(u)
		if err != nil {
			t.Fatalf("parsing SCOUT_TEST_REDIS_URL: %v", err)
		}
		opts.DB = db
		c := redis.NewClient(opts)
		if err := c.FlushDB(context.Background()).Err(); err != nil {
			t.Fatalf("flushing test redis db %d: %v", db, err)
		}
		t.Cleanup(func() { c.Close() })
		return &Server{Client: c, Opts: opts}
	}
	// The embedded queue's Redis, with TTLs counted down every 10 ms
	// (tests hold few keys).
	m, err := memredis.Start(memredis.Config{Tick: 10 * time.Millisecond, MaxBusy: 1})
	if err != nil {
		t.Fatalf("starting miniredis: %v", err)
	}
	opts := &redis.Options{Addr: m.Addr()}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close(); m.Close() })
	return &Server{Client: c, Mini: m, Opts: opts}
}
