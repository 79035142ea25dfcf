package fakefit

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/creatorscout/scout/scoring"
)

// Config is the recipe of an account-model fit. The zero value is not
// useful; start from DefaultConfig.
type Config struct {
	// Lambda is the L2 penalty on every step and missing effect (the bias
	// is not penalised), per unit of total sample weight.
	Lambda float64
	// MaxCuts is the most cut points of one input's step function.
	MaxCuts int
	// Copies is how many extra copies of each account the fit sees with
	// field groups hidden at random, each hidden with probability HideProb;
	// this teaches the model what an unknown field is worth.
	Copies   int
	HideProb float64
	// Shift is added to the fitted bias: a negative shift makes the model
	// flag fewer accounts at threshold 0.5.
	Shift float64
	// Seed seeds the random hiding.
	Seed uint64
}

// DefaultConfig is the recipe the shipped model was selected with (see
// Select).
var DefaultConfig = Config{Lambda: 0.003, MaxCuts: 8, Copies: 3, HideProb: 0.4, Seed: 1}

// sample is one row of the fit: the indices of its active 0/1 columns.
type sample struct {
	cols []int32
	y    float64
	w    float64
}

// design is the column layout of a fit: input i's columns are
// off[i]..off[i]+len(cuts[i])-1 for "x above cut k", then off[i]+len(cuts[i])
// for "unknown".
type design struct {
	cuts [scoring.NumAccountInputs][]float64
	off  [scoring.NumAccountInputs]int
	n    int
}

func (d *design) row(x *[scoring.NumAccountInputs]float64, known *[scoring.NumAccountInputs]bool, dst []int32) []int32 {
	for i := range x {
		if !known[i] {
			dst = append(dst, int32(d.off[i]+len(d.cuts[i])))
			continue
		}
		for k, c := range d.cuts[i] {
			if x[i] <= c {
				break
			}
			dst = append(dst, int32(d.off[i]+k))
		}
	}
	return dst
}

// cutsOf picks at most maxCuts cut points for the known values vs: the
// midpoints between distinct values nearest to evenly spaced quantiles.
func cutsOf(vs []float64, maxCuts int) []float64 {
	if len(vs) == 0 {
		return nil
	}
	s := slices.Clone(vs)
	sort.Float64s(s)
	var distinct []float64
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			distinct = append(distinct, v)
		}
	}
	if len(distinct) < 2 {
		return nil
	}
	var cuts []float64
	for q := 1; q <= maxCuts; q++ {
		v := s[min(len(s)-1, q*len(s)/(maxCuts+1))]
		// The midpoint between v and the next distinct value above it.
		// (or below it, for the largest value).
		j := min(sort.SearchFloat64s(distinct, v), len(distinct)-2)
		c := (distinct[j] + distinct[j+1]) / 2
		if !slices.Contains(cuts, c) {
			cuts = append(cuts, c)
		}
	}
	sort.Float64s(cuts)
	return cuts
}

// hideGroups are the field groups the fit hides at random.
var hideGroups = []Field{FHandle, FName, FBio, FAvatar, FPrivate, FVerified, FURL, FFollowers, FFollowing, FPosts, FCreated}

// weightsOf gives each set the same total weight and, within a set, each
// class half of it, so 0.5 is the balanced threshold and no data set's size
// or base rate dominates. The weights sum to the number of accounts.
func weightsOf(sets []Set) [][]float64 {
	total := 0
	for _, s := range sets {
		total += len(s.Accounts)
	}
	out := make([][]float64, len(sets))
	for i, s := range sets {
		fake, genuine := s.Counts()
		per := float64(total) / float64(len(sets))
		out[i] = make([]float64, len(s.Accounts))
		for j, a := range s.Accounts {
			switch {
			case a.Fake && fake > 0:
				out[i][j] = per / 2 / float64(fake)
			case !a.Fake && genuine > 0:
				out[i][j] = per / 2 / float64(genuine)
			}
		}
	}
	return out
}

