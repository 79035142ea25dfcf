package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/bluesky"
	"github.com/creatorscout/scout/crawler/bluesky/jetstream"
	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index/sqlite"
	"github.com/creatorscout/scout/internal/testredis"
	"github.com/creatorscout/scout/sim"
)

// TestMain lets a test start this binary as `scout <command>` in a
// process of its own (SCOUT_TEST_CHILD names the command), to kill it.
func TestMain(m *testing.M) {
	if cmd := os.Getenv("SCOUT_TEST_CHILD"); cmd != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, strings.Fields(cmd))
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// TestIntegrationTrackSurvivesKill runs `scout track` as a process of its
// own against the simulator's stream, kills it with SIGKILL between two
// cursor saves, and starts another (as another worker taking over when
// the lease expires). Every creator over the floor that the stream named,
// from the first cursor to past the kill, is tracked (no event lost), and
// each has one crawl queued (the replayed events changed nothing).
func TestIntegrationTrackSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes for about 5 s")
	}
	world := sim.New(sim.Config{Seed: 13, Creators: 60})
	js := world.Jetstream()
	js.Configure(sim.JetstreamConfig{Rate: 300})
	simSrv := newLoopbackServer(t, world)
	rs := testredis.New(t, redisDB)
	dir := t.TempDir()
	ctx := context.Background()
	const floor = 5000

	st, err := sqlite.Open(filepath.Join(dir, "scout.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	first := time.Now().Add(-5 * time.Second)
	if err := st.PutStreamCursor(ctx, "jetstream", first.UnixMicro()); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(),
		"SCOUT_TEST_CHILD=track",
		"SCOUT_REDIS_URL="+fmt.Sprintf("redis://%s/%d", rs.Opts.Addr, rs.Opts.DB),
		"SCOUT_DATA_DIR="+dir,
		"SCOUT_BLUESKY_URL="+simSrv,
		"SCOUT_ALLOW_PRIVATE_NETS=127.0.0.0/8",
		"SCOUT_RATE_BLUESKY=2000:200",
		"SCOUT_JETSTREAM_URL="+simSrv+"/subscribe",
		fmt.Sprintf("SCOUT_JETSTREAM_FOLLOWER_FLOOR=%d", floor),
		"SCOUT_JETSTREAM_SAVE_EVERY=300ms",
		"SCOUT_LOG_FORMAT=text",
	)
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = env
		if testing.Verbose() {
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		return cmd
	}
	saved := func() int64 {
		c, err := st.StreamCursor(ctx, "jetstream")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	waitUntil := func(d time.Duration, what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(d)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	p1 := start()
	waitUntil(20*time.Second, "the first process to save a cursor", func() bool { return saved() > first.UnixMicro() })
	time.Sleep(time.Second) // mid-stream, most likely between two saves
	if err := p1.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p1.Wait()
	killedAt := time.Now()
	atKill := saved()
	// The dead process's lease would expire in 30 s; another worker takes
	// over then. Expire it now.
	if err := rs.Client.Del(ctx, jetstreamLeaseKey).Err(); err != nil {
		t.Fatal(err)
	}
	p2 := start()
	end := killedAt.Add(time.Second)
	waitUntil(30*time.Second, "the second process to save a cursor past the kill", func() bool { return saved() > end.UnixMicro() })
	p2.Process.Signal(syscall.SIGTERM)
	p2.Wait()

	// The oracle: every account the stream named from the first cursor to
	// end, looked up as the tracker would, at or above the floor and not
	// labelled.
	candidates := map[string]bool{}
	var ev jetstream.Event
	for i := int64(0); ; i++ {
		frame, us, _ := js.Frame(indexAt(js, first) + i)
		if us > end.UnixMicro() {
			break
		}
		if frame == nil || jetstream.Decode(frame, &ev) != nil || ev.Commit == nil || ev.Commit.Operation != "create" || ev.Commit.Record == nil {
			continue
		}
		switch ev.Commit.Collection {
		case jetstream.CollectionPost:
			candidates[ev.DID] = true
		case jetstream.CollectionFollow, jetstream.CollectionRepost:
			if d := ev.Commit.Record.Subject.DID; d != "" {
				candidates[d] = true
			}
		}
	}
	src := oracleSource(t, simSrv)
	var dids []string
	for d := range candidates {
		dids = append(dids, d)
	}
	want := map[string]bool{}
	for i := 0; i < len(dids); i += bluesky.MaxProfiles {
		cs, err := src.Counts(ctx, dids[i:min(i+bluesky.MaxProfiles, len(dids))])
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.Known && c.Followers >= floor && !c.OptedOut {
				want[creator.Key(creator.Ref{Platform: creator.Bluesky, ID: c.Ref.ID})] = true
			}
		}
	}
	if len(want) < 5 {
		t.Fatalf("the oracle expects %d creators: too few to test anything", len(want))
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	got, err := st.GetTracked(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("%s was named by the stream but is not tracked: an event was lost", k)
		}
	}
	total, err := st.CountTracked(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := asynq.NewInspectorFromRedisClient(rs.Client).ListPendingTasks(crawler.QueueRescan, asynq.PageSize(10000))
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != total.Tracked {
		t.Errorf("%d crawls queued for %d tracked creators, want one each", len(tasks), total.Tracked)
	}
	t.Logf("cursor at the kill %d (%.1fs after the first), %d creators expected, %d tracked, %d crawls queued",
		atKill, float64(atKill-first.UnixMicro())/1e6, len(want), total.Tracked, len(tasks))
}

// indexAt is the index of the stream's first event at or after t.
func indexAt(js *sim.Jetstream, t time.Time) int64 {
	lo, hi := int64(0), int64(1)
	for _, us, _ := js.Frame(hi); us < t.UnixMicro(); _, us, _ = js.Frame(hi) {
		lo, hi = hi, hi*2
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if _, us, _ := js.Frame(mid); us < t.UnixMicro() {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// oracleSource is a Bluesky source on the simulator for the test's own
// lookups.
func oracleSource(t *testing.T, base string) *bluesky.Source {
	t.Helper()
	nets, _ := fetch.ParseNets("127.0.0.0/8")
	hc, err := fetch.New(fetch.WithAllowNets(nets...), fetch.WithRetries(0, 0),
		fetch.WithHost(strings.TrimPrefix(base, "http://"), fetch.HostPolicy{Rate: 10000, Burst: 1000}))
	if err != nil {
		t.Fatal(err)
	}
	src, err := bluesky.New(crawler.Config{HTTP: hc, BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// newLoopbackServer serves the world on a loopback port until the test
// ends and returns its base URL.
func newLoopbackServer(t *testing.T, w *sim.World) string {
	t.Helper()
	srv, err := w.Serve(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.URL
}
