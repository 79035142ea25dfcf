package fakefit

import (
	"math"
	"sort"
)

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

// logit is the inverse of Sigmoid, clamped away from 0 and 1.
func logit(p float64) float64 {
	p = math.Min(math.Max(p, 1e-12), 1-1e-12)
	return math.Log(p / (1 - p))
}

// roundTo rounds x to prec decimal places.
func roundTo(x float64, prec int) float64 {
	s := math.Pow(10, float64(prec))
	return math.Round(x*s) / s
}
