package index

import (
	"strings"

	"github.com/creatorscout/scout/creator"
)

// OptOutSet answers IsOptedOut from a list read once (ListOptOuts), for
// passes over a whole store such as a copy. It compares as the stores'
// IsOptedOut does: the platform and the id exactly, or the platform and
// the handle ignoring case and a leading '@' (NormalizeHandle), as erasure
// matches job records (RefNames). It is safe for concurrent reads.
type OptOutSet struct {
	ids, handles map[string]bool
}

// NewOptOutSet returns the set of the opt-outs in list.
func NewOptOutSet(list []OptOut) *OptOutSet {
	s := &OptOutSet{ids: map[string]bool{}, handles: map[string]bool{}}
	for _, o := range list {
		p := strings.ToLower(o.Platform)
		if o.ID != "" {
			s.ids[p+"\x00"+o.ID] = true
		}
		if o.Handle != "" {
			s.handles[p+"\x00"+NormalizeHandle(o.Handle)] = true
		}
	}
	return s
}

// Has reports whether ref opted out, by its id or its handle.
func (s *OptOutSet) Has(ref creator.Ref) bool {
	p := strings.ToLower(ref.Platform)
	return ref.ID != "" && s.ids[p+"\x00"+ref.ID] || ref.Handle != "" && s.handles[p+"\x00"+NormalizeHandle(ref.Handle)]
}
