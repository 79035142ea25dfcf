package fakefit

import (
	"strings"
	"testing"
)

// TestTwoPhaseOnLabeledData draws audiences from the labeled account sets
// (held out from the model that judges them) and checks that the
// two-phase estimate from 24 counted followers of 100 stays near what
// counting all 100 gives, on average and audience by audience, where
// judging the other 76 without counts and no correction reads low.
func TestTwoPhaseOnLabeledData(t *testing.T) {
	sets := loadOrSkip(t)
	c := DefaultConfig
	c.Lambda, c.MaxCuts, c.Shift = 0.001, 4, -1
	folds := LeaveOneOut(sets, c)
	rows := TwoPhaseShares(sets, folds, 100, 24, 300, []float64{0.15, 0.5}, 1)
	if len(rows) == 0 {
		t.Fatal("no held-out set knows counts and enough else")
	}
	for _, r := range rows {
		if d := r.Two - r.All; d < -0.02 || d > 0.02 {
			t.Errorf("%s at %.0f%% fake: two-phase mean %.3f, all counted %.3f: more than 2 points apart", r.Set, 100*r.True, r.Two, r.All)
		}
		if r.RMSTwo > 0.12 {
			t.Errorf("%s at %.0f%% fake: two-phase RMS distance from all counted %.3f, want under 0.12", r.Set, 100*r.True, r.RMSTwo)
		}
		if r.WidthTwo < r.WidthAll {
			t.Errorf("%s at %.0f%% fake: two-phase range %.3f narrower than all counted %.3f", r.Set, 100*r.True, r.WidthTwo, r.WidthAll)
		}
	}
	// Where counts matter (a bought audience of Instagram fakes), the
	// uncorrected estimate reads well below all counted.
	var b strings.Builder
	WriteTwoPhase(&b, sets, folds)
	t.Log("\n" + b.String())
	for _, r := range rows {
		if r.Set == "instafake" && r.True == 0.5 && r.All-r.Plain < 0.05 {
			t.Errorf("instafake at 50%%: uncorrected %.3f against all counted %.3f; the check cannot tell the estimators apart", r.Plain, r.All)
		}
	}
}
