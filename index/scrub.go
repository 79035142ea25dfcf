package index

import (
	"context"
	"strings"

	"github.com/creatorscout/scout/creator"
)

// Scrubber is implemented by stores that keep more about a creator than
// Delete removes: job records that name the creator, and files whose freed
// space may still hold the deleted bytes. Erasure (an opt-out) calls it
// after deleting the creator's records.
type Scrubber interface {
	// ScrubCreator removes what the store's jobs keep of the creator ref
	// names (by id or handle, handles compared ignoring case) or of the
	// store and job-item keys in keys: each such job item loses its key
	// and ref (it still counts toward its job's tally, as "erased"), and
	// each job whose request or error names the creator loses them. It
	// then makes the deleted bytes unreadable from the store's files where
	// the backend can (SQLite: secure_delete and a truncating checkpoint
	// of its write-ahead log).
	ScrubCreator(ctx context.Context, ref creator.Ref, keys []string) error
}

// ErasedMessage is what a scrubbed job item or job says instead of what
// named an erased creator.
const ErasedMessage = "erased at the creator's request"

// RefNames reports whether r names the same creator as ref: the same
// platform and the same id, or the same handle ignoring case.
func RefNames(r, ref creator.Ref) bool {
	if !strings.EqualFold(r.Platform, ref.Platform) {
		return false
	}
	return ref.ID != "" && r.ID == ref.ID || ref.Handle != "" && strings.EqualFold(strings.TrimPrefix(r.Handle, "@"), strings.TrimPrefix(ref.Handle, "@"))
}
