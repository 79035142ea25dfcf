package scoring

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/creatorscout/scout/creator"
)

// BenchmarkScoreProfile scores a profile with 30 posts, 200 comments, 100
// sampled followers and 90 snapshots of history, the size the crawl
// pipeline produces. Run with -cpu 1 for the one-core figure.
func BenchmarkScoreProfile(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	p := testProfile(r, 30, 200, 100)
	h := testHistory(90, 20_000, 45)
	o := Options{Now: testNow}
	Score(p, h, o) // reads the niche model, once per process (BenchmarkNicheModelLoad)
	b.ReportAllocs()
	for b.Loop() {
		Score(p, h, o)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "profiles/s")
}

// BenchmarkNicheModelLoad reads the embedded niche model, as the first
// scoring in a process does.
func BenchmarkNicheModelLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadNicheModel(bytes.NewReader(nicheModelFile)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTextNiches scores one post-sized text against the taxonomy.
func BenchmarkTextNiches(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		TextNiches(nil, postTexts[0])
	}
}

// BenchmarkScoreAccount scores one sampled follower.
func BenchmarkScoreAccount(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	p := testProfile(r, 0, 0, 1)
	b.ReportAllocs()
	for b.Loop() {
		ScoreAccount(&p.Audience[0], testNow)
	}
}

// BenchmarkScoreParts times the parts of Score on the BenchmarkScoreProfile
// profile, to show where the time goes.
func BenchmarkScoreParts(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	p := testProfile(r, 30, 200, 100)
	h := testHistory(90, 20_000, 45)
	Score(p, h, Options{Now: testNow}) // reads the niche model
	b.Run("niches", func(b *testing.B) {
		for b.Loop() {
			m := getMatcher(defaultTaxonomy)
			scoreNiches(m, p)
			putMatcher(m)
		}
	})
	b.Run("comments", func(b *testing.B) {
		for b.Loop() {
			scoreComments(p)
		}
	})
	b.Run("audience", func(b *testing.B) {
		for b.Loop() {
			EstimateFakeShare(p.Audience, "", testNow)
		}
	})
	b.Run("growth", func(b *testing.B) {
		for b.Loop() {
			Growth(h, creator.Snapshot{At: testNow, Followers: 24_000}, testNow)
		}
	})
}
