package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func scoreLines(t *testing.T, args []string, input string) (int, []map[string]any) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runScore(context.Background(), args, strings.NewReader(input), &out, &errb)
	var lines []map[string]any
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("output line %q is not JSON: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	return code, lines
}

func TestScoreAccountsContract(t *testing.T) {
	input := strings.Join([]string{
		`{"id":"real","handle":"jane_doe","has_avatar":true,"followers":500,"following":300,"posts":120,"bio":"Runner and baker","created_at":"2019-04-01T00:00:00Z"}`,
		`{"id":"fake","handle":"user8375629","has_avatar":false,"followers":3,"following":4100,"posts":0,"bio":""}`,
		`not json`,
		`{"handle":"no id"}`,
		`{"id":"unknown"}`,
		`{"id":"unknown again","followers":null}`,
	}, "\n")
	code, lines := scoreLines(t, []string{"accounts"}, input)
	if code != 1 {
		t.Errorf("exit %d, want 1 because lines failed", code)
	}
	if len(lines) != 6 {
		t.Fatalf("%d output lines for 6 input lines", len(lines))
	}
	wantIDs := []any{"real", "fake", nil, nil, "unknown", "unknown again"}
	for i, l := range lines {
		if l["id"] != wantIDs[i] {
			t.Errorf("line %d id %v, want %v (same order as the input)", i, l["id"], wantIDs[i])
		}
	}
	for _, i := range []int{2, 3} {
		if _, ok := lines[i]["error"]; !ok {
			t.Errorf("line %d: %v, want an error", i, lines[i])
		}
	}
	p := func(i int) float64 { return lines[i]["fake_probability"].(float64) }
	if !(p(1) > 0.9 && p(0) < 0.1) {
		t.Errorf("fake_probability real %.3f, fake %.3f", p(0), p(1))
	}
	// A missing field is unknown, not zero: an account we know nothing
	// about sits between the two, and null equals absent.
	if !(p(4) > p(0) && p(4) < p(1)) || p(4) != p(5) {
		t.Errorf("unknown account %.3f (and with null %.3f), want between %.3f and %.3f", p(4), p(5), p(0), p(1))
	}
	if _, ok := lines[0]["signals"].([]any); !ok {
		t.Errorf("no signals list: %v", lines[0])
	}
}

func TestScoreTextContract(t *testing.T) {
	input := `{"id":1,"text":"Easy vegan recipes: a 20 minute chickpea curry for weeknight dinners"}` + "\n" +
		`{"id":2,"text":"Leg day! Squats, deadlifts and a new PR at the gym"}` + "\n" + `{"id":3,"text":` + "\n" +
		"Had a lovely dinner with friends tonight\n" + `{"id":5,"text":7}` + "\n" + `[1,2]` + "\n" + `"hello"` + "\n"
	code, lines := scoreLines(t, []string{"text"}, input)
	if code != 1 || len(lines) != 7 {
		t.Fatalf("exit %d with %d lines, want 1 and 7", code, len(lines))
	}
	// Bad lines say what is wrong in words, not Go's decoder's.
	for i, want := range map[int]string{
		2: "decoding text: the line ends before its JSON does",
		3: `decoding text: the line is not valid JSON (at byte 1); each line is one JSON object such as {"id":1,"text":"..."}`,
		4: "decoding text: text must be text, not a number",
		5: "decoding text: the line is a list, not a JSON object",
		6: "decoding text: the line is text, not a JSON object",
	} {
		if got, _ := lines[i]["error"].(string); !strings.HasPrefix(got, want) {
			t.Errorf("line %d: error %q, want it to start %q", i, got, want)
		}
	}
	for i, want := range []string{"food", "fitness"} {
		ns, _ := lines[i]["niches"].([]any)
		if len(ns) == 0 || ns[0].(map[string]any)["niche"] != want {
			t.Errorf("line %d niches %v, want %s first", i, ns, want)
		}
	}
	if _, ok := lines[2]["error"]; !ok {
		t.Errorf("malformed line gave %v, want an error", lines[2])
	}
}

func TestScoreProfileContract(t *testing.T) {
	profile := `{"profile":{"ref":{"platform":"bluesky","id":"did:plc:x","handle":"x.bsky.social"},"followers":20000,"following":300,
		"bio":"Strength coach. Home workouts.",
		"posts":[{"id":"1","text":"Leg day workout","likes":600,"replies":20,"reposts":10,"quotes":1,"views":-1,"created_at":"2026-11-01T10:00:00Z"},
		         {"id":"2","text":"Upper body strength session: bench press, rows and pull ups","likes":500,"replies":12,"reposts":4,"quotes":0,"views":-1,"created_at":"2026-10-29T10:00:00Z"}]}}`
	code, lines := scoreLines(t, []string{"profile", "-now", "2026-11-02T00:00:00Z"}, profile)
	if code != 0 || len(lines) != 1 {
		t.Fatalf("exit %d with %d lines", code, len(lines))
	}
	s := lines[0]
	if s["tier"] != "micro" || s["primary_niche"] != "fitness" {
		t.Errorf("tier %v niche %v, want micro fitness", s["tier"], s["primary_niche"])
	}
	details, _ := s["details"].([]any)
	if len(details) < 5 {
		t.Errorf("%d sub-scores with evidence, want the full set", len(details))
	}
	if code, _ := scoreLines(t, []string{"profile"}, `{"profile":`); code == 0 {
		t.Error("a truncated profile exited 0")
	}
	// A stored record keeps only the accounts its evidence names: scoring
	// it again would read those as the whole audience, so it is refused.
	trimmed := `{"profile":{"ref":{"platform":"bluesky","id":"did:plc:x"},"followers":20000,
		"audience":[{"id":"did:plc:f1","handle":"f1.bsky.social","has_avatar":false}],
		"sample":{"posts":2,"threads":0,"replied_posts":0,"comments":0,"followers":100,"counted":99}}}`
	code, lines = scoreLines(t, []string{"profile"}, trimmed)
	if msg, _ := lines[0]["error"].(string); code != 1 || !strings.Contains(msg, "1 of the 100 followers") {
		t.Errorf("a trimmed stored record: exit %d, %v; want 1 and an error saying what it holds", code, lines)
	}
	if code, _ := scoreLines(t, []string{"nonsense"}, ""); code != 2 {
		t.Errorf("unknown subcommand exited %d, want 2", code)
	}
}
