package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/meili"
	"github.com/creatorscout/scout/index/sqlite"
	"github.com/creatorscout/scout/scoring"
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
	full, ok := src.(index.CopySource)
	if !ok {
		fmt.Fprintf(stderr, "scout reindex: the source store cannot list everything it holds\n")
		return 1
	}
	start := time.Now()
	st, err := index.Copy(ctx, full, dst, index.CopyConfig{
		Batch: *batch, SnapshotOf: scoring.RecordSnapshot,
		Progress: func(n int) { fmt.Fprintf(stderr, "scout reindex: %d creators\n", n) },
	})
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
