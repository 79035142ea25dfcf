package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/creatorscout/scout/scoring/fakefit"
	"github.com/creatorscout/scout/scoring/nichefit"
	"github.com/creatorscout/scout/sim/simeval"
)

// runEval implements `scout eval`: the account model's and the niche
// model's figures on the labeled data (scoring/fakefit, scoring/nichefit),
// the hand-written niche set, then the simulator's (sim/simeval). With
// -fit or -fit-niche it refits a shipped model instead.
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("datasets", "", "labeled data `dir` (default ../shared/datasets beside the repository root)")
	fit := fs.Bool("fit", false, "fit the account model on all labeled account sets and print it as Go source (scoring/accountcoef.go)")
	fitNiche := fs.String("fit-niche", "", "fit the niche model on instagram-influencers and x-topic and write it to `file` (scoring/niche_model.bin.gz ships)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	root := repoRoot()
	if *dir == "" {
		*dir = filepath.Join(root, "..", "shared", "datasets")
	}
	if *fitNiche != "" {
		nc, nt, err := nichefit.FitFile(*dir, *fitNiche)
		if err != nil {
			fmt.Fprintf(stderr, "scout eval: %v (pass -datasets)\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "niche model fitted on %d instagram creators and %d tweets, written to %s\n", nc, nt, *fitNiche)
		return 0
	}
	sets, err := fakefit.LoadAll(*dir)
	switch {
	case err != nil && *fit:
		fmt.Fprintf(stderr, "scout eval: %v (pass -datasets)\n", err)
		return 1
	case *fit:
		if err := fakefit.FitAndWrite(stdout, stderr, sets); err != nil {
			fmt.Fprintf(stderr, "scout eval: %v\n", err)
			return 1
		}
		return 0
	case err != nil:
		fmt.Fprintf(stdout, "account model: skipped, labeled data not readable under %s (%v); pass -datasets\n\n", *dir, err)
	default:
		fakefit.Report(stdout, sets)
	}
	nichefit.ReportDatasets(stdout, *dir)
	status := 0
	for _, step := range []func() error{
		func() error {
			return nichefit.ReportHandWritten(stdout, "scoring/testdata/niches.jsonl", filepath.Join(root, "scoring", "testdata", "niches.jsonl"),
				"  note: our own English set. The niche model never saw it, but the taxonomy it reads was\n"+
					"  extended after a first blind run here (taxonomy alone: 0.668 blind, 0.9 after), so the\n"+
					"  figure above is optimistic.")
		},
		func() error {
			return nichefit.ReportHandWritten(stdout, "scoring/testdata/niches_multilingual.jsonl", filepath.Join(root, "scoring", "testdata", "niches_multilingual.jsonl"),
				"  note: our own set, 12 niches in Spanish, Portuguese, French, German and Italian, one creator\n"+
					"  each (a bio and two posts), written before anything was tuned on it: 0.583 then, on the model\n"+
					"  before SCNM7. Neither the taxonomy nor the model has been fitted or tuned on it since.")
		},
		func() error { return simeval.Niches(ctx, stdout) },
		func() error { return simeval.Growth(ctx, stdout) },
	} {
		if err := step(); err != nil {
			fmt.Fprintf(stderr, "scout eval: %v\n", err)
			status = 1
		}
	}
	return status
}

// repoRoot is the nearest directory upwards holding go.mod, or ".".
func repoRoot() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return "."
		}
	}
}
