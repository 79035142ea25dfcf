package bluesky

import (
	"slices"
	"testing"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
)

// TestAppURLs: the addresses link evidence knows a Bluesky account by
// (its Naming's URLs): bsky.app by handle and by DID, no handle URL for an
// account whose handle does not resolve.
func TestAppURLs(t *testing.T) {
	got := appURLs(creator.Ref{Platform: creator.Bluesky, ID: "did:plc:abc", Handle: "alice.bsky.social"})
	want := []string{"https://bsky.app/profile/alice.bsky.social", "https://bsky.app/profile/did:plc:abc"}
	if !slices.Equal(got, want) {
		t.Errorf("appURLs = %q, want %q", got, want)
	}
	if got := appURLs(creator.Ref{Platform: creator.Bluesky, ID: "did:plc:abc", Handle: InvalidHandle}); !slices.Equal(got, want[1:]) {
		t.Errorf("appURLs of an invalid handle = %q, want only the DID's", got)
	}
	if err := crawler.ValidateRef(creator.Ref{Platform: creator.Bluesky, Handle: "../../etc/passwd"}); err == nil {
		t.Error("ValidateRef accepted a path as a Bluesky handle: the source's Naming is not registered")
	}
}
