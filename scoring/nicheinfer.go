package scoring

import (
	"math"
	"slices"
	"sync"

	"github.com/creatorscout/scout/creator"
)

// nicheBinding ties the niche model's heads to one taxonomy's niches.
type nicheBinding struct {
	m      *NicheModel
	headOf []int   // per taxonomy niche: its head, or -1 when the taxonomy alone scores it
	sibs   [][]int // per head: its niches' taxonomy indices, preferred first
	taxOf  []int   // per model TaxNiches slot: the taxonomy niche, or -1
	// Calibrated coefficients, for comparing heads without computing
	// probabilities: z = cBias + cScale*sum/sqrt(n) + cTax . tax.
	cBias, cScale, cTax []float64
	soft                []int // the heads of the model's softmax group
	// xtHead marks the heads only tweets taught (X-Topic's: a taxonomy
	// floor, or the catch-all); xtKnown has a bit for every bucket in
	// which one of them has a weight. A text in words the tweets never had
	// (a French bio) is no evidence for those heads, whose steep
	// calibration would otherwise put it near 0.5 (a cat owner's bio read
	// business 0.58).
	xtHead  []bool
	xtKnown []uint64
}

// evidenceFor is e as head h counts it.
func (b *nicheBinding) evidenceFor(e evid, h int) float64 {
	if b.xtHead != nil && b.xtHead[h] {
		return e.xt
	}
	return e.all
}

// input fills x from the taxonomy relevance tax (per taxonomy niche).
func (b *nicheBinding) input(tax []float64, x *taxInput) {
	if cap(x.val) < len(b.taxOf) {
		x.val = make([]float64, len(b.taxOf))
	}
	x.val, x.nz = x.val[:len(b.taxOf)], x.nz[:0]
	for j, n := range b.taxOf {
		x.val[j] = 0
		if n >= 0 && tax[n] > 0 {
			x.val[j] = tax[n]
			x.nz = append(x.nz, j)
		}
	}
}

// bindings caches a binding per taxonomy.
var bindings sync.Map // *Taxonomy -> *nicheBinding

// binding returns the built-in model bound to t, reading the model on
// first use.
func (t *Taxonomy) binding() *nicheBinding {
	if b, ok := bindings.Load(t); ok {
		return b.(*nicheBinding)
	}
	v, _ := bindings.LoadOrStore(t, bindModel(t, builtinNicheModel()))
	return v.(*nicheBinding)
}

// bindModel binds m's heads to t's niches.
func bindModel(t *Taxonomy, m *NicheModel) *nicheBinding {
	b := &nicheBinding{m: m, headOf: make([]int, len(t.niches)), sibs: make([][]int, len(m.Heads))}
	for i := range b.headOf {
		b.headOf[i] = -1
	}
	for h, hd := range m.Heads {
		for _, n := range hd.Niches {
			if i := indexOf(t.niches, n); i >= 0 {
				b.headOf[i] = h
				b.sibs[h] = append(b.sibs[h], i)
			}
		}
	}
	for _, n := range m.TaxNiches {
		b.taxOf = append(b.taxOf, indexOf(t.niches, n))
	}
	for h, hd := range m.Heads {
		if hd.Softmax {
			b.soft = append(b.soft, h)
		}
	}
	b.xtHead = make([]bool, len(m.Heads))
	var xt []int
	for h, hd := range m.Heads {
		// The heads only tweets taught: floored by the taxonomy, or the
		// catch-all; never a head of the softmax group, which instagram
		// creators taught (even when floored).
		if (hd.TaxFloor > 0 || hd.Fallback) && !hd.Softmax {
			b.xtHead[h] = true
			xt = append(xt, h)
		}
	}
	if nh := len(m.Heads); len(xt) > 0 && nh > 0 {
		b.xtKnown = make([]uint64, (len(m.W)/nh+63)/64)
		for k := 0; k < len(m.W)/nh; k++ {
			for _, h := range xt {
				if m.W[k*nh+h] != 0 {
					b.xtKnown[k>>6] |= 1 << (k & 63)
					break
				}
			}
		}
	}
	for h := range m.Heads {
		a := float64(m.CalA[h])
		b.cBias = append(b.cBias, a*float64(m.Bias[h])+float64(m.CalB[h]))
		b.cScale = append(b.cScale, a*float64(m.Scale[h]))
	}
	for i, w := range m.TaxW {
		b.cTax = append(b.cTax, float64(m.CalA[i/len(m.TaxNiches)])*float64(w))
	}
	return b
}

