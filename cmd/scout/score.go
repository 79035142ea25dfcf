package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/scoring"
)

const scoreUsage = `usage: scout score <accounts|text|profile> [flags] < input

  accounts  JSON Lines of accounts in, one {"id","fake_probability","fake","signals"} line out per line;
            fields: id, handle, display_name, bio, has_avatar, private, verified, has_url,
            followers, following, posts, created_at, bot, platform (a missing one is unknown)
  text      JSON Lines of {"id","text"} in, one {"id","niches":[{"niche","relevance"}]} line out per line
  profile   one creator record (JSON) in, its full scores with evidence out

A malformed line gets {"id":...,"error":...} and the rest carry on; the exit
status is 1 when any line failed, 2 on bad usage.`

// runScore implements `scout score accounts|text|profile`.
func runScore(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, scoreUsage)
		return 2
	}
	sub := args[0]
	fs := flag.NewFlagSet("score "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	nichesFile := fs.String("niches", "", "custom niches `file` (taxonomy format: \"<id>: term, term\" per line), added to the built-in taxonomy")
	nowFlag := fs.String("now", "", "score as of this RFC 3339 `time` instead of the current time")
	rawOnly := fs.Bool("raw-only", false, "profile: compute raw figures only (for sources whose terms forbid derived metrics)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	now := time.Now()
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			fmt.Fprintf(stderr, "scout score: parsing -now: %v\n", err)
			return 2
		}
		now = t
	}
	tax := scoring.DefaultTaxonomy()
	if *nichesFile != "" {
		f, err := os.Open(*nichesFile)
		if err != nil {
			fmt.Fprintf(stderr, "scout score: reading niches: %v\n", err)
			return 2
		}
		tax, err = tax.Extend(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "scout score: %v\n", err)
			return 2
		}
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	switch sub {
	case "accounts":
		return eachLine(ctx, stdin, w, stderr, func(line []byte) (json.RawMessage, any, error) {
			return scoreAccountLine(line, now)
		})
	case "text":
		return eachLine(ctx, stdin, w, stderr, func(line []byte) (json.RawMessage, any, error) {
			return scoreTextLine(line, tax)
		})
	case "profile":
		return scoreProfile(stdin, w, stderr, scoring.Options{Now: now, Taxonomy: tax, RawOnly: *rawOnly})
	}
	fmt.Fprintf(stderr, "scout score: unknown subcommand %q\n%s\n", sub, scoreUsage)
	return 2
}

// maxLine is the longest input line accepted.
const maxLine = 16 << 20

// eachLine runs fn on every non-blank line of in and writes its result, or
// an error line, as one JSON line each, in order.
func eachLine(ctx context.Context, in io.Reader, w *bufio.Writer, stderr io.Writer, fn func([]byte) (json.RawMessage, any, error)) int {
	br := bufio.NewReaderSize(in, 64*1024)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	failed := false
	lineNo := 0
	for {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "scout score: %v\n", ctx.Err())
			return 1
		}
		line, err := readLine(br)
		if len(line) > 0 || err == nil {
			lineNo++
			if len(bytes.TrimSpace(line)) == 0 {
				if err != nil {
					break
				}
				continue
			}
			id, out, ferr := fn(line)
			if ferr != nil {
				failed = true
				out = errorLine{ID: id, Error: ferr.Error()}
			}
			if eerr := enc.Encode(out); eerr != nil {
				fmt.Fprintf(stderr, "scout score: writing line %d: %v\n", lineNo, eerr)
				return 1
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				fmt.Fprintf(stderr, "scout score: reading input: %v\n", err)
				return 1
			}
			break
		}
	}
	if failed {
		return 1
	}
	return 0
}

// readLine reads one line without its newline; a line over maxLine is
// consumed and returned truncated (it will fail to decode).
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if len(buf)+len(chunk) <= maxLine {
			buf = append(buf, chunk...)
		}
		if err != nil {
			return buf, err
		}
		if !isPrefix {
			return buf, nil
		}
	}
}

type errorLine struct {
	ID    json.RawMessage `json:"id"`
	Error string          `json:"error"`
}

// idOf extracts "id" from a line that may not decode as a whole, so output
// and error lines echo it exactly as given (a string, or a number); null
// when there is none.
func idOf(line []byte) json.RawMessage {
	var v struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(line, &v) != nil || len(v.ID) == 0 {
		return json.RawMessage("null")
	}
	return v.ID
}

