// Package fakefit fits and evaluates the logistic-regression account model
// that scoring ships as coefficients. It is used offline, by `scout eval`,
// to refit the model on labeled data and to report how well it generalises;
// the scoring package itself never fits anything at run time.
//
// Everything here is pure computation on slices and safe for concurrent use
// on distinct inputs.
package fakefit

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Sample is one labeled example: a feature vector (already transformed and
// standardised, missing values as 0) and whether the account is fake.
type Sample struct {
	X    []float64
	Fake bool
	// Weight scales the example's share of the loss; 0 means 1.
	Weight float64
}

// Model is a fitted logistic regression: P(fake) = sigmoid(Bias + W·x).
type Model struct {
	Bias float64
	W    []float64
}

// Prob returns the model's P(fake) for x.
func (m Model) Prob(x []float64) float64 {
	z := m.Bias
	for i, w := range m.W {
		if i < len(x) {
			z += w * x[i]
		}
	}
	return Sigmoid(z)
}

// Sigmoid is the logistic function, clamped so it never returns exactly 0
// or 1 and never NaN.
func Sigmoid(z float64) float64 {
	if math.IsNaN(z) {
		return 0.5
	}
	if z > 35 {
		z = 35
	} else if z < -35 {
		z = -35
	}
	return 1 / (1 + math.Exp(-z))
}

// Fit fits a logistic regression with an L2 penalty lambda on the weights
// (not the bias) by Newton's method. Classes are reweighted to equal total
// weight, so 0.5 is the balanced decision threshold.
func Fit(samples []Sample, lambda float64) Model {
	if len(samples) == 0 {
		return Model{}
	}
	d := len(samples[0].X)
	var nPos, nNeg float64
	for _, s := range samples {
		if s.Fake {
			nPos += weight(s)
		} else {
			nNeg += weight(s)
		}
	}
	cw := func(s Sample) float64 {
		w := weight(s)
		if s.Fake {
			if nPos == 0 {
				return 0
			}
			return w * float64(len(samples)) / (2 * nPos)
		}
		if nNeg == 0 {
			return 0
		}
		return w * float64(len(samples)) / (2 * nNeg)
	}
	beta := make([]float64, d+1) // beta[0] is the bias
	for iter := 0; iter < 50; iter++ {
		g := make([]float64, d+1)
		h := make([][]float64, d+1)
		for i := range h {
			h[i] = make([]float64, d+1)
		}
		for _, s := range samples {
			z := beta[0]
			for j, x := range s.X {
				z += beta[j+1] * x
			}
			p := Sigmoid(z)
			y := 0.0
			if s.Fake {
				y = 1
			}
			w := cw(s)
			r := w * (p - y)
			v := w * p * (1 - p)
			g[0] += r
			h[0][0] += v
			for j, xj := range s.X {
				g[j+1] += r * xj
				h[0][j+1] += v * xj
				for k := j; k < d; k++ {
					h[j+1][k+1] += v * xj * s.X[k]
				}
			}
		}
		for j := 0; j <= d; j++ {
			for k := 0; k < j; k++ {
				h[j][k] = h[k][j]
			}
		}
		for j := 1; j <= d; j++ {
			g[j] += lambda * beta[j]
			h[j][j] += lambda
		}
		h[0][0] += 1e-9
		step, ok := solve(h, g)
		if !ok {
			break
		}
		var norm float64
		for j := range beta {
			beta[j] -= step[j]
			norm += step[j] * step[j]
		}
		if norm < 1e-18 {
			break
		}
	}
	return Model{Bias: beta[0], W: beta[1:]}
}

func weight(s Sample) float64 {
	if s.Weight <= 0 {
		return 1
	}
	return s.Weight
}

// solve solves a x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) ([]float64, bool) {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(append([]float64(nil), a[i]...), b[i])
	}
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if math.Abs(m[p][c]) < 1e-12 {
			return nil, false
		}
		m[c], m[p] = m[p], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for k := r + 1; k < n; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x, true
}

// Metrics are a classifier's figures on one labeled set at one threshold.
type Metrics struct {
	N           int
	AUC         float64
	Accuracy    float64
	Sensitivity float64 // share of fake accounts flagged
	Specificity float64 // share of genuine accounts not flagged
	// BalancedAccuracy is the mean of sensitivity and specificity.
	BalancedAccuracy float64
}

// Evaluate scores probs against labels at threshold t.
func Evaluate(probs []float64, fake []bool, t float64) Metrics {
	m := Metrics{N: len(probs)}
	var tp, tn, fp, fn float64
	for i, p := range probs {
		switch {
		case fake[i] && p >= t:
			tp++
		case fake[i]:
			fn++
		case p >= t:
			fp++
		default:
			tn++
		}
	}
	if n := tp + tn + fp + fn; n > 0 {
		m.Accuracy = (tp + tn) / n
	}
	if tp+fn > 0 {
		m.Sensitivity = tp / (tp + fn)
	}
	if tn+fp > 0 {
		m.Specificity = tn / (tn + fp)
	}
	m.BalancedAccuracy = (m.Sensitivity + m.Specificity) / 2
	m.AUC = AUC(probs, fake)
	return m
}

// AUC is the area under the ROC curve (the probability that a random fake
// account scores above a random genuine one, ties counting half).
func AUC(probs []float64, fake []bool) float64 {
	type pl struct {
		p    float64
		fake bool
	}
	xs := make([]pl, len(probs))
	for i := range probs {
		xs[i] = pl{probs[i], fake[i]}
	}
	sort.Slice(xs, func(i, j int) bool { return xs[i].p < xs[j].p })
	var nPos, nNeg, rankSum float64
	for i := 0; i < len(xs); {
		j := i
		for j < len(xs) && xs[j].p == xs[i].p {
			j++
		}
		avg := float64(i+j+1) / 2 // mean 1-based rank of the tie group
		for k := i; k < j; k++ {
			if xs[k].fake {
				rankSum += avg
				nPos++
			} else {
				nNeg++
			}
		}
		i = j
	}
	if nPos == 0 || nNeg == 0 {
		return 0
	}
	return (rankSum - nPos*(nPos+1)/2) / (nPos * nNeg)
}

// Folds splits n indices into k stratified folds (by label), shuffled with
// a fixed seed so results are reproducible.
func Folds(fake []bool, k int, seed uint64) [][]int {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var pos, neg []int
	for i, f := range fake {
		if f {
			pos = append(pos, i)
		} else {
			neg = append(neg, i)
		}
	}
	r.Shuffle(len(pos), func(i, j int) { pos[i], pos[j] = pos[j], pos[i] })
	r.Shuffle(len(neg), func(i, j int) { neg[i], neg[j] = neg[j], neg[i] })
	folds := make([][]int, k)
	for i, idx := range append(pos, neg...) {
		folds[i%k] = append(folds[i%k], idx)
	}
	return folds
}
