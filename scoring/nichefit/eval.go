package nichefit

import (
	"fmt"
	"hash/fnv"
	"io"
	"sort"
	"strings"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/scoring"
)

// FitModel fits the shipped recipe on ex. Each head is fitted twice, on
// word and character features with the taxonomy's relevance and on the
// taxonomy's relevance alone, and keeps the fit whose out-of-fold F1
// (k folds, split by creator) is higher: the labeled data teaches some
// heads less than the taxonomy knows. Each head is calibrated on its
// out-of-fold logits, then capped so that a text with no feature at all
// gets at most emptyMax: no words, no niche.
func FitModel(ex []Example, cfg Config, k int) *scoring.NicheModel {
	hs := headsFor(cfg)
	full := cfg
	full.PriorOnly = nil
	prior := cfg
	prior.PriorOnly = nil
	for _, h := range hs {
		prior.PriorOnly = append(prior.PriorOnly, h.name)
	}
	aF, bF, fF := Calibrate(OOFLogits(ex, full, k), ex, hs, cfg)
	aP, bP, fP := Calibrate(OOFLogits(ex, prior, k), ex, hs, cfg)
	chosen := full
	a, b := aF, bF
	for h, hd := range hs {
		// The softmax group's heads are fitted together: never alone on
		// the taxonomy.
		if fP[h] > fF[h] && !hd.softmax {
			chosen.PriorOnly = append(chosen.PriorOnly, hd.name)
			a[h], b[h] = aP[h], bP[h]
		}
	}
	return Fit(ex, chosen).Quantize(cfg, a, b)
}

// CrossPredict fits the shipped recipe (FitModel, calibrated by an inner
// 3-fold) k times, each on all but one of k folds split by creator, and
// calls visit with that fold's model for each of its examples (the
// comments' Aux examples aside: they are never scored).
func CrossPredict(all []Example, cfg Config, k int, visit func(fold int, m *scoring.NicheModel, e *Example)) {
	folds := Folds(all, k, cfg.Seed)
	for f := range k {
		var train []Example
		for i, e := range all {
			if folds[i] != f {
				train = append(train, e)
			}
		}
		m := FitModel(train, cfg, 3)
		for i := range all {
			if folds[i] == f && !all[i].Aux {
				visit(f, m, &all[i])
			}
		}
	}
}

// OOFLogits returns every example's logits from a fit on the other folds.
func OOFLogits(ex []Example, cfg Config, k int) [][]float64 {
	folds := Folds(ex, k, cfg.Seed)
	out := make([][]float64, len(ex))
	for f := range k {
		var train []Example
		for i, e := range ex {
			if folds[i] != f {
				train = append(train, e)
			}
		}
		m := Fit(train, cfg)
		for i := range ex {
			if folds[i] == f {
				out[i] = m.logits(&ex[i])
			}
		}
	}
	return out
}

// HoldOut reports whether an instagram creator is in the fixed held-out
// fifth (by a hash of its name), never used to fit the measured model.
func HoldOut(name string) bool {
	h := fnv.New32a()
	h.Write([]byte(name))
	return h.Sum32()%5 == 0
}

// creatorPrediction is the held-out check's reading of a creator: the
// highest-relevance niche among CreatorCandidates.
func creatorPrediction(ns []creator.NicheScore) string {
	best, bestR := "", -1.0
	for _, n := range ns {
		if contains(CreatorCandidates, n.Niche) && n.Relevance > bestR {
			best, bestR = n.Niche, n.Relevance
		}
	}
	return best
}

// lenient maps a predicted sibling to the category it belongs to.
var lenient = map[string]string{"health_wellness": "fitness", "parenting": "family", "outdoors": "travel"}

