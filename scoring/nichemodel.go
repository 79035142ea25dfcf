package scoring

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"unicode/utf8"
)

// The niche model is a one-vs-rest logistic regression over hashed word
// and character features of a text, plus the taxonomy's own relevance of
// every niche as inputs of every head. Its weights are fitted by
// `scout eval -fit-niche` (package scoring/nichefit) on the labeled texts in
// ../shared/datasets (instagram-influencers, x-topic) and ship embedded in
// niche_model.bin.gz; nothing is fetched at run time. The file is read on
// first use, not at start-up.

//go:embed niche_model.bin.gz
var nicheModelFile []byte

// maxHeads bounds the number of heads a niche model may have, so the
// per-text sums fit a fixed array.
const maxHeads = 32

// NicheHead is one output of the niche model: the niches its probability
// applies to. A head of several niches (the sibling niches that the
// training labels do not tell apart, such as tech and science) gives its
// probability to the sibling the taxonomy prefers.
type NicheHead struct {
	Name   string
	Niches []string
	// Fallback marks a catch-all head (lifestyle: X-Topic's diaries and
	// daily life). Its relevance is its own calibrated probability, but a
	// post's top niche is a specific one whenever one reaches the
	// minimum (nicheBinding.top), and a creator's primary niche is a
	// specific one unless the catch-all, weighed by one minus the best
	// specific relevance, still beats it (primaryOf).
	Fallback bool
	// TaxFloor, when above 0, makes the taxonomy's relevance of the head's
	// niches a floor of theirs from that relevance on: for heads whose
	// labeled data is too thin to override a text full of a niche's terms.
	TaxFloor float32
	// Blend is how much the taxonomy's own relevance of a niche adds to
	// the head's probability, as a noisy-or: 1-(1-p)(1-Blend*tax).
	Blend float32
	// Softmax marks a head of the model's softmax group: its logit is
	// the log of its share of the group's softmax (over every Softmax
	// head, one of which may name no niche: the rest of the world) before
	// calibration.
	Softmax bool
}

// NicheModel holds the fitted weights of the niche model. Weights are
// quantized to int8 per head (Scale[h] times the stored integer): a
// table of 2^17 buckets by 21 heads is 2.75 MB, and int16 measured no
// better on held-out creators (macro-F1 0.547 against 0.545).
type NicheModel struct {
	Bits uint8 // log2 of the number of feature buckets
	// Features are the optional feature kinds the model reads
	// (NicheBigrams); 0 for words, hashtags and character features only.
	Features uint8
	Heads    []NicheHead
	Bias     []float32 // per head
	// TaxNiches names the taxonomy niches whose relevance every head
	// reads; TaxW[h*len(TaxNiches)+j] is head h's weight of niche j's.
	TaxNiches []string
	TaxW      []float32
	Scale     []float32 // per head: the float value of one weight unit
	CalA      []float32 // per head: calibration slope on the logit
	CalB      []float32 // per head: calibration intercept
	W         []int8    // bucket-major: W[bucket*len(Heads)+head]
}

// nicheModelMagic starts a model file; nicheModelMagic8 one that also
// stores Features (a byte after Bits) and head flags beyond Fallback. A
// model with neither is written in the older format, byte for byte.
const (
	nicheModelMagic  = "SCNM7\n"
	nicheModelMagic8 = "SCNM8\n"
)

// NicheBigrams is the Features bit of word-pair features: each pair of
// adjacent words of a sentence (see featurizer.token).
const NicheBigrams = 1

// NicheInnerGrams is the Features bit of inner character features: every
// run of four runes inside a hashtag or a long word (more than eight
// runes), so that the words run together in "#dogsofinstagram",
// "#veganrecipes" or "Hundefutter" are read (see featurizer.innerGrams),
// and every run of four runes of a mention (featurizer.mentionGrams).
const NicheInnerGrams = 2

// nicheFeatureBits are the Features bits a model may set.
const nicheFeatureBits = NicheBigrams | NicheInnerGrams

