package nichefit

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/creatorscout/scout/scoring"
)

// experimentSetup loads the labeled texts and the configuration of the
// experiment tests: DefaultConfig with NICHE_SEED's seed and NICHE_VARIANT's
// variant.
func experimentSetup(t *testing.T) ([]Creator, []Tweet, Config) {
	t.Helper()
	d := datasets(t)
	cs, err := LoadInstagram(d)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := LoadXTopic(d)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig
	if s, err := strconv.ParseUint(os.Getenv("NICHE_SEED"), 10, 64); err == nil {
		cfg.Seed = s
	}
	// A variant may set the scoring package's taxonomy length of
	// reference: put it back after the test.
	ref := scoring.NicheTextRefWords
	t.Cleanup(func() { scoring.NicheTextRefWords = ref })
	if err := applyVariant(&cfg, os.Getenv("NICHE_VARIANT")); err != nil {
		t.Fatal(err)
	}
	return cs, ts, cfg
}

// TestExperiment prints Report for DefaultConfig with the seed in
// NICHE_SEED and the variant in NICHE_VARIANT; it runs only when
// NICHE_EXP is set (a full report takes minutes).
func TestExperiment(t *testing.T) {
	if os.Getenv("NICHE_EXP") == "" {
		t.Skip("set NICHE_EXP=1 to run the niche experiment report")
	}
	cs, ts, cfg := experimentSetup(t)
	t.Logf("config %+v", cfg)
	Report(os.Stdout, cs, ts, cfg, true)
}

// TestFoldDump writes every instagram creator's 5-fold CV prediction
// (fold, category, predicted niche) to NICHE_DUMP, for the variant and
// seed of TestExperiment.
func TestFoldDump(t *testing.T) {
	out := os.Getenv("NICHE_DUMP")
	if out == "" {
		t.Skip("set NICHE_DUMP to a file")
	}
	cs, ts, cfg := experimentSetup(t)
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	CrossPredict(Examples(cs, ts, cfg), cfg, 5, func(k int, m *scoring.NicheModel, e *Example) {
		if e.Creator != nil {
			fmt.Fprintf(f, "%d\t%s\t%s\t%s\n", k, e.Creator.Name, e.Creator.Category, creatorPrediction(m.TextNiches(nil, e.Text)))
		}
	})
}

// TestWriteModel fits the variant of TestExperiment on everything, as
// `make fit-niche` does, and writes it to NICHE_WRITE.
func TestWriteModel(t *testing.T) {
	out := os.Getenv("NICHE_WRITE")
	if out == "" {
		t.Skip("set NICHE_WRITE to a file")
	}
	cs, ts, cfg := experimentSetup(t)
	m := FitModel(Examples(cs, ts, cfg), cfg, 5)
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCVDump writes every example's 5-fold CV relevances (one JSON line:
// group, source, category or topics, fold, feature count, lines and every
// niche's relevance) to NICHE_CVDUMP, for offline calibration studies.
func TestCVDump(t *testing.T) {
	out := os.Getenv("NICHE_CVDUMP")
	if out == "" {
		t.Skip("set NICHE_CVDUMP to a file")
	}
	cs, ts, cfg := experimentSetup(t)
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	CrossPredict(Examples(cs, ts, cfg), cfg, 5, func(k int, m *scoring.NicheModel, e *Example) {
		rel := map[string]float64{}
		for _, n := range m.TextNiches(nil, e.Text) {
			rel[n.Niche] = n.Relevance
		}
		row := map[string]any{"group": e.Group, "source": e.Source, "fold": k, "nfeat": len(e.feats),
			"lines": strings.Count(e.Text, "\n") + 1, "runes": utf8.RuneCountInString(e.Text), "rel": rel}
		if e.Creator != nil {
			row["category"] = e.Creator.Category
			row["posts"] = len(e.Creator.Captions)
		} else {
			row["topics"] = e.Tweet.Topics
			row["split"] = e.Tweet.Split
		}
		if err := enc.Encode(row); err != nil {
			t.Error(err)
		}
	})
}
