package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
)

func TestRunReindexUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no flags", nil, 2, "usage: scout reindex"},
		{"no target", []string{"--from", "sqlite:./data"}, 2, "usage: scout reindex"},
		{"same store", []string{"--from", "meili:http://x", "--to", "meili:http://x"}, 2, "same store"},
		{"unknown kind", []string{"--from", "redis:x", "--to", "meili:http://x"}, 1, `unknown store kind "redis"`},
		{"no kind", []string{"--from", "./data", "--to", "meili:http://x"}, 1, "not sqlite:<path> or meili:<url>"},
		{"extra argument", []string{"--from", "a:b", "--to", "c:d", "more"}, 2, "usage: scout reindex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runReindex(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.wantCode || !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("runReindex(%q) = %d, stderr %q; want %d and %q", tt.args, code, stderr.String(), tt.wantCode, tt.wantErr)
			}
		})
	}
}

// TestRunReindexSQLite copies one SQLite store into another with the
// command, as a user runs it: every creator with all its snapshots (many
// per creator, so batches write one creator many times), jobs, opt-outs,
// watchlists and alerts arrive, and searches of the copy answer as the
// source's do.
func TestRunReindexSQLite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := sqlite.Open(filepath.Join(dir, "src", "scout.db"))
	if err != nil {
		t.Fatal(err)
	}
	var ws []index.Write
	var keys []string
	for i := range 300 {
		ref := creator.Ref{Platform: creator.Bluesky, ID: fmt.Sprintf("did:plc:c%03d", i), Handle: fmt.Sprintf("c%03d.bsky.social", i)}
		keys = append(keys, creator.Key(ref))
		for d := range 1 + i%7 {
			r := &creator.Record{Key: creator.Key(ref), Profile: creator.Profile{Ref: ref, Bio: []string{"vegan recipes", "trail running"}[i%2],
				Followers: int64(100*i + d)}, Scores: creator.Scores{Tier: creator.TierFor(int64(100 * i)), Overall: float64(i % 100)}, UpdatedAt: t0.Add(time.Duration(d) * time.Hour)}
			ws = append(ws, index.Write{Record: r, Snapshot: creator.Snapshot{At: r.UpdatedAt, Followers: r.Profile.Followers}})
		}
	}
	if err := src.UpsertMany(ctx, ws); err != nil {
		t.Fatal(err)
	}
	src.PutJob(ctx, &index.Job{ID: "j1", Kind: "crawl", State: index.JobDone})
	src.PutJobItems(ctx, &index.JobItem{JobID: "j1", Key: ws[0].Record.Key, State: index.ItemDone})
	src.AddOptOut(ctx, &index.OptOut{Platform: creator.Bluesky, Handle: "gone.bsky.social", CreatedAt: t0})
	src.PutWatchlist(ctx, &index.Watchlist{ID: "w1", Name: "w", Members: []index.WatchMember{{Key: ws[0].Record.Key}}})
	src.PutAlert(ctx, &index.AlertEvent{ID: "e1", WatchlistID: "w1", CreatorKey: ws[0].Record.Key, Kind: "quiet", At: t0})
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	if code := runReindex(ctx, []string{"--from", "sqlite:" + filepath.Join(dir, "src"), "--to", "sqlite:" + filepath.Join(dir, "dst"), "--batch", "100"}, &stdout, &stderr); code != 0 {
		t.Fatalf("reindex exited %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "copied 300 creators (1197 snapshots, 0 synthesized), 1 jobs (1 items), 1 opt-outs, 1 watchlists, 1 alert events") {
		t.Errorf("reindex said %q", stdout.String())
	}
	src, _ = sqlite.Open(filepath.Join(dir, "src", "scout.db"))
	defer src.Close()
	dst, err := sqlite.Open(filepath.Join(dir, "dst", "scout.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	for _, key := range []string{keys[0], keys[150], keys[299]} {
		want, err1 := src.Get(ctx, key)
		got, err2 := dst.Get(ctx, key)
		if err1 != nil || err2 != nil {
			t.Fatalf("Get %s: %v, %v", key, err1, err2)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("record %s (-source +copy):\n%s", key, diff)
		}
		wh, _ := src.History(ctx, key, 0)
		gh, _ := dst.History(ctx, key, 0)
		if diff := cmp.Diff(wh, gh); diff != "" {
			t.Errorf("history of %s (-source +copy):\n%s", key, diff)
		}
	}
	minFollowers := 10000.0
	f := index.Range("followers", &minFollowers, nil)
	q := index.Query{Text: "vegan", Filter: &f, Facets: []string{"tier", "followers"}, Sort: []index.Sort{{Field: "overall", Desc: true}}, PerPage: 50}
	want, err1 := src.Search(ctx, q)
	got, err2 := dst.Search(ctx, q)
	if err1 != nil || err2 != nil {
		t.Fatalf("Search: %v, %v", err1, err2)
	}
	if want.Total == 0 {
		t.Fatal("the test's search matches nothing")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("search (-source +copy):\n%s", diff)
	}
	if ok, err := dst.IsOptedOut(ctx, creator.Bluesky, "", "gone.bsky.social"); !ok || err != nil {
		t.Errorf("opt-out not copied: %v, %v", ok, err)
	}
	if e, err := dst.GetAlert(ctx, "e1"); err != nil || e.CreatorKey != ws[0].Record.Key {
		t.Errorf("alert: %+v, %v", e, err)
	}
}

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
