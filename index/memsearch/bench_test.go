package memsearch

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/creatorscout/scout/index"
)

// benchRows is a generated store of n creators: names, bios and posts from
// a vocabulary of a few thousand words (a few common, most rare), and
// field values of a few countries and niches.
func benchRows(n int) *store {
	rng := rand.New(rand.NewPCG(7, 8))
	vocab := make([]string, 5000)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%dx", i)
	}
	vocab[0], vocab[1], vocab[2] = "vegan", "travel", "music"
	words := func(k int) string {
		var b strings.Builder
		for range k {
			// Zipf-like: low word numbers are far more common.
			i := int(float64(len(vocab)) * rng.Float64() * rng.Float64() * rng.Float64())
			b.WriteString(vocab[i])
			b.WriteByte(' ')
		}
		return b.String()
	}
	countries := []string{"US", "DE", "FR", "GB", "BR", "JP", "IN", "ES"}
	niches := []string{"food", "travel", "music", "gaming", "fitness", "beauty", "tech", "art"}
	s := newStore()
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = row(int64(i+1), words(2), words(12), words(120), countries[rng.IntN(len(countries))], niches[rng.IntN(len(niches))], float64(rng.IntN(1_000_000)))
	}
	s.write(rows...)
	return s
}

// BenchmarkLoad is the first load of 20,000 creators (what the first search
// after start waits for).
func BenchmarkLoad(b *testing.B) {
	s := benchRows(20_000)
	b.ResetTimer()
	for range b.N {
		x := New(testFields)
		v, err := x.Acquire(context.Background(), s.gen, s)
		if err != nil {
			b.Fatal(err)
		}
		v.Release()
	}
}

// BenchmarkSearch runs a text query with two filters and three facets over
// 20,000 creators, as the API's typical search does.
func BenchmarkSearch(b *testing.B) {
	s := benchRows(20_000)
	x := New(testFields)
	for _, c := range []struct {
		name string
		q    index.Query
	}{
		{"text", index.Query{Text: "vegan"}},
		{"text+2filters+3facets", index.Query{Text: "vegan w1", Facets: []string{"country", "niche", "followers"},
			Filter: &index.Filter{Op: index.OpAnd, Sub: []index.Filter{
				{Op: index.OpIn, Field: "country", Values: []string{"US", "DE", "FR"}},
				{Op: index.OpRange, Field: "followers", Min: new(float64)},
			}}}},
		{"facets-only", index.Query{Facets: []string{"country", "niche", "followers"}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			q := c.q
			if err := q.Normalize(); err != nil {
				b.Fatal(err)
			}
			p, err := x.Plan(&q)
			if err != nil {
				b.Fatal(err)
			}
			for range b.N {
				v, err := x.Acquire(context.Background(), s.gen, s)
				if err != nil {
					b.Fatal(err)
				}
				v.Search(p)
				v.Release()
			}
		})
	}
	// The API's search: a word, sometimes a second typed partly, two
	// countries and a follower floor, three facets; 200 distinct ones.
	rng := rand.New(rand.NewPCG(1, 2))
	var plans []*Plan
	for range 200 {
		text := fmt.Sprintf("w%dx", 3+rng.IntN(60))
		if rng.IntN(2) == 0 {
			text += fmt.Sprintf(" w%dx", 3+rng.IntN(60))
		}
		floor := []float64{100, 1000, 10_000, 100_000}[rng.IntN(4)]
		cs := []string{"US", "DE", "FR", "GB", "BR", "JP", "IN", "ES"}
		q := index.Query{Text: text, Facets: []string{"country", "niche", "followers"},
			Filter: &index.Filter{Op: index.OpAnd, Sub: []index.Filter{
				{Op: index.OpIn, Field: "country", Values: []string{cs[rng.IntN(8)], cs[rng.IntN(8)]}},
				{Op: index.OpRange, Field: "followers", Min: &floor},
			}}}
		if err := q.Normalize(); err != nil {
			b.Fatal(err)
		}
		p, err := x.Plan(&q)
		if err != nil {
			b.Fatal(err)
		}
		plans = append(plans, p)
	}
	b.Run("api-like", func(b *testing.B) {
		for i := range b.N {
			v, err := x.Acquire(context.Background(), s.gen, s)
			if err != nil {
				b.Fatal(err)
			}
			v.Search(plans[i%len(plans)])
			v.Release()
		}
	})
}

// BenchmarkWords is the tokenizer over a post's worth of mixed text.
func BenchmarkWords(b *testing.B) {
	text := strings.Repeat("Vegan recipes from Zürich, café crème & 東京 ramen2go! ", 20)
	b.SetBytes(int64(len(text)))
	for range b.N {
		Words(text, func(string) {})
	}
}
