package nichefit

import (
	"fmt"
	"os"
	"testing"

	"github.com/creatorscout/scout/creator"
)

func TestCVX(t *testing.T) {
	if os.Getenv("CVX") == "" {
		t.Skip()
	}
	d := datasets(t)
	cs, _ := LoadInstagram(d)
	ts, _ := LoadXTopic(d)
	cfg := DefaultConfig
	all := Examples(cs, ts, cfg)
	folds := Folds(all, 5, cfg.Seed)
	pred := map[string][]creator.NicheScore{}
	for f := range 5 {
		var train []Example
		for i, e := range all {
			if folds[i] != f {
				train = append(train, e)
			}
		}
		m := FitModel(train, cfg, 3)
		for i, e := range all {
			if folds[i] == f && e.Tweet != nil {
				pred[e.Group] = m.TextNiches(nil, e.Text)
			}
		}
	}
	by := map[string][]Tweet{}
	for _, t := range ts {
		by[t.Lang] = append(by[t.Lang], t)
	}
	for _, l := range []string{"en", "es"} {
		s := scoreTweets(func(t *Tweet) []creator.NicheScore { return pred["xt:"+t.Lang+":"+t.ID] }, by[l])
		fmt.Printf("CVX %s %.3f\n", l, s.MacroF1)
	}
}
