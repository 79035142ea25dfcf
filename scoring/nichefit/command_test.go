package nichefit

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportHandWritten(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jsonl")
	os.WriteFile(good, []byte(`{"niche":"food","bio":"recipes and home cooking","posts":["my sourdough bread recipe","vegan pasta dinner tonight"]}
{"niche":"gaming","bio":"streamer","posts":["ranked grind in valorant tonight on twitch","new speedrun personal best in elden ring"]}
`), 0o644)
	var out bytes.Buffer
	if err := ReportHandWritten(&out, "set", good, "note"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "set: 2 creators, 2 niches") || !strings.Contains(out.String(), "accuracy 1.000") {
		t.Errorf("report:\n%s\nwant 2 creators, both right", out.String())
	}
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte("{\"niche\":\"food\"}\n{not json\n"), 0o644)
	err := ReportHandWritten(&bytes.Buffer{}, "set", bad, "note")
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("malformed line: error %v, want one naming line 2", err)
	}
	out.Reset()
	if err := ReportHandWritten(&out, "set", filepath.Join(dir, "missing.jsonl"), "note"); err != nil || !strings.Contains(out.String(), "skipped") {
		t.Errorf("missing file: error %v, output %q; want it skipped, saying so", err, out.String())
	}
}
