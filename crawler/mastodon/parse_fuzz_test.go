package mastodon

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creatorscout/scout/creator"
)

// fuzzSeeds adds every JSON file under dirs (recorded responses, read
// when present) to f's corpus.
func fuzzSeeds(f *testing.F, dirs ...string) {
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
				return nil
			}
			if b, err := os.ReadFile(path); err == nil && len(b) < 1<<20 {
				f.Add(b)
			}
			return nil
		})
	}
}

// FuzzMastodonParsers feeds arbitrary bodies, seeded from the recorded
// responses, to every parser: none may panic; a failure is one of the
// sentinels with nothing returned; what is returned is Mastodon's,
// encodes as JSON (the store's format) and names accounts user@instance.
func FuzzMastodonParsers(f *testing.F) {
	fuzzSeeds(f, "testdata", recordedDir)
	f.Add([]byte(`{"acct":"a@b@c","noindex":true,"note":"#nobot","followers_count":-1}`))
	f.Add([]byte(`[{"acct":"","url":"javascript:alert(1)"}]`))
	check := func(t *testing.T, what string, got any, ok bool, err error) {
		t.Helper()
		if err != nil {
			if !errors.Is(err, creator.ErrMalformed) && !errors.Is(err, creator.ErrNotFound) && !errors.Is(err, creator.ErrOptedOut) && !errors.Is(err, creator.ErrInvalid) {
				t.Fatalf("%s: unexpected error %v", what, err)
			}
			if ok {
				t.Fatalf("%s: returned data with error %v", what, err)
			}
			return
		}
		if _, err := json.Marshal(got); err != nil {
			t.Fatalf("%s: result does not encode: %v", what, err)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		const inst = "mastodon.example"
		p, err := parseAccount(body, inst)
		check(t, "account", p, p != nil, err)
		if err == nil && (p.Ref.Platform != creator.Mastodon || p.Ref.ID == "" || !strings.Contains(p.Ref.ID, "@")) {
			t.Fatalf("account ref %+v, want a mastodon user@instance", p.Ref)
		}
		posts, err := parseStatuses(body, "1")
		check(t, "statuses", posts, posts != nil, err)
		cs, err := parseContext(body, "1", "1", inst)
		check(t, "context", cs, cs != nil, err)
		as, err := parseAccounts(body, inst)
		check(t, "accounts", as, as != nil, err)
		for _, fn := range []func([]byte, string) ([]creator.Ref, error){parseDirectory, ParseSearch} {
			refs, err := fn(body, inst)
			check(t, "refs", refs, refs != nil, err)
			for _, r := range refs {
				if r.Platform != creator.Mastodon || (r.ID == "" && r.Handle == "") {
					t.Fatalf("discovered ref %+v", r)
				}
			}
		}
	})
}
