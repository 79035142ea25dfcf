package nichefit

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/creatorscout/scout/scoring"
)

// Example is one labeled text with its model inputs.
type Example struct {
	Text   string
	Group  string  // the creator (or tweet) it comes from: splits never cut a group
	Source string  // "instagram" or "x-topic/<lang>"
	Labels []int8  // per head: 1, 0, or -1 when the data says nothing
	Weight float32 // per example
	// Aux marks an extra training text of a creator (its followers'
	// comments): fitted on, never scored, never used to calibrate.
	Aux   bool
	feats []uint32
	// The taxonomy's relevance of every built-in niche that matched, as
	// (index in scoring.BuiltinNiches, relevance).
	taxIdx []int32
	taxVal []float32

	Creator *Creator
	Tweet   *Tweet
}

// Config sets the fit.
type Config struct {
	Bits   uint8   // log2 of feature buckets
	Epochs int     // passes over the data
	L2     float64 // L2 penalty per example seen
	LR     float64 // AdaGrad learning rate
	// PosPower balances classes: a head's positives weigh
	// (negatives/positives)^PosPower.
	PosPower float64
	// IGOpenWeight weighs an instagram creator's negative label for the
	// heads that only X-Topic labels (music, gaming, ...).
	XTOnlyIGWeight float64
	Seed           uint64
	// Blend is the heads' Blend (see scoring.NicheHead); BlendXT that of
	// the heads only X-Topic labels (music, gaming, ...), which no creator
	// check reads.
	Blend, BlendXT float64
	// BlendSibling, when above 0, is the siblings' Blend
	// (health_wellness, outdoors, parenting); Blend otherwise.
	BlendSibling float64
	// SiblingFloor floors the siblings' relevance by the taxonomy's
	// (TaxFloor), as the heads only X-Topic labels are.
	SiblingFloor bool
	// CategoryFloor floors the eight instagram categories' heads by the
	// taxonomy's relevance too.
	CategoryFloor bool
	// PriorOnly names heads fitted on the taxonomy's relevance alone (no
	// word or character features): those the labeled data is too small to
	// teach more than the taxonomy already knows.
	PriorOnly []string
	// CommentWeight, when above 0, adds each instagram creator's comments
	// as a second training example of that creator with this weight (in
	// its creator's group, so in its fold; Aux).
	CommentWeight float64
	// Bigrams adds word-pair features (scoring.NicheBigrams).
	Bigrams bool
	// InnerGrams adds the inner character runs of hashtags and long words
	// (scoring.NicheInnerGrams).
	InnerGrams bool
	// Softmax fits the eight instagram categories' heads and an "other"
	// head jointly, as one softmax (see headsFor); each of their logits
	// is then its log-probability in that softmax.
	Softmax bool
	// SoftmaxXTWeight weighs a tweet in the softmax group's loss (its
	// targets' class weight times this; 0 leaves tweets out of it).
	SoftmaxXTWeight float64
	// SoftmaxSharedSlope calibrates the softmax group's heads with one
	// slope (fitted on all of them), so their relevance ranks as their
	// probabilities moved by a per-head intercept.
	SoftmaxSharedSlope bool
	// SoftmaxClassPower balances the softmax group's classes: a class
	// weighs (creators/(classes*its creators))^SoftmaxClassPower.
	SoftmaxClassPower float64
}

// features is the model's Features for cfg.
func (cfg *Config) features() uint8 {
	var f uint8
	if cfg.Bigrams {
		f |= scoring.NicheBigrams
	}
	if cfg.InnerGrams {
		f |= scoring.NicheInnerGrams
	}
	return f
}

