package scoring

import (
	"math"
	"sort"
	"strconv"
)

// finite returns x, or 0 when x is NaN or infinite.
func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

func clamp(x, lo, hi float64) float64 {
	x = finite(x)
	if x < lo {
		return lo
	}
	if x > hi {
		return hi
	}
	return x
}

func clamp01(x float64) float64 { return clamp(x, 0, 1) }

// confidence is 1-exp(-n/scale): 0 with no sample, towards 1 with many.
func confidence(n, scale float64) float64 {
	if n <= 0 || scale <= 0 {
		return 0
	}
	return clamp01(1 - math.Exp(-n/scale))
}

func round3(x float64) float64 { return finite(math.Round(x*1000) / 1000) }

// pct formats a fraction as a percentage for a summary sentence.
func pct(x float64) string {
	x = finite(x) * 100
	var buf [32]byte
	prec := 0
	if x != 0 && math.Abs(x) < 10 {
		prec = 1
	}
	return string(append(strconv.AppendFloat(buf[:0], x, 'f', prec, 64), '%'))
}

// signedPct formats a fractional change with its sign.
func signedPct(x float64) string {
	if finite(x) >= 0 {
		return "+" + pct(x)
	}
	return pct(x)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// medianInPlace is median(xs), sorting xs itself.
func medianInPlace(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	m := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[m]
	}
	return (xs[m-1] + xs[m]) / 2
}

func meanStd(xs []float64) (mean, std float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(xs)))
}

// humanInt formats a count with thousands separators.
func humanInt(n float64) string {
	n = finite(n)
	neg := n < 0
	if neg {
		n = -n
	}
	var sb [32]byte
	s := strconv.AppendFloat(sb[:0], n, 'f', 0, 64)
	var bb [48]byte
	b := bb[:0]
	if neg {
		b = append(b, '-')
	}
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	return string(b)
}

// decimals formats x with prec digits after the point, like fmt's %.<prec>f.
func decimals(x float64, prec int) string { return strconv.FormatFloat(x, 'f', prec, 64) }
