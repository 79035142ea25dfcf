package nichefit

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/scoring"
)

// FitFile fits the shipped niche model on the labeled texts under dir
// (instagram-influencers and x-topic) and writes it to out, the file
// scoring embeds. It returns how many creators and tweets it learned from.
func FitFile(dir, out string) (creators, tweets int, err error) {
	cs, err := LoadInstagram(dir)
	if err != nil {
		return 0, 0, err
	}
	ts, err := LoadXTopic(dir)
	if err != nil {
		return 0, 0, err
	}
	m := FitModel(Examples(cs, ts, DefaultConfig), DefaultConfig, 5)
	f, err := os.Create(out)
	if err != nil {
		return 0, 0, fmt.Errorf("writing niche model: %w", err)
	}
	if _, err := m.WriteTo(f); err != nil {
		f.Close()
		return 0, 0, fmt.Errorf("writing niche model %s: %w", out, err)
	}
	if err := f.Close(); err != nil {
		return 0, 0, fmt.Errorf("writing niche model: %w", err)
	}
	return len(cs), len(ts), nil
}

// ReportDatasets prints the niche model's figures on the labeled texts
// under dir that the fit never saw, then the shipped model's (in-sample).
// Without the data it says so and prints nothing else.
func ReportDatasets(w io.Writer, dir string) {
	cs, errC := LoadInstagram(dir)
	ts, errT := LoadXTopic(dir)
	if err := cmp.Or(errC, errT); err != nil {
		fmt.Fprintf(w, "niche model: skipped, labeled texts not readable under %s (%v); pass -datasets\n\n", dir, err)
		return
	}
	Report(w, cs, ts, DefaultConfig, true)
}

// handCase is one creator of the hand-written niche set.
type handCase struct {
	Niche string   `json:"niche"`
	Lang  string   `json:"lang"` // "" for English
	Bio   string   `json:"bio"`
	Posts []string `json:"posts"`
}

// ReportHandWritten scores the hand-written labeled set at path (one JSON
// object per line: niche, bio, posts) with scoring.Score and prints the
// primary niche's accuracy under the set's name. A missing file is reported and skipped; a
// malformed line is an error naming it.
func ReportHandWritten(w io.Writer, name, path, note string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(w, "niche scorer: skipped, labeled set not readable (%v)\n", err)
		return nil
	}
	var truth, pred []string
	type tally struct{ n, right int }
	byLang := map[string]*tally{}
	var langs []string
	for i, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var c handCase
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return fmt.Errorf("reading %s line %d: %w", path, i+1, err)
		}
		p := creator.Profile{Bio: c.Bio, Followers: 1000}
		for j, t := range c.Posts {
			p.Posts = append(p.Posts, creator.Post{ID: strconv.Itoa(j), Text: t, Views: -1})
		}
		s := scoring.Score(&p, nil, scoring.Options{Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
		truth = append(truth, c.Niche)
		pred = append(pred, s.PrimaryNiche)
		if c.Lang != "" {
			t := byLang[c.Lang]
			if t == nil {
				t = &tally{}
				byLang[c.Lang] = t
				langs = append(langs, c.Lang)
			}
			t.n++
			if s.PrimaryNiche == c.Niche {
				t.right++
			}
		}
	}
	PrintPrimaryTable(w, "hand-written set "+name, truth, pred, false)
	if len(langs) > 0 {
		fmt.Fprint(w, "  primary niche right, by language:")
		for _, l := range langs {
			fmt.Fprintf(w, " %s %d/%d", l, byLang[l].right, byLang[l].n)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, note)
	fmt.Fprintln(w)
	return nil
}

// PrintPrimaryTable prints the accuracy of predicted primary niches pred
// against truth, macro precision and recall over truth's niches, how many
// got no niche, and with perNiche each niche's precision and recall.
func PrintPrimaryTable(w io.Writer, name string, truth, pred []string, perNiche bool) {
	labels := map[string]bool{}
	for _, t := range truth {
		labels[t] = true
	}
	var ids []string
	for l := range labels {
		ids = append(ids, l)
	}
	sort.Strings(ids)
	correct, none := 0, 0
	for i := range truth {
		if truth[i] == pred[i] {
			correct++
		}
		if pred[i] == "" {
			none++
		}
	}
	fmt.Fprintf(w, "Niche scorer (primary niche), %s: %d creators, %d niches\n", name, len(truth), len(ids))
	var sp, sr float64
	for _, l := range ids {
		tp, fp, fn := Confusion(truth, pred, l)
		p, r := 0.0, 0.0
		if tp+fp > 0 {
			p = tp / (tp + fp)
		}
		if tp+fn > 0 {
			r = tp / (tp + fn)
		}
		sp += p
		sr += r
		if perNiche {
			fmt.Fprintf(w, "  %-16s precision %.2f recall %.2f\n", l, p, r)
		}
	}
	n := math.Max(1, float64(len(ids)))
	fmt.Fprintf(w, "  accuracy %.3f  macro precision %.3f  macro recall %.3f  no niche found %d\n",
		float64(correct)/math.Max(1, float64(len(truth))), sp/n, sr/n, none)
}