// DefaultConfig is the configuration the shipped model was fitted with.
//
// BlendXT 0.7 (0.3 before; the instagram heads keep Blend 0.3): per-tweet
// 5-fold CV macro-F1 English 0.262 -> 0.286 and Spanish 0.131 -> 0.136
// with seed 1, 0.253 -> 0.274 and 0.113 -> 0.123 with seed 2; creators
// unchanged (no creator check reads those heads). At 1.0 English reached
// 0.34 on seeds 1-3, but 41% of held-out instagram creators of the eight
// categories then showed some X-Topic-only niche (sports, gaming, ...) at
// 0.5 or more, against 21% at 0.3 and 24% at 0.7, and the simulator's
// fitness creators read as sports (recall 0.78 -> 0.59).
//
// Tried on 2026-12-07 and dropped, none beyond the recipe's own seed noise
// (held-out fifth macro-F1 0.554, 0.529, 0.542 with seeds 1, 2, 3; worst
// CV fold 0.522, 0.506, 0.504): the data set's comments as extra training
// texts of their creator (weight 1: CV macro-F1 +0.006 to +0.009 but
// held-out -0.007 with seed 1 and English tweets -0.02 to -0.05); NB
// log-count-ratio scaling (NBSVM; held-out 0.548); counting each bucket
// once per text, the L2 norm of a binary vector (CV 0.517, worst fold
// 0.507); L2 1e-4 to 3e-2, 12 epochs, 2^18 buckets, iterate averaging, the
// mean of 3 fits' weights (held-out 0.535); moving the eight heads'
// intercepts together for creator macro-F1 (seeds 1-3: held-out +0.005,
// +0.010, -0.003, English tweets -0.015, +0.004, -0.066); a per-head
// temperature; X-Topic-only heads calibrated with instagram creators as
// negatives (English tweets 0.262 -> 0.230) or refitted for slope at a
// fixed threshold: that takes plain text well under 0.5 (gaming, a head
// fitted on the taxonomy alone, has slope 0.14 and gives 0.41 to "Had a
// lovely dinner with friends tonight"), but per-tweet macro-F1 fell, at
// BlendXT 0.7, English 0.286 -> 0.271 and Spanish 0.136 -> 0.117 (seed 2:
// 0.274 -> 0.264, 0.123 -> 0.108).
//
// CommentWeight 0.25 (2026-12-07, second session): each instagram
// creator's comments (up to 20 a post, its followers' words) are a second
// training example of it at a quarter weight, in its own fold, never
// scored nor calibrated on; the check still scores captions only. Paired
// with the recipe at seeds 1, 2, 3, the worst held-out result (the worse
// of the worst CV fold and the held-out fifth) rose every time: 0.521 ->
// 0.529, 0.503 -> 0.516, 0.505 -> 0.514; CV macro-F1 0.526 -> 0.533, 0.521
// -> 0.531, 0.527 -> 0.535; held-out fifth 0.553 -> 0.546, 0.527 -> 0.543,
// 0.540 -> 0.543; per-tweet CV Spanish +0.017 to +0.051, Greek +0.007 to
// +0.041, English -0.002 to -0.011. CV precision of relevance >= 0.5 at
// seed 1 barely moved (fitness 0.51 -> 0.56, home_diy 0.65 -> 0.67, beauty
// 0.50 -> 0.49, pets 0.48 -> 0.47); on the held-out fifth pets fell 0.72 ->
// 0.44 (a small sample: CV says 0.47). Each gain is about the seed noise
// (0.01), so this is a small step, taken because it held at every seed.
// Tried the same day and dropped: naive Bayes ratios added to the weights
// (alpha 0.1, 0.3, 1: held-out 0.541, 0.478, 0.466) and NBSVM scaling
// again (0.536); per-head intercepts chosen for creator macro-F1 (worst
// fold +0.002, fitness's precision at 0.5 down to 0.48, English tweets
// -0.01 to -0.04); each caption as an extra example (0.5: worst 0.528,
// 0.519, 0.507); Blend 0.15 and 0.5, PosPower 0.75, "other" creators'
// negatives at half weight (all within 0.005 of the recipe). The
// experiment code is on branch niche.
//
// Tried on 2026-12-07 (third session, branch niche2) and dropped. Figures
// as held-out fifth / 5-fold CV / worst CV fold / worst held-out creator
// macro-F1, per-tweet CV English / Spanish; the recipe at seeds 1, 2, 3:
// 0.546/0.533/0.529/0.529, 0.317/0.188; 0.543/0.531/0.516/0.516,
// 0.310/0.217; 0.543/0.535/0.514/0.514, 0.327/0.204. (Tweet figures of
// the recipe and of softmax p 0.5 are with lifestyle calibrated for F1;
// the others' were measured before that, against the recipe's 0.272/0.144,
// 0.264/0.173, 0.283/0.159. Creator figures are the same either way.)
//   - Word pairs (Bigrams: adjacent stemmed words of a sentence; no pair
//     across '.', '!', '?', a line break, a hashtag, a mention or an
//     emoji), seed 1: 0.541/0.525/0.519/0.519, 0.295/0.140 at 2^17
//     buckets; 0.542/0.529/0.525/0.525, 0.272/0.161 at 2^18 (model 2.4
//     MB). Cost: BenchmarkScoreProfile within 2% (the model reads 9 texts
//     of a profile), so dropped for accuracy, not speed. With the softmax
//     below (p 1), seed 1: 0.536/0.532/0.523/0.523, 0.258/0.144.
//   - The eight instagram heads and an "other" head fitted as one softmax
//     (Softmax; each head's logit is its log-probability, Platt-calibrated
//     and moved for F1 per head as before; tweets' targets are their
//     instagram-category topics or "other"; siblings and X-Topic-only
//     heads stay one-vs-rest). Class weights (n/(9*n_class))^p. With p 1,
//     seeds 1-3: 0.543/0.542/0.536/0.536, 0.261/0.150;
//     0.548/0.540/0.533/0.533, 0.287/0.148; 0.543/0.544/0.512/0.512,
//     0.292/0.148. With p 0.5 (SoftmaxClassPower), the best tried:
//     0.553/0.546/0.540/0.540, 0.312/0.195; 0.553/0.545/0.535/0.535,
//     0.340/0.190; 0.554/0.547/0.512/0.512, 0.339/0.193, and every
//     niche's CV precision at 0.5 at least 0.50 at every seed (beauty
//     0.50-0.52, pets 0.56-0.61; the recipe's beauty 0.49-0.50, pets
//     0.44-0.47). CV and held-out rose at every seed (+0.012 to +0.014,
//     +0.007 to +0.011), but the worst held-out fell at seed 3 (0.514 ->
//     0.512: its fourth fold, where fitness F1 is 0.32 with either fit,
//     a third of fitness creators reading as fashion) and Spanish tweets
//     fell at seeds 2 and 3 (-0.027, -0.011): not taken by this file's
//     rule, but the strongest lead so far; most of its gain is pets (p 1,
//     seed 3: pets F1 +0.04 to +0.10 in four folds). At seed 3 only:
//     tweets weighing 3 in the softmax (0.550/0.543/0.514/0.514, Spanish
//     0.129), 8 epochs with p 0.5 (0.552/0.547/0.513/0.513), one
//     calibration slope shared by the group (held-out 0.452: fashion
//     never reached 0.5; stopped). The variants are in variant_test.go
//     (NICHE_EXP=1 NICHE_VARIANT=softmax_p05 NICHE_SEED=3 go test -run
//     TestExperiment -v -timeout 30m ./scoring/nichefit).
//
// Softmax with SoftmaxClassPower 0.5 taken (same session, after the
// record above): the worst held-out figure over seeds 1-3 is 0.512
// against the recipe's 0.514, a tie at this recipe's seed noise (0.01),
// while CV and the held-out fifth rose at every seed and it alone meets
// the calibration bar, every instagram niche's CV precision at
// relevance 0.5 at least 0.50 at every seed (the one-vs-rest recipe left
// beauty at 0.49 and pets at 0.44-0.47). Tweets, mean of seeds 1-3:
// English 0.318 -> 0.330, Spanish 0.203 -> 0.193.
//
// Tried after that and dropped (seed 1): instagram creators as negatives
// of the heads only X-Topic labels, to quiet them on languages the tweets
// lack (a French cat owner's bio read business 0.58: those heads' buckets
// for French words hold nothing, and their steep calibration puts a text
// of unknown words near 0.5). XTOnlyIGWeight 0.1: per-tweet CV English
// 0.309 -> 0.176, Spanish 0.195 -> 0.104 (lifestyle lost most), our
// multilingual set 0.550 -> 0.633, English set 0.814 -> 0.829; 0.03 with
// lifestyle left out: tweets 0.230 / 0.118, multilingual 0.567,
// simulator 0.944 -> 0.963. Creators unchanged either way.
//
// Diagnosed on 2026-12-07 (fourth session), 5-fold CV per topic: the
// per-tweet check's zeros are topics whose niches never reach 0.5 on a
// tweet: English arts, fitness_&_health, learning and science (Spanish
// eight topics). The heads instagram labels are calibrated on creators
// (fitness and food read a median 0.11 and 0.14 on tweets of their
// topic) and the siblings (health_wellness, ...) half on creators, whose
// negatives keep them under 0.5. Thresholds chosen per topic on the same
// out-of-fold relevances (in-sample for the threshold, so optimistic)
// would give English 0.46 and Spanish 0.33 against 0.295 and 0.203. Tried
// and dropped: the siblings calibrated on tweets alone and moved for F1:
// English tweets 0.295 -> 0.313, Spanish unchanged, but health_wellness
// then won fitness creators (precision at 0.5 on creators 0.00) and the
// held-out fifth fell 0.594 / 0.556 -> 0.525 / 0.540. One calibration
// serves a creator's joined captions and a single post alike (the checks
// score both with `scout score text`), and what helps one hurts the other.
//
// InnerGrams (2026-12-07, fourth session): every run of four runes inside
// a hashtag or a word of more than eight runes is a feature too, so that
// "#dogsofinstagram", "#veganrecipes" and German compounds are read by
// their parts, not only by their first and last four runes. Paired with
// the recipe at seeds 1, 2, 3: 5-fold CV macro-F1 0.546 -> 0.551, 0.547 ->
// 0.552, 0.548 -> 0.556 (accuracy +0.002 to +0.005); held-out fifth 0.556
// -> 0.560, 0.553 -> 0.561, 0.553 -> 0.553; worst held-out 0.538 -> 0.545,
// 0.535 -> 0.536, 0.513 -> 0.530 (worst over seeds 0.513 -> 0.530);
// held-out creators by caption language at seed 1: German F1 0.40 ->
// 0.46, French 0.28 -> 0.31, Portuguese 0.37 -> 0.40, Spanish 0.63 ->
// 0.61, Italian 0.63 -> 0.62. Per-tweet CV within noise: English 0.295 ->
// 0.308, 0.275 -> 0.274, 0.328 -> 0.314; Spanish 0.203 -> 0.207, 0.185 ->
// 0.177, 0.188 -> 0.182. CV precision of relevance >= 0.5 stays 0.50 or
// more for every niche at every seed. At seed 1, runs of five runes
// instead of four (CV 0.549, worst held-out 0.543, tweets 0.293 / 0.201)
// and words of more than six runes instead of eight (0.548, 0.540, 0.286
// / 0.196) did no better than the recipe (0.551, 0.545, 0.308 / 0.207).
//
// Then every run of four runes of a mention too (same bit, aside: no
// evidence by itself; brands' and friends' handles carry their niche:
// "@foodandwine"), against the inner runs alone at seeds 1, 2, 3: CV
// macro-F1 0.551 -> 0.553, 0.552 -> 0.557, 0.556 -> 0.560; held-out fifth
// 0.560 -> 0.572, 0.561 -> 0.574, 0.553 -> 0.568; worst held-out 0.545 ->
// 0.542, 0.536 -> 0.549, 0.530 -> 0.539 (worst over seeds 0.530 ->
// 0.539); tweets within noise (English 0.308 -> 0.293, 0.274 -> 0.289,
// 0.314 -> 0.304; Spanish 0.207 -> 0.204, 0.177 -> 0.185, 0.182 ->
// 0.183); CV precision of relevance >= 0.5 still 0.50 or more for every
// niche at every seed. With these features, 2^18 buckets instead of 2^17
// was mixed and dropped: seed 1 CV 0.553 -> 0.558, worst held-out 0.542
// -> 0.551, Spanish tweets 0.204 -> 0.227; seed 2 CV 0.557 -> 0.557,
// worst 0.549 -> 0.543, Spanish tweets 0.185 -> 0.161 (and a model file
// twice the size).
//
// The taxonomy's relevance by density, and BlendXT 1 (2026-12-08, fifth
// session). One term in a creator's joined captions counted as much as in
// one post, so the heads only X-Topic labels, which blend the taxonomy in,
// showed some niche of theirs at 0.5 to a quarter of creators of the eight
// categories, and BlendXT could not rise for tweets (at 1.0, 41%). Now a
// term counts fully in a text of up to scoring.NicheTextRefWords (40)
// words and by the square root of the length beyond that (the scale of
// 1-exp(-w/scale) grows as sqrt(words/40)). At the same time the taxonomy
// lost the terms that folding and stemming made false friends of common
// words: "unas" (Spanish uñas) matched the article "una", "ai" Italian
// "ai", "nas" Portuguese "nas", "mare" the Italian sea, "hay" Spanish
// "there is", "~quest" Italian "queste", "boxing", "bowling", "putting",
// "~season", "~story", "detailing", "improv", "~bit" and others the words
// "box", "bowl", "put", "seasoning", "stories", "details", "improve", "a
// bit" (scoring's TestTaxonomyFalseFriends). Seed 1, one step at a time:
// density alone (ref 40) held-out fifth 0.572 -> 0.569, CV 0.553 ->
// 0.554, worst held-out 0.542 -> 0.543, tweets English 0.293 -> 0.290,
// Spanish 0.204 -> 0.236, creators shown such a niche 24% -> 17% (CV);
// with the cleaned taxonomy 0.572, 0.555, 0.543, 0.301, 0.191, 15%; then
// BlendXT 0.7 -> 1: 0.572, 0.555, 0.543, 0.397, 0.210, 22%. The three
// together against the recipe before, seeds 1, 2, 3: held-out fifth
// 0.572 / 0.574 / 0.568 -> 0.572 / 0.571 / 0.570; CV 0.553 / 0.557 /
// 0.560 -> 0.555 / 0.556 / 0.557; worst held-out 0.542 / 0.549 / 0.539 ->
// 0.543 / 0.551 / 0.543 (worst over seeds 0.539 -> 0.543); per-tweet CV
// English 0.293 / 0.289 / 0.304 -> 0.397 / 0.376 / 0.361, Spanish 0.204 /
// 0.185 / 0.183 -> 0.210 / 0.189 / 0.193; creators of the eight
// categories shown a niche of none of them (lifestyle aside) at 0.5 in
// the held-out fifth 24% -> 18% / 12% / 14%; CV precision of relevance >=
// 0.5 at least 0.51 for every instagram niche at every seed. The length
// of reference tried at seed 1: 20 words (0.569 / 0.558 / 0.545, tweets
// 0.337 / 0.211, 18% of creators shown an off-category niche in CV), 40
// (0.572 / 0.555 / 0.543, 0.397 / 0.210, 22%), 80 (0.568 / 0.555 /
// 0.541, 0.373 / 0.218, 29%).
//
// Then common words in the six languages for the niches tweets label
// (news, sports, music, film, tech, business, finance, education, books,
// science, art, health; and Spanish, Portuguese, French, German, Italian
// food words), written from general knowledge, not read off the tweets,
// and checked for false friends against the commonest caption words.
// Seeds 1, 2, 3 against the step before: held-out fifth 0.572 / 0.571 /
// 0.570 -> 0.566 / 0.568 / 0.567; CV 0.555 / 0.556 / 0.557 -> 0.554 /
// 0.558 / 0.558; worst held-out 0.543 / 0.551 / 0.543 -> 0.542 / 0.551 /
// 0.543 (a tie); tweets English 0.397 / 0.376 / 0.361 -> 0.385 / 0.371 /
// 0.355, Spanish 0.210 / 0.189 / 0.193 -> 0.288 / 0.247 / 0.282. English
// food words as well (burger, steak, salad, soup, chocolate, cheese,
// wine, menu, ...) were tried and left out: at seeds 1 and 2 they did no
// better on anything.
//
// Tried after that and dropped (seed 1): the siblings (health_wellness,
// outdoors, parenting) blending the taxonomy like the tweet-only heads.
// At 0.7: held-out fifth 0.566 -> 0.565, CV 0.554 -> 0.555, tweets
// English 0.385 -> 0.400, Spanish 0.288 -> 0.299; at 1: 0.564, 0.553,
// 0.411, 0.313, strict accuracy 0.602 -> 0.596. Both show siblings at
// 0.5 to creators of the eight categories (a precision of 0 on this data,
// which labels none with a sibling); the tweet gains are within their
// seed noise at 0.7. Floored by the taxonomy as the tweet-only heads are
// (SiblingFloor): 0.565, 0.554, worst held-out 0.542 -> 0.541, tweets
// 0.393, 0.302; with the blend at 0.7 as well: 0.564, 0.554, 0.541,
// 0.400, 0.302. The eight categories' heads blending the taxonomy more
// (Blend 0.3 -> 0.5, 0.7): held-out fifth 0.559, 0.556; CV 0.551, 0.549;
// tweets 0.390 / 0.284, 0.391 / 0.304; at 0.7 beauty's and fitness's CV
// precision at 0.5 fell under 0.5. The eight categories' heads floored by
// the taxonomy (CategoryFloor), seeds 1 and 2: tweets unchanged to the
// third decimal (no post of those topics has two strong terms), CV 0.554
// -> 0.551 and 0.558 -> 0.555, worst held-out 0.542 -> 0.538 and 0.551
// -> 0.548, beauty's CV precision at 0.5 0.48 at seed 2.
//
// Taken last (same session): more French, Portuguese, German, Spanish and
// Italian words for beauty, fashion, fitness, home and parenting (peau,
// cils, pele, wimpern, pestañas, look du jour, falda, salle de sport,
// maison, mamãe, ...). Seeds 1 and 2 against the step before: held-out
// fifth 0.566 -> 0.566, 0.568 -> 0.565; CV 0.554 -> 0.555, 0.558 ->
// 0.559; worst held-out 0.542 -> 0.542, 0.551 -> 0.552; tweets English
// 0.385 -> 0.385, 0.371 -> 0.366, Spanish 0.288 -> 0.299, 0.247 -> 0.256;
// CV creators by caption language at seed 1 (es, de, fr, pt, it) 0.53,
// 0.55, 0.47, 0.50, 0.63 -> 0.53, 0.55, 0.47, 0.50, 0.64. Within noise
// everywhere; kept because the words are right and cost nothing measured.
var DefaultConfig = Config{Bits: 17, Epochs: 6, L2: 1e-3, LR: 0.05, PosPower: 1, XTOnlyIGWeight: 0, Blend: 0.3, BlendXT: 1, Seed: 1, CommentWeight: 0.25,
	Softmax: true, SoftmaxXTWeight: 1, SoftmaxClassPower: 0.5, InnerGrams: true}

