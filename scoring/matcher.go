package scoring

import "sync"

// matcher scans texts against a Taxonomy's lexicon, accumulating per-niche
// weights, matched terms and cue flags. It reuses its buffers across texts
// and is not safe for concurrent use; Score makes one per call.
type matcher struct {
	t  *Taxonomy
	tk tokenizer

	key          []byte
	prev1, prev2 []byte
	p1ok, p2ok   bool

	// Per-profile scratch for scoreNiches.
	termCount []int32
	touched   []int32
	terms     []nicheTerm
	floats    []float64

	// The niche model, when withModel was called: the feature hasher and
	// the current text's head sums.
	bind     *nicheBinding
	useModel bool
	feat     featurizer
	sums     headSums
	taxIn    taxInput
	mean     postMean
	z        []float64

	// Per-text state, reset by begin.
	w        []float64
	seen     []int32
	flags    cueFlags
	mentions int
	words    int // words and hashtags of the text
}

func newMatcher(t *Taxonomy) *matcher {
	return &matcher{t: t, w: make([]float64, len(t.niches))}
}

// matcherPool keeps matchers of the built-in taxonomy with their buffers
// between calls.
var matcherPool = sync.Pool{New: func() any { return newMatcher(defaultTaxonomy) }}

// getMatcher returns a matcher for t, pooled when t is the built-in
// taxonomy; putMatcher gives it back.
func getMatcher(t *Taxonomy) *matcher {
	var m *matcher
	if t == defaultTaxonomy {
		m = matcherPool.Get().(*matcher)
	} else {
		m = newMatcher(t)
	}
	if m.tk.cache == nil {
		m.tk.cache = stemCachePool.Get().(*stemCache)
	}
	return m
}

func putMatcher(m *matcher) {
	m.useModel = false
	if m.t == defaultTaxonomy {
		matcherPool.Put(m) // with its stem cache
		return
	}
	stemCachePool.Put(m.tk.cache)
	m.tk.cache = nil
}

// stemCachePool keeps the stem caches of matchers of custom taxonomies.
var stemCachePool = sync.Pool{New: func() any { return new(stemCache) }}

// withBinding makes the matcher also sum the weights of b's niche model
// for every text it scans (into m.sums).
func (m *matcher) withBinding(b *nicheBinding) {
	m.bind = b
	m.feat = featurizer{mask: 1<<b.m.Bits - 1, bind: b, sums: &m.sums, bigrams: b.m.Features&NicheBigrams != 0, inner: b.m.Features&NicheInnerGrams != 0, tk: &m.tk}
	m.useModel = true
}

// begin starts a new text.
func (m *matcher) begin() {
	m.sums = headSums{}
	clear(m.w)
	m.seen = m.seen[:0]
	m.flags = 0
	m.mentions = 0
	m.words = 0
	m.resetChain()
	m.feat.reset()
}

func (m *matcher) resetChain() {
	m.prev1, m.prev2 = m.prev1[:0], m.prev2[:0]
	m.p1ok, m.p2ok = false, false
}

// scan adds the tokens of s to the current text.
func (m *matcher) scan(s string) {
	if hasAdMarker(s) {
		m.flags |= cueDisclosure | cuePromo
	}
	m.tk.each(s, m.token)
	m.resetChain()
	m.feat.reset()
}

// scanHashtag adds one hashtag, given without or with its '#'.
func (m *matcher) scanHashtag(h string) {
	if len(h) > 0 && h[0] == '#' {
		h = h[1:]
	}
	if h == "" {
		return
	}
	m.tk.hashtag(h, m.token)
	m.resetChain()
	m.feat.reset()
}

func (m *matcher) apply(e *lexInfo) {
	if e == nil {
		return
	}
	m.flags |= e.flags
outer:
	for _, id := range m.t.fast.termsOf(e) {
		for _, s := range m.seen {
			if s == id {
				continue outer
			}
		}
		m.seen = append(m.seen, id)
		ti := &m.t.terms[id]
		m.w[ti.niche] += ti.weight
	}
}

func (m *matcher) token(tok []byte, kind tokenKind) {
	if m.useModel {
		m.feat.token(tok, kind)
	}
	lex := m.t.fast
	switch kind {
	case tokEmoji:
		return // read by the model only; a phrase goes on through it
	case tokMention:
		m.mentions++
		m.resetChain()
		return
	case tokHashtag:
		m.words++
		m.resetChain()
		m.key = append(append(m.key[:0], '#'), tok...)
		m.apply(lex.get(m.key))
		m.key = m.tk.stemOf(m.key[:0], tok)
		m.apply(lex.get(m.key))
		return
	}
	m.words++
	e1 := lex.get(tok)
	m.apply(e1)
	bigramPrefix := false
	if m.p2ok {
		m.key = append(append(append(append(append(m.key[:0], m.prev2...), ' '), m.prev1...), ' '), tok...)
		m.apply(lex.get(m.key))
	}
	if m.p1ok {
		m.key = append(append(append(m.key[:0], m.prev1...), ' '), tok...)
		e2 := lex.get(m.key)
		m.apply(e2)
		bigramPrefix = e2 != nil && e2.prefix
	}
	// Keep the words only while a phrase may continue through them.
	if bigramPrefix {
		m.prev2, m.prev1 = m.prev1, m.prev2
	}
	m.p2ok = bigramPrefix
	m.p1ok = e1 != nil && e1.prefix
	if m.p1ok || m.p2ok {
		m.prev1 = append(m.prev1[:0], tok...)
	}
}
