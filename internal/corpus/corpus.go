package corpus

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/sqlite"
)

// Gen generates creators with the distributions of a real crawl: power-law
// followers, tiers from followers, engagement falling with tier, Zipf-like
// niches, countries and words, some fields missing. It is not safe for
// concurrent use.
type Gen struct {
	rng   *rand.Rand
	vocab []string
	zipf  *rand.Zipf
	start time.Time
}

var (
	genPlatforms  = []weighted{{creator.Bluesky, 45}, {creator.Mastodon, 20}, {creator.YouTube, 15}, {creator.Twitch, 10}, {creator.Instagram, 5}, {creator.Web, 5}}
	genNiches     = []string{"food", "fitness", "gaming", "beauty", "travel", "tech", "finance", "parenting", "fashion", "music", "art", "science"}
	genNicheWords = map[string][]string{
		"food":      {"vegan", "recipes", "kitchen", "baking", "plant", "dinner", "chef", "brunch"},
		"fitness":   {"marathon", "training", "workout", "strength", "yoga", "running", "gym", "protein"},
		"gaming":    {"speedrun", "stream", "esports", "indie", "retro", "twitch", "rpg", "console"},
		"beauty":    {"skincare", "makeup", "glow", "serum", "lipstick", "routine", "nails", "hair"},
		"travel":    {"backpacking", "islands", "hiking", "roadtrip", "hostel", "passport", "beaches", "mountains"},
		"tech":      {"golang", "kubernetes", "startup", "opensource", "linux", "devops", "database", "compiler"},
		"finance":   {"investing", "stocks", "budget", "crypto", "dividends", "retirement", "savings", "markets"},
		"parenting": {"toddler", "homeschool", "parenting", "bedtime", "family", "newborn", "teens", "playtime"},
		"fashion":   {"streetwear", "vintage", "thrift", "outfit", "sneakers", "runway", "denim", "style"},
		"music":     {"guitar", "synth", "vinyl", "producer", "album", "concert", "drums", "jazz"},
		"art":       {"painting", "sketch", "watercolor", "illustration", "ceramics", "gallery", "portrait", "mural"},
		"science":   {"physics", "biology", "astronomy", "chemistry", "research", "climate", "fossils", "telescope"},
	}
	genCountries = []string{"US", "GB", "DE", "FR", "CA", "BR", "JP", "ES", "IT", "NL", "AU", "IN", "MX", "SE", "PL", "KR", "AR", "CH", "BE", "AT", "NO", "DK", "FI", "IE", "PT", "NZ", "ZA", "SG", "TR", "CL"}
	genLangs     = []string{"en", "de", "fr", "es", "pt", "ja", "it", "nl", "sv", "pl", "ko"}
)

type weighted struct {
	v string
	w int
}