// add adds bucket k's weights to s.
func (b *nicheBinding) add(s *headSums, k uint32) {
	nh := len(b.m.Heads)
	row := b.m.W[int(k)*nh : int(k)*nh+nh]
	sum := s.sum[:len(row)]
	for h, w := range row {
		sum[h] += int32(w)
	}
	s.n++
	if b.xtKnown != nil && b.xtKnown[k>>6]&(1<<(k&63)) != 0 {
		s.xt++
	}
}

// logits writes to z every head's logit for a text with sums s and
// taxonomy input x.
func (b *nicheBinding) logits(s *headSums, x *taxInput, z []float64) {
	inv := s.invSqrtN()
	for h := range z {
		z[h] = b.m.logit(s, h, x, inv)
	}
	LogSoftmax(z, b.soft)
}

// LogSoftmax turns the logits z of the heads in group (a softmax group)
// into their log-probabilities, in place; the other heads are left alone.
// The fit (nichefit) reads its heads the same way.
func LogSoftmax(z []float64, group []int) {
	if len(group) == 0 {
		return
	}
	mx := math.Inf(-1)
	for _, h := range group {
		mx = max(mx, z[h])
	}
	sum := 0.0
	for _, h := range group {
		sum += math.Exp(z[h] - mx)
	}
	lse := mx + math.Log(sum)
	for _, h := range group {
		z[h] -= lse
	}
}

// top returns the niche that relevance would rank first for a text with
// head logits z, feature count nFeat and taxonomy relevance tax, and its
// relevance; -1 when no niche reaches min. Heads are compared by
// calibrated logit, so only the best one's probability is computed (the
// taxonomy's blend is left out of the comparison).
func (b *nicheBinding) top(z []float64, nFeat evid, tax []float64, min float64) (int, float64) {
	m := b.m
	bestH, bestZ := -1, math.Inf(-1)
	for h, sibs := range b.sibs {
		if len(sibs) == 0 {
			continue
		}
		if c := float64(m.CalA[h])*z[h] + float64(m.CalB[h]); c > bestZ {
			bestH, bestZ = h, c
		}
	}
	if bestH >= 0 && m.Heads[bestH].Fallback {
		// The catch-all wins a post only when no specific head would
		// reach min with it: fall back to the best specific head first.
		spec, specZ := -1, math.Inf(-1)
		for h, sibs := range b.sibs {
			if len(sibs) > 0 && !m.Heads[h].Fallback {
				if c := float64(m.CalA[h])*z[h] + float64(m.CalB[h]); c > specZ {
					spec, specZ = h, c
				}
			}
		}
		if spec >= 0 && calibrated(specZ, b.evidenceFor(nFeat, spec)) >= min {
			bestH, bestZ = spec, specZ
		}
	}
	best, bestV := -1, min
	if bestH >= 0 {
		sibs := b.sibs[bestH]
		prior, sib := 0.0, sibs[0]
		for _, n := range sibs {
			if tax[n] > prior {
				prior, sib = tax[n], n
			}
		}
		v := calibrated(bestZ, b.evidenceFor(nFeat, bestH))
		v = 1 - (1-v)*(1-float64(m.Heads[bestH].Blend)*tax[sib])
		if v >= bestV {
			best, bestV = sib, v
		}
	}
	for n, h := range b.headOf {
		if tax[n] < bestV {
			continue
		}
		if h < 0 || m.Heads[h].TaxFloor > 0 && tax[n] >= float64(m.Heads[h].TaxFloor) {
			best, bestV = n, tax[n]
		}
	}
	return best, bestV
}

// relevance writes to out the relevance of every niche of the taxonomy for
// a text with head sums s and taxonomy relevance tax (per niche). Niches
// without a head keep tax[n] (or own[n] when own is not nil).
func (b *nicheBinding) relevance(s *headSums, tax, own, out []float64) {
	var x taxInput
	b.input(tax, &x)
	z := make([]float64, len(b.m.Heads))
	b.logits(s, &x, z)
	b.relevanceOf(z, s.evidence(), tax, own, out)
}

