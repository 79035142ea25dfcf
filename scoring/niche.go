package scoring

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/creatorscout/scout/creator"
)

// TextNiches returns the relevance (0..1) of one text to each niche of t
// (nil means the built-in taxonomy) that it matches, most relevant first,
// with the matched terms. Hashtags in the text are split (camelCase and
// written-together phrases), case and accents are folded and words stemmed.
// It is safe for concurrent use.
func TextNiches(t *Taxonomy, text string) []creator.NicheScore {
	if t == nil {
		t = defaultTaxonomy
	}
	m := getMatcher(t)
	defer putMatcher(m)
	m.begin()
	m.scan(text)
	terms := make(map[int][]string)
	for _, id := range m.seen {
		ti := t.terms[id]
		terms[ti.niche] = append(terms[ti.niche], ti.text)
	}
	var out []creator.NicheScore
	for i, w := range m.w {
		if w <= 0 {
			continue
		}
		out = append(out, creator.NicheScore{Niche: t.niches[i], Relevance: round3(textRelevance(w)), Terms: terms[i]})
	}
	sortNiches(out)
	return out
}

func textRelevance(w float64) float64 { return clamp01(1 - math.Exp(-w/nicheTextScale)) }

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
	bioFlags  cueFlags
}

// scoreNiches scans the bio and every post once, for niche terms and for the
// disclosure and safety cues the other sub-scores read.
func scoreNiches(m *matcher, p *creator.Profile) nicheResult {
	t := m.t
	nN := len(t.niches)
	var r nicheResult
	if cap(m.floats) < 3*nN {
		m.floats = make([]float64, 3*nN)
	}
	fl := m.floats[:3*nN]
	clear(fl)
	bioW := fl[:nN:nN]
	postW := fl[nN : 2*nN : 2*nN] // sum over posts of min(1, weight)
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

	m.begin()
	m.scan(p.Bio)
	copy(bioW, m.w)
	r.bioFlags = m.flags
	for _, id := range m.seen {
		if termCount[id] == 0 {
			touched = append(touched, id)
		}
		termCount[id]++
	}

	r.posts = make([]postScan, len(p.Posts))
	for i := range p.Posts {
		post := &p.Posts[i]
		m.begin()
		m.scan(post.Text)
		for _, h := range post.Hashtags {
			m.scanHashtag(h)
		}
		ps := postScan{top: -1, flags: m.flags, mentions: m.mentions}
		best := 0.0
		for n, w := range m.w {
			if w > 0 {
				postW[n] += math.Min(1, w)
				if w > best {
					best, ps.top = w, n
				}
			}
		}
		for _, id := range m.seen {
			if termCount[id] == 0 {
				touched = append(touched, id)
			}
			termCount[id]++
		}
		r.posts[i] = ps
	}

	nPosts := float64(len(p.Posts))
	rel := fl[2*nN:]
	for n := range rel {
		bio := textRelevance(bioW[n])
		if nPosts == 0 {
			rel[n] = bio
			continue
		}
		share := postW[n] / nPosts
		postRel := clamp01(1 - math.Exp(-share*nichePostScale))
		rel[n] = clamp01(nicheBioWeight*bio + (1-nicheBioWeight)*postRel)
	}
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
		if rv < 0.01 {
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
	top := r.niches[0]
	r.primary, r.relevance = top.Niche, top.Relevance
	pi := indexOf(t.niches, top.Niche)
	on := 0
	for _, ps := range r.posts {
		if ps.top == pi {
			on++
		}
	}
	if nPosts > 0 {
		r.focus = float64(on) / nPosts
	}
	s.Score = round3(100 * r.relevance)
	s.Label = r.primary
	matched := 0
	for _, ps := range r.posts {
		if ps.top >= 0 {
			matched++
		}
	}
	s.Confidence = confidence(float64(matched)+b2f(bioW[pi] > 0)*2, confPosts)
	if len(p.Posts) > 0 {
		s.Summary = "Mostly " + strings.ReplaceAll(r.primary, "_", " ") + ": " + itoa(on) + " of " + itoa(len(p.Posts)) +
			" sampled posts are chiefly about it (relevance " + ff(r.relevance, 2) + "), matched on " + quoteTerms(top.Terms, 4) + "."
	} else {
		s.Summary = fmt.Sprintf("The bio points to %s (relevance %.2f, matched on %s); no posts were sampled.",
			strings.ReplaceAll(r.primary, "_", " "), r.relevance, quoteTerms(top.Terms, 4))
	}
	s.Evidence = append(s.Evidence,
		creator.Evidence{Signal: "primary_relevance", Value: r.relevance, SampleSize: len(p.Posts), Text: s.Summary},
		creator.Evidence{Signal: "focus", Value: round3(r.focus), SampleSize: len(p.Posts),
			Text: pct(r.focus) + " of sampled posts are chiefly " + strings.ReplaceAll(r.primary, "_", " ") + "."},
		creator.Evidence{Signal: "bio_matches_primary", Value: b2f(bioW[pi] > 0)},
	)
	for _, ns := range r.niches[1:min(4, len(r.niches))] {
		s.Evidence = append(s.Evidence, creator.Evidence{Signal: "secondary_niche", Value: ns.Relevance,
			Text: "Also " + strings.ReplaceAll(ns.Niche, "_", " ") + " (relevance " + ff(ns.Relevance, 2) + ": " + quoteTerms(ns.Terms, 3) + ")."})
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
