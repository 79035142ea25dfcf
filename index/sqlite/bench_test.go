package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
	"github.com/creatorscout/scout/internal/corpus"
)

// Benchmarks (issue 4, Speed). They run only with -bench. Run them with
//
//	go test ./index/sqlite -run '^$' -bench . -benchtime 2000x
//	SCOUT_BENCH_1M=1 go test ./index/sqlite -run '^$' -bench Search1M -benchtime 1000x -timeout 1h
//
// SCOUT_BENCH_DIR keeps the generated databases there between runs (they
// are rebuilt when missing); without it they live in a temporary directory
// removed at exit.

// Query plans (from TestQueryPlans; go test ./index/sqlite -run QueryPlans -v
// prints them whole). A search runs these statements, in one read
// transaction:
//
//	SEARCH store_meta USING PRIMARY KEY (name=?)              (the generation)
//	SEARCH creators USING INDEX creators_seq (seq>?)          (rows changed since the copy in memory last looked)
//	SEARCH erased USING INDEX erased_seq (seq>?)              (rows erased since then)
//	SEARCH creators USING INTEGER PRIMARY KEY (rowid=?)       (the summaries of the page of hits)
//
// and, with neither text nor filter nor sort, the first page by key walks
// the key index: SCAN creators USING COVERING INDEX sqlite_autoindex_creators_1.
// Text, filters, facet counts, stats and ordering read no table: they run
// over the in-memory index (index/memsearch), whose size the search
// benchmarks report as mem-MB.

var benchDir = sync.OnceValues(func() (string, error) {
	if d := os.Getenv("SCOUT_BENCH_DIR"); d != "" {
		return d, os.MkdirAll(d, 0o755)
	}
	return os.MkdirTemp("", "scout-bench-")
})

func TestMain(m *testing.M) {
	code := m.Run()
	if os.Getenv("SCOUT_BENCH_DIR") == "" {
		if d, err := benchDir(); err == nil {
			os.RemoveAll(d)
		}
	}
	os.Exit(code)
}

// writePool is a pool of generated creators that ingest benchmarks re-key.
var writePool = sync.OnceValue(func() []index.Write {
	g := corpus.New(1)
	ws := make([]index.Write, 5000)
	for i := range ws {
		ws[i] = g.Record(i)
	}
	return ws
})

// rekey returns w as the n-th creator (a shallow copy with its own key).
func rekey(w index.Write, n int) index.Write {
	rec := *w.Record
	rec.Profile.Ref.ID = fmt.Sprintf("n%09d", n)
	rec.Key = rec.Profile.Ref.Platform + "-" + rec.Profile.Ref.ID
	return index.Write{Record: &rec, Snapshot: w.Snapshot}
}

// leanPool is writePool with only 3 posts and no comments or audience
// sample per creator: how fast the indexes alone can be written.
var leanPool = sync.OnceValue(func() []index.Write {
	ws := slices.Clone(writePool())
	for i, w := range ws {
		rec := *w.Record
		rec.Profile.Posts = rec.Profile.Posts[:3]
		rec.Profile.Comments, rec.Profile.Audience = nil, nil
		ws[i].Record = &rec
	}
	return ws
})