// v8 reports whether m needs the SCNM8 format.
func (m *NicheModel) v8() bool {
	if m.Features != 0 {
		return true
	}
	for _, h := range m.Heads {
		if h.Softmax {
			return true
		}
	}
	return false
}

// WriteTo writes m gzip-compressed in the model file format.
func (m *NicheModel) WriteTo(w io.Writer) (int64, error) {
	var b bytes.Buffer
	v8 := m.v8()
	if v8 {
		b.WriteString(nicheModelMagic8)
	} else {
		b.WriteString(nicheModelMagic)
	}
	b.WriteByte(m.Bits)
	if v8 {
		b.WriteByte(m.Features)
	}
	b.WriteByte(byte(len(m.Heads)))
	for _, h := range m.Heads {
		writeStr(&b, h.Name)
		b.WriteByte(byte(len(h.Niches)))
		for _, n := range h.Niches {
			writeStr(&b, n)
		}
		var flags byte
		if h.Fallback {
			flags |= 1
		}
		if h.Softmax {
			flags |= 2
		}
		b.WriteByte(flags)
		binary.Write(&b, binary.LittleEndian, h.TaxFloor)
		binary.Write(&b, binary.LittleEndian, h.Blend)
	}
	b.WriteByte(byte(len(m.TaxNiches)))
	for _, n := range m.TaxNiches {
		writeStr(&b, n)
	}
	for _, v := range [][]float32{m.Bias, m.Scale, m.CalA, m.CalB, m.TaxW} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	binary.Write(&b, binary.LittleEndian, m.W)
	zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
	if _, err := zw.Write(b.Bytes()); err != nil {
		return 0, fmt.Errorf("writing niche model: %w", err)
	}
	if err := zw.Close(); err != nil {
		return 0, fmt.Errorf("writing niche model: %w", err)
	}
	return int64(b.Len()), nil
}

func writeStr(b *bytes.Buffer, s string) {
	b.WriteByte(byte(len(s)))
	b.WriteString(s)
}

var errNicheModel = errors.New("malformed niche model file")

// ReadNicheModel reads a model written by WriteTo.
func ReadNicheModel(r io.Reader) (*NicheModel, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("reading niche model: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("reading niche model: %w", err)
	}
	v8 := bytes.HasPrefix(raw, []byte(nicheModelMagic8))
	if !v8 && !bytes.HasPrefix(raw, []byte(nicheModelMagic)) || len(raw) < len(nicheModelMagic)+3 {
		return nil, errNicheModel
	}
	b := bytes.NewReader(raw[len(nicheModelMagic):])
	m := &NicheModel{}
	m.Bits, _ = b.ReadByte()
	maxFlags := byte(1)
	if v8 {
		m.Features, _ = b.ReadByte()
		maxFlags = 3
	}
	nh, _ := b.ReadByte()
	if m.Bits < 8 || m.Bits > 24 || nh == 0 || nh > maxHeads || m.Features&^nicheFeatureBits != 0 {
		return nil, errNicheModel
	}
	readStr := func() (string, error) {
		n, err := b.ReadByte()
		if err != nil {
			return "", errNicheModel
		}
		s := make([]byte, n)
		if _, err := io.ReadFull(b, s); err != nil {
			return "", errNicheModel
		}
		return string(s), nil
	}
	for range nh {
		var h NicheHead
		if h.Name, err = readStr(); err != nil {
			return nil, err
		}
		nn, err := b.ReadByte()
		if err != nil {
			return nil, errNicheModel
		}
		for range nn {
			s, err := readStr()
			if err != nil {
				return nil, err
			}
			h.Niches = append(h.Niches, s)
		}
		flags, err := b.ReadByte()
		if err != nil || flags > maxFlags {
			return nil, errNicheModel
		}
		h.Fallback = flags&1 != 0
		h.Softmax = flags&2 != 0
		if err := binary.Read(b, binary.LittleEndian, &h.TaxFloor); err != nil || !(h.TaxFloor >= 0 && h.TaxFloor <= 1) {
			return nil, errNicheModel
		}
		if err := binary.Read(b, binary.LittleEndian, &h.Blend); err != nil || !(h.Blend >= 0 && h.Blend <= 1) {
			return nil, errNicheModel
		}
		m.Heads = append(m.Heads, h)
	}
	nt, err := b.ReadByte()
	if err != nil {
		return nil, errNicheModel
	}
	for range nt {
		n, err := readStr()
		if err != nil {
			return nil, err
		}
		m.TaxNiches = append(m.TaxNiches, n)
	}
	for _, p := range []*[]float32{&m.Bias, &m.Scale, &m.CalA, &m.CalB, &m.TaxW} {
		n := int(nh)
		if p == &m.TaxW {
			n *= int(nt)
		}
		*p = make([]float32, n)
		if err := binary.Read(b, binary.LittleEndian, *p); err != nil {
			return nil, errNicheModel
		}
	}
	m.W = make([]int8, (1<<m.Bits)*int(nh))
	if err := binary.Read(b, binary.LittleEndian, m.W); err != nil {
		return nil, errNicheModel
	}
	if b.Len() != 0 {
		return nil, errNicheModel
	}
	return m, nil
}

