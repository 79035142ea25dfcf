package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// lookups checks the exact handle and profile-URL lookups: they find the
// creators whose field equals the value, however many words it has and
// whatever its case, never one a text search would rank near it, and
// follow renames and erasure.
func (s *suite) lookups(t *testing.T) {
	st := s.open(t)
	ctx := ctxFor(t)
	theo := newRecord(creator.Bluesky, "theo")
	theo.Profile.Ref.Handle = "TheStrongTheo.bsky.social"
	theo.Profile.URL = "https://bsky.app/profile/thestrongtheo.bsky.social"
	// One letter off: a typo-tolerant text search matches it.
	thea := newRecord(creator.Bluesky, "thea")
	thea.Profile.Ref.Handle = "thestrongthea.bsky.social"
	thea.Profile.URL = "https://bsky.app/profile/thestrongthea.bsky.social"
	// The same handle text on another platform.
	masto := newRecord(creator.Mastodon, "theomasto")
	masto.Profile.Ref.Handle = "thestrongtheo.bsky.social"
	masto.Profile.URL = "https://mastodon.example/@thestrongtheo"
	// A handle of more words than a text query takes, and near copies of it
	// whose words are a superset.
	long := newRecord(creator.Bluesky, "long")
	long.Profile.Ref.Handle = "a.b.c.d.e.f.g.h.i.j.k.example.social"
	long.Profile.URL = ""
	var near []*creator.Record
	for i := range 5 {
		r := newRecord(creator.Bluesky, fmt.Sprintf("near%d", i))
		r.Profile.Ref.Handle = fmt.Sprintf("a.b.c.d.e.f.g.h.i.j.k.example.social.x%d", i)
		near = append(near, r)
	}
	// The handle appears in someone else's bio: text search finds it there.
	fan := newRecord(creator.Bluesky, "fan")
	fan.Profile.Bio = "big fan of thestrongtheo.bsky.social"
	mustUpsert(t, st, append([]*creator.Record{theo, thea, masto, long, fan}, near...)...)

	byHandle := func(platform, handle string) []string {
		t.Helper()
		hits, err := index.ByHandle(ctx, st, platform, handle)
		if err != nil {
			t.Fatalf("ByHandle(%s, %q): %v", platform, handle, err)
		}
		return keysOf(hits)
	}
	byURL := func(u string) []string {
		t.Helper()
		hits, err := index.ByProfileURL(ctx, st, u)
		if err != nil {
			t.Fatalf("ByProfileURL(%q): %v", u, err)
		}
		return keysOf(hits)
	}
	tests := []struct {
		name string
		got  func() []string
		want []string
	}{
		{"handle as stored", func() []string { return byHandle(creator.Bluesky, "TheStrongTheo.bsky.social") }, []string{theo.Key}},
		{"handle in another case with @", func() []string { return byHandle(creator.Bluesky, "@thestrongtheo.BSKY.social") }, []string{theo.Key}},
		{"handle on the other platform", func() []string { return byHandle(creator.Mastodon, "thestrongtheo.bsky.social") }, []string{masto.Key}},
		{"one letter off", func() []string { return byHandle(creator.Bluesky, "thestrongthex.bsky.social") }, nil},
		{"prefix of a handle", func() []string { return byHandle(creator.Bluesky, "thestrongtheo") }, nil},
		{"many words", func() []string { return byHandle(creator.Bluesky, "a.b.c.d.e.f.g.h.i.j.k.example.social") }, []string{long.Key}},
		{"url as stored", func() []string { return byURL("https://bsky.app/profile/thestrongtheo.bsky.social") }, []string{theo.Key}},
		{"url spelled otherwise", func() []string { return byURL("http://BSKY.APP/profile/thestrongtheo.bsky.social/?ref=x") }, []string{theo.Key}},
		{"url of nobody", func() []string { return byURL("https://bsky.app/profile/nobody.bsky.social") }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got(), cmpOpts...); diff != "" {
				t.Errorf("lookup (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("Invalid", func(t *testing.T) {
		for _, h := range []string{"", " @ ", string(make([]byte, index.MaxLookupBytes+1))} {
			if _, err := index.ByHandle(ctx, st, creator.Bluesky, h); !errors.Is(err, creator.ErrInvalid) {
				t.Errorf("ByHandle(%.20q) error = %v, want ErrInvalid", h, err)
			}
		}
		if _, err := index.ByProfileURL(ctx, st, "not a url"); !errors.Is(err, creator.ErrInvalid) {
			t.Errorf("ByProfileURL(not a url) error = %v, want ErrInvalid", err)
		}
	})

	t.Run("Rename", func(t *testing.T) {
		renamed := *theo
		renamed.Profile.Ref.Handle = "theo.example.com"
		renamed.Profile.URL = "https://bsky.app/profile/theo.example.com"
		mustUpsert(t, st, &renamed)
		if got := byHandle(creator.Bluesky, "thestrongtheo.bsky.social"); len(got) != 0 {
			t.Errorf("old handle still finds %v", got)
		}
		if diff := cmp.Diff([]string{theo.Key}, byHandle(creator.Bluesky, "theo.example.com")); diff != "" {
			t.Errorf("new handle (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{theo.Key}, byURL("https://bsky.app/profile/theo.example.com")); diff != "" {
			t.Errorf("new url (-want +got):\n%s", diff)
		}
	})

	t.Run("Erased", func(t *testing.T) {
		if err := st.Delete(ctx, masto.Key); err != nil {
			t.Fatal(err)
		}
		if got := byHandle(creator.Mastodon, "thestrongtheo.bsky.social"); len(got) != 0 {
			t.Errorf("erased creator still found: %v", got)
		}
		if got := byURL(masto.Profile.URL); len(got) != 0 {
			t.Errorf("erased creator still found by url: %v", got)
		}
	})
}
