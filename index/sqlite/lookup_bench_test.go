package sqlite_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
)

// BenchmarkLookup100k looks creators up by exact handle and by profile URL
// in 100,000 generated creators (index.ByHandle, index.ByProfileURL: a
// filter on the handle or profile_url field, never a text search).
func BenchmarkLookup100k(b *testing.B) {
	c := corpusOf(b, 100_000)
	if c.err != nil {
		b.Fatal(c.err)
	}
	s, err := sqlite.Open(c.path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	res, err := s.Search(ctx, index.Query{PerPage: 100, Sort: []index.Sort{{Field: "followers", Desc: true}}})
	if err != nil {
		b.Fatal(err)
	}
	for _, shape := range []string{"handle", "profile_url"} {
		b.Run(shape, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; b.Loop(); i++ {
				h := res.Hits[i%len(res.Hits)]
				t := time.Now()
				var got []string
				if shape == "handle" {
					hits, err := index.ByHandle(ctx, s, h.Profile.Ref.Platform, h.Profile.Ref.Handle)
					if err != nil {
						b.Fatal(err)
					}
					for _, x := range hits {
						got = append(got, x.Key)
					}
				} else if h.Profile.URL != "" {
					hits, err := index.ByProfileURL(ctx, s, h.Profile.URL)
					if err != nil {
						b.Fatal(err)
					}
					for _, x := range hits {
						got = append(got, x.Key)
					}
				} else {
					got = []string{h.Key}
				}
				lat = append(lat, time.Since(t))
				if !slices.Contains(got, h.Key) {
					b.Fatalf("%s lookup of %s found %v", shape, h.Key, got)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*95/100)].Microseconds())/1000, "p95-ms")
		})
	}
}
