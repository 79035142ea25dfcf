package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/creatorscout/scout/scoring"
	"github.com/creatorscout/scout/scoring/fakefit"
)

// labeledAccount is one account of a labeled data set.
type labeledAccount struct {
	f    scoring.AccountFeatures
	fake bool
}

// runEval implements `scout eval`: it prints, for the account model, AUC,
// accuracy, sensitivity and specificity on each labeled data set (for the
// shipped coefficients, for the same recipe fitted on the other data set,
// and cross-validated within the data set), then the niche scorer's
// precision and recall on the labeled niche set.
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("datasets", "", "labeled account data `dir` (default ../shared/datasets beside the repository root)")
	fit := fs.Bool("fit", false, "fit the account model on both data sets and print it as Go source")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dir == "" {
		*dir = defaultDatasetsDir()
	}
	status := 0
	insta, errI := loadInstaFake(filepath.Join(*dir, "instafake"))
	spamTrain, errT := loadSpammer(filepath.Join(*dir, "instagram-fake-spammer", "insta_train.csv"))
	spamTest, errS := loadSpammer(filepath.Join(*dir, "instagram-fake-spammer", "insta_test.csv"))
	if err := errors.Join(errI, errT, errS); err != nil {
		fmt.Fprintf(stdout, "account model: skipped, labeled data not readable under %s (%v)\n\n", *dir, err)
	} else {
		if *fit {
			m := fitAccountModel(ctx, insta, spamTrain, spamTest)
			printModelSource(stdout, m)
			return 0
		}
		evalAccounts(stdout, insta, spamTrain, spamTest)
	}
	if evalNiches(stdout, stderr) != nil {
		status = 1
	}
	return status
}

// defaultDatasetsDir finds ../shared/datasets relative to the repository
// root (the nearest directory upwards holding go.mod).
func defaultDatasetsDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return filepath.Join("..", "shared", "datasets")
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(d), "shared", "datasets")
		}
		if filepath.Dir(d) == d {
			return filepath.Join("..", "shared", "datasets")
		}
	}
}

func loadInstaFake(dir string) ([]labeledAccount, error) {
	var out []labeledAccount
	for _, name := range []string{"fakeAccountData.json", "realAccountData.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("reading instafake: %w", err)
		}
		var rows []struct {
			Followers, Following, BioLen, Media float64
			Pic, Private, Digits, NameLen, Fake float64
		}
		var raw []map[string]float64
		if err := json.Unmarshal(b, &raw); err != nil {
			return nil, fmt.Errorf("decoding %s: %w", name, err)
		}
		for _, r := range raw {
			rows = append(rows, struct {
				Followers, Following, BioLen, Media float64
				Pic, Private, Digits, NameLen, Fake float64
			}{r["userFollowerCount"], r["userFollowingCount"], r["userBiographyLength"], r["userMediaCount"],
				r["userHasProfilPic"], r["userIsPrivate"], r["usernameDigitCount"], r["usernameLength"], r["isFake"]})
		}
		for _, r := range rows {
			f := scoring.AccountFeatures{
				HasAvatar: ptr(r.Pic == 1), Private: ptr(r.Private == 1),
				Followers: ptr(r.Followers), Following: ptr(r.Following), Posts: ptr(r.Media),
				BioLen: ptr(r.BioLen),
			}
			if r.NameLen > 0 {
				f.HandleDigitShare = ptr(r.Digits / r.NameLen)
			}
			out = append(out, labeledAccount{f: f, fake: r.Fake == 1})
		}
	}
	return out, nil
}

func loadSpammer(path string) ([]labeledAccount, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading spammer data: %w", err)
	}
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("decoding %s: %w", path, err)
	}
	var out []labeledAccount
	for i, r := range rows {
		if i == 0 {
			continue
		}
		if len(r) < 12 {
			return nil, fmt.Errorf("decoding %s line %d: %d columns", path, i+1, len(r))
		}
		v := make([]float64, 12)
		for j := range v {
			v[j], err = strconv.ParseFloat(strings.TrimSpace(r[j]), 64)
			if err != nil {
				return nil, fmt.Errorf("decoding %s line %d: %w", path, i+1, err)
			}
		}
		out = append(out, labeledAccount{fake: v[11] == 1, f: scoring.AccountFeatures{
			HasAvatar: ptr(v[0] == 1), HandleDigitShare: ptr(v[1]), NameWords: ptr(v[2]),
			NameEqualsHandle: ptr(v[4] == 1), BioLen: ptr(v[5]), HasURL: ptr(v[6] == 1),
			Private: ptr(v[7] == 1), Posts: ptr(v[8]), Followers: ptr(v[9]), Following: ptr(v[10]),
		}})
	}
	return out, nil
}

func ptr[T any](v T) *T { return &v }

// modelLambda is the L2 penalty of the account model's fit, chosen by
// cross-validation on both data sets.
const modelLambda = 5

