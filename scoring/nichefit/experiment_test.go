package nichefit

import (
	"os"
	"strconv"
	"testing"
)

// TestExperiment prints Report for DefaultConfig with the seed in
// NICHE_SEED and the variant in NICHE_VARIANT; it runs only when
// NICHE_EXP is set (a full report takes minutes).
func TestExperiment(t *testing.T) {
	if os.Getenv("NICHE_EXP") == "" {
		t.Skip("set NICHE_EXP=1 to run the niche experiment report")
	}
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
	if err := applyVariant(&cfg, os.Getenv("NICHE_VARIANT")); err != nil {
		t.Fatal(err)
	}
	t.Logf("config %+v", cfg)
	Report(os.Stdout, cs, ts, cfg, true)
}