// Examples builds the training examples of creators and tweets.
func Examples(creators []Creator, tweets []Tweet, cfg Config) []Example {
	var out []Example
	hs := headsFor(cfg)
	for i := range creators {
		c := &creators[i]
		e := Example{Text: c.Text(), Group: "ig:" + c.Name, Source: "instagram", Weight: 1, Creator: c}
		for _, h := range hs {
			l := h.labelCreator(c.Category)
			e.Labels = append(e.Labels, l)
		}
		out = append(out, e)
		if cfg.CommentWeight > 0 && len(c.Comments) > 0 {
			a := e
			a.Labels = slices.Clone(e.Labels)
			a.Text = strings.Join(c.Comments, "\n")
			a.Source = "instagram-comments"
			a.Weight = float32(cfg.CommentWeight)
			a.Aux = true
			out = append(out, a)
		}
	}
	for i := range tweets {
		t := &tweets[i]
		e := Example{Text: t.Text, Group: "xt:" + t.Lang + ":" + t.ID, Source: "x-topic/" + t.Lang, Weight: 1, Tweet: t}
		for _, h := range hs {
			e.Labels = append(e.Labels, h.labelTweet(t.Topics))
		}
		out = append(out, e)
	}
	Featurize(out, cfg.Bits, cfg.features())
	return out
}