// New returns a generator seeded with seed.
func New(seed uint64) *Gen {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	g := &Gen{rng: rng, start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	syl := []string{"ka", "lo", "mi", "ra", "ten", "sha", "vo", "qu", "ne", "dor", "pli", "zu", "ar", "el", "on", "ist", "ber", "gan", "tor", "ma"}
	seen := map[string]bool{}
	for len(g.vocab) < 6000 {
		n := 2 + rng.IntN(3)
		var b strings.Builder
		for range n {
			b.WriteString(syl[rng.IntN(len(syl))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			g.vocab = append(g.vocab, w)
		}
	}
	g.zipf = rand.NewZipf(rng, 1.1, 2, uint64(len(g.vocab)-1))
	return g
}

func (g *Gen) pick(ws []weighted) string {
	total := 0
	for _, w := range ws {
		total += w.w
	}
	n := g.rng.IntN(total)
	for _, w := range ws {
		if n < w.w {
			return w.v
		}
		n -= w.w
	}
	return ws[0].v
}

// zipfIndex returns an index in [0, n) favouring small ones: the first
// of 12 comes up 15% of the time, the last 4%.
func (g *Gen) zipfIndex(n int) int {
	return int(math.Floor(float64(n) * math.Pow(g.rng.Float64(), 1.3)))
}

// sentence returns words of text, one in every nicheEvery of them a word
// of the niche.
func (g *Gen) sentence(niche string, words, nicheEvery int) string {
	var b strings.Builder
	nw := genNicheWords[niche]
	for i := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		if niche != "" && g.rng.IntN(nicheEvery) == 0 {
			b.WriteString(nw[g.zipfIndex(len(nw))])
		} else {
			b.WriteString(g.vocab[g.zipf.Uint64()])
		}
	}
	return b.String()
}

// Record returns the i-th creator: a full record as the pipeline stores it
// (10 posts, 5 comments, 20 sampled followers) and its snapshot.
func (g *Gen) Record(i int) index.Write {
	r := g.rng
	platform := g.pick(genPlatforms)
	id := fmt.Sprintf("u%08d", i)
	ref := creator.Ref{Platform: platform, ID: id, Handle: fmt.Sprintf("%s%d.example.social", g.vocab[r.IntN(len(g.vocab))], i)}
	// Pareto followers: P(F > x) = (x/50)^-0.85, capped at 80M.
	followers := int64(math.Min(50*math.Pow(1-r.Float64(), -1/0.85), 80e6))
	niche := genNiches[g.zipfIndex(len(genNiches))]
	if r.IntN(20) == 0 {
		niche = ""
	}
	country := genCountries[g.zipfIndex(len(genCountries))]
	if r.IntN(5) == 0 {
		country = ""
	}
	lang := genLangs[g.zipfIndex(len(genLangs))]
	if r.IntN(10) == 0 {
		lang = ""
	}
	// Engagement falls with audience size: median ~8% at 100, ~1% at 1M.
	er := 0.08 * math.Pow(math.Max(float64(followers), 100)/100, -0.23) * math.Exp(0.6*r.NormFloat64())
	er = math.Min(er, 0.9)
	updated := g.start.Add(-time.Duration(r.IntN(90*24)) * time.Hour)
	rec := &creator.Record{
		Key: creator.Key(ref),
		Profile: creator.Profile{
			Ref:         ref,
			DisplayName: g.sentence("", 2, 1),
			Bio:         g.sentence(niche, 14, 6),
			URL:         "https://example.social/" + id,
			Followers:   followers,
			Following:   int64(r.IntN(3000)),
			PostsCount:  int64(r.IntN(20000)),
			CreatedAt:   updated.Add(-time.Duration(r.IntN(3000)) * 24 * time.Hour),
			Country:     country,
			Language:    lang,
			FetchedAt:   updated,
		},
		Scores: creator.Scores{
			ComputedAt:        updated,
			Model:             "bench-1",
			Tier:              creator.TierFor(followers),
			EngagementRate:    er,
			EngagementLabel:   []string{"low", "average", "high"}[r.IntN(3)],
			PostsPerWeek:      math.Round(r.ExpFloat64()*40) / 10,
			DaysSinceLast:     math.Round(r.ExpFloat64()*60) / 10,
			PrimaryNiche:      niche,
			NicheRelevance:    r.Float64(),
			NicheFocus:        r.Float64(),
			Authenticity:      math.Round(100 * math.Pow(r.Float64(), 0.4)),
			FakeFollowerShare: math.Pow(r.Float64(), 3),
			GrowthTrend:       []string{"rising", "stable", "falling"}[g.zipfIndex(3)],
			Growth30d:         r.NormFloat64() * 0.05,
			GrowthScore:       math.Round(r.Float64() * 100),
			Consistency:       math.Round(r.Float64() * 100),
			BrandSafety:       math.Round(100 * math.Pow(r.Float64(), 0.3)),
			SponsoredPct:      math.Pow(r.Float64(), 4),
			PriceMinUSD:       math.Round(float64(followers) / 100),
			PriceMaxUSD:       math.Round(float64(followers) / 40),
			Overall:           math.Round(r.Float64() * 100),
			Confidence:        r.Float64(),
		},
		FirstSeen: updated.Add(-30 * 24 * time.Hour),
		UpdatedAt: updated,
	}
	for p := range 10 {
		rec.Profile.Posts = append(rec.Profile.Posts, creator.Post{
			ID: fmt.Sprintf("%s-p%d", id, p), URL: "https://example.social/" + id + "/p", Text: g.sentence(niche, 12+r.IntN(16), 20),
			CreatedAt: updated.Add(-time.Duration(p*30) * time.Hour), Langs: []string{lang},
			Likes: int64(float64(followers) * er * r.Float64()), Replies: int64(r.IntN(20)), Reposts: int64(r.IntN(10)), Views: -1,
		})
	}
	for c := range 5 {
		rec.Profile.Comments = append(rec.Profile.Comments, creator.Comment{
			ID: fmt.Sprintf("%s-c%d", id, c), PostID: id + "-p0", Text: g.sentence("", 6, 1),
			Author: creator.Account{ID: fmt.Sprintf("a%d", r.IntN(1e6)), Followers: creator.Ptr(int64(r.IntN(500)))},
		})
	}
	for a := range 20 {
		rec.Profile.Audience = append(rec.Profile.Audience, creator.Account{
			ID: fmt.Sprintf("f%d-%d", i, a), HasAvatar: creator.Ptr(r.IntN(5) > 0),
			Followers: creator.Ptr(int64(r.IntN(2000))), Following: creator.Ptr(int64(r.IntN(2000))), Posts: creator.Ptr(int64(r.IntN(900))),
		})
	}
	rec.Profile.AudienceKind = "followers"
	snap := creator.Snapshot{At: updated, Followers: followers, Following: rec.Profile.Following, PostsCount: rec.Profile.PostsCount,
		EngagementRate: er, PostsPerWeek: rec.Scores.PostsPerWeek, Authenticity: rec.Scores.Authenticity, PrimaryNiche: niche}
	return index.Write{Record: rec, Snapshot: snap}
}

// Query returns the next benchmark query: text (a niche word, the last word
// as a prefix) + 3 filters + 5 facets, as the search page sends it.
func (g *Gen) Query() index.Query {
	r := g.rng
	niche := genNiches[g.zipfIndex(len(genNiches))]
	nw := genNicheWords[niche]
	text := nw[r.IntN(len(nw))]
	if r.IntN(2) == 0 { // a second word typed partly
		w := nw[r.IntN(len(nw))]
		text += " " + w[:min(len(w), 3+r.IntN(3))]
	}
	lo := []float64{1000, 10000, 100000}[r.IntN(3)]
	platforms := []string{creator.Bluesky, creator.Mastodon, creator.YouTube, creator.Twitch}
	p1, p2 := platforms[r.IntN(4)], platforms[r.IntN(4)]
	filter := index.And(
		index.In("platform", p1, p2),
		index.Range("followers", &lo, nil),
		index.Range("engagement_rate", ptr(0.005), nil),
	)
	return index.Query{
		Text:    text,
		Filter:  &filter,
		Facets:  []string{"platform", "tier", "niche", "country", "language"},
		PerPage: 20,
	}
}

func ptr[T any](v T) *T { return &v }

// SQLite makes path a SQLite store of the n creators New(42) generates,
// reusing the file when it already holds n creators. It returns how long
// building took (zero when reused).
func SQLite(path string, n int) (time.Duration, error) {
	ctx := context.Background()
	if s, err := sqlite.Open(path); err == nil {
		res, err := s.Search(ctx, index.Query{PerPage: 1})
		s.Close()
		if err == nil && res.Total == n {
			return 0, nil
		}
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	s, err := sqlite.Open(path)
	if err != nil {
		return 0, err
	}
	g := New(42)
	start := time.Now()
	const batch = 5000
	for i := 0; i < n && err == nil; i += batch {
		ws := make([]index.Write, 0, batch)
		for j := i; j < min(i+batch, n); j++ {
			ws = append(ws, g.Record(j))
		}
		err = s.UpsertMany(ctx, ws)
	}
	built := time.Since(start)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return built, err
}
