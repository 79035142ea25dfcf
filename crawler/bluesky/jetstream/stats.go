package jetstream

import (
	"sync"
	"time"
)

// Stats is the progress of a consumer and its tracker, for the log, the
// metrics and the status endpoint. It is safe for concurrent use; the
// zero value is ready.
type Stats struct {
	mu sync.Mutex
	s  Progress
	// rate estimation: events counted at the last mark.
	markAt     time.Time
	markEvents int64
}

// Progress is a snapshot of Stats.
type Progress struct {
	// Connected is whether a connection is open; Endpoint the one in use.
	Connected bool   `json:"connected"`
	Endpoint  string `json:"endpoint,omitempty"`
	// Leader is whether this process holds the consumer's lease.
	Leader bool `json:"leader"`
	// Events counts events read; Malformed those that could not be decoded.
	Events    int64 `json:"events"`
	Malformed int64 `json:"malformed"`
	// EventsPerSecond is the rate over the last few seconds.
	EventsPerSecond float64 `json:"events_per_second"`
	// LastEventAt is the time of the newest event read; LagSeconds how far
	// behind the clock it was when read (seconds behind the live stream).
	LastEventAt time.Time `json:"last_event_at,omitzero"`
	LagSeconds  float64   `json:"lag_seconds"`
	// Cursor is the last cursor saved to the store (unix microseconds).
	Cursor int64 `json:"cursor"`
	// Reconnects counts connections lost or refused.
	Reconnects int64 `json:"reconnects"`
	// Lookups counts getProfiles calls; LookedUp the accounts they named.
	Lookups  int64 `json:"lookups"`
	LookedUp int64 `json:"looked_up"`
	// Discovered counts creators the stream found that the store did not
	// hold (tracked, and queued for a crawl); Tracked is how many the
	// store tracks (those found stored already included).
	Discovered int64 `json:"discovered"`
	Tracked    int64 `json:"tracked"`
	// Snapshots counts count-only snapshots written; SpikeCrawls the full
	// crawls queued for a spike or a niche change; Erased the creators
	// erased for a deleted account or an opt-out label.
	Snapshots   int64 `json:"snapshots"`
	SpikeCrawls int64 `json:"spike_crawls"`
	Erased      int64 `json:"erased"`
	// Handles counts handle changes applied from #identity events.
	Handles int64 `json:"handles"`
	// LastError is the latest error, if any.
	LastError string `json:"last_error,omitempty"`
}

// Snapshot returns the current progress.
func (s *Stats) Snapshot() Progress {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.s
}

func (s *Stats) update(f func(p *Progress)) {
	s.mu.Lock()
	f(&s.s)
	s.mu.Unlock()
}

// read counts n events, the newest at timeUS, read at now.
func (s *Stats) read(n int64, timeUS int64, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.s.Events += n
	if timeUS > 0 {
		at := time.UnixMicro(timeUS)
		if at.After(s.s.LastEventAt) {
			s.s.LastEventAt = at
		}
		s.s.LagSeconds = max(0, now.Sub(at).Seconds())
	}
	if s.markAt.IsZero() {
		s.markAt, s.markEvents = now, s.s.Events
		return
	}
	if d := now.Sub(s.markAt); d >= 2*time.Second {
		s.s.EventsPerSecond = float64(s.s.Events-s.markEvents) / d.Seconds()
		s.markAt, s.markEvents = now, s.s.Events
	}
}