// builtinNicheModel is the embedded model, read on first use.
var builtinNicheModel = sync.OnceValue(func() *NicheModel {
	m, err := ReadNicheModel(bytes.NewReader(nicheModelFile))
	if err != nil {
		panic("scoring: embedded niche model: " + err.Error())
	}
	return m
})

// Feature kinds, mixed into the hash so a word and a character n-gram
// with the same bytes land in different buckets.
const (
	featWord    = 0x9e3779b1
	featGram    = 0xc2b2ae3d
	featHashtag = 0x27d4eb2f
	featMention = 0x165667b1
	featEmoji   = 0xd3a2646c
	featBigram  = 0x85ebca77
)

// hash32 hashes b, started from seed, eight bytes at a time. It is the feature hash: changing it changes every
// bucket, so the model must be refitted.
func hash32(seed uint32, b []byte) uint32 {
	h := uint64(seed)*0x9e3779b97f4a7c15 ^ uint64(len(b))
	for len(b) >= 8 {
		h = (h ^ binary.LittleEndian.Uint64(b)) * 0xff51afd7ed558ccd
		h ^= h >> 32
		b = b[8:]
	}
	var t uint64
	for i, c := range b {
		t |= uint64(c) << (8 * i)
	}
	return fmix(h ^ t)
}

// fmix is MurmurHash3's 64-bit finaliser, so that every bit of the input
// reaches the low bits the buckets take.
func fmix(h uint64) uint32 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return uint32(h)
}

// featurizer turns the tokens of one text into hashed feature buckets:
// added to sums by bind's weights at scoring time, or collected in out for
// fitting. Not safe for concurrent use.
type featurizer struct {
	mask uint32
	bind *nicheBinding
	sums *headSums // nil: collect in out
	out  []uint32
	// With bigrams set, each word after a word of the same sentence (no
	// '.', '!', '?' or line break between them in tk's text, no hashtag,
	// mention, emoji or number% either) also gives the pair's feature.
	bigrams  bool
	inner    bool // NicheInnerGrams
	tk       *tokenizer
	prev     uint32 // the previous word's hash, when havePrev
	prevBrk  uint32 // tk.breaks after the previous word
	havePrev bool
}

// reset starts a new text: no word pair crosses it.
func (f *featurizer) reset() { f.havePrev = false }

// pairHash is the feature of the word pair with word hashes a, b.
func pairHash(a, b uint32) uint32 {
	return fmix((uint64(a)<<32 | uint64(b)) ^ featBigram)
}

func (f *featurizer) emit(k uint32) {
	if f.sums != nil {
		f.bind.add(f.sums, k&f.mask)
		return
	}
	f.out = append(f.out, k&f.mask)
}