// Featurize computes the examples' feature buckets and taxonomy priors.
func Featurize(ex []Example, bits, features uint8) {
	for i := range ex {
		e := &ex[i]
		e.feats = scoring.NicheFeatures(e.feats[:0], e.Text, bits, features)
		e.taxIdx, e.taxVal = e.taxIdx[:0], e.taxVal[:0]
		for _, n := range scoring.TaxonomyNiches(nil, e.Text) {
			if i := slices.Index(scoring.BuiltinNiches, n.Niche); i >= 0 {
				e.taxIdx = append(e.taxIdx, int32(i))
				e.taxVal = append(e.taxVal, float32(n.Relevance))
			}
		}
	}
}

// weights is a model being fitted: float weights per bucket and head.
type weights struct {
	nh, nt int
	soft   []int     // the softmax group's heads
	w      []float32 // bucket*nh + head
	g      []float32 // AdaGrad sums of squared gradients
	bias   []float64
	taxW   []float64 // head*nt + niche: weight of each niche's taxonomy relevance
	gb     []float64
	gt     []float64
}

// Fit fits one-vs-rest logistic regressions, one per head, on ex by
// AdaGrad in a fixed, seeded order.
func Fit(ex []Example, cfg Config) *weights {
	hs := headsFor(cfg)
	nh := len(hs)
	nt := len(scoring.BuiltinNiches)
	m := &weights{nh: nh, nt: nt, w: make([]float32, (1<<cfg.Bits)*nh), g: make([]float32, (1<<cfg.Bits)*nh),
		bias: make([]float64, nh), taxW: make([]float64, nh*nt), gb: make([]float64, nh), gt: make([]float64, nh*nt)}
	inGroup := make([]bool, nh)
	other := -1
	for h, hd := range hs {
		if hd.softmax {
			m.soft = append(m.soft, h)
			inGroup[h] = true
			if hd.name == otherHead.name {
				other = h
			}
		}
	}
	// Class weights per head.
	pos, neg := make([]float64, nh), make([]float64, nh)
	for _, e := range ex {
		for h, l := range e.Labels {
			switch l {
			case 1:
				pos[h] += float64(e.Weight)
			case 0:
				neg[h] += float64(e.Weight) * exWeight(&e, hs[h], cfg)
			}
		}
	}
	posW := make([]float64, nh)
	for h := range nh {
		if pos[h] > 0 {
			posW[h] = math.Pow(neg[h]/pos[h], cfg.PosPower)
		}
	}
	// The softmax group's class weights: each class weighs as much in all
	// as the others, to the power SoftmaxClassPower (instagram creators'
	// classes; a tweet weighs its targets' mean).
	classW := make([]float64, nh)
	if len(m.soft) > 0 {
		var tot float64
		cnt := make([]float64, nh)
		for i := range ex {
			if e := &ex[i]; e.Creator != nil {
				for _, h := range m.soft {
					if e.Labels[h] == 1 {
						cnt[h] += float64(e.Weight)
						tot += float64(e.Weight)
					}
				}
			}
		}
		for _, h := range m.soft {
			if cnt[h] > 0 {
				classW[h] = math.Pow(tot/(float64(len(m.soft))*cnt[h]), cfg.SoftmaxClassPower)
			}
		}
	}
	order := make([]int, len(ex))
	for i := range order {
		order[i] = i
	}
	r := rand.New(rand.NewPCG(cfg.Seed, 7))
	grad := make([]float64, nh)
	zs := make([]float64, nh)
	var targets []int
	priorOnly := make([]bool, nh)
	for h, hd := range hs {
		priorOnly[h] = contains(cfg.PriorOnly, hd.name)
	}
	for range cfg.Epochs {
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			e := &ex[i]
			inv := 0.0
			if len(e.feats) > 0 {
				inv = 1 / math.Sqrt(float64(len(e.feats)))
			}
			any := false
			for h := range nh {
				grad[h] = 0
				l := e.Labels[h]
				if inGroup[h] || l < 0 {
					continue
				}
				z := m.rawLogit(e, h, inv)
				p := 1 / (1 + math.Exp(-z))
				wt := float64(e.Weight)
				if l == 1 {
					wt *= posW[h]
				} else {
					wt *= exWeight(e, hs[h], cfg)
				}
				grad[h] = (p - float64(l)) * wt
				any = true
			}
			if len(m.soft) > 0 {
				// The group's targets: the positives among its heads, or
				// "other" when the example says it is none of them.
				targets = targets[:0]
				known := false
				for _, h := range m.soft {
					if e.Labels[h] == 1 {
						targets = append(targets, h)
					}
					if e.Labels[h] >= 0 {
						known = true
					}
				}
				if len(targets) == 0 && known && other >= 0 {
					targets = append(targets, other)
				}
				if len(targets) > 0 {
					mx := math.Inf(-1)
					for _, h := range m.soft {
						zs[h] = m.rawLogit(e, h, inv)
						mx = max(mx, zs[h])
					}
					sum := 0.0
					for _, h := range m.soft {
						zs[h] = math.Exp(zs[h] - mx)
						sum += zs[h]
					}
					wt := 0.0
					for _, h := range targets {
						wt += classW[h]
					}
					wt *= float64(e.Weight) / float64(len(targets))
					if e.Tweet != nil {
						wt *= cfg.SoftmaxXTWeight
					}
					t := 1 / float64(len(targets))
					for _, h := range m.soft {
						y := 0.0
						if slices.Contains(targets, h) {
							y = t
						}
						grad[h] = (zs[h]/sum - y) * wt
					}
					any = true
				}
			}
			if !any {
				continue
			}
			for h := range nh {
				gh := grad[h]
				if gh == 0 {
					continue
				}
				m.gb[h] += gh * gh
				m.bias[h] -= cfg.LR * gh / math.Sqrt(m.gb[h]+1e-8)
				for j, t := range e.taxIdx {
					k := h*nt + int(t)
					gt := gh*float64(e.taxVal[j]) + cfg.L2*m.taxW[k]
					m.gt[k] += gt * gt
					m.taxW[k] -= cfg.LR * gt / math.Sqrt(m.gt[k]+1e-8)
				}
				if priorOnly[h] {
					continue
				}
				for _, b := range e.feats {
					k := int(b)*nh + h
					gw := gh*inv + cfg.L2*float64(m.w[k])
					m.g[k] += float32(gw * gw)
					m.w[k] -= float32(cfg.LR * gw / math.Sqrt(float64(m.g[k])+1e-8))
				}
			}
		}
	}
	m.g = nil
	return m
}

