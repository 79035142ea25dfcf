package main

import (
	"strings"
	"testing"
)

func TestScoreAccountsPlatformAndBot(t *testing.T) {
	// The same mass-following newcomer on Instagram, on Bluesky (starter
	// packs make mass-following normal) and with its platform guessed from
	// a Bluesky handle; then a self-labeled bot and a bad platform type.
	newcomer := `"has_avatar":true,"followers":40,"following":2500,"posts":30,"bio":"new here"`
	input := strings.Join([]string{
		`{"id":"ig","handle":"sam",` + newcomer + `,"platform":"instagram"}`,
		`{"id":"bsky","handle":"sam",` + newcomer + `,"platform":"Bluesky"}`,
		`{"id":"guessed","handle":"sam.bsky.social",` + newcomer + `}`,
		`{"id":"bot","handle":"sam",` + newcomer + `,"platform":"mastodon","bot":true}`,
		`{"id":"bad","platform":7}`,
	}, "\n")
	code, lines := scoreLines(t, []string{"accounts"}, input)
	if code != 1 || len(lines) != 5 {
		t.Fatalf("exit %d with %d lines, want 1 and 5", code, len(lines))
	}
	p := func(i int) float64 { return lines[i]["fake_probability"].(float64) }
	if p(1) >= p(0) {
		t.Errorf("P(fake) on Bluesky %.3f, want below Instagram's %.3f", p(1), p(0))
	}
	if p(2) != p(1) {
		t.Errorf("P(fake) with the platform guessed from the handle %.3f, want Bluesky's %.3f", p(2), p(1))
	}
	if lines[3]["fake"] != true {
		t.Errorf("self-labeled bot: %v, want flagged", lines[3])
	}
	if msg, _ := lines[4]["error"].(string); !strings.Contains(msg, "platform") {
		t.Errorf("bad platform: %v, want an error naming the field", lines[4])
	}
}

func TestScoreAccountsBadInput(t *testing.T) {
	tests := []struct {
		line, want string
	}{
		{`{"id":"a","platform":7}`, "decoding account: platform must be text, not a number"},
		{`{"id":"b","followers":"many"}`, "decoding account: followers must be a number, not text"},
		{`{"id":"c","has_avatar":[1]}`, "decoding account: has_avatar must be true or false, not a list"},
		{`{"id":"d","created_at":"yesterday"}`, `decoding account: created_at "yesterday" is not an RFC 3339 time such as 2024-05-01T12:00:00Z`},
		{`not json`, "decoding account: the line is not valid JSON (at byte 2)"},
		{`[1,2]`, "decoding account: the line is a list, not a JSON object"},
		{`{"id":"e"`, "decoding account: the line ends before its JSON does"},
		{`{"id":"f","followers":-1}`, "decoding account: followers out of range"},
	}
	for _, tt := range tests {
		code, lines := scoreLines(t, []string{"accounts"}, tt.line+"\n"+`{"id":"ok","followers":5}`)
		if code != 1 || len(lines) != 2 {
			t.Fatalf("%s: exit %d with %d lines, want 1 and 2 (the good line kept)", tt.line, code, len(lines))
		}
		if got, _ := lines[0]["error"].(string); got != tt.want {
			t.Errorf("%s: error %q, want %q", tt.line, got, tt.want)
		}
		if _, ok := lines[1]["fake_probability"]; !ok {
			t.Errorf("%s: the next line was not scored: %v", tt.line, lines[1])
		}
	}
}
