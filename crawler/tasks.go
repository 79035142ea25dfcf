package crawler

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// Task types and queues.
const (
	TypeDiscover = "discover"
	TypeCrawl    = "crawl"

	// QueueInteractive holds discover and crawl tasks submitted by users.
	QueueInteractive = "interactive"
	// QueueRescan holds watchlist rescans, below interactive work.
	QueueRescan = "rescan"
	// QueueWebhooks holds webhook deliveries.
	QueueWebhooks = "webhooks"
	// QueueMaintenance holds purges and other housekeeping: package
	// compliance's tasks, which it queues under the same name
	// (compliance.QueueMaintenance; cmd/scout's TestQueueNames).
	QueueMaintenance = "maintenance"
)

// Queues is the weighting of the queues a worker serves.
var Queues = map[string]int{QueueInteractive: 6, QueueWebhooks: 3, QueueRescan: 2, QueueMaintenance: 1}

// Crawl reasons.
const (
	ReasonRequest  = "request"
	ReasonDiscover = "discover"
	ReasonRescan   = "rescan"
	// ReasonLinked is a crawl of an account another creator is linked to
	// (PipelineConfig.FollowLinks).
	ReasonLinked = "linked"
	// ReasonStream is a crawl of a creator an event stream found (the
	// Bluesky Jetstream), or of a tracked creator whose counts spiked.
	ReasonStream = "stream"
)

// DiscoverPayload is the payload of a discover task.
type DiscoverPayload struct {
	JobID  string `json:"job_id"`
	Source string `json:"source"`
	Query  string `json:"query"`
	Limit  int    `json:"limit"`
}

// CrawlPayload is the payload of a crawl task.
type CrawlPayload struct {
	Ref         creator.Ref `json:"ref"`
	Reason      string      `json:"reason"`
	JobID       string      `json:"job_id,omitempty"`
	WatchlistID string      `json:"watchlist_id,omitempty"`
}

// itemKey is the key of a crawl within its job: the store key when the id
// is known, else one derived from the lower-cased handle.
func (p CrawlPayload) itemKey() string { return index.ItemKey(p.Ref) }

// NewDiscoverTask returns the discover task for p. Its task id is derived
// from the job, so enqueuing the same job twice queues it once.
func NewDiscoverTask(p DiscoverPayload, maxRetry int) (*asynq.Task, error) {
	if p.JobID == "" || p.Source == "" || p.Query == "" {
		return nil, fmt.Errorf("building discover task: %w: job_id, source and query are required", creator.ErrInvalid)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding discover task: %w", err)
	}
	return asynq.NewTask(TypeDiscover, b, asynq.Queue(QueueInteractive), asynq.MaxRetry(maxRetry),
		asynq.TaskID("discover-"+p.JobID), asynq.Timeout(5*time.Minute)), nil
}

// NewCrawlTask returns the crawl task for p: on the rescan queue for
// rescans, else the interactive queue. Its task id is derived from the job
// (or, for rescans, the creator), so a crawl that is still queued is not
// queued again.
func NewCrawlTask(p CrawlPayload, maxRetry int) (*asynq.Task, error) {
	if p.Ref.Platform == "" || (p.Ref.ID == "" && p.Ref.Handle == "") {
		return nil, fmt.Errorf("building crawl task: %w: ref needs a platform and an id or handle", creator.ErrInvalid)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding crawl task: %w", err)
	}
	return asynq.NewTask(TypeCrawl, b, asynq.Queue(crawlQueue(p)), asynq.MaxRetry(maxRetry),
		asynq.TaskID(crawlTaskID(p)), asynq.Timeout(3*time.Minute)), nil
}

func crawlQueue(p CrawlPayload) string {
	if p.Reason == ReasonRescan || p.Reason == ReasonLinked || p.Reason == ReasonStream {
		return QueueRescan
	}
	return QueueInteractive
}

func crawlTaskID(p CrawlPayload) string {
	switch p.Reason {
	case ReasonRescan:
		return "rescan-" + p.itemKey()
	case ReasonLinked:
		return "linked-" + p.itemKey()
	case ReasonStream:
		return "stream-" + p.itemKey()
	}
	return "crawl-" + p.JobID + "-" + p.itemKey()
}

// newID returns a sortable, random job id.
func newID(now time.Time) string {
	return fmt.Sprintf("%s-%08x", now.UTC().Format("20060102T150405"), rand.Uint32())
}
