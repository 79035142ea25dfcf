package memredis

import (
	"fmt"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// Config configures Start. Zero values take the defaults given.
type Config struct {
	// Addr is the listen address; "" means "127.0.0.1:0".
	Addr string
	// Tick is the shortest interval between two TTL passes; 0 means 250 ms.
	Tick time.Duration
	// MaxBusy is the largest share of time the TTL passes may hold the
	// server's lock; the interval grows past Tick to keep to it. 0 means
	// 0.02.
	MaxBusy float64
}

// Server is a running embedded Redis. It is safe for concurrent use.
type Server struct {
	*miniredis.Miniredis
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// Start starts a miniredis on cfg.Addr with ticker-driven TTLs.
func Start(cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Tick <= 0 {
		cfg.Tick = 250 * time.Millisecond
	}
	if cfg.MaxBusy <= 0 || cfg.MaxBusy > 1 {
		cfg.MaxBusy = 0.02
	}
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr(cfg.Addr); err != nil {
		return nil, fmt.Errorf("starting the embedded redis: %w", err)
	}
	s := &Server{Miniredis: m, stop: make(chan struct{}), done: make(chan struct{})}
	go s.tick(cfg)
	return s, nil
}

// tick advances TTLs by the time that passed, every cfg.Tick or, when a
// pass is slow (many keys), every pass duration / cfg.MaxBusy.
func (s *Server) tick(cfg Config) {
	defer close(s.done)
	last := time.Now()
	wait := cfg.Tick
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		start := time.Now()
		s.FastForward(start.Sub(last))
		last = start
		took := time.Since(start)
		wait = max(cfg.Tick, time.Duration(float64(took)/cfg.MaxBusy))
		t.Reset(wait)
	}
}

// Close stops the ticker and the server.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.stop)
		<-s.done
		s.Miniredis.Close()
	})
}
