package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/meili"
	"github.com/creatorscout/scout/index/sqlite"
)

const reindexUsage = `usage: scout reindex --from <store> --to <store> [flags]

Copies every creator with its history, every job with its items, the
opt-out list, watchlists and alert events from one store into another.
A store is sqlite:<data dir or .db file> or meili:<http(s) URL>, e.g.

  scout reindex --from sqlite:./data --to meili:http://localhost:7700

The target should be empty: histories and opt-outs are appended, so copying
twice into the same store duplicates them (--allow-nonempty to do it anyway).
Meilisearch keys come from --from-key/--to-key, else SCOUT_MEILI_KEY;
SCOUT_MEILI_TIMEOUT and SCOUT_MEILI_CA_FILE apply to both stores.

flags:`

// reindexStats counts what a copy wrote.
type reindexStats struct {
	Creators, Snapshots, Synthesized int
	Jobs, Items                      int
	OptOuts, Watchlists, Alerts      int
	// OptedOut counts creators, job items and watchlist members left out
	// because their creator is on the opt-out list.
	OptedOut int
}

// runReindex implements `scout reindex`: it opens the two stores named by
// --from and --to and copies everything from one to the other.
func runReindex(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, reindexUsage)
		fs.PrintDefaults()
	}
	from := fs.String("from", "", "source store: sqlite:<path> or meili:<url> (required)")
	to := fs.String("to", "", "target store: sqlite:<path> or meili:<url> (required)")
	fromKey := fs.String("from-key", "", "Meilisearch API key of the source (default $SCOUT_MEILI_KEY)")
	toKey := fs.String("to-key", "", "Meilisearch API key of the target (default $SCOUT_MEILI_KEY)")
	fromPrefix := fs.String("from-prefix", "", "Meilisearch index prefix of the source (default scout_)")
	toPrefix := fs.String("to-prefix", "", "Meilisearch index prefix of the target (default scout_)")
	batch := fs.Int("batch", 1000, "creator writes per UpsertMany call (two are written at once)")
	allowNonEmpty := fs.Bool("allow-nonempty", false, "copy into a target that already holds creators")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *from == "" || *to == "" || fs.NArg() > 0 || *batch < 1 {
		fs.Usage()
		return 2
	}
	if *from == *to {
		fmt.Fprintln(stderr, "scout reindex: --from and --to name the same store")
		return 2
	}
	cfg, err := configFromEnv()
	if err != nil {
		fmt.Fprintf(stderr, "scout reindex: %v\n", err)
		return 2
	}
	src, err := openStoreSpec(ctx, cfg, *from, orDefault(*fromKey, cfg.MeiliKey), *fromPrefix, false)
	if err != nil {
		fmt.Fprintf(stderr, "scout reindex: opening source: %v\n", err)
		return 1
	}
	defer src.Close()
	dst, err := openStoreSpec(ctx, cfg, *to, orDefault(*toKey, cfg.MeiliKey), *toPrefix, true)
	if err != nil {
		fmt.Fprintf(stderr, "scout reindex: opening target: %v\n", err)
		return 1
	}
	defer dst.Close()
	if !*allowNonEmpty {
		res, err := dst.Search(ctx, index.Query{PerPage: 1})
		if err != nil {
			fmt.Fprintf(stderr, "scout reindex: checking the target is empty: %v\n", err)
			return 1
		}
		if res.Total > 0 {
			fmt.Fprintf(stderr, "scout reindex: the target already holds %d creators; copying would duplicate their history (use --allow-nonempty to copy anyway)\n", res.Total)
			return 1
		}
	}
	start := time.Now()
	st, err := copyStore(ctx, src, dst, *batch, stderr)
	fmt.Fprintf(stdout, "copied %d creators (%d snapshots, %d synthesized), %d jobs (%d items), %d opt-outs, %d watchlists, %d alert events in %s\n",
		st.Creators, st.Snapshots, st.Synthesized, st.Jobs, st.Items, st.OptOuts, st.Watchlists, st.Alerts, time.Since(start).Round(time.Millisecond))
	if st.OptedOut > 0 {
		fmt.Fprintf(stdout, "left out %d creators, job items and watchlist members of creators who opted out\n", st.OptedOut)
	}
	if err != nil {
		fmt.Fprintf(stderr, "scout reindex: %v\n", err)
		return 1
	}
	return 0
}

