package fakefit

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/creatorscout/scout/scoring"
)

// Report prints the account model's leave-one-data-set-out table for the
// recipe Select picks, the shipped model's in-sample figures, the fake-share
// correction's operating points and the per-platform priors.
func Report(w io.Writer, sets []Set) {
	sel := Select(sets, Grid)
	fmt.Fprintf(w, "Account model (additive logistic model, threshold %.2f): leave one data set out, recipe %s\n",
		scoring.ShippedAccountModel.Threshold, RecipeString(sel.Config))
	WriteTable(w, sets, sel.Folds)
	fmt.Fprintf(w, "  bias shift %+.1f: at threshold 0.5 and base rates of 10%%, 25%% and 50%% fake, no held-out set and field shape\n"+
		"  loses more than %.3f accuracy against the best shift for it\n", sel.Config.Shift, sel.Regret)
	WriteNoCounts(w, sets, sel.Folds)
	WriteTwoPhase(w, sets, sel.Folds)
	fmt.Fprintln(w, "Shipped model (scoring.ShippedAccountModel), fitted on all four sets, so these figures are in-sample:")
	m := scoring.ShippedAccountModel
	WriteInSample(w, &m, sets)
	fmt.Fprintf(w, "Fake-share correction: held-out rates of %s at thresholds", strings.Join(RatesFrom, " and "))
	for _, op := range m.Band {
		fmt.Fprintf(w, " %.1f (sensitivity %.3f, specificity %.3f)", op.Threshold, op.Sensitivity, op.Specificity)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Per-platform priors (judgement; no labeled data of these platforms):")
	var names []string
	for p := range scoring.PlatformPriors {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		pr := scoring.PlatformPriors[p]
		fmt.Fprintf(w, "  %-10s log-odds %+.1f, following signals x%.1f: %s\n", p, pr.Shift, pr.FollowDamp, pr.Why)
	}
	fmt.Fprintf(w, "  other platforms: no adjustment; a self-labeled bot (Bluesky label, Mastodon flag) adds %+.1f everywhere.\n", scoring.SelfLabeledBotLogOdds)
	fmt.Fprintln(w)
}

// FitAndWrite selects the recipe, fits the account model on every set and
// writes it as Go source (scoring/accountcoef.go) to src; the recipes
// tried and the chosen one's held-out table go to log.
func FitAndWrite(src, log io.Writer, sets []Set) error {
	sel := Select(sets, Grid)
	for _, t := range sel.Tried {
		fmt.Fprintf(log, "recipe %s: worst held-out AUC %.3f, accuracy %.3f\n", RecipeString(t.Config), t.WorstAUC, t.WorstAccuracy)
	}
	fmt.Fprintf(log, "chosen: %s (worst accuracy regret %.3f)\n", RecipeString(sel.Config), sel.Regret)
	WriteTable(log, sets, sel.Folds)
	m := FitShipped(sets, sel.Config, sel.Folds)
	return WriteFile(src, &m, sel.Config)
}

// NoCounts is what a Bluesky follower list (getFollowers) tells of an
// account without a getProfiles call: no counts. It is not one of Shapes
// (it does not choose the recipe); WriteNoCounts reports it, because it is
// why the Bluesky source reads nearly every sampled follower's counts.
var NoCounts = Shape{"no counts (a follower list)", FHandle | FName | FBio | FAvatar | FURL | FCreated}

// WriteNoCounts prints each fold's held-out figures with only NoCounts'
// fields known, beside its all-fields figures' sensitivity.
func WriteNoCounts(w io.Writer, sets []Set, folds []Fold) {
	fmt.Fprintln(w, "  Without counts (handle, name, bio, avatar, link, created; what a follower list gives), same held-out models:")
	for h, f := range folds {
		if bitsIn(NoCounts.Fields&sets[h].Fields) < 2 {
			continue
		}
		p, y := Probs(&f.Model, &sets[h], NoCounts.Fields)
		m := Evaluate(p, y, f.Model.Threshold)
		fmt.Fprintf(w, "  %-24s %-33s %5d       %6.3f %6.3f %6.3f %6.3f  (sensitivity with all fields %.3f)\n",
			f.Held, NoCounts.Name, m.N, m.AUC, m.Accuracy, m.Sensitivity, m.Specificity, f.Metrics[0].Sensitivity)
	}
}