// relevanceOf is relevance given each head's logit z and the number of
// features the logits rest on.
func (b *nicheBinding) relevanceOf(z []float64, nFeat evid, tax, own, out []float64) {
	m := b.m
	for n := range out {
		if b.headOf[n] < 0 {
			if own != nil {
				out[n] = own[n]
			} else {
				out[n] = tax[n]
			}
		}
	}
	var probs [maxHeads]float64
	for h := range b.sibs {
		probs[h] = calibrated(float64(m.CalA[h])*z[h]+float64(m.CalB[h]), b.evidenceFor(nFeat, h))
	}
	for h, sibs := range b.sibs {
		if len(sibs) == 0 {
			continue
		}
		prior, best := 0.0, sibs[0]
		for _, n := range sibs {
			if tax[n] > prior {
				prior, best = tax[n], n
			}
		}
		p, blend := probs[h], float64(m.Heads[h].Blend)
		for _, n := range sibs {
			var v float64
			switch {
			case n == best:
				v = p
			case prior > 0:
				v = p * tax[n] / prior
			default:
				v = p * 0.5
			}
			out[n] = 1 - (1-v)*(1-blend*tax[n])
			// The taxonomy's own reading floors the thinly labeled heads.
			fl := tax[n]
			if own != nil {
				fl = own[n]
			}
			if f := float64(m.Heads[h].TaxFloor); f > 0 && fl >= f {
				out[n] = max(out[n], fl)
			}
		}
	}
}

// primaryOf returns the index in ns (most relevant first) of the primary
// niche: the first, unless that is the catch-all (lifestyle) and a
// specific niche is strong enough that the catch-all, weighed by one minus
// it, falls below it. The catch-all's own relevance is its calibrated
// probability (a diary of daily life is that whatever else it is); the
// primary niche says what else a creator is, when anything is.
func (b *nicheBinding) primaryOf(ns []creator.NicheScore, index func(string) int) int {
	if len(ns) == 0 || b == nil {
		return 0
	}
	fallback := func(i int) bool {
		n := index(ns[i].Niche)
		return n >= 0 && b.headOf[n] >= 0 && b.m.Heads[b.headOf[n]].Fallback
	}
	if !fallback(0) {
		return 0
	}
	for i := 1; i < len(ns); i++ {
		if !fallback(i) {
			if ns[0].Relevance*(1-ns[i].Relevance) <= ns[i].Relevance {
				return i
			}
			break
		}
	}
	return 0
}

// postMean averages the niche model's logits over the texts of a creator
// (its bio and posts), so that a long history reads like the short texts
// the model was fitted on and one post cannot outweigh the rest.
type postMean struct {
	z     []float64 // per head: the weighted sum of the texts' logits
	tax   []float64 // per taxonomy niche: the weighted sum of relevance
	w     float64   // the weights' sum
	nFeat evid      // features seen
}

func (pm *postMean) reset(nh, nN int) {
	pm.z = slices.Grow(pm.z[:0], nh)[:nh]
	pm.tax = slices.Grow(pm.tax[:0], nN)[:nN]
	clear(pm.z)
	clear(pm.tax)
	pm.w, pm.nFeat = 0, evid{}
}

// add adds one text with head logits z, nFeat features and taxonomy
// relevance tax, weighing w.
func (pm *postMean) add(z []float64, nFeat evid, tax []float64, w float64) {
	for h, v := range z {
		pm.z[h] += w * v
	}
	for n, v := range tax {
		pm.tax[n] += w * v
	}
	pm.w += w
	pm.nFeat.all += nFeat.all
	pm.nFeat.xt += nFeat.xt
}

// relevanceMean writes the creator's relevance per niche from pm; own is
// the relevance of niches without a head.
func (b *nicheBinding) relevanceMean(pm *postMean, own, out []float64) {
	if pm.w == 0 {
		clear(out)
		return
	}
	for h := range pm.z {
		pm.z[h] /= pm.w
	}
	for n := range pm.tax {
		pm.tax[n] /= pm.w
	}
	b.relevanceOf(pm.z, pm.nFeat, pm.tax, own, out)
}

// TextNiches returns the relevance (0..1) of one text to each niche of t
// (nil means the built-in taxonomy), most relevant first, with the terms
// that matched. A niche's relevance is the niche model's calibrated
// probability where the model has a head for it, and the taxonomy's term
// relevance otherwise (automotive, sustainability, comedy and custom
// niches). Niches under minTextRelevance are left out. It is safe for
// concurrent use.
func TextNiches(t *Taxonomy, text string) []creator.NicheScore {
	return textNiches(t, nil, text)
}