// idString is the id as a plain string: a JSON string's content, or the
// literal of a number.
func idString(id json.RawMessage) string {
	var s string
	if json.Unmarshal(id, &s) == nil {
		return s
	}
	if string(id) == "null" {
		return ""
	}
	return string(id)
}

// accountLine is one input line of `scout score accounts`: every field but
// id optional, a missing one meaning unknown.
type accountLine struct {
	ID          json.RawMessage `json:"id"`
	Handle      *string         `json:"handle"`
	DisplayName *string         `json:"display_name"`
	Bio         *string         `json:"bio"`
	HasAvatar   *bool           `json:"has_avatar"`
	Private     *bool           `json:"private"`
	Verified    *bool           `json:"verified"`
	HasURL      *bool           `json:"has_url"`
	Followers   *float64        `json:"followers"`
	Following   *float64        `json:"following"`
	Posts       *float64        `json:"posts"`
	CreatedAt   *string         `json:"created_at"`
	// Bot is the platform's own bot flag (Bluesky's "bot" self-label,
	// Mastodon's bot field).
	Bot *bool `json:"bot"`
	// Platform is the account's platform (bluesky, mastodon, instagram,
	// ...); missing, it is guessed from the handle's shape.
	Platform *string `json:"platform"`
}

type accountOut struct {
	ID              json.RawMessage         `json:"id"`
	FakeProbability float64                 `json:"fake_probability"`
	Fake            bool                    `json:"fake"`
	Signals         []scoring.AccountSignal `json:"signals"`
}

func scoreAccountLine(line []byte, now time.Time) (json.RawMessage, any, error) {
	id := idOf(line)
	var in accountLine
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&in); err != nil {
		return id, nil, fmt.Errorf("decoding account: %s", jsonProblem(err))
	}
	if idString(id) == "" {
		return id, nil, errors.New("decoding account: missing id")
	}
	a := creator.Account{ID: idString(id), DisplayName: in.DisplayName, Bio: in.Bio, HasAvatar: in.HasAvatar,
		Private: in.Private, Verified: in.Verified, HasURL: in.HasURL, Bot: in.Bot}
	if in.Handle != nil {
		a.Handle = *in.Handle
	}
	count := func(name string, v *float64) (*int64, error) {
		if v == nil {
			return nil, nil
		}
		if *v < 0 || *v > 9e18 || *v != *v {
			return nil, fmt.Errorf("decoding account: %s out of range", name)
		}
		n := int64(*v)
		return &n, nil
	}
	var err error
	if a.Followers, err = count("followers", in.Followers); err != nil {
		return id, nil, err
	}
	if a.Following, err = count("following", in.Following); err != nil {
		return id, nil, err
	}
	if a.Posts, err = count("posts", in.Posts); err != nil {
		return id, nil, err
	}
	if in.CreatedAt != nil {
		t, err := time.Parse(time.RFC3339, *in.CreatedAt)
		if err != nil {
			return id, nil, fmt.Errorf("decoding account: created_at %q is not an RFC 3339 time such as 2024-05-01T12:00:00Z", *in.CreatedAt)
		}
		a.CreatedAt = &t
	}
	platform := scoring.PlatformOfHandle(a.Handle)
	if in.Platform != nil {
		platform = strings.ToLower(strings.TrimSpace(*in.Platform))
	}
	r := scoring.ScoreAccountOn(&a, platform, now)
	return id, accountOut{ID: id, FakeProbability: r.FakeProbability, Fake: r.Fake, Signals: r.Signals}, nil
}

// jsonProblem says what is wrong with a JSON line in words for the user:
// which field has the wrong kind of value, or where the line stops being
// JSON.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te) && te.Field != "":
		want := "a different kind of value"
		switch te.Type.Kind() {
		case reflect.String:
			want = "text"
		case reflect.Bool:
			want = "true or false"
		case reflect.Float64, reflect.Float32, reflect.Int, reflect.Int64:
			want = "a number"
		}
		got := map[string]string{"string": "text", "bool": "true or false", "array": "a list", "object": "an object"}[te.Value]
		if got == "" {
			got = "a " + te.Value
		}
		return te.Field + " must be " + want + ", not " + got
	case errors.As(err, &te):
		got := map[string]string{"string": "text", "bool": "true or false", "array": "a list", "number": "a number"}[te.Value]
		if got == "" {
			got = "a " + te.Value
		}
		return "the line is " + got + ", not a JSON object"
	case errors.As(err, &se) && strings.HasPrefix(se.Error(), "unexpected end of JSON"):
		return "the line ends before its JSON does"
	case errors.As(err, &se):
		return fmt.Sprintf("the line is not valid JSON (at byte %d)", se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the line ends before its JSON does"
	}
	return err.Error()
}

