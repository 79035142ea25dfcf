package fetch_test

import (
	"strings"
	"testing"
	"time"

	"github.com/creatorscout/scout/crawler/fetch"
)

type decodeTarget struct {
	Handle    string    `json:"handle"`
	Followers int64     `json:"followersCount"`
	Score     float64   `json:"score"`
	CreatedAt time.Time `json:"createdAt"`
	Posts     []struct {
		Text string `json:"text"`
	} `json:"posts"`
}

// TestDecodeJSONErrorsInWords: a malformed or unexpected answer's error
// says where and what in words, and never names a Go type; a good answer
// decodes with encoding/json's semantics (names ignoring case).
func TestDecodeJSONErrorsInWords(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"handle":"a","followersCount":"12"}`, "at /followersCount: text where a whole number belongs"},
		{`{"handle":"a","followersCount":1.5}`, "at /followersCount: the number 1.5 where a whole number belongs"},
		{`{"posts":[{"text":3}]}`, "at /posts/0/text: a number where text belongs"},
		{`{"posts":{"text":"x"}}`, "at /posts: an object where a list belongs"},
		{`{"score":true}`, "at /score: true or false where a number belongs"},
		{`{"createdAt":5}`, "at /createdAt: a number where text belongs"},
		{`{"createdAt":"yesterday"}`, "at /createdAt: text that is not a valid value"},
		{`[1,2]`, "the answer: a list where an object belongs"},
		{`{"handle":"a",`, "not valid JSON: it ends early, after byte 14"},
		{`<html><body>Bad gateway</body></html>`, "not valid JSON: invalid character '<' at start of value (at byte 0)"},
		{`{"handle":"a"} x`, "not valid JSON"},
		{``, "not valid JSON: it ends early"},
	} {
		var v decodeTarget
		err := fetch.DecodeJSON([]byte(c.in), &v)
		if err == nil {
			t.Errorf("%s: no error", c.in)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s: %q, want it to say %q", c.in, msg, c.want)
		}
		for _, goWord := range []string{"Go ", "int64", "float64", "struct", "time.Time", "fetch_test", "[]"} {
			if strings.Contains(msg, goWord) {
				t.Errorf("%s: %q names Go's %q", c.in, msg, goWord)
			}
		}
	}
	var v decodeTarget
	if err := fetch.DecodeJSON([]byte(`{"Handle":"a","FOLLOWERSCOUNT":12,"createdAt":"2026-11-01T00:00:00Z"}`), &v); err != nil || v.Handle != "a" || v.Followers != 12 || v.CreatedAt.Year() != 2026 {
		t.Errorf("a good answer: %+v, %v", v, err)
	}
}