// rawLogit is head h's linear score of e (inv: 1/sqrt of its features),
// before the softmax group's normalisation.
func (m *weights) rawLogit(e *Example, h int, inv float64) float64 {
	z := m.bias[h]
	for j, t := range e.taxIdx {
		z += m.taxW[h*m.nt+int(t)] * float64(e.taxVal[j])
	}
	for _, b := range e.feats {
		z += float64(m.w[int(b)*m.nh+h]) * inv
	}
	return z
}

// exWeight is the weight of a negative label of e for head h.
func exWeight(e *Example, hd head, cfg Config) float64 {
	if e.Creator != nil && hd.ig == "" && !hd.sibling {
		return cfg.XTOnlyIGWeight
	}
	return 1
}

// logits is every head's logit for e, as the scoring package computes
// them: the softmax group's heads give their log-probability.
func (m *weights) logits(e *Example) []float64 {
	out := make([]float64, m.nh)
	for h := range out {
		z := m.bias[h]
		for j, t := range e.taxIdx {
			z += m.taxW[h*m.nt+int(t)] * float64(e.taxVal[j])
		}
		if len(e.feats) > 0 {
			s := 0.0
			for _, b := range e.feats {
				s += float64(m.w[int(b)*m.nh+h])
			}
			z += s / math.Sqrt(float64(len(e.feats)))
		}
		out[h] = z
	}
	scoring.LogSoftmax(out, m.soft)
	return out
}