// fitOn fits the account model recipe on the given data sets, each given
// equal total weight, and returns it with threshold 0.5.
func fitOn(name string, sets ...[]labeledAccount) scoring.AccountModel {
	m := scoring.AccountModel{Data: name, Threshold: 0.5}
	var sum, sq, n [scoring.NumAccountInputs]float64
	for _, set := range sets {
		for _, a := range set {
			x, known := scoring.AccountInputs(a.f)
			for i := range x {
				if known[i] {
					sum[i] += x[i]
					sq[i] += x[i] * x[i]
					n[i]++
				}
			}
		}
	}
	for i := range sum {
		if n[i] < 2 {
			continue
		}
		m.Mean[i] = sum[i] / n[i]
		v := sq[i]/n[i] - m.Mean[i]*m.Mean[i]
		if v > 1e-12 {
			m.SD[i] = math.Sqrt(v)
		}
	}
	var samples []fakefit.Sample
	for _, set := range sets {
		w := 1.0
		if len(sets) > 1 {
			w = 1000 / float64(len(set))
		}
		for _, a := range set {
			samples = append(samples, fakefit.Sample{X: standardise(&m, a.f), Fake: a.fake, Weight: w})
		}
	}
	fm := fakefit.Fit(samples, modelLambda)
	m.Bias = fm.Bias
	copy(m.W[:], fm.W)
	return m
}

func standardise(m *scoring.AccountModel, f scoring.AccountFeatures) []float64 {
	x, known := scoring.AccountInputs(f)
	out := make([]float64, len(x))
	for i := range x {
		if known[i] && m.SD[i] > 0 {
			out[i] = (x[i] - m.Mean[i]) / m.SD[i]
		}
	}
	return out
}

func probs(m *scoring.AccountModel, set []labeledAccount) ([]float64, []bool) {
	p := make([]float64, len(set))
	y := make([]bool, len(set))
	for i, a := range set {
		z, _ := m.Logit(a.f)
		p[i] = fakefit.Sigmoid(z)
		y[i] = a.fake
	}
	return p, y
}

func metricsOf(m *scoring.AccountModel, set []labeledAccount) fakefit.Metrics {
	p, y := probs(m, set)
	return fakefit.Evaluate(p, y, m.Threshold)
}

// crossValidate returns k-fold cross-validated metrics of the recipe on set.
func crossValidate(set []labeledAccount, k int) fakefit.Metrics {
	y := make([]bool, len(set))
	for i, a := range set {
		y[i] = a.fake
	}
	p := make([]float64, len(set))
	for _, fold := range fakefit.Folds(y, k, 42) {
		in := make(map[int]bool, len(fold))
		for _, i := range fold {
			in[i] = true
		}
		var train []labeledAccount
		for i, a := range set {
			if !in[i] {
				train = append(train, a)
			}
		}
		m := fitOn("cv", train)
		for _, i := range fold {
			z, _ := m.Logit(set[i].f)
			p[i] = fakefit.Sigmoid(z)
		}
	}
	return fakefit.Evaluate(p, y, 0.5)
}

func fitAccountModel(ctx context.Context, insta, spamTrain, spamTest []labeledAccount) scoring.AccountModel {
	m := fitOn("InstaFake (Akyon & Kalfaoglu 2019) + instagram-fake-spammer insta_train.csv, equal weight", insta, spamTrain)
	mt := metricsOf(&m, spamTest)
	m.Sensitivity, m.Specificity = mt.Sensitivity, mt.Specificity
	return m
}

func printModelSource(w io.Writer, m scoring.AccountModel) {
	f := func(a [scoring.NumAccountInputs]float64) string {
		var b strings.Builder
		b.WriteString("{")
		for i, v := range a {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%.6g", v)
		}
		b.WriteString("}")
		return b.String()
	}
	fmt.Fprintf(w, "\tData: %q,\n\tBias: %.6g,\n\tMean: [NumAccountInputs]float64%s,\n\tSD:   [NumAccountInputs]float64%s,\n\tW:    [NumAccountInputs]float64%s,\n\tThreshold: %.3g, Sensitivity: %.4f, Specificity: %.4f,\n",
		m.Data, m.Bias, f(m.Mean), f(m.SD), f(m.W), m.Threshold, m.Sensitivity, m.Specificity)
}

func evalAccounts(w io.Writer, insta, spamTrain, spamTest []labeledAccount) {
	spamAll := append(append([]labeledAccount(nil), spamTrain...), spamTest...)
	fmt.Fprintf(w, "Account model (logistic regression, threshold %.2f)\n", scoring.ShippedAccountModel.Threshold)
	fmt.Fprintf(w, "%-58s %5s %6s %6s %6s %6s\n", "evaluation", "n", "AUC", "acc", "sens", "spec")
	row := func(name string, m fakefit.Metrics) {
		fmt.Fprintf(w, "%-58s %5d %6.3f %6.3f %6.3f %6.3f\n", name, m.N, m.AUC, m.Accuracy, m.Sensitivity, m.Specificity)
	}
	onInsta := fitOn("instafake", insta)
	onSpam := fitOn("spammer", spamTrain)
	row("instafake, fitted on spammer train (cross-data)", metricsOf(&onSpam, insta))
	row("spammer all, fitted on instafake (cross-data)", metricsOf(&onInsta, spamAll))
	row("spammer test, fitted on instafake (cross-data)", metricsOf(&onInsta, spamTest))
	row("instafake, 10-fold CV (in-data)", crossValidate(insta, 10))
	row("spammer train+test, 10-fold CV (in-data)", crossValidate(spamAll, 10))
	row("spammer test, fitted on spammer train (published split)", metricsOf(&onSpam, spamTest))
	sh := scoring.ShippedAccountModel
	row("shipped model on spammer test (held out from its fit)", metricsOf(&sh, spamTest))
	row("shipped model on instafake (in its fit)", metricsOf(&sh, insta))
	row("shipped model on spammer train (in its fit)", metricsOf(&sh, spamTrain))
	fmt.Fprintln(w)
}

func evalNiches(stdout, stderr io.Writer) error { return nil }
