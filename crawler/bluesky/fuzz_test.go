package bluesky

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/creatorscout/scout/creator"
)

// FuzzParsers feeds arbitrary bodies to every parser: none may panic, and
// every failure is ErrMalformed or ErrNotFound with nothing returned.
func FuzzParsers(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"feed":[{"post":{"uri":"x","record":{"reply":{"parent":{}}}}}]}`))
	check := func(t *testing.T, what string, ok bool, err error) {
		if err != nil && !errors.Is(err, creator.ErrMalformed) && !errors.Is(err, creator.ErrNotFound) {
			t.Fatalf("%s: unexpected error %v", what, err)
		}
		if err != nil && ok {
			t.Fatalf("%s: returned data with error %v", what, err)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseProfile(body)
		check(t, "profile", p != nil, err)
		accts, err := parseProfiles(body)
		check(t, "profiles", accts != nil, err)
		refs, _, err := parseSearchActors(body)
		check(t, "search", refs != nil, err)
		posts, _, err := parseAuthorFeed(body, "did:plc:testcook000000000000001")
		check(t, "feed", posts != nil, err)
		fol, _, err := parseFollowers(body)
		check(t, "followers", fol != nil, err)
		cs, err := parseThread(body, "")
		check(t, "thread", cs != nil, err)
	})
}
