package index

import (
	"context"
	"strings"

	"github.com/creatorscout/scout/creator"
)

// Searcher is what ByHandle needs of a store.
type Searcher interface {
	Search(ctx context.Context, q Query) (*Result, error)
}

// ByHandle returns the summaries of the stored creators of platform whose
// handle is handle, compared case-insensitively. A handle is not a search
// field: ByHandle searches for its words (its first MaxTextWords, for a
// longer one, which match more creators), pages through every match and
// keeps those whose handle is the whole of it. It is safe for concurrent
// use if s is.
func ByHandle(ctx context.Context, s Searcher, platform, handle string) ([]creator.Record, error) {
	f := Eq("platform", platform)
	q := Query{Text: LeadingWords(handle, MaxTextWords), Filter: &f, PerPage: MaxPerPage}
	var out []creator.Record
	for q.Page = 1; ; q.Page++ {
		res, err := s.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			if strings.EqualFold(h.Profile.Ref.Handle, handle) {
				out = append(out, h)
			}
		}
		if len(res.Hits) < q.PerPage || q.Page*q.PerPage >= min(res.Total, MaxTotalHits) {
			return out, nil
		}
	}
}
