package index

import (
	"context"

	"github.com/creatorscout/scout/creator"
)

// Exporter is implemented by stores that can list everything they hold,
// which Store cannot (Search stops at MaxTotalHits, and jobs and alert
// events have no list-all). `scout reindex` copies one store into another
// with it. It is optional: callers test for it with a type assertion.
//
// Each method calls fn once per item, in no particular order, and stops at
// the first error fn returns, returning it. Items written while an export
// runs may or may not be seen. Implementations are safe for concurrent use.
type Exporter interface {
	// ForEachCreator calls fn with every creator record and its kept
	// history, oldest snapshot first.
	ForEachCreator(ctx context.Context, fn func(rec *creator.Record, history []creator.Snapshot) error) error
	// ForEachJob calls fn with every job (Counts filled) and all its items
	// ordered by key.
	ForEachJob(ctx context.Context, fn func(j *Job, items []JobItem) error) error
	// ForEachAlert calls fn with every alert event.
	ForEachAlert(ctx context.Context, fn func(e *AlertEvent) error) error
}
