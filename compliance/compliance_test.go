package compliance_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/compliance"
	"github.com/creatorscout/scout/crawler"
	_ "github.com/creatorscout/scout/crawler/sources"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
)

var t0 = time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)

// store returns a SQLite store holding one creator per ref, crawled at the
// times given.
func store(t *testing.T, recs map[creator.Ref]time.Time) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "scout.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for ref, at := range recs {
		rec := &creator.Record{Key: creator.Key(ref), Profile: creator.Profile{Ref: ref, FetchedAt: at}, FirstSeen: at, UpdatedAt: at}
		if err := st.Upsert(context.Background(), rec, creator.Snapshot{At: at}); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func TestOptOutByURLErasesAndRecords(t *testing.T) {
	alice := creator.Ref{Platform: creator.Bluesky, ID: "did:plc:alice", Handle: "alice.bsky.social"}
	st := store(t, map[creator.Ref]time.Time{alice: t0})
	svc, err := compliance.New(compliance.Config{Store: st, ParseProfileURL: crawler.ParseProfileURL, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := svc.OptOut(ctx, compliance.OptOutRequest{URL: "https://www.bsky.app/profile/Alice.bsky.social", Reason: "asked"})
	if err != nil {
		t.Fatal(err)
	}
	want := &compliance.OptOutResult{
		OptOut: index.OptOut{Platform: creator.Bluesky, ID: alice.ID, Handle: alice.Handle, Reason: "asked", CreatedAt: t0},
		Erased: []string{creator.Key(alice)},
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("OptOut (-want +got):\n%s", diff)
	}
	if _, err := st.Get(ctx, creator.Key(alice)); !errors.Is(err, creator.ErrNotFound) {
		t.Errorf("after the opt-out Get = %v, want not found", err)
	}
	if out, err := st.IsOptedOut(ctx, creator.Bluesky, "", "ALICE.bsky.social"); err != nil || !out {
		t.Errorf("IsOptedOut by handle = %v, %v; want true", out, err)
	}
}

func TestOptOutRefusesBadRequests(t *testing.T) {
	st := store(t, nil)
	withURLs, _ := compliance.New(compliance.Config{Store: st, ParseProfileURL: crawler.ParseProfileURL})
	noURLs, _ := compliance.New(compliance.Config{Store: st})
	tests := []struct {
		name string
		svc  *compliance.Service
		req  compliance.OptOutRequest
		text string
	}{
		{"no platform", withURLs, compliance.OptOutRequest{Handle: "x"}, "platform: required"},
		{"unknown platform", withURLs, compliance.OptOutRequest{Platform: "myspace", Handle: "x"}, "unknown platform"},
		{"nobody named", withURLs, compliance.OptOutRequest{Platform: creator.Bluesky}, "a handle, id or url is required"},
		{"url of another platform", withURLs, compliance.OptOutRequest{Platform: creator.Twitch, URL: "https://bsky.app/profile/alice.bsky.social"}, "does not match"},
		{"not a profile url", withURLs, compliance.OptOutRequest{URL: "https://bsky.app/search?q=x"}, "not a bluesky profile URL"},
		{"url without a parser", noURLs, compliance.OptOutRequest{URL: "https://bsky.app/profile/alice.bsky.social"}, "profile URLs are not read here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.svc.OptOut(context.Background(), tt.req)
			if !errors.Is(err, creator.ErrInvalid) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("OptOut(%+v) = %v; want an invalid-input error saying %q", tt.req, err, tt.text)
			}
		})
	}
	if l, _ := st.ListOptOuts(context.Background()); len(l) != 0 {
		t.Errorf("refused requests recorded %d opt-outs", len(l))
	}
}

func TestPurgeHonoursRetention(t *testing.T) {
	old := creator.Ref{Platform: creator.Twitch, ID: "1", Handle: "old"}
	fresh := creator.Ref{Platform: creator.Twitch, ID: "2", Handle: "fresh"}
	kept := creator.Ref{Platform: creator.Bluesky, ID: "did:plc:kept", Handle: "kept.bsky.social"}
	st := store(t, map[creator.Ref]time.Time{old: t0.Add(-25 * time.Hour), fresh: t0.Add(-time.Hour), kept: t0.Add(-1000 * time.Hour)})
	svc, _ := compliance.New(compliance.Config{Store: st, Now: func() time.Time { return t0 },
		Retention: map[string]time.Duration{creator.Twitch: 24 * time.Hour, creator.Bluesky: 0}})
	n, err := svc.Purge(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("Purge = %d, %v; want 1", n, err)
	}
	for ref, want := range map[creator.Ref]bool{old: false, fresh: true, kept: true} {
		_, err := st.Get(context.Background(), creator.Key(ref))
		if got := err == nil; got != want {
			t.Errorf("%s kept = %v, want %v (%v)", ref, got, want, err)
		}
	}
	if err := svc.EnqueuePurge(context.Background()); err == nil {
		t.Error("EnqueuePurge without a queue succeeded")
	}
}
