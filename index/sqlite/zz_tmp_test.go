package sqlite

import (
	"context"

	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/memsearch"
)

func zzQueries() []index.Query {
	rng := rand.New(rand.NewPCG(11, 12))
	words := []string{"vegan", "recipes", "kitchen", "baking", "marathon", "training", "workout", "yoga", "speedrun", "stream",
		"indie", "retro", "skincare", "makeup", "hiking", "roadtrip", "golang", "linux", "startup", "investing", "budget",
		"toddler", "family", "vintage", "thrift", "guitar", "synth", "vinyl", "painting", "sketch", "physics", "climate"}
	platforms := []string{creator.Bluesky, creator.Mastodon, creator.YouTube, creator.Twitch}
	var out []index.Query
	for len(out) < 1000 {
		text := words[rng.IntN(len(words))]
		if rng.IntN(2) == 0 {
			w := words[rng.IntN(len(words))]
			text += " " + w[:3+rng.IntN(len(w)-2)]
		}
		lo := float64([]int{100, 1000, 10000, 100000}[rng.IntN(4)])
		f := index.And(index.In("platform", platforms[rng.IntN(4)], platforms[rng.IntN(4)]), index.Range("followers", &lo, nil))
		q := index.Query{Text: text, Filter: &f, Facets: []string{"platform", "tier", "niche", "country", "language"}, PerPage: 20}
		if err := q.Normalize(); err != nil {
			panic(err)
		}
		out = append(out, q)
	}
	return out
}

func BenchmarkZZMem(b *testing.B) {
	path := os.Getenv("ZZ_DB")
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	t0 := time.Now()
	s.Search(context.Background(), index.Query{PerPage: 1})
	b.Logf("load %v, mem %d MB", time.Since(t0), s.mem.Bytes()>>20)
	var plans []*memsearch.Plan
	for _, q := range zzQueries() {
		p, err := s.mem.Plan(&q)
		if err != nil {
			b.Fatal(err)
		}
		plans = append(plans, p)
	}
	gen := s.mem.Gen()
	tot := 0
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(0, &ru0)
	defer func() {
		syscall.Getrusage(0, &ru1)
		cpu := time.Duration(ru1.Utime.Nano()+ru1.Stime.Nano()-ru0.Utime.Nano()-ru0.Stime.Nano())
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-us/op")
	}()
	for i := 0; b.Loop(); i++ {
		v, err := s.mem.Acquire(context.Background(), gen, nil)
		if err != nil {
			b.Fatal(err)
		}
		res, _ := v.Search(plans[i%len(plans)])
		tot += res.Total
		v.Release()
	}
	b.ReportMetric(float64(tot)/float64(b.N), "matches")

}