// CreatorScores measures m on creators of the eight categories: accuracy
// and macro-F1 with the category's own niche (strict) and with its
// sibling counted too (health_wellness for fitness, parenting for family,
// outdoors for travel), and how many got no niche of relevance 0.5.
type CreatorScores struct {
	N                  int
	Acc, MacroF1       float64
	LenAcc, LenMacroF1 float64
	NoNiche            int
	// OffTopic counts the creators shown (relevance >= 0.5) a niche no
	// creator of the eight categories is labeled with, lifestyle aside:
	// sports, gaming, business, ... (some are true: a food creator may
	// run a business; most are noise).
	OffTopic int
	PrecAt05 map[string]float64 // per niche: share of creators shown >= 0.5 that truly are
}

// ScoreCreators runs model m (the built-in one when nil) on each creator's
// joined captions, as `scout score text` would.
func ScoreCreators(m *scoring.NicheModel, cs []Creator) CreatorScores {
	return scoreCreators(func(c *Creator) []creator.NicheScore { return rel(m, c.Text()) }, cs)
}

func scoreCreators(score func(*Creator) []creator.NicheScore, cs []Creator) CreatorScores {
	var truth, pred, predL []string
	var r CreatorScores
	shown, right := map[string]float64{}, map[string]float64{}
	for i := range cs {
		c := &cs[i]
		want, ok := CategoryNiche[c.Category]
		if !ok {
			continue
		}
		ns := score(c)
		p := creatorPrediction(ns)
		truth = append(truth, want)
		pred = append(pred, p)
		if l, ok := lenient[p]; ok && CategoryNiche[l] == want {
			p = want
		}
		predL = append(predL, p)
		any, off := false, false
		for _, n := range ns {
			switch {
			case n.Relevance < 0.5:
			case contains(CreatorCandidates, n.Niche):
				any = true
				shown[n.Niche]++
				if n.Niche == want {
					right[n.Niche]++
				}
			case n.Niche != "lifestyle":
				off = true
			}
		}
		if !any {
			r.NoNiche++
		}
		if off {
			r.OffTopic++
		}
	}
	r.N = len(truth)
	r.Acc, r.MacroF1 = accF1(truth, pred)
	r.LenAcc, r.LenMacroF1 = accF1(truth, predL)
	r.PrecAt05 = map[string]float64{}
	for n, s := range shown {
		r.PrecAt05[n] = right[n] / s
	}
	return r
}

func rel(m *scoring.NicheModel, text string) []creator.NicheScore {
	if m != nil {
		return m.TextNiches(nil, text)
	}
	return scoring.TextNiches(nil, text)
}

// accF1 is accuracy and macro-F1 over the labels of truth.
func accF1(truth, pred []string) (acc, macro float64) {
	labels := map[string]bool{}
	for _, t := range truth {
		labels[t] = true
	}
	ok := 0
	for i := range truth {
		if truth[i] == pred[i] {
			ok++
		}
	}
	for l := range labels {
		tp, fp, fn := Confusion(truth, pred, l)
		if tp > 0 {
			macro += 2 * tp / (2*tp + fp + fn)
		}
	}
	if len(truth) == 0 {
		return 0, 0
	}
	return float64(ok) / float64(len(truth)), macro / float64(len(labels))
}

// TweetScores is per-post macro-F1 over the 15 mapped topics: a topic is
// predicted when any niche it maps to has relevance >= 0.5. Topics with
// neither a true nor a predicted tweet in the set are left out of the mean.
type TweetScores struct {
	N       int
	MacroF1 float64
	Topics  int
}

// ScoreTweets runs model m (the built-in one when nil) on each tweet.
func ScoreTweets(m *scoring.NicheModel, ts []Tweet) TweetScores {
	return scoreTweets(func(t *Tweet) []creator.NicheScore { return rel(m, t.Text) }, ts)
}

