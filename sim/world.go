package sim

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Tier names, by follower count at the world's start (same bounds as the
// creator package's tiers).
const (
	TierEmerging = "emerging" // below 1,000
	TierNano     = "nano"     // 1,000 to 9,999
	TierMicro    = "micro"    // 10,000 to 99,999
	TierMid      = "mid"      // 100,000 to 499,999
	TierMacro    = "macro"    // 500,000 to 999,999
	TierMega     = "mega"     // 1,000,000 and more
)

// TrajectoryKind is how a creator's followers and posting evolve with the
// world's clock.
type TrajectoryKind int

// Trajectory kinds.
const (
	// Steady: slow organic growth (0.05-0.3% a day), regular posting.
	Steady TrajectoryKind = iota
	// Rising: fast organic growth (0.8-1.5% a day) with engagement to match.
	Rising
	// GoingQuiet: no posts from day At on; followers slowly erode.
	GoingQuiet
	// BuyFollowers: on day At, followers jump by Size (default +30%) within
	// six hours, from fake-looking accounts; engagement does not move.
	BuyFollowers
	// Viral: early on day At a post takes off (40-60 times the usual
	// engagement); followers then rise by Size (default +30%) over two days,
	// posts of the three days from At get 3-5 times the usual engagement,
	// and posting doubles for five days.
	Viral
)

var trajectoryNames = []string{"steady", "rising", "going_quiet", "buy_followers", "viral"}

// String returns the kind's name ("steady", "buy_followers", ...).
func (k TrajectoryKind) String() string {
	if int(k) < len(trajectoryNames) && k >= 0 {
		return trajectoryNames[k]
	}
	return fmt.Sprintf("trajectory(%d)", int(k))
}

