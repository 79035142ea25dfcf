package scoring

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/creatorscout/scout/creator"
)

// textRelevance is the taxonomy's relevance of a text of words words
// whose matched terms weigh w: 1-exp(-w/scale), the scale growing with
// the square root of the words beyond NicheTextRefWords, so that one term
// in a long text (a creator's captions joined) counts for less than in a
// post.
func textRelevance(w float64, words int) float64 {
	scale := nicheTextScale
	if NicheTextRefWords > 0 && words > NicheTextRefWords {
		scale *= math.Sqrt(float64(words) / float64(NicheTextRefWords))
	}
	return clamp01(1 - math.Exp(-w/scale))
}

// NicheTextRefWords is the length in words up to which a text's terms
// count fully (textRelevance); 0 counts them fully at any length. The
// shipped niche model was fitted with 40 (nichefit.DefaultConfig says
// what it changed): it is a variable only so that the fitting
// experiments can try others; change it and refit together.
var NicheTextRefWords = 40

func sortNiches(ns []creator.NicheScore) {
	slices.SortStableFunc(ns, func(a, b creator.NicheScore) int {
		switch {
		case a.Relevance > b.Relevance:
			return -1
		case a.Relevance < b.Relevance:
			return 1
		}
		return strings.Compare(a.Niche, b.Niche)
	})
}

// postText is what the scanners read of one post.
type postScan struct {
	top      int // niche with the highest weight, -1 for none
	flags    cueFlags
	mentions int
}

// nicheResult is the niche part of a profile's scoring.
type nicheResult struct {
	sub       creator.SubScore
	niches    []creator.NicheScore
	primary   string
	relevance float64
	focus     float64
	posts     []postScan // per post, in p.Posts order
	postRel   []float64
	bioFlags  cueFlags
}

