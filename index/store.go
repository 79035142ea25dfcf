package index

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/creatorscout/scout/creator"
)

// DefaultHistoryCap is how many snapshots a backend keeps per creator unless
// configured otherwise; older ones are dropped first.
const DefaultHistoryCap = 400

// Store is the durable state of CreatorScout: creators and their snapshot
// history, submitted jobs, opt-outs, watchlists and alert events. Backends
// are safe for concurrent use.
type Store interface {
	Creators
	Jobs
	OptOuts
	Watchlists
	Close() error
}

// Creators stores creator records and their history and searches them.
type Creators interface {
	// Upsert writes rec (keyed by rec.Key) and appends snap to its history
	// in one step: either both are stored or neither is. It returns once
	// the write is durable and visible to Get and Search.
	Upsert(ctx context.Context, rec *creator.Record, snap creator.Snapshot) error
	// UpsertMany is Upsert for a batch, in one transaction where the backend
	// has them; it is how bulk ingest and re-indexing write.
	UpsertMany(ctx context.Context, ws []Write) error
	// Get returns the full record stored under key, or an error wrapping
	// creator.ErrNotFound.
	Get(ctx context.Context, key string) (*creator.Record, error)
	// History returns up to limit of the newest snapshots of key, oldest
	// first; limit <= 0 means all that are kept. An unknown key gives none.
	History(ctx context.Context, key string, limit int) ([]creator.Snapshot, error)
	// Delete erases everything stored about the creator: the record, its
	// history, job items and alert events naming it, and its watchlist
	// memberships. Deleting an unknown key is not an error.
	Delete(ctx context.Context, key string) error
	// Search answers q. An invalid query gives an error wrapping
	// creator.ErrInvalid that names the offending field.
	Search(ctx context.Context, q Query) (*Result, error)
}

// Write is one creator write: a record and the snapshot to append to its
// history.
type Write struct {
	Record   *creator.Record
	Snapshot creator.Snapshot
}

// Committer is implemented by stores that can write creators and job
// items in one transaction (SQLite: one sync to disk for both). The crawl's
// group commit uses it where the store has it and makes the two calls
// otherwise.
type Committer interface {
	// Commit stores ws as UpsertMany does and items as PutJobItems does, in
	// one transaction: all of it or none. Either may be empty.
	Commit(ctx context.Context, ws []Write, items []*JobItem) error
}

// Job states.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// Job item states.
const (
	ItemPending = "pending"
	ItemDone    = "done"
	ItemFailed  = "failed"
	ItemSkipped = "skipped"
)

// Job is a submitted discover or crawl request, recorded before it is
// enqueued so that it survives the loss of the queue.
type Job struct {
	ID      string          `json:"id"`
	Kind    string          `json:"kind"` // "discover" or "crawl"
	Request json.RawMessage `json:"request"`
	State   string          `json:"state"`
	// Discovered is how many creators the job's discovery yielded (crawl
	// jobs: 1). Set by the job's one discover step.
	Discovered int    `json:"discovered"`
	Error      string `json:"error,omitempty"`
	// Counts tallies the job's items by state; backends compute it on read.
	Counts JobCounts `json:"counts"`
	// CreatedBy names who submitted the job (index.ActorFrom): an API key's
	// name, "cli", or "" for the system (rescans, resumes).
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// JobCounts tallies a job's items by state.
type JobCounts struct {
	Pending int `json:"pending"`
	Done    int `json:"done"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

// JobItem is one creator of a job and how its crawl ended. Items are keyed
// by (JobID, Key), so recording the same outcome twice counts once.
type JobItem struct {
	JobID     string      `json:"job_id"`
	Key       string      `json:"key"`
	Ref       creator.Ref `json:"ref"`
	State     string      `json:"state"`
	Error     string      `json:"error,omitempty"`
	UpdatedAt time.Time   `json:"updated_at"`
}

// ItemKey is the key of a creator's item within a job: the store key when
// the id is known, else one derived from the lower-cased handle. Erasure
// uses it to find the items that name a creator.
func ItemKey(r creator.Ref) string {
	if r.ID != "" {
		return creator.Key(r)
	}
	return creator.KeyOf(r.Platform, "handle:"+strings.ToLower(r.Handle))
}

// Jobs stores submitted jobs and the outcome of each of their items.
type Jobs interface {
	// PutJob creates or replaces the job's header (everything but Counts).
	PutJob(ctx context.Context, j *Job) error
	// GetJob returns the job with Counts filled, or creator.ErrNotFound.
	GetJob(ctx context.Context, id string) (*Job, error)
	// PutJobItems creates or replaces items of jobs, all in one write (one
	// transaction, one sync to disk), or none of them when it fails.
	PutJobItems(ctx context.Context, items ...*JobItem) error
	// JobItems lists a job's items in a state ("" for all), by key.
	JobItems(ctx context.Context, jobID, state string) ([]JobItem, error)
	// UnfinishedJobs lists jobs in state queued or running, oldest first.
	UnfinishedJobs(ctx context.Context) ([]Job, error)
}

// OptOut is a creator's request not to be collected.
type OptOut struct {
	Platform string `json:"platform"`
	// ID is the platform-native id when known; Handle the handle or profile
	// URL given. Either identifies the creator.
	ID        string    `json:"id,omitempty"`
	Handle    string    `json:"handle,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// RecordedBy names who recorded it (index.ActorFrom).
	RecordedBy string `json:"recorded_by,omitempty"`
}

// OptOuts stores the opt-out list.
type OptOuts interface {
	// AddOptOut records o durably. It does not erase; the caller erases.
	AddOptOut(ctx context.Context, o *OptOut) error
	// IsOptedOut reports whether the creator with this platform and id or
	// handle (either may be empty) has opted out. Handles compare
	// case-insensitively.
	IsOptedOut(ctx context.Context, platform, id, handle string) (bool, error)
	// ListOptOuts returns the whole list, oldest first.
	ListOptOuts(ctx context.Context) ([]OptOut, error)
}
