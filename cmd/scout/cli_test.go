package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/sim"
)

// TestIntegrationCLI runs the commands as a user would, configured by the
// environment: crawl one creator (printed as JSON), search for it, opt it
// out, and find it gone.
func TestIntegrationCLI(t *testing.T) {
	world := sim.New(sim.Config{Seed: 2, Creators: 10})
	srv := httptest.NewServer(world.Handler())
	defer srv.Close()
	t.Setenv("SCOUT_DATA_DIR", t.TempDir())
	t.Setenv("SCOUT_REDIS_URL", "")
	t.Setenv("SCOUT_BLUESKY_URL", srv.URL)
	t.Setenv("SCOUT_ALLOW_PRIVATE_NETS", "127.0.0.0/8")
	ctx := context.Background()

	run := func(f func(context.Context, []string, *bytes.Buffer, *bytes.Buffer) int, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := f(ctx, args, &out, &errb)
		return code, out.String(), errb.String()
	}
	crawl := func(ctx context.Context, a []string, o, e *bytes.Buffer) int { return cmdCrawl(ctx, a, o, e) }
	search := func(ctx context.Context, a []string, o, e *bytes.Buffer) int { return cmdSearch(ctx, a, o, e) }
	optout := func(ctx context.Context, a []string, o, e *bytes.Buffer) int { return cmdOptOut(ctx, a, o, e) }

	code, out, errs := run(crawl, sim.HandleRising)
	if code != 0 {
		t.Fatalf("scout crawl exited %d: %s", code, errs)
	}
	var rec creator.Record
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatalf("scout crawl printed %q: %v", out, err)
	}
	c, _ := world.Creator(sim.HandleRising)
	if rec.Profile.Ref.ID != c.DID || rec.Scores.Tier == "" || len(rec.Profile.Posts) == 0 {
		t.Errorf("crawled record: id %q tier %q posts %d; want %s with scores and posts", rec.Profile.Ref.ID, rec.Scores.Tier, len(rec.Profile.Posts), c.DID)
	}

	if code, out, errs = run(search, "rising", "platform=bluesky"); code != 0 || !strings.Contains(out, sim.HandleRising) {
		t.Errorf("scout search = %d %q %q, want a row for %s", code, out, errs, sim.HandleRising)
	}
	// Human output: display name, handle and followers as people read them;
	// flags after the arguments.
	if code, out, errs = run(search, "rising", "platform=bluesky", "--csv"); code != 0 || !strings.HasPrefix(out, "Key,Platform,Handle,Display name,") || !strings.Contains(out, sim.HandleRising) {
		t.Errorf("scout search --csv = %d %q %q", code, out, errs)
	}
	if _, out, _ = run(search, "rising"); !strings.Contains(out, "NAME") || !strings.Contains(out, rec.Profile.DisplayName) || !strings.Contains(out, humanCount(rec.Profile.Followers)) {
		t.Errorf("scout search shows no display name %q or followers %s:\n%s", rec.Profile.DisplayName, humanCount(rec.Profile.Followers), out)
	}
	if code, _, errs = run(search, "tier=gigantic"); code != 2 || !strings.Contains(errs, "emerging, nano, micro") {
		t.Errorf("scout search tier=gigantic = %d %q, want 2 listing the tiers", code, errs)
	}
	if code, _, errs = run(search, "followers_min=lots"); code != 2 || !strings.Contains(errs, "followers_min") {
		t.Errorf("scout search with a bad parameter = %d %q, want 2 naming followers_min", code, errs)
	}
	if code, _, errs = run(crawl, "nobody-at-all.bsky.social"); code == 0 || !strings.Contains(errs, "not found") {
		t.Errorf("scout crawl of an unknown handle = %d %q, want failure saying not found", code, errs)
	}

	if code, out, errs = run(optout, "--url", "https://bsky.app/profile/"+sim.HandleRising, "--reason", "test"); code != 0 || !strings.Contains(out, rec.Key) {
		t.Fatalf("scout optout = %d %q %q, want the erased key %s", code, out, errs, rec.Key)
	}
	if code, out, _ = run(search, "--json", "rising"); code != 0 || !strings.Contains(out, `"total": 0`) {
		t.Errorf("search after opt-out = %d %q, want no hits", code, out)
	}
	if code, out, _ = run(optout, "--list", "--csv"); code != 0 || !strings.Contains(out, sim.HandleRising) {
		t.Errorf("scout optout --list --csv = %d %q", code, out)
	}
	if code, _, errs = run(crawl, sim.HandleRising); code == 0 {
		t.Errorf("crawl of an opted-out creator succeeded: %s", errs)
	}
}

func TestNichesFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := dir + "/bad.txt"
	if err := os.WriteFile(bad, []byte("Not An Id: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{"missing": dir + "/none.txt", "malformed": bad} {
		cfg := config{DataDir: dir, NichesFile: path, Concurrency: 1}
		if a, err := newApp(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "SCOUT_NICHES_FILE") {
			if a != nil {
				a.Close()
			}
			t.Errorf("%s niches file: newApp error %v, want one naming SCOUT_NICHES_FILE", name, err)
		}
	}
	cfg := config{DataDir: dir, NichesFile: "../../deploy/niches.example.txt", Concurrency: 1}
	a, err := newApp(context.Background(), cfg)
	if err != nil {
		t.Fatalf("the example niches file: %v", err)
	}
	a.Close()
}

func TestServicesRefuseBadStarts(t *testing.T) {
	t.Setenv("SCOUT_REDIS_URL", "")
	t.Setenv("SCOUT_DATA_DIR", t.TempDir()+"/never")
	for _, tc := range []struct {
		name string
		f    func(context.Context, []string, io.Writer, io.Writer) int
		args []string
	}{
		{"worker without redis", cmdWorker, nil},
		{"scheduler without redis", cmdScheduler, nil},
		{"serve with an unknown flag", cmdServe, []string{"--bogus"}},
	} {
		var errb bytes.Buffer
		if code := tc.f(context.Background(), tc.args, io.Discard, &errb); code != 2 {
			t.Errorf("%s: exit %d (%s), want 2", tc.name, code, errb.String())
		}
	}
	if _, err := os.Stat(os.Getenv("SCOUT_DATA_DIR")); !os.IsNotExist(err) {
		t.Errorf("a refused start created the data dir: %v", err)
	}
}
