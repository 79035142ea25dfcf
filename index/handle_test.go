package index

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
)

// pagedHits is a Searcher that answers every query with the same list of
// hits, paged as the query asks. It is a stand-in for a store (the stores'
// own tests use real ones) to check that ByHandle reads every page.
type pagedHits struct {
	hits []creator.Record
	asks []Query
}

func (p *pagedHits) Search(_ context.Context, q Query) (*Result, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	p.asks = append(p.asks, q)
	from := min(len(p.hits), (q.Page-1)*q.PerPage)
	return &Result{Hits: p.hits[from:min(len(p.hits), from+q.PerPage)], Total: len(p.hits), Page: q.Page, PerPage: q.PerPage}, nil
}

func TestByHandle(t *testing.T) {
	handle := "a.b.c.d.e.f.g.h.i.j.k.example.social" // more words than a query takes
	var hits []creator.Record
	for i := range 250 {
		hits = append(hits, creator.Record{Key: fmt.Sprintf("bluesky-%d", i), Profile: creator.Profile{Ref: creator.Ref{Platform: creator.Bluesky, Handle: fmt.Sprintf("a.b.c.d.e.f.g.h.i.j.%d.example", i)}}})
	}
	// The exact one, on the third page, spelled in another case.
	hits[230].Profile.Ref.Handle = "A.B.C.D.E.F.G.H.I.J.K.example.social"
	s := &pagedHits{hits: hits}
	got, err := ByHandle(context.Background(), s, creator.Bluesky, handle)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]creator.Record{hits[230]}, got); diff != "" {
		t.Errorf("ByHandle (-want +got):\n%s", diff)
	}
	if len(s.asks) != 3 {
		t.Errorf("%d searches, want the 3 pages", len(s.asks))
	}
	if n := TextWords(s.asks[0].Text); n > MaxTextWords {
		t.Errorf("searched %q: %d words", s.asks[0].Text, n)
	}
}