type textOut struct {
	ID     json.RawMessage `json:"id"`
	Niches []nicheOutRel   `json:"niches"`
}

type nicheOutRel struct {
	Niche     string   `json:"niche"`
	Relevance float64  `json:"relevance"`
	Terms     []string `json:"terms,omitempty"`
}

func scoreTextLine(line []byte, tax *scoring.Taxonomy) (json.RawMessage, any, error) {
	id := idOf(line)
	var in struct {
		ID   *json.RawMessage `json:"id"`
		Text *string          `json:"text"`
	}
	if err := json.Unmarshal(line, &in); err != nil {
		return id, nil, fmt.Errorf(`decoding text: %s; each line is one JSON object such as {"id":1,"text":"..."}`, jsonProblem(err))
	}
	if in.ID == nil || string(*in.ID) == "null" {
		return id, nil, errors.New("decoding text: missing id")
	}
	if in.Text == nil {
		return id, nil, errors.New("decoding text: missing text")
	}
	out := textOut{ID: id, Niches: []nicheOutRel{}}
	for _, n := range scoring.TextNiches(tax, *in.Text) {
		out.Niches = append(out.Niches, nicheOutRel{Niche: n.Niche, Relevance: n.Relevance, Terms: n.Terms})
	}
	return id, out, nil
}

// profileInput is the record `scout score profile` reads: a creator.Record
// or a bare creator.Profile, with an optional snapshot history.
type profileInput struct {
	creator.Profile
	Record  *creator.Record    `json:"-"`
	History []creator.Snapshot `json:"history"`
}

// profileOutput is what `scout score profile` writes: the Scores object's
// fields at the top level, with the creator's id and the snapshot this crawl
// would append to its history.
type profileOutput struct {
	ID string `json:"id,omitempty"`
	creator.Scores
	Snapshot creator.Snapshot `json:"snapshot"`
}

func scoreProfile(in io.Reader, w *bufio.Writer, stderr io.Writer, o scoring.Options) int {
	b, err := io.ReadAll(io.LimitReader(in, 256<<20))
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	fail := func(id json.RawMessage, err error) int {
		enc.Encode(errorLine{ID: id, Error: err.Error()})
		return 1
	}
	if err != nil {
		return fail(json.RawMessage("null"), fmt.Errorf("reading profile: %w", err))
	}
	// Accept {"profile": {...}, "history": [...]} (a Record plus history)
	// or a bare profile with "history" beside its fields.
	var wrapped struct {
		Profile *creator.Profile   `json:"profile"`
		History []creator.Snapshot `json:"history"`
	}
	if err := json.Unmarshal(b, &wrapped); err != nil {
		return fail(idOf(b), fmt.Errorf("decoding profile: %w", err))
	}
	var p creator.Profile
	history := wrapped.History
	if wrapped.Profile != nil {
		p = *wrapped.Profile
	} else {
		var bare profileInput
		if err := json.Unmarshal(b, &bare); err != nil {
			return fail(idOf(b), fmt.Errorf("decoding profile: %w", err))
		}
		p, history = bare.Profile, bare.History
	}
	if p.Trimmed() {
		return fail(idOf(b), fmt.Errorf("this profile holds %d of the %d followers and %d of the %d replies its crawl read: a stored record keeps only the accounts and comments its evidence names, so its audience and comment scores cannot be computed again from it; score a profile as its source returns it, or read the record's own scores", len(p.Audience), p.Sample.Followers, len(p.Comments), p.Sample.Comments))
	}
	s := scoring.Score(&p, history, o)
	out := profileOutput{ID: p.Ref.ID, Scores: s, Snapshot: scoring.Snapshot(&p, s)}
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(stderr, "scout score: writing scores: %v\n", err)
		return 1
	}
	return 0
}