func scoreTweets(score func(*Tweet) []creator.NicheScore, ts []Tweet) TweetScores {
	tp, fp, fn := map[string]float64{}, map[string]float64{}, map[string]float64{}
	for i := range ts {
		t := &ts[i]
		got := map[string]bool{}
		for _, n := range score(t) {
			if n.Relevance < 0.5 {
				continue
			}
			for tp, ns := range TopicNiches {
				if contains(ns, n.Niche) {
					got[tp] = true
				}
			}
		}
		for tpc := range TopicNiches {
			want := contains(t.Topics, tpc)
			switch {
			case want && got[tpc]:
				tp[tpc]++
			case got[tpc]:
				fp[tpc]++
			case want:
				fn[tpc]++
			}
		}
	}
	var r TweetScores
	r.N = len(ts)
	for tpc := range TopicNiches {
		if tp[tpc]+fp[tpc]+fn[tpc] == 0 {
			continue
		}
		r.Topics++
		r.MacroF1 += 2 * tp[tpc] / (2*tp[tpc] + fp[tpc] + fn[tpc])
	}
	if r.Topics > 0 {
		r.MacroF1 /= float64(r.Topics)
	}
	return r
}

// Report fits and measures the niche model as `make eval` prints it: on a
// held-out fifth of instagram-influencers (split by influencer) and on
// X-Topic's validation tweets per language, with a model fitted without
// them; 5-fold cross-validated figures; and the figures of the shipped
// (embedded) model, which are in-sample.
func Report(w io.Writer, creators []Creator, tweets []Tweet, cfg Config, cv bool) {
	var trC, teC []Creator
	for _, c := range creators {
		if HoldOut(c.Name) {
			teC = append(teC, c)
		} else {
			trC = append(trC, c)
		}
	}
	var trT []Tweet
	teT := map[string][]Tweet{}
	for _, t := range tweets {
		if t.Split == "validation" {
			teT[t.Lang] = append(teT[t.Lang], t)
		} else {
			trT = append(trT, t)
		}
	}
	m := FitModel(Examples(trC, trT, cfg), cfg, 5)
	fmt.Fprintf(w, "Niche model: fitted on %d instagram creators and %d tweets; measured on what the fit never saw\n", len(trC), len(trT))
	heldOut := ScoreCreators(m, teC)
	printCreators(w, "instagram-influencers, held-out fifth by influencer", heldOut)
	printByLanguage(w, teC, func(c *Creator) []creator.NicheScore { return rel(m, c.Text()) })
	for _, lang := range []string{"en", "es", "gr", "ja"} {
		s := ScoreTweets(m, teT[lang])
		fmt.Fprintf(w, "  x-topic %s validation (%d tweets, per post): macro-F1 %.3f over %d topics\n", lang, s.N, s.MacroF1, s.Topics)
	}

	if !cv {
		return
	}
	// 5-fold cross-validation over everything, split by creator (a tweet
	// is its own creator); each fold's model calibrated by an inner 3-fold.
	all := Examples(creators, tweets, cfg)
	pred := map[string][]creator.NicheScore{}
	foldOf := map[string]int{}
	CrossPredict(all, cfg, 5, func(fold int, m *scoring.NicheModel, e *Example) {
		foldOf[e.Group] = fold
		pred[e.Group] = m.TextNiches(nil, e.Text)
	})
	fmt.Fprintln(w, "Niche model, 5-fold cross-validation by creator (every creator and tweet predicted by a model that never saw it):")
	predC := func(c *Creator) []creator.NicheScore { return pred["ig:"+c.Name] }
	printCreators(w, "instagram-influencers", scoreCreators(predC, creators))
	printByLanguage(w, creators, predC)
	// Each fold's own figure: judge a change by the worst fold, not only
	// by the mean. The recipe itself is that noisy: with seeds 1, 2 and 3
	// (shuffle order and folds) the worst fold is 0.522, 0.506 and 0.504,
	// the held-out fifth's macro-F1 0.554, 0.529 and 0.542.
	byFold := make([][]Creator, 5)
	for _, c := range creators {
		f := foldOf["ig:"+c.Name]
		byFold[f] = append(byFold[f], c)
	}
	fmt.Fprintf(w, "    macro-F1 by fold:")
	worst := 1.0
	for f := range 5 {
		s := scoreCreators(predC, byFold[f])
		worst = min(worst, s.MacroF1)
		fmt.Fprintf(w, " %.3f", s.MacroF1)
	}
	fmt.Fprintf(w, "; worst %.3f\n", worst)
	// The figure a recipe is chosen by: the worst of everything held out.
	fmt.Fprintf(w, "    worst held-out creator macro-F1 (the lower of the worst fold and the held-out fifth): %.3f\n", min(worst, heldOut.MacroF1))
	tweetsBy := map[string][]Tweet{}
	for _, t := range tweets {
		tweetsBy[t.Lang] = append(tweetsBy[t.Lang], t)
	}
	for _, lang := range []string{"en", "es", "gr", "ja"} {
		s := scoreTweets(func(t *Tweet) []creator.NicheScore { return pred["xt:"+t.Lang+":"+t.ID] }, tweetsBy[lang])
		fmt.Fprintf(w, "  x-topic %s (%d tweets, per post): macro-F1 %.3f over %d topics\n", lang, s.N, s.MacroF1, s.Topics)
	}

	fmt.Fprintln(w, "Shipped niche model (scoring/niche_model.bin.gz, fitted on all of the above: IN-SAMPLE, not a measure of accuracy):")
	printCreators(w, "instagram-influencers", ScoreCreators(nil, creators))
	for _, lang := range []string{"en", "es", "gr", "ja"} {
		s := ScoreTweets(nil, tweetsBy[lang])
		fmt.Fprintf(w, "  x-topic %s (%d tweets, per post): macro-F1 %.3f over %d topics\n", lang, s.N, s.MacroF1, s.Topics)
	}
	fmt.Fprintln(w)
}

