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
