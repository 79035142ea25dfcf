package index

import (
	"testing"

	"github.com/creatorscout/scout/creator"
)

func TestOptOutSet(t *testing.T) {
	s := NewOptOutSet([]OptOut{
		{Platform: "bluesky", ID: "did:plc:abc"},
		{Platform: "Mastodon", Handle: "@Alice@example.social"},
	})
	for _, tc := range []struct {
		ref  creator.Ref
		want bool
	}{
		{creator.Ref{Platform: "bluesky", ID: "did:plc:abc"}, true},
		{creator.Ref{Platform: "bluesky", ID: "did:plc:ABC"}, false}, // ids are exact
		{creator.Ref{Platform: "youtube", ID: "did:plc:abc"}, false},
		{creator.Ref{Platform: "mastodon", Handle: "alice@example.social"}, true},
		{creator.Ref{Platform: "mastodon", Handle: "@ALICE@example.social"}, true},
		{creator.Ref{Platform: "mastodon", Handle: "bob@example.social"}, false},
		{creator.Ref{Platform: "mastodon"}, false},
	} {
		if got := s.Has(tc.ref); got != tc.want {
			t.Errorf("Has(%+v) = %v, want %v", tc.ref, got, tc.want)
		}
		// Erasure's matcher must agree with the set for every opt-out.
		agree := RefNames(creator.Ref{Platform: "bluesky", ID: "did:plc:abc"}, tc.ref) ||
			RefNames(creator.Ref{Platform: "Mastodon", Handle: "@Alice@example.social"}, tc.ref)
		if agree != tc.want {
			t.Errorf("RefNames says %v for %+v, the set %v", agree, tc.ref, tc.want)
		}
	}
}