// BenchmarkIngest writes b.N new creators through UpsertMany in batches (of
// 1000; of 5000 for full-5000, of one for one-at-a-time) and reports
// creators per second. "full" records are as the pipeline
// stores them (10 posts, 5 comments, 20 sampled followers: about 7 KB of
// JSON); "lean" ones have 3 posts and no samples. "2-writers" calls
// UpsertMany from two goroutines, as crawl workers do: one batch is encoded
// while the other is written.
func BenchmarkIngest(b *testing.B) {
	for _, bc := range []struct {
		name, sync string
		pool       func() []index.Write
		writers    int
		batch      int
	}{
		{"full/sync=FULL", "FULL", writePool, 1, 1000},
		{"full/sync=FULL/2-writers", "FULL", writePool, 2, 1000},
		{"full/sync=NORMAL", "NORMAL", writePool, 1, 1000},
		{"full/sync=NORMAL/2-writers", "NORMAL", writePool, 2, 1000},
		{"full-5000/sync=FULL", "FULL", writePool, 1, 5000},
		{"lean/sync=NORMAL", "NORMAL", leanPool, 1, 1000},
		{"lean/sync=NORMAL/2-writers", "NORMAL", leanPool, 2, 1000},
		// As the crawl pipeline writes: one creator per transaction.
		{"one-at-a-time/full/sync=FULL", "FULL", writePool, 1, 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s, err := sqlite.Open(filepath.Join(b.TempDir(), "ingest.db"), sqlite.WithSynchronous(bc.sync))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			pool := bc.pool()
			ctx := context.Background()
			batch := bc.batch
			b.ResetTimer()
			cpu0 := cpuTime()
			// Each writer takes the next batch; with two, one batch is
			// encoded while the other is written.
			var next atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, bc.writers)
			for range bc.writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					buf := make([]index.Write, 0, batch)
					for {
						start := int(next.Add(int64(batch))) - batch
						if start >= b.N {
							return
						}
						buf = buf[:0]
						for i := start; i < min(start+batch, b.N); i++ {
							buf = append(buf, rekey(pool[i%len(pool)], i))
						}
						if err := s.UpsertMany(ctx, buf); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			close(errs)
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creators/s")
			// CPU time per creator, which other load on the machine does
			// not inflate the way it does wall time.
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/creator")
		})
	}
}

// corpus is a generated store of n creators, built once per process (or
// reused from SCOUT_BENCH_DIR).
type corpusFile struct {
	path  string
	build time.Duration // zero when reused
	err   error
}

var (
	corpusMu sync.Mutex
	corpora  = map[int]*corpusFile{}
)

func corpusOf(b *testing.B, n int) *corpusFile {
	corpusMu.Lock()
	defer corpusMu.Unlock()
	if c := corpora[n]; c != nil {
		return c
	}
	c := &corpusFile{}
	corpora[n] = c
	dir, err := benchDir()
	if err != nil {
		c.err = err
		return c
	}
	c.path = filepath.Join(dir, fmt.Sprintf("corpus-%d.db", n))
	c.build, c.err = corpus.SQLite(c.path, n)
	return c
}

func fileMB(path string) float64 {
	var total int64
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(path + suffix); err == nil {
			total += fi.Size()
		}
	}
	return float64(total) / (1 << 20)
}