// Quantize turns fitted weights and per-head calibrations into the model
// the scoring package ships.
func (m *weights) Quantize(cfg Config, calA, calB []float64) *scoring.NicheModel {
	nh := m.nh
	bits := cfg.Bits
	out := &scoring.NicheModel{Bits: bits, Features: cfg.features(), Heads: Heads(headsFor(cfg), cfg), W: make([]int8, len(m.w)),
		TaxNiches: slices.Clone(scoring.BuiltinNiches)}
	for _, v := range m.taxW {
		out.TaxW = append(out.TaxW, float32(v))
	}
	for h := range nh {
		mx := 0.0
		for k := h; k < len(m.w); k += nh {
			mx = max(mx, math.Abs(float64(m.w[k])))
		}
		scale := mx / 127
		if scale == 0 {
			scale = 1
		}
		for k := h; k < len(m.w); k += nh {
			out.W[k] = int8(math.Round(float64(m.w[k]) / scale))
		}
		out.Bias = append(out.Bias, float32(m.bias[h]))
		out.Scale = append(out.Scale, float32(scale))
		out.CalA = append(out.CalA, float32(calA[h]))
		out.CalB = append(out.CalB, float32(calB[h]))
	}
	return out
}

// Folds assigns each example to one of k folds by its group, so a
// creator's texts are never in two folds. The assignment is a fixed
// permutation of the sorted group names.
func Folds(ex []Example, k int, seed uint64) []int {
	groups := map[string]int{}
	var names []string
	for _, e := range ex {
		if _, ok := groups[e.Group]; !ok {
			groups[e.Group] = 0
			names = append(names, e.Group)
		}
	}
	sort.Strings(names)
	r := rand.New(rand.NewPCG(seed, 11))
	r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	for i, n := range names {
		groups[n] = i % k
	}
	out := make([]int, len(ex))
	for i, e := range ex {
		out[i] = groups[e.Group]
	}
	return out
}