// MarshalText returns the kind's name.
func (k TrajectoryKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Trajectory scripts a creator's course. At is the day, counted from the
// world's start (Config.Start is day 0), on which a GoingQuiet, BuyFollowers
// or Viral event happens; Size is the follower jump as a fraction (0 means
// 0.3) for BuyFollowers and Viral.
type Trajectory struct {
	Kind TrajectoryKind `json:"kind"`
	At   int            `json:"at_day,omitempty"`
	Size float64        `json:"size,omitempty"`
}

// Creator is a simulated creator's ground truth: what a scorer should find.
type Creator struct {
	Handle      string `json:"handle"`
	DID         string `json:"did"`
	DisplayName string `json:"display_name"`
	// Niche is the true primary niche (one of Niches); Secondary is a second
	// niche that about a third of the posts are about, or "".
	Niche     string `json:"niche"`
	Secondary string `json:"secondary,omitempty"`
	// Tier is by followers at the world's start.
	Tier string `json:"tier"`
	// Language is the creator's main posting language.
	Language string `json:"language"`
	// FakeFollowerShare is the share of followers that are bought, fake
	// accounts, before any BuyFollowers event (natural spam included).
	FakeFollowerShare float64 `json:"fake_follower_share"`
	// BoughtFollowers says a large share of followers was bought before the
	// world's start (FakeFollowerShare >= 0.3).
	BoughtFollowers bool `json:"bought_followers"`
	// BotComments says a small fixed group of bot accounts leaves generic
	// comments on every post.
	BotComments bool `json:"bot_comments"`
	// OptedOut says the account carries the !no-unauthenticated label.
	OptedOut bool `json:"opted_out"`
	// SponsoredShare is the share of posts that are paid; DisclosedShare the
	// share of those that say so (#ad, "paid partnership").
	SponsoredShare float64 `json:"sponsored_share"`
	DisclosedShare float64 `json:"disclosed_share"`
	// EngagementRate is the creator's typical engagement per post over
	// genuine followers.
	EngagementRate float64    `json:"engagement_rate"`
	Trajectory     Trajectory `json:"trajectory"`
}

// Config configures a World. The zero value is usable.
type Config struct {
	// Seed makes the world; the same seed gives the same world. 0 is a valid
	// seed.
	Seed int64
	// Creators is how many creators to generate besides the named ones;
	// 0 means 600.
	Creators int
	// Start is the world's day 0 and its initial clock; zero means
	// 2026-11-01T12:00:00Z.
	Start time.Time
}

// DefaultStart is the world's start when Config.Start is zero.
var DefaultStart = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

const (
	historyDays = 400 // posts exist from this many days before the start
	day         = 24 * time.Hour
)

// World is a deterministic simulated Bluesky: creators, their posts,
// followers and commenters, all computed from the seed, the scripts and the
// clock. It is safe for concurrent use.
type World struct {
	seed   uint64
	start  time.Time // day 0, at midnight UTC of Config.Start
	list   []*model
	handle map[string]*model
	did    map[string]*model

	mu  sync.RWMutex
	now time.Time

	jsOnce sync.Once
	js     *Jetstream
}

// model is a creator with the parameters the simulator draws from.
type model struct {
	Creator
	idx       int
	f0        float64 // followers (fake share included) at day 0, before events
	growth    float64 // organic growth per day
	postRate  float64 // posts per day
	created   time.Time
	avatar    bool
	following int64
	postsPre  int64 // posts before the simulated history window
	bio       string
	keywords  []string     // lower-cased words of handle, name and bio, for search
	reposts   float64      // chance per day of a repost
	bilingual string       // "" or the second language code
	tz        int          // UTC offset in hours of the creator's local day
	regular   bool         // posts a fixed number a day (named creators), not a Poisson number
	site      bool         // has a web site at its handle's domain (see site.go)
	mu        sync.RWMutex // guards Trajectory and ended after New
	ended     time.Time    // when the account was deleted (EndAccount); zero: never
}

// New generates a world from cfg.
func New(cfg Config) *World {
	n := cfg.Creators
	if n <= 0 {
		n = 600
	}
	start := cfg.Start
	if start.IsZero() {
		start = DefaultStart
	}
	w := &World{
		seed:   uint64(cfg.Seed),
		start:  start.UTC().Truncate(day),
		handle: map[string]*model{},
		did:    map[string]*model{},
		now:    start.UTC(),
	}
	for _, nc := range namedCreators {
		w.add(w.generate(len(w.list), &nc))
	}
	for len(w.list) < n+len(namedCreators) {
		w.add(w.generate(len(w.list), nil))
	}
	// Creators with a site come last, so that they change nothing of the
	// world generated before them.
	for _, nc := range siteCreators {
		w.add(w.generate(len(w.list), &nc))
	}
	return w
}

func (w *World) add(m *model) {
	w.list = append(w.list, m)
	w.handle[m.Handle] = m
	w.did[m.DID] = m
}

// Now returns the world's clock.
func (w *World) Now() time.Time {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.now
}

// Advance moves the world's clock forward by d (backward when d < 0).
func (w *World) Advance(d time.Duration) {
	w.mu.Lock()
	w.now = w.now.Add(d)
	w.mu.Unlock()
}

// SetNow sets the world's clock.
func (w *World) SetNow(t time.Time) {
	w.mu.Lock()
	w.now = t.UTC()
	w.mu.Unlock()
}

// Start returns the world's day 0 (midnight UTC).
func (w *World) Start() time.Time { return w.start }

// Day returns the start of day n of the world (day 0 is Start).
func (w *World) Day(n int) time.Time { return w.start.Add(time.Duration(n) * day) }

// Creators returns every creator's ground truth, named creators first, then
// in generation order.
func (w *World) Creators() []Creator {
	out := make([]Creator, len(w.list))
	for i, m := range w.list {
		m.mu.RLock()
		out[i] = m.Creator
		m.mu.RUnlock()
	}
	return out
}

// Creator returns the ground truth of the creator with the given handle or
// DID.
func (w *World) Creator(handleOrDID string) (Creator, bool) {
	m := w.lookup(handleOrDID)
	if m == nil {
		return Creator{}, false
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.Creator, true
}

// Script sets the trajectory of the creator with the given handle or DID.
// Responses are computed from the trajectory, so set it before the creator
// is first observed; scripting later rewrites its history.
func (w *World) Script(handleOrDID string, t Trajectory) error {
	m := w.lookup(handleOrDID)
	if m == nil {
		return fmt.Errorf("scripting %s: unknown creator", handleOrDID)
	}
	m.mu.Lock()
	m.Trajectory = t
	m.mu.Unlock()
	return nil
}

// Followers returns the creator's follower count at time t, as the
// profile shows it then.
func (w *World) Followers(handleOrDID string, t time.Time) (int64, bool) {
	m := w.lookup(handleOrDID)
	if m == nil {
		return 0, false
	}
	return w.followersAt(m, m.trajectory(), t), true
}

func (w *World) lookup(s string) *model {
	s = strings.ToLower(strings.TrimPrefix(s, "@"))
	if m, ok := w.did[s]; ok {
		return m
	}
	return w.handle[s]
}

func (m *model) trajectory() Trajectory {
	m.mu.RLock()
	defer m.mu.RUnlock()
	t := m.Trajectory
	if t.Size == 0 {
		t.Size = 0.3
	}
	return t
}

// named is a fixed creator with a documented niche, tier and trajectory.
type named struct {
	handle, name, niche string
	followers           float64
	traj                Trajectory
	botComments         bool
	fakeShare           float64
	optedOut            bool
	bio                 string
	site                bool // the creator has a web site, served by the simulator
}

// Named creators: fixed handles with known trajectories, for tests and the
// demo's watchlist. Days count from the world's start.
const (
	// HandleSteady grows slowly and posts regularly (food, micro).
	HandleSteady = "steady-sam.bsky.social"
	// HandleRising grows fast with matching engagement (fitness, micro).
	HandleRising = "rising-rita.bsky.social"
	// HandleQuiet stops posting on day 10 (travel, nano).
	HandleQuiet = "quiet-quinn.bsky.social"
	// HandleBuyer buys +30% followers on day 12 with no matching engagement
	// (beauty, micro).
	HandleBuyer = "buyer-bo.bsky.social"
	// HandleViral goes viral on day 12: +30% followers with the engagement
	// to match (pets, micro).
	HandleViral = "viral-val.bsky.social"
	// HandleFake has bought half its followers long ago and has bot
	// commenters (fitness, mid).
	HandleFake = "fake-fiona.bsky.social"
	// HandleOptedOut carries the !no-unauthenticated label (books, nano).
	HandleOptedOut = "private-pat.bsky.social"
)

var namedCreators = []named{
	{handle: HandleSteady, name: "Sam Okafor | Vegan Kitchen", niche: "food", followers: 42000, traj: Trajectory{Kind: Steady},
		bio: "Home cook sharing vegan recipes and weeknight dinners. Cookbook out next spring."},
	{handle: HandleRising, name: "Rita Novak", niche: "fitness", followers: 18000, traj: Trajectory{Kind: Rising},
		bio: "Strength coach. Home workouts and fitness for beginners. DM for online coaching."},
	{handle: HandleQuiet, name: "Quinn Walsh", niche: "travel", followers: 6500, traj: Trajectory{Kind: GoingQuiet, At: 10},
		bio: "Slow traveller. Budget travel and train travel tips. 42 countries and counting."},
	{handle: HandleBuyer, name: "Bo Park Beauty", niche: "beauty", followers: 30000, traj: Trajectory{Kind: BuyFollowers, At: 12, Size: 0.3},
		bio: "Makeup artist. Skincare routines and makeup tutorials. PR friendly."},
	{handle: HandleViral, name: "Val & the Pups", niche: "pets", followers: 25000, traj: Trajectory{Kind: Viral, At: 12, Size: 0.3},
		bio: "Dog trainer and rescue volunteer. Dog training, puppy tips and pet care. Adopt don't shop."},
	{handle: HandleFake, name: "Fiona Fit", niche: "fitness", followers: 240000, traj: Trajectory{Kind: Steady}, botComments: true, fakeShare: 0.55,
		bio: "Fitness motivation, workouts and gym life 💪 Collabs: DM"},
	{handle: HandleOptedOut, name: "Pat Reads", niche: "books", followers: 3000, traj: Trajectory{Kind: Steady}, optedOut: true,
		bio: "Book reviewer. Fantasy books and book recommendations."},
}

// tierWeights shape the follower distribution: a tier is drawn with these
// weights, then followers log-uniformly within it, which gives the
// heavy-tailed, roughly power-law spread of real creator populations.
var tierWeights = []struct {
	tier   string
	w      float64
	lo, hi float64
	er     float64 // typical engagement rate
}{
	{TierEmerging, 0.16, 200, 1000, 0.06},
	{TierNano, 0.34, 1000, 10000, 0.05},
	{TierMicro, 0.30, 10000, 100000, 0.03},
	{TierMid, 0.12, 100000, 500000, 0.02},
	{TierMacro, 0.05, 500000, 1000000, 0.015},
	{TierMega, 0.03, 1000000, 4000000, 0.01},
}

func tierOf(f float64) string {
	switch {
	case f < 1000:
		return TierEmerging
	case f < 10000:
		return TierNano
	case f < 100000:
		return TierMicro
	case f < 500000:
		return TierMid
	case f < 1000000:
		return TierMacro
	}
	return TierMega
}

func tierER(t string) float64 {
	for _, tw := range tierWeights {
		if tw.tier == t {
			return tw.er
		}
	}
	return 0.03
}

// generate draws creator idx; nc, when set, fixes its main traits.
func (w *World) generate(idx int, nc *named) *model {
	r := seeded(w.seed, 1, uint64(idx))
	m := &model{idx: idx}
	m.DID = encodeDID(w.seed, kindCreator, uint64(idx), 0)

	// Niche(s).
	m.Niche = Niches[r.intn(len(Niches))]
	if r.chance(0.18) {
		for m.Secondary == "" || m.Secondary == m.Niche {
			m.Secondary = Niches[r.intn(len(Niches))]
		}
	}
	// Followers and tier.
	x := r.float()
	var f float64
	for _, tw := range tierWeights {
		if x < tw.w {
			f = math.Exp(r.between(math.Log(tw.lo), math.Log(tw.hi)))
			break
		}
		x -= tw.w
	}
	if f == 0 {
		f = 2000
	}
	m.f0 = f
	// Authenticity.
	m.FakeFollowerShare = r.between(0.01, 0.08)
	if r.chance(0.08) {
		m.FakeFollowerShare = r.between(0.3, 0.65)
		m.BoughtFollowers = true
	}
	m.BotComments = r.chance(0.08) || (m.BoughtFollowers && r.chance(0.6))
	m.OptedOut = r.chance(0.02)
	// Engagement and posting.
	m.Tier = tierOf(f)
	m.EngagementRate = tierER(m.Tier) * r.lognorm(0, 0.35)
	m.postRate = math.Min(6, r.lognorm(math.Log(0.8), 0.6))
	m.growth = r.between(0.0005, 0.003)
	if r.chance(0.35) {
		m.SponsoredShare = r.between(0.04, 0.2)
		m.DisclosedShare = []float64{0, 0.3, 0.6, 1, 1, 1}[r.intn(6)]
	}
	m.reposts = r.between(0, 0.25)
	// Trajectory.
	switch y := r.float(); {
	case y < 0.08:
		m.Trajectory = Trajectory{Kind: Rising}
	case y < 0.12:
		m.Trajectory = Trajectory{Kind: GoingQuiet, At: r.intn(60)}
	case y < 0.15:
		m.Trajectory = Trajectory{Kind: BuyFollowers, At: 1 + r.intn(60), Size: r.between(0.2, 0.6)}
	case y < 0.18:
		m.Trajectory = Trajectory{Kind: Viral, At: 1 + r.intn(60), Size: r.between(0.2, 0.8)}
	default:
		m.Trajectory = Trajectory{Kind: Steady}
	}
	// Language.
	m.Language = "en"
	if y := r.float(); y < 0.09 {
		m.Language = []string{"es", "de", "pt"}[r.intn(3)]
	} else if y < 0.13 {
		m.bilingual = []string{"es", "de", "pt"}[r.intn(3)]
	}
	// Account.
	m.created = time.Date(2023, 4, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.between(0, 500)) * day).
		Add(time.Duration(r.intn(86400)) * time.Second)
	m.avatar = !r.chance(0.03)
	m.following = int64(r.lognorm(math.Log(400), 0.9))
	m.postsPre = int64(r.between(0, 300))

	n := niches[m.Niche]
	first, last := pick(r, firstNames), pick(r, lastNames)
	word := pick(r, n.handle)
	var base string
	switch r.intn(6) {
	case 0:
		base = first + word
	case 1:
		base = word + "with" + first
	case 2:
		base = first + "-" + word
	case 3:
		base = "the" + word + first
	case 4:
		base = first + last
	default:
		base = first + "." + last
	}
	switch r.intn(4) {
	case 0:
		m.DisplayName = capitalize(first) + " " + capitalize(last)
	case 1:
		m.DisplayName = capitalize(first) + " | " + pick(r, n.roles)
	case 2:
		m.DisplayName = capitalize(first) + " " + capitalize(word)
	default:
		m.DisplayName = capitalize(first) + " " + capitalize(last[:1]) + "."
	}
	m.bio = w.makeBio(r, m, n)
	m.tz = []int{-8, -7, -6, -5, -5, -4, -3, 0, 0, 1, 1, 1, 2, 3, 5, 8, 9, 10}[r.intn(18)]

	if nc != nil {
		base = strings.TrimSuffix(nc.handle, ".bsky.social")
		m.Niche, m.Secondary, m.f0 = nc.niche, "", nc.followers
		m.Tier = tierOf(nc.followers)
		m.EngagementRate = tierER(m.Tier)
		m.Trajectory = nc.traj
		m.BotComments = nc.botComments
		m.FakeFollowerShare = 0.03
		m.BoughtFollowers = nc.fakeShare >= 0.3
		if nc.fakeShare > 0 {
			m.FakeFollowerShare = nc.fakeShare
		}
		m.OptedOut = nc.optedOut
		m.DisplayName = nc.name
		m.bio = nc.bio
		m.Language, m.bilingual = "en", ""
		m.postRate, m.regular = 1, true
		m.growth = 0.002
		m.SponsoredShare, m.DisclosedShare = 0, 0
		if nc.handle == HandleFake {
			m.SponsoredShare, m.DisclosedShare = 0.15, 0.3
		}
		m.avatar = true
	}
	h := base + ".bsky.social"
	for i := 2; w.handle[h] != nil; i++ {
		h = fmt.Sprintf("%s%d.bsky.social", base, i)
	}
	if nc != nil && nc.site {
		h = nc.handle // a domain handle: the site's own domain
		m.site = true
	}
	m.Handle = h
	m.keywords = keywords(m.Handle + " " + m.DisplayName + " " + m.bio)
	return m
}

func (w *World) makeBio(r *rng, m *model, n *niche) string {
	var parts []string
	role := pick(r, n.roles)
	t1, t2 := pick(r, n.topics), pick(r, n.topics)
	if r.chance(0.85) {
		t1 = pick(r, n.core)
	}
	for tries := 0; t2 == t1 && tries < 4; tries++ {
		t2 = pick(r, n.topics)
	}
	switch r.intn(4) {
	case 0:
		parts = append(parts, role+". Sharing "+t1+" and "+t2+".")
	case 1:
		parts = append(parts, role+" | "+capitalize(t1)+" | "+capitalize(t2))
	case 2:
		parts = append(parts, capitalize(t1)+", "+t2+" and the occasional rant. "+role+".")
	default:
		parts = append(parts, role+" posting about "+t1+".")
	}
	if m.Secondary != "" {
		parts = append(parts, "Also: "+pick(r, niches[m.Secondary].topics)+".")
	}
	if r.chance(0.6) {
		parts = append(parts, pick(r, n.extraBios))
	}
	if r.chance(0.4) {
		parts = append(parts, "📍 "+pick(r, cities))
	}
	if r.chance(0.3) {
		parts = append(parts, "#"+pick(r, n.tags))
	}
	if r.chance(0.25) {
		parts = append(parts, "linktr.ee/"+strings.ReplaceAll(pick(r, firstNames)+pick(r, n.handle), ".", ""))
	}
	return strings.Join(parts, " ")
}

// keywords returns the lower-cased words of s, each also without a final
// "s", for search.
func keywords(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range splitWords(s) {
		for _, v := range []string{w, strings.TrimSuffix(w, "s")} {
			if v != "" && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	sort.Strings(out)
	return out
}

func splitWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}
