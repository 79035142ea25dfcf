package fakefit

import (
	"math"
	"testing"
)

func TestAUC(t *testing.T) {
	tests := []struct {
		name  string
		probs []float64
		fake  []bool
		want  float64
	}{
		{"perfect", []float64{0.9, 0.8, 0.2, 0.1}, []bool{true, true, false, false}, 1},
		{"inverted", []float64{0.1, 0.2, 0.8, 0.9}, []bool{true, true, false, false}, 0},
		{"ties count half", []float64{0.5, 0.5}, []bool{true, false}, 0.5},
		{"one class", []float64{0.5, 0.7}, []bool{true, true}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AUC(tt.probs, tt.fake); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("AUC = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	m := Evaluate([]float64{0.9, 0.4, 0.6, 0.1}, []bool{true, true, false, false}, 0.5)
	if m.Accuracy != 0.5 || m.Sensitivity != 0.5 || m.Specificity != 0.5 {
		t.Errorf("got %+v, want accuracy, sensitivity and specificity 0.5", m)
	}
}

func TestFitSeparates(t *testing.T) {
	var s []Sample
	for i := 0; i < 200; i++ {
		x := float64(i%100)/50 - 1 // -1..1
		s = append(s, Sample{X: []float64{x, 0.3}, Fake: x > 0.1})
	}
	m := Fit(s, 0.01)
	if m.W[0] <= 0 {
		t.Fatalf("weight %v, want positive", m.W[0])
	}
	probs := make([]float64, len(s))
	fake := make([]bool, len(s))
	for i, x := range s {
		probs[i], fake[i] = m.Prob(x.X), x.Fake
	}
	if got := Evaluate(probs, fake, 0.5); got.Accuracy < 0.95 {
		t.Errorf("accuracy %.3f on separable data, want at least 0.95", got.Accuracy)
	}
	for _, p := range probs {
		if math.IsNaN(p) || p <= 0 || p >= 1 {
			t.Fatalf("probability %v", p)
		}
	}
}

func TestFoldsStratified(t *testing.T) {
	fake := make([]bool, 100)
	for i := range 30 {
		fake[i] = true
	}
	seen := map[int]bool{}
	for _, f := range Folds(fake, 10, 1) {
		pos := 0
		for _, i := range f {
			if seen[i] {
				t.Fatalf("index %d in two folds", i)
			}
			seen[i] = true
			if fake[i] {
				pos++
			}
		}
		if pos != 3 {
			t.Errorf("fold has %d fake, want 3", pos)
		}
	}
	if len(seen) != 100 {
		t.Errorf("folds cover %d indices, want 100", len(seen))
	}
}

func TestFitEmpty(t *testing.T) {
	if m := Fit(nil, 1); m.Bias != 0 || m.W != nil {
		t.Errorf("Fit(nil) = %+v, want zero model", m)
	}
}