func benchSearch(b *testing.B, n int) {
	c := corpusOf(b, n)
	if c.err != nil {
		b.Fatal(c.err)
	}
	if c.build > 0 {
		b.Logf("built %d creators in %v (%.0f creators/s)", n, c.build.Round(time.Millisecond), float64(n)/c.build.Seconds())
	}
	s, err := sqlite.Open(c.path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	// The first search reads the in-memory index whole; the shapes below
	// measure searches after it.
	t0 := time.Now()
	if _, err := s.Search(context.Background(), index.Query{Text: "warm", PerPage: 1}); err != nil {
		b.Fatal(err)
	}
	b.Logf("first search (loads the in-memory index of %d creators): %v", n, time.Since(t0).Round(time.Millisecond))
	g := corpus.New(7)
	qs := make([]index.Query, 500)
	for i := range qs {
		qs[i] = g.Query()
	}
	shapes := []struct {
		name string
		q    func(i int) index.Query
	}{
		{"text+3filters+5facets", func(i int) index.Query { return qs[i%len(qs)] }},
		{"3filters+5facets", func(i int) index.Query { q := qs[i%len(qs)]; q.Text = ""; return q }},
		{"text+5facets", func(i int) index.Query { q := qs[i%len(qs)]; q.Filter = nil; return q }},
		{"5facets+stats", func(i int) index.Query {
			return index.Query{Facets: []string{"platform", "tier", "niche", "country", "language", "followers", "engagement_rate"}}
		}},
		// The worst text: a one-letter prefix, as a user's first
		// keystroke sends it, matches thousands of words.
		{"one-letter-prefix+5facets", func(i int) index.Query {
			q := qs[i%len(qs)]
			q.Text, q.Filter = string(rune('a'+i%26)), nil
			return q
		}},
		{"sorted-by-followers", func(i int) index.Query {
			q := qs[i%len(qs)]
			q.Sort = []index.Sort{{Field: "followers", Desc: true}}
			return q
		}},
	}
	ctx := context.Background()
	for _, sh := range shapes {
		b.Run(sh.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			matches := 0
			cpu0 := cpuTime()
			for i := 0; b.Loop(); i++ {
				q := sh.q(i)
				t := time.Now()
				res, err := s.Search(ctx, q)
				lat = append(lat, time.Since(t))
				if err != nil {
					b.Fatal(err)
				}
				matches += res.Total
			}
			cpu := cpuTime() - cpu0
			slices.Sort(lat)
			pct := func(p float64) float64 {
				return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(float64(matches)/float64(len(lat)), "matches/op")
			// CPU time per query, which other load on the machine does not
			// inflate the way it does the latencies.
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(lat)), "cpu-ms/op")
			b.ReportMetric(fileMB(c.path), "db-MB")
			b.ReportMetric(float64(sqlite.MemIndexBytes(s))/(1<<20), "mem-MB")
		})
	}
}

// BenchmarkSearch100k searches 100,000 generated creators. The target is
// p95 <= 10 ms for text + 3 filters + 5 facets on 2 cores.
func BenchmarkSearch100k(b *testing.B) { benchSearch(b, 100_000) }

// BenchmarkSearch1M searches 1,000,000 generated creators when
// SCOUT_BENCH_1M=1 (building them takes minutes and gigabytes). The target
// is p95 <= 30 ms.
func BenchmarkSearch1M(b *testing.B) {
	if os.Getenv("SCOUT_BENCH_1M") != "1" {
		b.Skip("set SCOUT_BENCH_1M=1 to build and search 1,000,000 creators")
	}
	benchSearch(b, 1_000_000)
}

// BenchmarkFirstSearch100k opens the 100,000-creator store and runs one
// search, which loads the in-memory index: from the snapshot in the file
// (the default; the corpus's first opening wrote it), and whole, from
// every creator's words, on one goroutine and on GOMAXPROCS (snapshots
// off), in turn. It reports the three times, the RSS growth and heap of
// the loaded index, and the ratio whole (GOMAXPROCS) / snapshot.
func BenchmarkFirstSearch100k(b *testing.B) {
	c := corpusOf(b, 100_000)
	if c.err != nil {
		b.Fatal(c.err)
	}
	first := func(opts ...sqlite.Option) time.Duration {
		s, err := sqlite.Open(c.path, opts...)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		start := time.Now()
		if _, err := s.Search(context.Background(), index.Query{Text: "warm", PerPage: 1}); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	first() // writes the snapshot if the corpus has none yet
	var snap, serial, parallel time.Duration
	for b.Loop() {
		snap += first()
		serial += first(sqlite.WithSnapshots(false), sqlite.WithLoadWorkers(1))
		parallel += first(sqlite.WithSnapshots(false), sqlite.WithLoadWorkers(runtime.GOMAXPROCS(0)))
	}
	b.ReportMetric(snap.Seconds()/float64(b.N), "snapshot-s")
	b.ReportMetric(serial.Seconds()/float64(b.N), "whole-serial-s")
	b.ReportMetric(parallel.Seconds()/float64(b.N), "whole-s")
	b.ReportMetric(parallel.Seconds()/snap.Seconds(), "whole/snapshot")
}