// emitAside emits a feature that moves the niches of a text with words
// but is no evidence by itself (an emoji, a mention): "🔥🔥🔥" has no niche.
func (f *featurizer) emitAside(k uint32) {
	f.emit(k)
	if f.sums != nil {
		f.sums.aside++
	}
}

// The character features of a word are its first four runes (after a
// start mark) and its last four (before an end mark): the prefix carries
// the stem across inflections and languages ("rece" of receta, recetas,
// receita), the suffix the morphology. Scripts written without spaces
// (CJK, kana, Hangul) make long tokens; those give every pair of runes
// instead.
const affixLen = 4

// token adds the features of one token: the word (or hashtag) and its
// character features. Mentions and percentages give none.
func (f *featurizer) token(tok []byte, kind tokenKind) {
	if kind != tokWord {
		f.havePrev = false
	}
	switch kind {
	case tokPercent:
		return
	case tokMention:
		f.emitAside(hash32(featMention, tok))
		if f.inner {
			f.mentionGrams(tok)
		}
		return
	case tokEmoji:
		f.emitAside(hash32(featEmoji, tok))
		return
	case tokHashtag:
		f.emit(hash32(featHashtag, tok))
		f.chars(tok)
		if f.inner {
			f.innerGrams(tok, 0)
		}
		return
	}
	w := hash32(featWord, tok)
	f.emit(w)
	if kind == tokWord {
		f.chars(tok)
		if f.inner {
			f.innerGrams(tok, longWord)
		}
		if f.bigrams {
			if f.havePrev && f.tk.breaks == f.prevBrk {
				f.emit(pairHash(f.prev, w))
			}
			f.prev, f.prevBrk, f.havePrev = w, f.tk.breaks, true
		}
	}
}

// chars emits the character features of a word.
func (f *featurizer) chars(tok []byte) {
	if len(tok) <= affixLen {
		return // the word itself says it all
	}
	ascii := true
	for _, c := range tok {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		f.emit(hash32(featGram, tok[:affixLen]))
		f.emit(hash32(featGram+2, tok[len(tok)-affixLen:]))
		return
	}
	if r, _ := utf8.DecodeRune(tok); r >= 0x2E80 {
		// Pairs of runes.
		for i := 0; i < len(tok); {
			_, a := utf8.DecodeRune(tok[i:])
			if i+a >= len(tok) {
				break
			}
			_, b := utf8.DecodeRune(tok[i+a:])
			f.emit(hash32(featGram, tok[i:i+a+b]))
			i += a
		}
		return
	}
	if utf8.RuneCount(tok) <= affixLen {
		return
	}
	f.emit(hash32(featGram, runesPrefix(tok, affixLen)))
	f.emit(hash32(featGram+2, runesSuffix(tok, affixLen)))
}

// longWord is the length in runes beyond which a word's inner character
// runs are features too (NicheInnerGrams).
const longWord = 8

// innerGrams emits every run of affixLen runes strictly inside tok (the
// first and last are the prefix and suffix features), for a tok of more
// than minRunes runes written with spaces (CJK tokens have their pairs).
func (f *featurizer) innerGrams(tok []byte, minRunes int) {
	if len(tok) <= affixLen+1 {
		return
	}
	if r, _ := utf8.DecodeRune(tok); r >= 0x2E80 {
		return
	}
	var starts [maxRuns + 1]int
	n := runeStarts(tok, &starts)
	if n <= minRunes || n <= affixLen+1 {
		return
	}
	for k := 1; k+affixLen < n; k++ {
		f.emit(hash32(featGram+4, tok[starts[k]:starts[k+affixLen]]))
	}
}

// mentionGrams emits, aside (no evidence by themselves, as the mention's
// own feature), every run of affixLen runes of a mention: brands' and
// friends' handles ("@foodandwine", "@petsmart") carry their niche in
// their parts.
func (f *featurizer) mentionGrams(tok []byte) {
	var starts [maxRuns + 1]int
	n := runeStarts(tok, &starts)
	if n <= affixLen || n == maxRuns {
		return // a short handle, or a runaway token: its whole is feature enough
	}
	// The runs share their buckets with the inner runs of hashtags and
	// words: "food" of @foodandwine is "food" of #instafood.
	for k := 0; k+affixLen <= n; k++ {
		f.emitAside(hash32(featGram+4, tok[starts[k]:starts[k+affixLen]]))
	}
}