// Calibrate fits, per head, a and b so that sigmoid(a*logit+b) is
// calibrated on out-of-fold logits (Platt scaling), then moves b so that
// 0.5 is the threshold with the best F1 whose precision is at least 0.5.
// It also returns that F1, the head's figure for choosing between fits.
func Calibrate(logits [][]float64, ex []Example, hs []head, cfg Config) (calA, calB, f1 []float64) {
	nh := len(hs)
	calA, calB, f1 = make([]float64, nh), make([]float64, nh), make([]float64, nh)
	shared := math.NaN()
	if cfg.SoftmaxSharedSlope {
		var zs, ys, ws []float64
		for h, hd := range hs {
			if hd.softmax && len(hd.niches) > 0 {
				z, y, w := calibrationSet(logits, ex, hd, h)
				zs, ys, ws = append(zs, z...), append(ys, y...), append(ws, w...)
			}
		}
		if len(zs) > 0 {
			shared, _ = platt(zs, ys, ws)
		}
	}
	for h := range nh {
		zs, ys, ws := calibrationSet(logits, ex, hs[h], h)
		var a, b float64
		if hs[h].softmax && !math.IsNaN(shared) {
			a, b = shared, plattIntercept(zs, ys, ws, shared)
		} else {
			a, b = platt(zs, ys, ws)
		}
		calA[h], calB[h], f1[h] = a, b, 0
		b2, f, ok := shiftForF1(zs, ys, ws, a, b)
		if ok {
			f1[h] = f
			// Instagram's common categories (fashion is 35% of its
			// creators) keep the calibrated threshold: moved for F1, they
			// win the creator comparison more often than they should. The
			// catch-all (lifestyle: X-Topic's diaries_&_daily_life, half
			// of its tweets) moves like the rare heads: at its best F1 it
			// is shown for 57% of English tweets with precision 0.64
			// (5-fold CV), where its calibrated threshold showed it for
			// under 1% (F1 0.02). The primary niche still goes to a
			// specific niche first (scoring's primaryOf).
			//
			// A head that barely separates its texts (Platt slope under
			// minShiftSlope: gaming, education, tech and science, the
			// siblings) keeps Platt's threshold too: moved for F1 its
			// few positives put 0.5 just above everything, and it read
			// 0.45 for any text at all (gaming on "Had a lovely dinner"),
			// beating the real niche of creators whose niche the model
			// reads less surely. Such heads reach 0.5 through the
			// taxonomy's floor, on texts full of their terms.
			if (baseRate(ys, ws) < maxShiftBaseRate || hs[h].fallback) && a >= minShiftSlope {
				calB[h] = b2
			}
		}
	}
	return calA, calB, f1
}

// plattIntercept fits b of sigmoid(a*z+b) to labels y with a fixed.
func plattIntercept(z, y, w []float64, a float64) float64 {
	b := 0.0
	for range 50 {
		var g, hss float64
		for i := range z {
			p := 1 / (1 + math.Exp(-(a*z[i] + b)))
			g += (p - y[i]) * w[i]
			hss += p * (1 - p) * w[i]
		}
		if hss <= 1e-12 {
			break
		}
		d := g / hss
		b -= d
		if math.Abs(d) < 1e-9 {
			break
		}
	}
	return b
}

