package crawler

import (
	"fmt"
	"sync"

	"github.com/creatorscout/scout/creator"
)

// RefForm is how a platform's creators are named, as its source reads
// them: which ids and handles are well formed, and which profile URLs
// name a creator. Each source registers its platform's with
// RegisterRefForm, beside Register.
type RefForm struct {
	// Hint says what a valid id or handle looks like, for error messages
	// ("user@instance (alice@mastodon.example)").
	Hint string
	// Valid reports whether v is a well-formed value of field ("id" or
	// "handle"). It must not do I/O.
	Valid func(field, v string) bool
	// URLs lists the addresses a creator of the platform is known by
	// besides its profile's own URL (a site that links to one of them
	// links to the creator); nil when there are none.
	URLs func(ref creator.Ref) []string
}

var (
	formMu   sync.RWMutex
	refForms = map[string]RefForm{}
)

// RegisterRefForm makes a platform's RefForm known to ValidateRef and the
// link evidence. It panics when the platform has one already or f has no
// Valid. Call it from init.
func RegisterRefForm(platform string, f RefForm) {
	formMu.Lock()
	defer formMu.Unlock()
	if _, dup := refForms[platform]; dup {
		panic("crawler: ref form of " + platform + " registered twice")
	}
	if f.Valid == nil {
		panic("crawler: ref form of " + platform + " has no Valid")
	}
	refForms[platform] = f
}

func refForm(platform string) (RefForm, bool) {
	formMu.RLock()
	defer formMu.RUnlock()
	f, ok := refForms[platform]
	return f, ok
}

// ValidateRef checks that ref's id and handle have the form its platform
// uses, so that a job is never created for a creator no source could
// fetch ("../../etc/passwd", "a b c"). An empty id or handle is not
// checked; a platform no source has registered (RegisterRefForm) is left
// to the caller. Errors wrap creator.ErrInvalid and name the field ("id"
// or "handle").
func ValidateRef(ref creator.Ref) error {
	form, known := refForm(ref.Platform)
	if !known {
		return nil
	}
	for _, f := range []struct{ name, v string }{{"id", ref.ID}, {"handle", ref.Handle}} {
		if f.v == "" || form.Valid(f.name, f.v) {
			continue
		}
		return fmt.Errorf("%w: %s: %.80q is not a valid %s %s; want %s", creator.ErrInvalid, f.name, f.v, ref.Platform, f.name, form.Hint)
	}
	return nil
}