// TextNiches is the package's TextNiches with model m instead of the
// built-in one, for measuring a model before it ships.
func (m *NicheModel) TextNiches(t *Taxonomy, text string) []creator.NicheScore {
	return textNiches(t, m, text)
}

func textNiches(t *Taxonomy, model *NicheModel, text string) []creator.NicheScore {
	if t == nil {
		t = defaultTaxonomy
	}
	m := getMatcher(t)
	defer putMatcher(m)
	if model != nil {
		m.withBinding(bindModel(t, model))
	} else {
		m.withBinding(t.binding())
	}
	m.begin()
	m.scan(text)
	terms := m.termsByNiche()
	nN := len(t.niches)
	tax := make([]float64, 2*nN)
	rel := tax[nN:]
	tax = tax[:nN]
	for n, w := range m.w {
		tax[n] = textRelevance(w, m.words)
	}
	m.bind.relevance(&m.sums, tax, nil, rel)
	var out []creator.NicheScore
	for n, r := range rel {
		if r < minTextRelevance {
			continue
		}
		out = append(out, creator.NicheScore{Niche: t.niches[n], Relevance: round3(r), Terms: terms[n]})
	}
	sortNiches(out)
	return out
}

// minTextRelevance is the least relevance TextNiches lists.
const minTextRelevance = 0.05

// TaxonomyNiches is TextNiches by the taxonomy's terms alone, without the
// model: the prior the model reads, and what the fitting command needs.
func TaxonomyNiches(t *Taxonomy, text string) []creator.NicheScore {
	if t == nil {
		t = defaultTaxonomy
	}
	m := getMatcher(t)
	defer putMatcher(m)
	m.begin()
	m.scan(text)
	terms := m.termsByNiche()
	var out []creator.NicheScore
	for i, w := range m.w {
		if w <= 0 {
			continue
		}
		out = append(out, creator.NicheScore{Niche: t.niches[i], Relevance: round3(textRelevance(w, m.words)), Terms: terms[i]})
	}
	sortNiches(out)
	return out
}

// topWords returns up to k distinct words and hashtags of texts that
// raise head h's logit most (by the sum of their word and character
// weights), as written (case- and accent-folded), strongest first.
func (b *nicheBinding) topWords(tk *tokenizer, texts []string, h, k int) []string {
	type wc struct {
		key uint32
		v   int32
		w   string
	}
	best := make([]wc, 0, k+1)
	nh := len(b.m.Heads)
	f := featurizer{mask: 1<<b.m.Bits - 1}
	visit := func(tok []byte, kind tokenKind) {
		if kind != tokWord && kind != tokHashtag || len(tok) < 3 || allDigits(tok) {
			return
		}
		f.out = f.out[:0]
		f.token(tok, kind)
		var sum int32
		for _, x := range f.out {
			sum += int32(b.m.W[int(x)*nh+h])
		}
		shown := tok
		if kind == tokWord {
			shown = tk.word
		}
		if len(shown) < 3 {
			return
		}
		key := hash32(uint32(kind), shown)
		if sum <= 0 || len(best) == k && sum <= best[k-1].v {
			return
		}
		for _, x := range best {
			if x.key == key {
				return
			}
		}
		i := len(best)
		for i > 0 && best[i-1].v < sum {
			i--
		}
		w := string(shown)
		if kind == tokHashtag {
			w = "#" + w
		}
		best = slices.Insert(best, i, wc{key, sum, w})
		if len(best) > k {
			best = best[:k]
		}
	}
	tk.keepWord = true
	for _, text := range texts {
		tk.each(text, visit)
	}
	tk.keepWord, tk.word = false, nil
	out := make([]string, len(best))
	for i, x := range best {
		out[i] = x.w
	}
	return out
}

// termsByNiche is the taxonomy terms the current text matched, by niche.
func (m *matcher) termsByNiche() map[int][]string {
	terms := make(map[int][]string)
	for _, id := range m.seen {
		ti := m.t.terms[id]
		terms[ti.niche] = append(terms[ti.niche], ti.text)
	}
	return terms
}
