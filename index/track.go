package index

import (
	"context"
	"time"

	"github.com/creatorscout/scout/creator"
)

// Tracked is a creator that a stream consumer (the Bluesky Jetstream)
// found at or above its follower floor, or writing in a configured niche,
// and now snapshots by counts alone, daily. It is keyed by Key
// (creator.Key of Ref).
type Tracked struct {
	Key string      `json:"key"`
	Ref creator.Ref `json:"ref"`
	// Reason says why the creator is tracked: "floor" or "niche".
	Reason string `json:"reason"`
	// Followers is the follower count at CheckedAt.
	Followers int64 `json:"followers"`
	// Since is when tracking began; CheckedAt when the counts were last
	// read (the next count-only snapshot falls due a day after it).
	Since     time.Time `json:"since"`
	CheckedAt time.Time `json:"checked_at"`
	// CrawlQueuedAt is when a full crawl was last queued for the creator
	// (on discovery, a spike or a niche change), so that one is not queued
	// again and again.
	CrawlQueuedAt time.Time `json:"crawl_queued_at,omitzero"`
}

// TrackCounts tallies what a Tracking store holds.
type TrackCounts struct {
	Tracked int `json:"tracked"`
}

// Tracking keeps a stream consumer's durable state: its cursors (where to
// resume reading) and the creators it tracks. It is optional: a backend
// that has it implements it beside Store, and its Delete also forgets the
// creator's Tracked row, so erasure reaches it.
type Tracking interface {
	// StreamCursor returns the cursor saved under name, or 0 when none is.
	StreamCursor(ctx context.Context, name string) (int64, error)
	// PutStreamCursor saves cursor under name, replacing the one before.
	PutStreamCursor(ctx context.Context, name string, cursor int64) error
	// PutTracked creates or replaces each of ts, keyed by Key, in one step
	// where the backend has transactions.
	PutTracked(ctx context.Context, ts []Tracked) error
	// GetTracked returns those of keys that are tracked, by key; unknown
	// keys are left out.
	GetTracked(ctx context.Context, keys []string) (map[string]Tracked, error)
	// DueTracked returns up to limit tracked creators last checked before
	// before, least recently checked first (then by key).
	DueTracked(ctx context.Context, before time.Time, limit int) ([]Tracked, error)
	// CountTracked tallies the tracked creators.
	CountTracked(ctx context.Context) (TrackCounts, error)
}
