package fakefit

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"github.com/creatorscout/scout/scoring"
)

// TwoPhaseRow is the fake-share estimator's behaviour on audiences drawn
// from one held-out set at one true share, with only some followers read
// with their counts.
type TwoPhaseRow struct {
	Set  string
	True float64
	// Mean estimated share: every account counted (All); Counted of them
	// counted and the rest judged without counts, uncorrected (Plain); the
	// same corrected by the two-phase estimator (Two).
	All, Plain, Two float64
	// Root mean square distance of Plain and Two from All, audience by
	// audience.
	RMSPlain, RMSTwo float64
	// Mean width of the reported range (High - Low), for All and Two.
	WidthAll, WidthTwo float64
}

// TwoPhaseShares draws audiences of size n from each held-out set of folds
// (fake accounts at each of shares, with replacement), counts k of each
// audience (spread evenly, as the Bluesky source does) and estimates the
// fake share three ways with that fold's held-out model: all counted,
// k counted without correction, k counted with scoring.TwoPhase's. Sets
// without counts, or knowing fewer than two fields without them, are left
// out. Same seed, same figures.
func TwoPhaseShares(sets []Set, folds []Fold, n, k, audiences int, shares []float64, seed uint64) []TwoPhaseRow {
	var rows []TwoPhaseRow
	counted := make([]bool, n)
	for j := range k {
		counted[j*n/k] = true
	}
	for h, f := range folds {
		s := &sets[h]
		if s.Fields&FCounts == 0 || bitsIn(NoCounts.Fields&s.Fields) < 2 {
			continue
		}
		all, y := Probs(&f.Model, s, FAll)
		cheap, _ := Probs(&f.Model, s, NoCounts.Fields)
		var fakes, genuine []int
		for i, fake := range y {
			if fake {
				fakes = append(fakes, i)
			} else {
				genuine = append(genuine, i)
			}
		}
		rng := rand.New(rand.NewPCG(seed, uint64(h)))
		pa, pc, pm := make([]float64, n), make([]float64, n), make([]float64, n)
		everyone := make([]bool, n)
		for i := range everyone {
			everyone[i] = true
		}
		for _, share := range shares {
			r := TwoPhaseRow{Set: s.Name, True: share}
			nf := int(math.Round(share * float64(n)))
			for range audiences {
				for i := range n {
					// The audience's order is random, so the systematic
					// subsample is too.
					var a int
					if rng.IntN(n) < nf {
						a = fakes[rng.IntN(len(fakes))]
					} else {
						a = genuine[rng.IntN(len(genuine))]
					}
					pa[i], pc[i] = all[a], cheap[a]
					pm[i] = pc[i]
					if counted[i] {
						pm[i] = pa[i]
					}
				}
				eAll := scoring.FakeShareFrom(pa, pa, everyone)
				ePlain := scoring.FakeShareFrom(pm, pm, everyone)
				eTwo := scoring.FakeShareFrom(pc, pa, counted)
				r.All += eAll.Share
				r.Plain += ePlain.Share
				r.Two += eTwo.Share
				r.RMSPlain += (ePlain.Share - eAll.Share) * (ePlain.Share - eAll.Share)
				r.RMSTwo += (eTwo.Share - eAll.Share) * (eTwo.Share - eAll.Share)
				r.WidthAll += eAll.High - eAll.Low
				r.WidthTwo += eTwo.High - eTwo.Low
			}
			a := float64(audiences)
			r.All, r.Plain, r.Two = r.All/a, r.Plain/a, r.Two/a
			r.RMSPlain, r.RMSTwo = math.Sqrt(r.RMSPlain/a), math.Sqrt(r.RMSTwo/a)
			r.WidthAll, r.WidthTwo = r.WidthAll/a, r.WidthTwo/a
			rows = append(rows, r)
		}
	}
	return rows
}

// WriteTwoPhase prints TwoPhaseShares for the Bluesky source's default
// sample: 100 followers, 24 counted.
func WriteTwoPhase(w io.Writer, sets []Set, folds []Fold) {
	const n, k, audiences = 100, 24, 1000
	rows := TwoPhaseShares(sets, folds, n, k, audiences, []float64{0.05, 0.15, 0.3, 0.5}, 1)
	fmt.Fprintf(w, "  Fake share with %d of %d followers read with counts (the Bluesky default), %d audiences drawn from each held-out set\n"+
		"  at each true share, same held-out models; all counted, then %d counted and the rest judged without counts,\n"+
		"  uncorrected and with the two-phase correction (RMS: distance from the all-counted estimate, audience by audience):\n", k, n, audiences, k)
	fmt.Fprintln(w, "  held-out set             true  all counted  uncorrected (RMS)  two-phase (RMS)  range width all / two-phase")
	for _, r := range rows {
		fmt.Fprintf(w, "  %-24s %4.0f%%  %10.1f%%  %8.1f%% (%4.1f)  %7.1f%% (%4.1f)  %10.1f / %.1f\n",
			r.Set, 100*r.True, 100*r.All, 100*r.Plain, 100*r.RMSPlain, 100*r.Two, 100*r.RMSTwo, 100*r.WidthAll, 100*r.WidthTwo)
	}
}