// maxRuns is how many runes of a token innerGrams and mentionGrams read.
const maxRuns = 64

// runeStarts writes the byte offset of each of tok's first maxRuns runes
// to starts, then the end of the last, and returns how many runes it
// wrote.
func runeStarts(tok []byte, starts *[maxRuns + 1]int) int {
	n, i := 0, 0
	for i < len(tok) && n < maxRuns {
		starts[n] = i
		n++
		_, sz := utf8.DecodeRune(tok[i:])
		i += sz
	}
	starts[n] = i
	return n
}

// runesPrefix is the first n runes of b.
func runesPrefix(b []byte, n int) []byte {
	i := 0
	for ; n > 0 && i < len(b); n-- {
		_, sz := utf8.DecodeRune(b[i:])
		i += sz
	}
	return b[:i]
}

// runesSuffix is the last n runes of b.
func runesSuffix(b []byte, n int) []byte {
	i := len(b)
	for ; n > 0 && i > 0; n-- {
		_, sz := utf8.DecodeLastRune(b[:i])
		i -= sz
	}
	return b[i:]
}

// NicheFeatures appends to dst the feature buckets (of 2^bits) of text,
// one per occurrence, as the niche model reads them. It is what the
// fitting command trains on; it is safe for concurrent use.
func NicheFeatures(dst []uint32, text string, bits, features uint8) []uint32 {
	var tk tokenizer
	f := featurizer{mask: 1<<bits - 1, out: dst, bigrams: features&NicheBigrams != 0, inner: features&NicheInnerGrams != 0, tk: &tk}
	tk.each(text, f.token)
	return f.out
}

// headSums accumulates the weighted sums of one text for every head.
type headSums struct {
	sum   [maxHeads]int32
	n     int32 // features
	aside int32 // of which emoji and mentions (see featurizer.emitAside)
	xt    int32 // of which in buckets the tweet-only heads know (nicheBinding.xtKnown)
}

// evid is how many of a text's features count as evidence for calibrated:
// for every head (all), and for the heads only tweets taught (xt), which
// know only the buckets of words the tweets had.
type evid struct{ all, xt float64 }

// evidence is s's evid.
func (s *headSums) evidence() evid {
	all := float64(s.n - s.aside)
	return evid{all, min(all, float64(s.xt))}
}

// taxInput is a text's taxonomy relevance in the model's TaxNiches
// order, with the indices of the niches that matched.
type taxInput struct {
	val []float64
	nz  []int
}

// logit is head h's logit for a text with sums s (and inv =
// s.invSqrtN()) and taxonomy input x.
func (m *NicheModel) logit(s *headSums, h int, x *taxInput, inv float64) float64 {
	z := float64(m.Bias[h]) + float64(m.Scale[h])*float64(s.sum[h])*inv
	row := m.TaxW[h*len(m.TaxNiches) : (h+1)*len(m.TaxNiches)]
	for _, j := range x.nz {
		z += float64(row[j]) * x.val[j]
	}
	return z
}

// invSqrtN is 1/sqrt(n), the features' common weight, or 0 for none.
func (s *headSums) invSqrtN() float64 {
	if s.n == 0 {
		return 0
	}
	return 1 / math.Sqrt(float64(s.n))
}

// calibrated is a head's probability from its calibrated logit c (CalA
// times the logit plus CalB), shrunk towards 0 for texts of very few
// features (evidenceFeatures or so): a text without words has no niche,
// whatever the data sets' base rates.
func calibrated(c, nFeat float64) float64 {
	return sigmoid(c) * nFeat / (nFeat + evidenceFeatures)
}

// evidenceFeatures is the number of features at which a text's
// probabilities are halved; one word gives about five.
const evidenceFeatures = 3