// orDefault returns a, or b when a is empty.
func orDefault(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// openStoreSpec opens "sqlite:<path>" (a data directory, whose store file
// is scout.db, or a .db file) or "meili:<url>" (with cfg's timeout and
// trusted authorities). A SQLite target of a copy (bulk) does not sync
// every batch to disk, only its checkpoints and its close: a copy cut
// short is copied again, and one that finished is durable.
func openStoreSpec(ctx context.Context, cfg config, spec, key, prefix string, bulk bool) (index.Store, error) {
	kind, rest, ok := strings.Cut(spec, ":")
	if !ok || rest == "" {
		return nil, fmt.Errorf("%w: store %q is not sqlite:<path> or meili:<url>", creator.ErrInvalid, spec)
	}
	switch kind {
	case "sqlite":
		path := rest
		if !strings.HasSuffix(path, ".db") {
			if err := os.MkdirAll(path, 0o755); err != nil {
				return nil, fmt.Errorf("creating data directory: %w", err)
			}
			path = filepath.Join(path, "scout.db")
		}
		if bulk {
			return sqlite.Open(path, sqlite.WithSynchronous("NORMAL"))
		}
		return sqlite.Open(path)
	case "meili", "meilisearch":
		mc, err := cfg.meiliConfig(rest, key, prefix)
		if err != nil {
			return nil, err
		}
		return meili.Open(ctx, mc)
	}
	return nil, fmt.Errorf("%w: unknown store kind %q (want sqlite or meili)", creator.ErrInvalid, kind)
}

// copyStore copies everything src holds into dst. With an index.Exporter
// source it copies everything; without one it copies what the Store
// interface can list (the first index.MaxTotalHits creators by key, the
// unfinished jobs, and the first index.MaxTotalHits alert events of each
// watchlist) and says so on log.
func copyStore(ctx context.Context, src, dst index.Store, batch int, log io.Writer) (reindexStats, error) {
	var st reindexStats
	optOuts, err := src.ListOptOuts(ctx)
	if err != nil {
		return st, fmt.Errorf("listing opt-outs: %w", err)
	}
	for i := range optOuts {
		if err := dst.AddOptOut(ctx, &optOuts[i]); err != nil {
			return st, fmt.Errorf("copying opt-out %d: %w", i, err)
		}
		st.OptOuts++
	}
	// Whatever the source still holds of a creator who opted out (an
	// erasure cut short) is not copied.
	out := index.NewOptOutSet(optOuts)
	outKeys := map[string]bool{} // keys of the creators left out
	lists, err := src.ListWatchlists(ctx)
	if err != nil {
		return st, fmt.Errorf("listing watchlists: %w", err)
	}
	for i := range lists {
		kept := lists[i].Members[:0:0]
		for _, m := range lists[i].Members {
			if out.Has(m.Ref) {
				st.OptedOut++
				continue
			}
			kept = append(kept, m)
		}
		lists[i].Members = kept
		if err := dst.PutWatchlist(ctx, &lists[i]); err != nil {
			return st, fmt.Errorf("copying watchlist %s: %w", lists[i].ID, err)
		}
		st.Watchlists++
	}

	// Two batches are written at once, so that one is encoded while the
	// other commits. After a failed write the copy stops at its next
	// batch, and it never returns before the writes it started end.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2)
	defer g.Wait()
	var ws []index.Write
	flush := func() error {
		if len(ws) == 0 {
			return nil
		}
		if gctx.Err() != nil { // a write failed, or ctx ended
			if err := g.Wait(); err != nil {
				return err
			}
			return ctx.Err()
		}
		b := ws
		ws = make([]index.Write, 0, batch)
		g.Go(func() error {
			if err := dst.UpsertMany(gctx, b); err != nil {
				return fmt.Errorf("writing creators: %w", err)
			}
			return nil
		})
		return nil
	}
	addCreator := func(rec *creator.Record, hist []creator.Snapshot) error {
		if out.Has(rec.Profile.Ref) {
			st.OptedOut++
			outKeys[rec.Key] = true
			return nil
		}
		if len(hist) == 0 {
			// The Store contract writes a record only with a snapshot; a
			// record without history gets one made from the record.
			hist = []creator.Snapshot{snapshotOf(rec)}
			st.Synthesized++
		}
		for _, snap := range hist {
			ws = append(ws, index.Write{Record: rec, Snapshot: snap})
		}
		st.Creators++
		st.Snapshots += len(hist)
		if st.Creators%1000 == 0 {
			fmt.Fprintf(log, "scout reindex: %d creators\n", st.Creators)
		}
		if len(ws) >= batch {
			return flush()
		}
		return nil
	}

	exp, full := src.(index.Exporter)
	if full {
		if err := exp.ForEachCreator(ctx, addCreator); err != nil {
			return st, err
		}
	} else {
		fmt.Fprintf(log, "scout reindex: warning: the source cannot list everything (no index.Exporter); copying at most %d creators, the unfinished jobs and at most %d alert events per watchlist\n",
			index.MaxTotalHits, index.MaxTotalHits)
		if err := searchAll(ctx, src, addCreator); err != nil {
			return st, err
		}
	}
	if err := flush(); err != nil {
		return st, err
	}
	if err := g.Wait(); err != nil {
		return st, err
	}

	copyJob := func(j *index.Job, items []index.JobItem) error {
		if scrubJobRequest(j, out) {
			st.OptedOut++
		}
		if err := dst.PutJob(ctx, j); err != nil {
			return fmt.Errorf("copying job %s: %w", j.ID, err)
		}
		for i := range items {
			if out.Has(items[i].Ref) {
				st.OptedOut++
				continue
			}
			if err := dst.PutJobItem(ctx, &items[i]); err != nil {
				return fmt.Errorf("copying item %s of job %s: %w", items[i].Key, j.ID, err)
			}
		}
		st.Jobs++
		st.Items += len(items)
		return nil
	}
	copyAlert := func(e *index.AlertEvent) error {
		if outKeys[e.CreatorKey] {
			st.OptedOut++
			return nil
		}
		if err := dst.PutAlert(ctx, e); err != nil {
			return fmt.Errorf("copying alert %s: %w", e.ID, err)
		}
		st.Alerts++
		return nil
	}
	if full {
		if err := exp.ForEachJob(ctx, copyJob); err != nil {
			return st, err
		}
		if err := exp.ForEachAlert(ctx, copyAlert); err != nil {
			return st, err
		}
		return st, nil
	}
	jobs, err := src.UnfinishedJobs(ctx)
	if err != nil {
		return st, fmt.Errorf("listing jobs: %w", err)
	}
	for i := range jobs {
		items, err := src.JobItems(ctx, jobs[i].ID, "")
		if err != nil {
			return st, fmt.Errorf("listing items of job %s: %w", jobs[i].ID, err)
		}
		if err := copyJob(&jobs[i], items); err != nil {
			return st, err
		}
	}
	for _, w := range lists {
		es, err := src.ListAlerts(ctx, index.AlertFilter{WatchlistID: w.ID, Limit: index.MaxTotalHits})
		if err != nil {
			return st, fmt.Errorf("listing alerts of %s: %w", w.ID, err)
		}
		for i := range es {
			if err := copyAlert(&es[i]); err != nil {
				return st, err
			}
		}
	}
	return st, nil
}

// scrubJobRequest drops the stored request of a crawl job whose creator
// opted out, and reports whether it did.
func scrubJobRequest(j *index.Job, out *index.OptOutSet) bool {
	var req struct {
		Ref creator.Ref `json:"ref"`
	}
	if len(j.Request) == 0 || json.Unmarshal(j.Request, &req) != nil || !out.Has(req.Ref) {
		return false
	}
	j.Request = nil
	return true
}

// searchAll visits the creators Search can reach (sorted by key, up to
// index.MaxTotalHits), reading each whole record and its history.
func searchAll(ctx context.Context, src index.Store, fn func(*creator.Record, []creator.Snapshot) error) error {
	seen := 0
	for page := 1; page*index.MaxPerPage <= index.MaxTotalHits; page++ {
		res, err := src.Search(ctx, index.Query{Page: page, PerPage: index.MaxPerPage})
		if err != nil {
			return fmt.Errorf("listing creators: %w", err)
		}
		for _, h := range res.Hits {
			rec, err := src.Get(ctx, h.Key)
			if errors.Is(err, creator.ErrNotFound) {
				continue // deleted meanwhile
			}
			if err != nil {
				return fmt.Errorf("reading creator %s: %w", h.Key, err)
			}
			hist, err := src.History(ctx, h.Key, 0)
			if err != nil {
				return fmt.Errorf("reading history of %s: %w", h.Key, err)
			}
			if err := fn(rec, hist); err != nil {
				return err
			}
		}
		seen += len(res.Hits)
		if len(res.Hits) < index.MaxPerPage || seen >= res.Total {
			if res.Total > seen {
				return fmt.Errorf("copied %d of %d creators: the source lists no more without index.Exporter", seen, res.Total)
			}
			return nil
		}
	}
	return nil
}

// snapshotOf makes the snapshot a record implies, for a record stored
// without history.
func snapshotOf(r *creator.Record) creator.Snapshot {
	return creator.Snapshot{
		At:             r.UpdatedAt,
		Followers:      r.Profile.Followers,
		Following:      r.Profile.Following,
		PostsCount:     r.Profile.PostsCount,
		EngagementRate: r.Scores.EngagementRate,
		PostsPerWeek:   r.Scores.PostsPerWeek,
		Authenticity:   r.Scores.Authenticity,
		PrimaryNiche:   r.Scores.PrimaryNiche,
	}
}