// FitGAM fits the additive account model on sets with recipe c. The same
// sets and recipe give the same model, bit for bit.
func FitGAM(sets []Set, c Config, name string) scoring.AccountModel {
	r := rand.New(rand.NewPCG(c.Seed, c.Seed^0x5851f42d4c957f2d))
	weights := weightsOf(sets)
	type row struct {
		x     [scoring.NumAccountInputs]float64
		known [scoring.NumAccountInputs]bool
		y, w  float64
	}
	var rows []row
	var vals [scoring.NumAccountInputs][]float64
	for si, s := range sets {
		for ai := range s.Accounts {
			a := &s.Accounts[ai]
			w := weights[si][ai]
			if w == 0 {
				continue
			}
			y := 0.0
			if a.Fake {
				y = 1
			}
			for copyN := 0; copyN <= c.Copies; copyN++ {
				keep := FAll
				if copyN > 0 {
					for _, g := range hideGroups {
						if r.Float64() < c.HideProb {
							keep &^= g
						}
					}
				}
				x, known := scoring.AccountInputs(a.Features(keep))
				rw := w / float64(c.Copies+1)
				rows = append(rows, row{x, known, y, rw})
				if copyN == 0 {
					for i := range x {
						if known[i] {
							vals[i] = append(vals[i], x[i])
						}
					}
				}
			}
		}
	}
	var d design
	for i := range d.cuts {
		d.cuts[i] = cutsOf(vals[i], c.MaxCuts)
		d.off[i] = d.n
		d.n += len(d.cuts[i]) + 1
	}
	samples := make([]sample, len(rows))
	var totalW float64
	for i := range rows {
		samples[i] = sample{cols: d.row(&rows[i].x, &rows[i].known, nil), y: rows[i].y, w: rows[i].w}
		totalW += rows[i].w
	}
	bias, beta := fitSparse(samples, d.n, c.Lambda*totalW)
	m := scoring.AccountModel{Data: name, Bias: bias + c.Shift, Threshold: 0.5}
	for i := range d.cuts {
		m.Cuts[i] = d.cuts[i]
		steps := make([]float64, len(d.cuts[i])+1)
		for k := range d.cuts[i] {
			steps[k+1] = steps[k] + beta[d.off[i]+k]
		}
		m.Steps[i] = steps
		m.Missing[i] = beta[d.off[i]+len(d.cuts[i])]
	}
	// Centers: each input's mean effect over the original accounts where
	// it is known, weighted as in the fit.
	var sum, sw [scoring.NumAccountInputs]float64
	for _, rw := range rows {
		for i := range rw.x {
			if rw.known[i] {
				sum[i] += rw.w * m.Effect(i, rw.x[i])
				sw[i] += rw.w
			}
		}
	}
	for i := range sum {
		if sw[i] > 0 {
			m.Center[i] = sum[i] / sw[i]
		}
	}
	return m
}

// fitSparse fits a penalised logistic regression on 0/1 columns by Newton's
// method: minimise sum w*logloss + lambda/2*|beta|^2 (bias unpenalised).
func fitSparse(samples []sample, n int, lambda float64) (bias float64, beta []float64) {
	d := n + 1 // column n is the bias
	beta = make([]float64, d)
	g := make([]float64, d)
	h := make([]float64, d*d)
	for iter := 0; iter < 30; iter++ {
		clear(g)
		clear(h)
		for _, s := range samples {
			z := beta[n]
			for _, c := range s.cols {
				z += beta[c]
			}
			p := Sigmoid(z)
			r := s.w * (p - s.y)
			v := s.w * p * (1 - p)
			g[n] += r
			h[n*d+n] += v
			for a, ca := range s.cols {
				g[ca] += r
				h[int(ca)*d+n] += v
				row := h[int(ca)*d:]
				for _, cb := range s.cols[a:] {
					row[cb] += v
				}
			}
		}
		// The loop filled the upper triangle (a row's columns ascend and the
		// bias column is last): mirror it.
		for a := 0; a < d; a++ {
			for b := a + 1; b < d; b++ {
				h[b*d+a] = h[a*d+b]
			}
		}
		for j := 0; j < n; j++ {
			g[j] += lambda * beta[j]
			h[j*d+j] += lambda
		}
		h[n*d+n] += 1e-9
		step, ok := solveFlat(h, g, d)
		if !ok {
			break
		}
		var norm float64
		for j := range beta {
			beta[j] -= step[j]
			norm += step[j] * step[j]
		}
		if norm < 1e-16 {
			break
		}
	}
	return beta[n], beta[:n]
}

// solveFlat solves a x = b for a d x d row-major matrix by Cholesky
// decomposition (a is symmetric positive definite here).
func solveFlat(a, b []float64, d int) ([]float64, bool) {
	l := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			s := a[i*d+j]
			for k := 0; k < j; k++ {
				s -= l[i*d+k] * l[j*d+k]
			}
			if i == j {
				if s <= 0 {
					return nil, false
				}
				l[i*d+i] = math.Sqrt(s)
			} else {
				l[i*d+j] = s / l[j*d+j]
			}
		}
	}
	y := make([]float64, d)
	for i := 0; i < d; i++ {
		s := b[i]
		for k := 0; k < i; k++ {
			s -= l[i*d+k] * y[k]
		}
		y[i] = s / l[i*d+i]
	}
	x := make([]float64, d)
	for i := d - 1; i >= 0; i-- {
		s := y[i]
		for k := i + 1; k < d; k++ {
			s -= l[k*d+i] * x[k]
		}
		x[i] = s / l[i*d+i]
	}
	return x, true
}
