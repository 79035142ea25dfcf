package sim

import (
	"encoding/base32"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Identity kinds encoded in simulated DIDs.
const (
	kindCreator  = 1
	kindFollower = 2
	kindBot      = 3
)

var didEnc = base32.StdEncoding.WithPadding(base32.NoPadding)

// encodeDID returns a did:plc of 24 base32 characters, like real ones, that
// encodes the account's kind, its creator's index a and its own index b,
// with a check tied to the seed so that made-up DIDs are unknown.
func encodeDID(seed uint64, kind byte, a, b uint64) string {
	var buf [15]byte
	buf[0] = kind
	buf[1], buf[2], buf[3] = byte(a>>16), byte(a>>8), byte(a)
	for i := 0; i < 6; i++ {
		buf[4+i] = byte(b >> (8 * (5 - i)))
	}
	c := didCheck(seed, buf[:10])
	for i := 0; i < 5; i++ {
		buf[10+i] = byte(c >> (8 * i))
	}
	didMask(seed, &buf)
	return "did:plc:" + strings.ToLower(didEnc.EncodeToString(buf[:]))
}

// didMask scrambles (or unscrambles) the first ten bytes with a stream
// drawn from the check bytes, so simulated DIDs look random like real ones.
func didMask(seed uint64, buf *[15]byte) {
	var k uint64
	for i := 0; i < 5; i++ {
		k = k<<8 | uint64(buf[10+i])
	}
	r := seeded(seed, 0xd1d, k)
	x := r.next()
	y := r.next()
	for i := 0; i < 8; i++ {
		buf[i] ^= byte(x >> (8 * i))
	}
	buf[8] ^= byte(y)
	buf[9] ^= byte(y >> 8)
}

func didCheck(seed uint64, b []byte) uint64 {
	h := mix(seed ^ 0x5eed)
	for _, x := range b {
		h = mix(h ^ uint64(x))
	}
	return h
}

func decodeDID(seed uint64, did string) (kind byte, a, b uint64, ok bool) {
	rest, found := strings.CutPrefix(did, "did:plc:")
	if !found || len(rest) != 24 {
		return 0, 0, 0, false
	}
	buf, err := didEnc.DecodeString(strings.ToUpper(rest))
	if err != nil || len(buf) != 15 {
		return 0, 0, 0, false
	}
	didMask(seed, (*[15]byte)(buf))
	c := didCheck(seed, buf[:10])
	for i := 0; i < 5; i++ {
		if buf[10+i] != byte(c>>(8*i)) {
			return 0, 0, 0, false
		}
	}
	a = uint64(buf[1])<<16 | uint64(buf[2])<<8 | uint64(buf[3])
	for i := 0; i < 6; i++ {
		b = b<<8 | uint64(buf[4+i])
	}
	return buf[0], a, b, true
}

const tidAlphabet = "234567abcdefghijklmnopqrstuvwxyz"

// tid returns an AT Protocol record key (timestamp id) for a time in
// microseconds and a 10-bit clock id.
func tid(us int64, clock uint64) string {
	v := uint64(us)<<10 | clock&1023
	v &^= 1 << 63
	var b [13]byte
	for i := 12; i >= 0; i-- {
		b[i] = tidAlphabet[v&31]
		v >>= 5
	}
	return string(b[:])
}

func parseTID(s string) (us int64, clock uint64, ok bool) {
	if len(s) != 13 {
		return 0, 0, false
	}
	var v uint64
	for i := 0; i < 13; i++ {
		j := strings.IndexByte(tidAlphabet, s[i])
		if j < 0 {
			return 0, 0, false
		}
		v = v<<5 | uint64(j)
	}
	return int64(v >> 10), v & 1023, true
}

// days returns t as days since the world's start.
func (w *World) days(t time.Time) float64 { return float64(t.Sub(w.start)) / float64(day) }

func (w *World) dayOf(t time.Time) int { return int(math.Floor(w.days(t))) }

func (w *World) growthOf(m *model, tr Trajectory) float64 {
	if tr.Kind == Rising {
		return seeded(w.seed, 2, uint64(m.idx)).between(0.008, 0.015)
	}
	return m.growth
}

func smooth(x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	return x * x * (3 - 2*x)
}

// baseAt is the follower count at day x without bought followers of a
// BuyFollowers event (the static fake share included).
func (w *World) baseAt(m *model, tr Trajectory, x float64) float64 {
	g := w.growthOf(m, tr)
	at := float64(tr.At)
	switch tr.Kind {
	case GoingQuiet:
		if x > at {
			return m.f0 * math.Exp(g*at) * math.Exp(-0.0015*(x-at))
		}
	case Viral:
		// Followers follow the viral post (early on day At) over two days.
		return m.f0 * math.Exp(g*x) * (1 + tr.Size*smooth((x-at-0.125)/2))
	}
	return m.f0 * math.Exp(g*x)
}

// boughtBlock returns the arrival index of the first bought follower and
// how many were bought, for a BuyFollowers trajectory.
func (w *World) boughtBlock(m *model, tr Trajectory) (first, n int64) {
	if tr.Kind != BuyFollowers {
		return 0, 0
	}
	b := w.baseAt(m, tr, float64(tr.At))
	return int64(b), int64(tr.Size * b)
}

func (w *World) boughtAt(m *model, tr Trajectory, x float64) float64 {
	if tr.Kind != BuyFollowers || x < float64(tr.At) {
		return 0
	}
	_, n := w.boughtBlock(m, tr)
	return float64(n) * math.Min(1, (x-float64(tr.At))/0.25)
}

func (w *World) followersAt(m *model, tr Trajectory, t time.Time) int64 {
	x := w.days(t)
	return int64(w.baseAt(m, tr, x) + w.boughtAt(m, tr, x))
}

// organicAt is the number of genuine followers at day x: what engagement
// follows.
func (w *World) organicAt(m *model, tr Trajectory, x float64) float64 {
	return w.baseAt(m, tr, x) * (1 - m.FakeFollowerShare)
}

// isFake reports whether the creator's follower with arrival index k is a
// fake account, and whether it came in a BuyFollowers event.
func (w *World) isFake(m *model, tr Trajectory, k int64) (fake, bought bool) {
	if first, n := w.boughtBlock(m, tr); n > 0 {
		if k >= first && k < first+n {
			return true, true
		}
		if k >= first+n {
			k -= n
		}
	}
	return seeded(w.seed, 7, uint64(m.idx), uint64(k)).float() < m.FakeFollowerShare, false
}

// stub is one item of a creator's feed on one day: an own post, or a
// repost of another creator's post.
type stub struct {
	at     time.Time // creation (or repost) time, microsecond precision
	day    int
	i      int // index among the day's own posts
	repost *stub
	owner  *model
}

func (w *World) dayMin(m *model) int {
	return max(-historyDays, w.dayOf(m.created)+1)
}

// dayPosts returns the creator's own posts on day d, oldest first, and,
// when withReposts, its reposts.
func (w *World) dayPosts(m *model, tr Trajectory, d int, withReposts bool) []stub {
	if d < w.dayMin(m) {
		return nil
	}
	rate := m.postRate
	switch {
	case tr.Kind == GoingQuiet && d >= tr.At:
		rate = 0
	case tr.Kind == Viral && d >= tr.At && d < tr.At+5:
		rate *= 2
	}
	r := seeded(w.seed, 3, uint64(m.idx), uint64(int64(d)))
	n := min(r.poisson(rate), 40)
	if m.regular {
		n = int(math.Round(rate))
	}
	dayStart := w.Day(d)
	secs := make([]int64, n)
	for i := range secs {
		if m.regular {
			// Named creators keep the uniform times other packages' tests
			// were written against.
			secs[i] = int64(r.intn(86400))*1e6 + int64(r.intn(1e6))
			continue
		}
		h := (localHour(r) - m.tz + 24) % 24
		secs[i] = int64(h*3600+r.intn(3600))*1e6 + int64(r.intn(1e6))
	}
	if tr.Kind == Viral && d == tr.At {
		// The post that goes viral: early in the day, before followers come.
		v := int64(3600+r.intn(7200)) * 1e6
		if len(secs) == 0 {
			secs = append(secs, v)
		}
		secs[0] = min(secs[0], v) // stays first after sorting
	}
	sort.Slice(secs, func(a, b int) bool { return secs[a] < secs[b] })
	out := make([]stub, 0, n+1)
	for i, us := range secs {
		out = append(out, stub{at: dayStart.Add(time.Duration(us) * time.Microsecond), day: d, i: i, owner: m})
	}
	if withReposts && r.chance(m.reposts) && len(w.list) > 1 {
		o := w.list[r.intn(len(w.list))]
		if o != m && !o.OptedOut {
			if ops := w.dayPosts(o, o.trajectory(), d, false); len(ops) > 0 {
				orig := ops[0]
				left := dayStart.Add(day).Sub(orig.at)
				at := orig.at.Add(time.Duration(r.float() * float64(left))).Truncate(time.Microsecond)
				out = append(out, stub{at: at, day: d, i: -1, repost: &orig, owner: m})
			}
		}
	}
	return out
}

// hourWeights is how posting spreads over the hours of a creator's local
// day: little at night, a morning bump, most in the evening.
var hourWeights = [24]float64{1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2.5, 4, 4.5, 4.5, 4.5, 5, 5, 4.5, 4.5, 5, 5.5, 6.5, 7.5, 8, 7, 5, 2.5}

var hourTotal = func() float64 {
	t := 0.0
	for _, w := range hourWeights {
		t += w
	}
	return t
}()

func localHour(r *rng) int {
	x := r.float() * hourTotal
	for h, w := range hourWeights {
		if x < w {
			return h
		}
		x -= w
	}
	return 23
}

// postsCount is how many posts the creator has made up to t.
func (w *World) postsCount(m *model, tr Trajectory, t time.Time) int64 {
	n := m.postsPre
	last := w.dayOf(t)
	for d := w.dayMin(m); d <= last; d++ {
		for _, s := range w.dayPosts(m, tr, d, false) {
			if !s.at.After(t) {
				n++
			}
		}
	}
	return n
}

// content is a generated post's text and truth.
type content struct {
	text      string
	langs     []string
	niche     string // "" for off-topic
	sponsored bool
	disclosed bool
	noise     float64
}

func (w *World) postContent(m *model, s stub) content {
	r := seeded(w.seed, 4, uint64(m.idx), uint64(int64(s.day)), uint64(s.i))
	c := content{noise: r.lognorm(0, 0.5)}
	n := niches[m.Niche]
	c.niche = m.Niche
	c.sponsored = m.SponsoredShare > 0 && r.chance(m.SponsoredShare)
	c.disclosed = c.sponsored && r.chance(m.DisclosedShare)
	y := r.float()
	switch {
	case c.sponsored:
		c.text = sponsoredText(r, n, c.disclosed)
	case y < 0.12:
		c.niche = ""
		c.text = fill(r, n, pick(r, offTopic), "")
	case m.Secondary != "" && y < 0.45:
		c.niche = m.Secondary
		sn := niches[m.Secondary]
		c.text = fill(r, sn, pick(r, m.templates(sn)), hashtagsFor(r, sn))
	default:
		c.text = fill(r, n, pick(r, m.templates(n)), hashtagsFor(r, n))
	}
	lang := m.Language
	if m.bilingual != "" && r.chance(0.3) {
		lang = m.bilingual
	}
	if ph, ok := langPhrases[lang]; ok {
		if tpls := langTemplates[lang]; c.niche != "" && !c.sponsored && r.chance(0.6) {
			nn := niches[c.niche]
			c.text = fill(r, nn, pick(r, tpls), hashtagsFor(r, nn))
		} else {
			c.text = pick(r, ph) + " " + c.text
		}
	}
	switch {
	case r.chance(0.04):
		// No declared language, as some clients send.
	case lang != "en" && r.chance(0.2):
		c.langs = []string{lang, "en"}
	default:
		c.langs = []string{lang}
	}
	return c
}

// templates returns the post templates m draws from in niche n. Named
// creators keep the original set, whose texts other packages' tests were
// written against.
func (m *model) templates(n *niche) []string {
	if m.regular {
		return n.posts
	}
	return n.allPosts
}

var sponsoredDisclosed = []string{
	"#ad I've been using the {brand} {product} for {num} weeks now and it has earned its spot. Link in bio {tags}",
	"Paid partnership with {brand}: trying their new {product} so you don't have to. Verdict below {tags} #sponsored",
	"Thanks to {brand} for sponsoring today's post! Their {product} is 20% off with my code {code} #ad",
	"[Ad] {brand} sent me their {product} and paid for this post, but the opinions are mine: it's {adj}. {tags}",
}

var sponsoredHidden = []string{
	"Obsessed with my new {product} from {brand} 😍 use code {code} for 15% off → {site}",
	"Can't stop using this {product}. {brand} really nailed it. Code {code} gets you a discount {tags}",
	"Everyone keeps asking about my {product}: it's {brand}! Grab yours with {code} 🔗 {site}",
	"Game changer: the {brand} {product}. Link in bio, you're welcome {tags}",
}

func sponsoredText(r *rng, n *niche, disclosed bool) string {
	brand := pick(r, n.brands)
	code := strings.ToUpper(pick(r, firstNames)) + strconv.Itoa(10+r.intn(30))
	site := strings.ToLower(strings.NewReplacer(" ", "", "&", "and", "'", "", "è", "e").Replace(brand)) + ".com/" + strings.ToLower(code)
	tpl := pick(r, sponsoredHidden)
	if disclosed {
		tpl = pick(r, sponsoredDisclosed)
	}
	tpl = strings.NewReplacer("{brand}", brand, "{product}", pick(r, n.products), "{code}", code, "{site}", site).Replace(tpl)
	return fill(r, n, tpl, hashtagsFor(r, n))
}

// counts are a post's public counts at some time.
type counts struct {
	likes, reposts, replies, quotes int64
	organicReplies                  int64 // replies from genuine followers (ordered by time)
	organicFinal                    float64
	bots                            int // bot replies visible
}

const accrual = 6 * time.Hour

func (w *World) postCounts(m *model, tr Trajectory, s stub, c content, now time.Time) counts {
	x := w.days(s.at)
	final := w.organicAt(m, tr, x) * m.EngagementRate * c.noise
	if tr.Kind == Viral && s.day >= tr.At && s.day < tr.At+3 {
		vr := seeded(w.seed, 8, uint64(m.idx), uint64(int64(s.day)), uint64(s.i))
		if s.day == tr.At && s.i == 0 {
			final *= vr.between(40, 60) / c.noise // the viral post, whatever its usual luck
		} else {
			final *= vr.between(3, 5) // the new audience's attention
		}
	}
	age := now.Sub(s.at)
	if age < 0 {
		return counts{}
	}
	acc := 1 - math.Exp(-float64(age)/float64(accrual))
	out := counts{
		likes:        int64(math.Round(final * 0.74 * acc)),
		reposts:      int64(math.Round(final * 0.12 * acc)),
		quotes:       int64(math.Round(final * 0.04 * acc)),
		organicFinal: final * 0.10,
	}
	out.organicReplies = int64(math.Round(out.organicFinal * acc))
	for k := range w.botsOn(m, s) {
		if !botReplyTime(s, k).After(now) {
			out.bots++
		}
	}
	out.likes += int64(out.bots) * 3
	out.replies = out.organicReplies + int64(out.bots)
	return out
}

// botGroup is how many bot accounts comment on the creator's posts.
func (w *World) botGroup(m *model) int {
	if !m.BotComments {
		return 0
	}
	return 6 + seeded(w.seed, 12, uint64(m.idx)).intn(7)
}

// botsOn returns the bots of the creator's group that comment on post s,
// in the order they reply; most of the group comments on every post.
func (w *World) botsOn(m *model, s stub) []int {
	var out []int
	for j := 0; j < w.botGroup(m); j++ {
		if seeded(w.seed, 9, uint64(m.idx), uint64(int64(s.day)), uint64(s.i), uint64(j)).chance(0.85) {
			out = append(out, j)
		}
	}
	return out
}

// botReplyTime is when the k-th bot reply to s arrived: within minutes.
func botReplyTime(s stub, k int) time.Time {
	return s.at.Add(time.Duration(k+1) * 50 * time.Second)
}

// organicReplyTime is when the i-th genuine reply arrived: the moment the
// accrued count first reached it.
func organicReplyTime(s stub, i int64, final float64) time.Time {
	f := (float64(i) + 0.5) / final
	if f >= 1 {
		f = 0.999999
	}
	return s.at.Add(time.Duration(-float64(accrual) * math.Log(1-f))).Truncate(time.Microsecond)
}

// account is a generated non-creator account (follower or bot commenter).
type account struct {
	did, handle, name, bio string
	avatar                 bool
	followers, following   int64
	posts                  int64
	created                time.Time
}

func (w *World) follower(m *model, tr Trajectory, k int64, now time.Time) account {
	fake, bought := w.isFake(m, tr, k)
	r := seeded(w.seed, 6, uint64(m.idx), uint64(k))
	a := account{did: encodeDID(w.seed, kindFollower, uint64(m.idx), uint64(k))}
	first, last := pick(r, firstNames), pick(r, lastNames)
	if fake {
		a.handle = first + strconv.Itoa(100000+r.intn(99900000)) + ".bsky.social"
		if r.chance(0.3) {
			a.name = capitalize(first)
		}
		a.avatar = r.chance(0.1)
		a.bio = spamBios[r.intn(len(spamBios))]
		if r.chance(0.7) {
			a.bio = ""
		}
		a.followers = int64(r.intn(12))
		a.following = int64(r.between(1500, 7500))
		if r.chance(0.1) {
			a.posts = int64(1 + r.intn(3))
		}
		if bought {
			a.created = w.Day(tr.At).Add(-time.Duration(r.between(1, 20) * float64(day)))
		} else {
			a.created = w.start.Add(-time.Duration(r.between(2, 60) * float64(day)))
		}
	} else {
		switch r.intn(4) {
		case 0:
			a.handle = first + last + ".bsky.social"
		case 1:
			a.handle = first + "-" + last + ".bsky.social"
		case 2:
			a.handle = first + "." + last + ".bsky.social"
		default:
			a.handle = first + last[:1] + ".bsky.social"
		}
		if r.chance(0.92) {
			a.name = capitalize(first) + " " + capitalize(last)
		}
		a.avatar = r.chance(0.9)
		if r.chance(0.75) {
			a.bio = strings.ReplaceAll(pick(r, followerBios), "{city}", pick(r, cities))
		}
		a.followers = int64(r.lognorm(math.Log(150), 1.2))
		a.following = int64(r.lognorm(math.Log(300), 0.9))
		a.posts = int64(r.lognorm(math.Log(250), 1.5))
		a.created = time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.between(0, 520) * float64(day)))
	}
	a.created = a.created.Truncate(time.Millisecond)
	if a.created.After(now) {
		a.created = now.Add(-time.Hour).Truncate(time.Millisecond)
	}
	return a
}

func (w *World) bot(m *model, j int64) account {
	r := seeded(w.seed, 10, uint64(m.idx), uint64(j))
	first := pick(r, firstNames)
	a := account{
		did:       encodeDID(w.seed, kindBot, uint64(m.idx), uint64(j)),
		handle:    first + "_" + strconv.Itoa(1000+r.intn(9000000)) + ".bsky.social",
		avatar:    r.chance(0.5),
		bio:       spamBios[r.intn(len(spamBios))],
		followers: int64(r.intn(60)),
		following: int64(r.between(2000, 7000)),
		posts:     int64(r.between(500, 6000)),
		created:   w.start.Add(-time.Duration(r.between(10, 90) * float64(day))).Truncate(time.Millisecond),
	}
	if r.chance(0.5) {
		a.name = capitalize(first) + " " + pick(r, []string{"✨", "💰", "🚀", "❤️"})
	}
	return a
}