// printByLanguage prints creator accuracy and macro-F1 by the language of
// their captions (guessed from function words).
func printByLanguage(w io.Writer, cs []Creator, score func(*Creator) []creator.NicheScore) {
	byLang := map[string][]Creator{}
	for _, c := range cs {
		l := Language(c.Text())
		byLang[l] = append(byLang[l], c)
	}
	fmt.Fprintf(w, "    by caption language (guessed from function words):")
	for _, l := range []string{"en", "es", "de", "fr", "pt", "it", "other"} {
		s := scoreCreators(score, byLang[l])
		fmt.Fprintf(w, " %s %d: acc %.2f F1 %.2f;", l, s.N, s.Acc, s.MacroF1)
	}
	fmt.Fprintln(w)
}

func printCreators(w io.Writer, name string, s CreatorScores) {
	fmt.Fprintf(w, "  %s (%d creators, 8 categories): accuracy %.3f macro-F1 %.3f; with siblings counted: accuracy %.3f macro-F1 %.3f; no niche >= 0.5: %d\n",
		name, s.N, s.Acc, s.MacroF1, s.LenAcc, s.LenMacroF1, s.NoNiche)
	var ns []string
	for n := range s.PrecAt05 {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	var parts []string
	for _, n := range ns {
		parts = append(parts, fmt.Sprintf("%s %.2f", n, s.PrecAt05[n]))
	}
	fmt.Fprintf(w, "    precision of relevance >= 0.5: %s\n", strings.Join(parts, ", "))
	fmt.Fprintf(w, "    shown a niche of none of the eight categories (sports, gaming, business, ...; lifestyle aside) at >= 0.5: %d (%.0f%%)\n", s.OffTopic, 100*float64(s.OffTopic)/float64(max(s.N, 1)))
}

// Confusion counts, for label l, the true positives, false positives and
// false negatives of pred against truth.
func Confusion(truth, pred []string, l string) (tp, fp, fn float64) {
	for i := range truth {
		switch {
		case pred[i] == l && truth[i] == l:
			tp++
		case pred[i] == l:
			fp++
		case truth[i] == l:
			fn++
		}
	}
	return tp, fp, fn
}
