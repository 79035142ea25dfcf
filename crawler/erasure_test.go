package crawler_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creatorscout/scout/compliance"
	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
	"github.com/creatorscout/scout/internal/testredis"
	"github.com/creatorscout/scout/sim"
)

// countIn counts the occurrences of each needle in the store's file and
// its write-ahead log, byte for byte.
func countIn(t *testing.T, db string, needles map[string]string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, path := range []string{db, db + "-wal"} {
		b, err := os.ReadFile(path)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for name, n := range needles {
			out[name] += bytes.Count(b, []byte(n))
		}
	}
	return out
}

// TestOptOutLeavesNoBytes crawls a creator three times (a request job, a
// discovery that lists it, rescans), puts it on a watchlist with an alert,
// opts it out, and scans the SQLite file and its log, byte for byte, while
// the store is still open: the creator's bio appears nowhere, and its id,
// store key and handle no more often than in a store holding only its
// opt-out record (which must keep them to block collection).
func TestOptOutLeavesNoBytes(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "scout.db")
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rs := testredis.New(t, redisDB)
	comp, err := compliance.New(compliance.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	pipe, err := crawler.NewPipeline(crawler.PipelineConfig{Store: st, Sources: map[string]crawler.Source{creator.Bluesky: f.source}, Redis: rs.Client, Erasure: comp})
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close()

	ref := creator.Ref{Platform: creator.Bluesky, Handle: sim.HandleSteady}
	job, err := pipe.SubmitCrawl(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	for i, reason := range []string{crawler.ReasonRequest, crawler.ReasonRescan, crawler.ReasonRescan} {
		p := crawler.CrawlPayload{Ref: ref, Reason: reason}
		if i == 0 {
			p.JobID = job.ID
		}
		task, err := crawler.NewCrawlTask(p, 3)
		if err != nil {
			t.Fatal(err)
		}
		if err := pipe.HandleCrawl(ctx, task); err != nil {
			t.Fatalf("crawl %d: %v", i, err)
		}
		time.Sleep(2 * time.Millisecond) // distinct snapshot times
	}
	disc, err := pipe.SubmitDiscover(ctx, creator.Bluesky, "vegan recipes", 50)
	if err != nil {
		t.Fatal(err)
	}
	dtask, _ := crawler.NewDiscoverTask(crawler.DiscoverPayload{JobID: disc.ID, Source: creator.Bluesky, Query: "vegan recipes", Limit: 50}, 3)
	if err := pipe.HandleDiscover(ctx, dtask); err != nil {
		t.Fatal(err)
	}
	hits, err := index.ByHandle(ctx, st, creator.Bluesky, sim.HandleSteady)
	if err != nil || len(hits) != 1 {
		t.Fatalf("stored creator: %v %v", hits, err)
	}
	rec, err := st.Get(ctx, hits[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Profile.Bio) < 12 {
		t.Fatalf("bio %q too short to search for", rec.Profile.Bio)
	}
	now := time.Now().UTC()
	if err := st.PutWatchlist(ctx, &index.Watchlist{ID: "wl", Name: "w", CreatedAt: now, UpdatedAt: now, NextRunAt: now,
		Members: []index.WatchMember{{Key: rec.Key, Ref: rec.Profile.Ref, AddedAt: now}}}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutAlert(ctx, &index.AlertEvent{ID: "al", WatchlistID: "wl", CreatorKey: rec.Key, Kind: "follower_spike", At: now,
		Message: rec.Profile.Ref.Handle + " gained followers"}); err != nil {
		t.Fatal(err)
	}
	did := rec.Profile.Ref.ID
	needles := map[string]string{
		"id":         did,
		"id's tail":  did[strings.LastIndex(did, ":")+1:],
		"handle":     rec.Profile.Ref.Handle,
		"bio":        rec.Profile.Bio,
		"store key":  rec.Key,
		"bio's head": rec.Profile.Bio[:12],
	}
	before := countIn(t, db, needles)
	if before["bio"] == 0 || before["handle"] == 0 || before["id's tail"] == 0 {
		t.Fatalf("before the opt-out the file holds %v: the scan finds nothing", before)
	}

	if _, err := comp.OptOut(ctx, compliance.OptOutRequest{Platform: creator.Bluesky, Handle: sim.HandleSteady}); err != nil {
		t.Fatal(err)
	}
	after := countIn(t, db, needles)

	// A store holding only the same opt-out record.
	list, err := st.ListOptOuts(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("opt-outs: %v %v", list, err)
	}
	refDB := filepath.Join(t.TempDir(), "scout.db")
	ref0, err := sqlite.Open(refDB)
	if err != nil {
		t.Fatal(err)
	}
	if err := ref0.AddOptOut(ctx, &list[0]); err != nil {
		t.Fatal(err)
	}
	ref0.Close()
	allowed := countIn(t, refDB, needles)
	for name := range needles {
		if after[name] > allowed[name] {
			t.Errorf("%s: %d copies in the file and log after the opt-out (%d before), want at most the opt-out record's %d",
				name, after[name], before[name], allowed[name])
		}
	}
	t.Logf("copies before the opt-out %v, after %v, in the opt-out record alone %v", before, after, allowed)

	// The jobs still count what they did, without naming the creator.
	j, err := st.GetJob(ctx, job.ID)
	if err != nil || j.Counts.Done != 1 || strings.Contains(string(j.Request), sim.HandleSteady) {
		t.Errorf("crawl job after the opt-out: %+v, %v; want 1 done and a request that names no one", j, err)
	}
}