// calibrationLangs are the X-Topic languages whose tweets set thresholds:
// those the taxonomy has words for. Greek and Japanese tweets, which it
// rarely matches, still teach the model but would pull every threshold
// towards texts it cannot read (5-fold CV, English tweets: macro-F1 0.207
// calibrated on all four, 0.234 on English and Spanish).
var calibrationLangs = map[string]bool{"en": true, "es": true}

// calibrationSet is head h's out-of-fold logits, labels and weights. A
// head that only X-Topic labels positively is calibrated on tweets alone:
// instagram creators say nothing of it. A head that instagram labels is
// calibrated on instagram creators alone, where its ranking against the
// other seven matters; the siblings (health_wellness, outdoors, parenting)
// on both, each source weighing half.
func calibrationSet(logits [][]float64, ex []Example, hd head, h int) (zs, ys, ws []float64) {
	skip := func(e *Example) bool {
		switch {
		case e.Labels[h] < 0 || e.Aux:
			return true
		case e.Tweet != nil && !calibrationLangs[e.Tweet.Lang]:
			return true
		case hd.sibling:
			return false
		case hd.ig == "":
			return e.Creator != nil
		}
		return e.Creator == nil
	}
	var wIG, wXT float64
	for i := range ex {
		if skip(&ex[i]) {
			continue
		}
		if ex[i].Creator != nil {
			wIG++
		} else {
			wXT++
		}
	}
	for i := range ex {
		e := &ex[i]
		if skip(e) {
			continue
		}
		w := 1.0
		if wIG > 0 && wXT > 0 {
			if e.Creator != nil {
				w = 0.5 * (wIG + wXT) / wIG
			} else {
				w = 0.5 * (wIG + wXT) / wXT
			}
		}
		zs = append(zs, logits[i][h])
		ys = append(ys, float64(e.Labels[h]))
		ws = append(ws, w)
	}
	return zs, ys, ws
}

// platt fits sigmoid(a*z+b) to labels y by Newton's method on the weighted
// log loss.
func platt(z, y, w []float64) (a, b float64) {
	a, b = 1, 0
	for range 50 {
		var ga, gb, haa, hab, hbb float64
		for i := range z {
			p := 1 / (1 + math.Exp(-(a*z[i] + b)))
			d := (p - y[i]) * w[i]
			ga += d * z[i]
			gb += d
			s := p * (1 - p) * w[i]
			haa += s * z[i] * z[i]
			hab += s * z[i]
			hbb += s
		}
		haa += 1e-6
		hbb += 1e-6
		det := haa*hbb - hab*hab
		if det <= 0 {
			break
		}
		da := (hbb*ga - hab*gb) / det
		db := (haa*gb - hab*ga) / det
		a -= da
		b -= db
		if math.Abs(da)+math.Abs(db) < 1e-9 {
			break
		}
	}
	return a, b
}

// shiftForF1 returns the intercept that puts the 0.5 threshold at the
// calibrated score with the best weighted F1 among those of precision at
// least minPrecision, with that F1; ok is false when no threshold reaches
// it.
func shiftForF1(z, y, w []float64, a, b float64) (b2, f1 float64, ok bool) {
	type pt struct{ s, y, w float64 }
	pts := make([]pt, len(z))
	totPos := 0.0
	for i := range z {
		pts[i] = pt{a*z[i] + b, y[i], w[i]}
		totPos += y[i] * w[i]
	}
	if totPos == 0 {
		return b, 0, false
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].s > pts[j].s })
	bestF1, bestS := -1.0, 0.0
	tp, fp := 0.0, 0.0
	for i, p := range pts {
		if p.y == 1 {
			tp += p.w
		} else {
			fp += p.w
		}
		if i+1 < len(pts) && pts[i+1].s == p.s {
			continue
		}
		prec := tp / (tp + fp)
		rec := tp / totPos
		if prec < minPrecision || tp == 0 {
			continue
		}
		f := 2 * prec * rec / (prec + rec)
		if f > bestF1 {
			next := p.s - 1
			if i+1 < len(pts) {
				next = pts[i+1].s
			}
			bestF1, bestS = f, (p.s+next)/2
		}
	}
	if bestF1 < 0 {
		return b, 0, false
	}
	return b - bestS, bestF1, true
}

// minPrecision is the out-of-fold precision a head must keep at relevance
// 0.5 when its threshold moves for F1: of the creators shown 0.5, at least
// half truly are. A margin (0.55) was tried: every instagram niche then
// kept 0.50 or more in 5-fold CV (pets 0.48 without), but relevances fell
// for plain creators (a strength coach's fitness 0.58 -> 0.48, below a
// sports reading of "coach" and "pressed"), their primary niche flipped
// from one rescan to the next, and per-tweet macro-F1 fell 0.03.
const minPrecision = 0.5

// minShiftSlope is the Platt slope below which a head's threshold is not
// moved for F1 (see Calibrate).
const minShiftSlope = 1.0

// maxShiftBaseRate is the share of positives above which a head's
// threshold is not moved for F1.
const maxShiftBaseRate = 0.2

func baseRate(y, w []float64) float64 {
	var p, t float64
	for i := range y {
		p += y[i] * w[i]
		t += w[i]
	}
	if t == 0 {
		return 0
	}
	return p / t
}
