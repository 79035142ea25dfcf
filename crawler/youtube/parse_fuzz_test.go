package youtube

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

// FuzzYouTubeParsers feeds arbitrary bodies, seeded from the recorded
// Data API responses, to every parser: none may panic; a failure is
// ErrMalformed or ErrNotFound with nothing returned; a result encodes as
// JSON (the store's format) and channel refs are YouTube's.
func FuzzYouTubeParsers(f *testing.F) {
	for _, dir := range []string{"testdata", recordedDir} {
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
	f.Add([]byte(`{"items":[{"id":"","statistics":{"viewCount":"-5","subscriberCount":"1e400"}}]}`))
	check := func(t *testing.T, what string, got any, ok bool, err error) {
		t.Helper()
		if err != nil {
			if !errors.Is(err, creator.ErrMalformed) && !errors.Is(err, creator.ErrNotFound) {
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
		p, _, err := parseChannels(body)
		check(t, "channels", p, p != nil, err)
		if err == nil && p.Ref.Platform != creator.YouTube {
			t.Fatalf("channel ref %+v", p.Ref)
		}
		ids, _, err := parsePlaylistItems(body)
		check(t, "playlist", ids, ids != nil, err)
		posts, err := parseVideos(body)
		check(t, "videos", posts, posts != nil, err)
		cs, _, err := parseCommentThreads(body, "UCx")
		check(t, "comments", cs, cs != nil, err)
		_ = Commenters(cs)
		refs, _, err := ParseSearch(body)
		check(t, "search", refs, refs != nil, err)
		for _, r := range refs {
			if r.Platform != creator.YouTube || r.ID == "" {
				t.Fatalf("search ref %+v", r)
			}
		}
	})
}