// scoreNiches scans the bio and every post once, for niche terms and for the
// disclosure and safety cues the other sub-scores read.
func scoreNiches(m *matcher, p *creator.Profile) nicheResult {
	t := m.t
	nN := len(t.niches)
	var r nicheResult
	if cap(m.floats) < 7*nN {
		m.floats = make([]float64, 7*nN)
	}
	fl := m.floats[:7*nN]
	clear(fl)
	bioW := fl[:nN:nN]
	postW := fl[nN : 2*nN : 2*nN] // sum over posts of min(1, weight)
	own := fl[3*nN : 4*nN : 4*nN] // the taxonomy's blend, for niches without a model head
	tax := fl[4*nN : 5*nN : 5*nN] // the taxonomy's relevance of one text
	rel := fl[6*nN:]
	// Matched-term counts: a slice indexed by term id, with the ids touched.
	if len(m.termCount) < len(t.terms) {
		m.termCount = make([]int32, len(t.terms))
	}
	termCount := m.termCount
	touched := m.touched[:0]
	defer func() {
		for _, id := range touched {
			termCount[id] = 0
		}
		m.touched = touched[:0]
	}()
	b := t.binding()
	m.withBinding(b)
	nh := len(b.m.Heads)
	m.mean.reset(nh, nN)
	z := slices.Grow(m.z[:0], nh)[:nh]
	defer func() { m.z = z }()
	// textTax sets tax to the taxonomy relevance of the text just scanned.
	textTax := func() {
		for n, w := range m.w {
			tax[n] = 0
			if w > 0 {
				tax[n] = textRelevance(w, m.words)
			}
		}
	}

	m.begin()
	m.scan(p.Bio)
	copy(bioW, m.w)
	bioWords := m.words
	r.bioFlags = m.flags
	for _, id := range m.seen {
		if termCount[id] == 0 {
			touched = append(touched, id)
		}
		termCount[id]++
	}
	if m.sums.n > 0 {
		textTax()
		b.input(tax, &m.taxIn)
		b.logits(&m.sums, &m.taxIn, z)
		m.mean.add(z, m.sums.evidence(), tax, nicheBioPosts)
	}

	r.posts = make([]postScan, len(p.Posts))
	r.postRel = make([]float64, len(p.Posts)) // the post's own niche's relevance
	// The model reads the first nicheModelPosts posts (the newest, as
	// sources list them); the taxonomy's cues read them all.
	read := min(len(p.Posts), nicheModelPosts)
	for i := range p.Posts {
		post := &p.Posts[i]
		m.useModel = i < read
		m.begin()
		m.scan(post.Text)
		for _, h := range post.Hashtags {
			m.scanHashtag(h)
		}
		ps := postScan{top: -1, flags: m.flags, mentions: m.mentions}
		for n, w := range m.w {
			if w > 0 {
				postW[n] += math.Min(1, w)
			}
		}
		var rv float64
		if i < read {
			textTax()
			b.input(tax, &m.taxIn)
			b.logits(&m.sums, &m.taxIn, z)
			m.mean.add(z, m.sums.evidence(), tax, 1)
			// The post's own niche: the most relevant one, when it is clear.
			ps.top, rv = b.top(z, m.sums.evidence(), tax, nichePostMin)
		}
		for _, id := range m.seen {
			if termCount[id] == 0 {
				touched = append(touched, id)
			}
			termCount[id]++
		}
		r.posts[i] = ps
		if ps.top >= 0 {
			r.postRel[i] = rv
		}
	}

	nPosts := float64(len(p.Posts))
	for n := range own {
		bio := textRelevance(bioW[n], bioWords)
		if nPosts == 0 {
			own[n] = bio
			continue
		}
		share := postW[n] / nPosts
		postRel := clamp01(1 - math.Exp(-share*nichePostScale))
		own[n] = clamp01(nicheBioWeight*bio + (1-nicheBioWeight)*postRel)
	}
	// The model reads each text as it was fitted to (a few captions); a
	// creator's relevance is from the mean of its texts' logits, the bio
	// counting as nicheBioPosts posts.
	b.relevanceMean(&m.mean, own, rel)
	// Terms per niche, most frequent first, for evidence.
	// All matched terms, by niche, then most frequent first.
	all := m.terms[:0]
	for _, id := range touched {
		ti := &t.terms[id]
		all = append(all, nicheTerm{ti.niche, ti.text, int(termCount[id])})
	}
	slices.SortFunc(all, func(a, b nicheTerm) int {
		if a.niche != b.niche {
			return a.niche - b.niche
		}
		if a.n != b.n {
			return b.n - a.n
		}
		return strings.Compare(a.text, b.text)
	})
	defer func() { clear(all); m.terms = all[:0] }()
	k := 0
	for n, rv := range rel {
		start := k
		for k < len(all) && all[k].niche == n {
			k++
		}
		if rv < minTextRelevance {
			continue
		}
		ts := all[start:k]
		var terms []string
		if len(ts) > 0 {
			terms = make([]string, 0, min(len(ts), 8))
		}
		for _, x := range ts {
			if len(terms) == 8 {
				break
			}
			terms = append(terms, x.text)
		}
		r.niches = append(r.niches, creator.NicheScore{Niche: t.niches[n], Relevance: round3(rv), Terms: terms})
	}
	sortNiches(r.niches)
	if len(r.niches) > 10 {
		r.niches = r.niches[:10]
	}

	s := creator.SubScore{Name: "niche"}
	if len(r.niches) == 0 || r.niches[0].Relevance < nicheMinRelevance {
		s.Summary = fmt.Sprintf("No niche of the taxonomy is clear from the bio and %d sampled posts.", len(p.Posts))
		s.Confidence = confidence(nPosts, confPosts) * 0.5
		r.sub = s
		return r
	}
	// The primary niche goes first; the rest stay by relevance.
	if i := b.primaryOf(r.niches, func(id string) int { return indexOf(t.niches, id) }); i > 0 && r.niches[i].Relevance >= nicheMinRelevance {
		p := r.niches[i]
		copy(r.niches[1:i+1], r.niches[:i])
		r.niches[0] = p
	}
	top := r.niches[0]
	r.primary, r.relevance = top.Niche, top.Relevance
	pi := indexOf(t.niches, top.Niche)
	on := 0
	for _, ps := range r.posts {
		if ps.top == pi {
			on++
		}
	}
	if read > 0 {
		r.focus = float64(on) / float64(read)
	}
	s.Score = round3(100 * r.relevance)
	s.Label = r.primary
	// The posts that raise the primary niche's head most, and the words in
	// them (and the bio) that do, join the taxonomy's matched terms.
	var topPosts []int
	if h := b.headOf[pi]; h >= 0 {
		topPosts = topPostsFor(r, pi, 2)
		texts := []string{p.Bio}
		for _, i := range topPosts {
			texts = append(texts, p.Posts[i].Text)
		}
		var words []string
		if len(top.Terms) < 4 {
			// Few of the taxonomy's terms: say which words the model read.
			words = b.topWords(&m.tk, texts, h, 8)
		}
		for _, w := range words {
			if len(top.Terms) >= 8 {
				break
			}
			if !slices.Contains(top.Terms, w) {
				top.Terms = append(top.Terms, w)
			}
		}
		r.niches[0].Terms = top.Terms
	}
	matched := 0
	for _, ps := range r.posts {
		if ps.top >= 0 {
			matched++
		}
	}
	s.Confidence = confidence(float64(matched)+b2f(bioW[pi] > 0)*2, confPosts)
	if len(p.Posts) > 0 {
		s.Summary = "Mostly " + strings.ReplaceAll(r.primary, "_", " ") + ": " + strconv.Itoa(on) + " of " + strconv.Itoa(read) +
			" sampled posts are chiefly about it (relevance " + decimals(r.relevance, 2) + "), matched on " + quoteTerms(top.Terms, 4) + "."
	} else {
		s.Summary = fmt.Sprintf("The bio points to %s (relevance %.2f, matched on %s); no posts were sampled.",
			strings.ReplaceAll(r.primary, "_", " "), r.relevance, quoteTerms(top.Terms, 4))
	}
	s.Evidence = append(s.Evidence,
		creator.Evidence{Signal: "primary_relevance", Value: r.relevance, SampleSize: len(p.Posts), Text: s.Summary},
		creator.Evidence{Signal: "focus", Value: round3(r.focus), SampleSize: read,
			Text: pct(r.focus) + " of sampled posts are chiefly " + strings.ReplaceAll(r.primary, "_", " ") + "."},
		creator.Evidence{Signal: "bio_matches_primary", Value: b2f(bioW[pi] > 0)},
	)
	for _, i := range topPosts {
		s.Evidence = append(s.Evidence, creator.Evidence{Signal: "post_points_to_primary", PostID: p.Posts[i].ID,
			Value: round3(r.postRel[i]),
			Text:  "This post points to " + strings.ReplaceAll(r.primary, "_", " ") + ": \"" + excerpt(p.Posts[i].Text, 80) + "\""})
	}
	// Secondary niches are named when they are probable (relevance 0.5,
	// calibrated), with their terms when the taxonomy matched any.
	for _, ns := range r.niches[1:min(4, len(r.niches))] {
		if ns.Relevance < 0.5 {
			break
		}
		why := "from the wording as a whole"
		if len(ns.Terms) > 0 {
			why = "matched on " + quoteTerms(ns.Terms, 3)
		}
		s.Evidence = append(s.Evidence, creator.Evidence{Signal: "secondary_niche", Value: ns.Relevance,
			Text: "Also " + strings.ReplaceAll(ns.Niche, "_", " ") + " (relevance " + decimals(ns.Relevance, 2) + ", " + why + ")."})
	}
	r.sub = s
	return r
}

// nicheTerm is a matched term with its niche and count, for evidence.
type nicheTerm struct {
	niche int
	text  string
	n     int
}

func quoteTerms(ts []string, n int) string {
	if len(ts) > n {
		ts = ts[:n]
	}
	if len(ts) == 0 {
		return "no terms"
	}
	return "\"" + strings.Join(ts, "\", \"") + "\""
}

func indexOf(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}

// topPostsFor returns up to k posts, by index, whose own niche is niche
// n, most relevant first.
func topPostsFor(r nicheResult, n, k int) []int {
	var out []int
	for i, ps := range r.posts {
		if ps.top == n {
			out = append(out, i)
		}
	}
	slices.SortStableFunc(out, func(a, b int) int { return cmp.Compare(r.postRel[b], r.postRel[a]) })
	return out[:min(k, len(out))]
}

// excerpt is s cut to about n bytes at a word boundary, with "…" when cut,
// on one line.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut < n/2 {
		cut = n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return s[:cut] + "…"
}
