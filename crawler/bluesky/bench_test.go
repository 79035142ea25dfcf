package bluesky_test

import (
	"context"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/bluesky"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/sim"
)

// BenchmarkFetchFromSimulator measures whole Fetch calls (12 requests each
// with the default options) through the real crawler/fetch client against
// the simulator, both cores busy.
func BenchmarkFetchFromSimulator(b *testing.B) {
	w := sim.New(sim.Config{Seed: 1})
	srv := httptest.NewServer(w.Handler())
	defer srv.Close()
	src, err := bluesky.New(crawler.Config{HTTP: realDoer(b), BaseURL: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	var refs []creator.Ref
	for _, c := range w.Creators() {
		if !c.OptedOut {
			refs = append(refs, creator.Ref{Platform: creator.Bluesky, ID: c.DID})
		}
	}
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ref := refs[int(next.Add(1))%len(refs)]
			if _, err := src.Fetch(context.Background(), ref); err != nil {
				b.Error(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fetches/s")
}
