package sqlite

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// distinctWordsReference is distinctWords as it was before its fast path:
// the definition the fast one must match.
func distinctWordsReference(text string) string {
	words := splitWords(text)
	seen := make(map[string]struct{}, len(words))
	var b strings.Builder
	for _, w := range words {
		lw := strings.ToLower(w)
		if _, dup := seen[lw]; dup {
			continue
		}
		seen[lw] = struct{}{}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// nastyPieces are the parts random test strings are made of: ASCII of
// every class, case pairs that lower to one another (also across ASCII
// and not: KELVIN SIGN lowers to k), marks, private use, numbers of other
// scripts, separators JSON escapes, and invalid UTF-8.
var nastyPieces = []string{
	"a", "Z", "q", "0", "9", "word", "Word", "WORD", "x7", " ", "  ", "\n", "\t", ".", ",", "-", "_", "'", "#", "@",
	"\"", "\\", "<", ">", "&", "\x00", "\x01", "\b", "\f", "\r", "\x1f", "\x7f",
	"é", "É", "e\u0301", "\u0301", "ß", "ẞ", "İ", "ı", "i", "I", "\u212a", "k", "K", "Σ", "σ", "ς", "Ǆ", "ǅ", "ǆ",
	"\ue000", "\U000f0000", "٣", "²", "Ⅻ", "日本", "😀", "\u00a0", "\u2028", "\u2029", "\ufffd", "\u200b",
	"\xff", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80",
}

func nastyString(r *rand.Rand, maxPieces int) string {
	var b strings.Builder
	for range r.IntN(maxPieces + 1) {
		b.WriteString(nastyPieces[r.IntN(len(nastyPieces))])
	}
	return b.String()
}

func TestDistinctWordsMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := []string{"", " ", "a", "A a", "Kelvin \u212a k K", "İ i I ı", "Σσς ΣΣ σς", "e\u0301 é E\u0301", "\xff\xfe a\xffa", "x" + strings.Repeat(" Yy yY", 50)}
	for range 20000 {
		cases = append(cases, nastyString(r, 40))
	}
	for range 200 { // long, mostly ASCII, many repeats
		var b strings.Builder
		for range 300 {
			if r.IntN(10) == 0 {
				b.WriteString(nastyPieces[r.IntN(len(nastyPieces))])
			} else {
				b.WriteString([]string{"the", "The", "cat", "CAT", "sat", "on", "mat", "42", "x"}[r.IntN(9)])
			}
			b.WriteByte(" \n.,"[r.IntN(4)])
		}
		cases = append(cases, b.String())
	}
	for _, c := range cases {
		if got, want := distinctWords(c), distinctWordsReference(c); got != want {
			t.Fatalf("distinctWords(%q) = %q, want %q", c, got, want)
		}
	}
}

func FuzzDistinctWords(f *testing.F) {
	for _, s := range []string{"", "a A", "\u212a k", "İ i", "e\u0301 é", "\xffa\xff", "x_y-z 42 ٣²"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := distinctWords(s), distinctWordsReference(s); got != want {
			t.Fatalf("distinctWords(%q) = %q, want %q", s, got, want)
		}
	})
}

// filler sets values of any type by reflection, at random; with full, it
// leaves nothing empty. A kind it does not know fails the test, so a new
// kind of field in creator's types gets a look here.
type filler struct {
	t    *testing.T
	r    *rand.Rand
	full bool
}

var (
	timeType  = reflect.TypeFor[time.Time]()
	testZones = []*time.Location{time.UTC, time.FixedZone("", 0), time.FixedZone("NPT", 5*3600+45*60), time.FixedZone("", -(9*3600 + 30*60)), time.FixedZone("X", 23*3600+59*60), time.FixedZone("Y", -23*3600), time.FixedZone("S", 17)}
)

func (f *filler) empty() bool { return !f.full && f.r.IntN(4) == 0 }

func (f *filler) fill(v reflect.Value) {
	r := f.r
	switch v.Kind() {
	case reflect.String:
		if !f.empty() {
			v.SetString(nastyString(r, 8) + "x")
		}
	case reflect.Bool:
		v.SetBool(f.full || r.IntN(2) == 0)
	case reflect.Int, reflect.Int64:
		if !f.empty() {
			n := []int64{1, -1, math.MaxInt64, math.MinInt64, r.Int64(), -r.Int64N(1000), r.Int64N(1e6)}[r.IntN(7)]
			if v.Kind() == reflect.Int {
				n = int64(int(n))
			}
			v.SetInt(n)
		}
	case reflect.Float64:
		if !f.empty() {
			v.SetFloat(f.float())
		}
	case reflect.Pointer:
		if f.full || r.IntN(3) > 0 {
			v.Set(reflect.New(v.Type().Elem()))
			f.fill(v.Elem())
		}
	case reflect.Slice:
		n := r.IntN(4)
		if f.full {
			n++
		}
		if n > 0 || r.IntN(2) == 0 {
			v.Set(reflect.MakeSlice(v.Type(), n, n))
		}
		for i := range n {
			f.fill(v.Index(i))
		}
	case reflect.Struct:
		if v.Type() == timeType {
			if !f.empty() {
				v.Set(reflect.ValueOf(f.time()))
			}
			return
		}
		for i := range v.NumField() {
			f.fill(v.Field(i))
		}
	default:
		f.t.Fatalf("filler does not know %s", v.Type())
	}
}

func (f *filler) float() float64 {
	r := f.r
	switch r.IntN(12) {
	case 0:
		return []float64{math.Copysign(0, -1), 1e-6, 9.999999e-7, 1e21, 9.99999e20, -1e21, 5e-324, math.MaxFloat64, -math.SmallestNonzeroFloat64, 0.1, 1.0 / 3, 100, 1e-7, 123456789012345678}[r.IntN(14)]
	case 1:
		for {
			if x := math.Float64frombits(r.Uint64()); !math.IsNaN(x) && !math.IsInf(x, 0) {
				return x
			}
		}
	case 2:
		return math.Round(r.Float64() * 100)
	}
	return r.NormFloat64() * math.Pow(10, float64(r.IntN(61)-30))
}

func (f *filler) time() time.Time {
	r := f.r
	switch r.IntN(8) {
	case 0:
		return time.Now() // with a monotonic reading
	case 1:
		return time.Date(r.IntN(2), 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int64N(int64(48 * time.Hour))))
	case 2:
		return time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
	}
	t := time.Unix(r.Int64N(253402300799-62135596800)-62135596800+86400, 0)
	if r.IntN(2) == 0 {
		t = t.Add(time.Duration(r.IntN(1e9)))
	} else if r.IntN(2) == 0 {
		t = t.Add(time.Duration(r.IntN(1000)) * time.Millisecond)
	}
	return t.In(testZones[r.IntN(len(testZones))])
}

// testEncoder is reused by every checkEncoding, as prepare reuses its
// encoders, so that what one encoding leaves behind would show in the next.
var testEncoder jsonEncoder

// checkEncoding checks jsonEncoder.encode against json.Marshal: byte for
// byte, and decoded.
func checkEncoding(t *testing.T, rec *creator.Record, snap *creator.Snapshot) {
	t.Helper()
	doc, summary, sn, err := testEncoder.encode(rec, snap)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	sum := index.Summary(rec)
	for _, c := range []struct {
		name string
		got  []byte
		v    any
		into func() any
	}{
		{"record", doc, rec, func() any { return new(creator.Record) }},
		{"summary", summary, &sum, func() any { return new(creator.Record) }},
		{"snapshot", sn, snap, func() any { return new(creator.Snapshot) }},
	} {
		want, err := json.Marshal(c.v)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(c.got, want) {
			t.Fatalf("%s encodes to\n%s\nwant (encoding/json)\n%s", c.name, c.got, want)
		}
		a, b := c.into(), c.into()
		if err := json.Unmarshal(c.got, a); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if err := json.Unmarshal(want, b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s decodes to %+v, want %+v", c.name, a, b)
		}
	}
}

// TestEncodeJSONMatchesEncodingJSON checks the hand-written encoding on
// random records: some with every field set, some sparse, all of nasty
// strings, floats of every form and times in odd zones.
func TestEncodeJSONMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	checkEncoding(t, &creator.Record{}, &creator.Snapshot{})
	for i := range 3000 {
		f := &filler{t: t, r: r, full: i%3 == 0}
		var rec creator.Record
		var snap creator.Snapshot
		f.fill(reflect.ValueOf(&rec).Elem())
		f.fill(reflect.ValueOf(&snap).Elem())
		checkEncoding(t, &rec, &snap)
	}
}

// TestEncodeJSONErrors checks that what json.Marshal cannot encode fails
// with its error.
func TestEncodeJSONErrors(t *testing.T) {
	for name, c := range map[string]struct {
		rec  creator.Record
		snap creator.Snapshot
	}{
		"NaN":           {rec: creator.Record{Scores: creator.Scores{Overall: math.NaN()}}},
		"Inf detail":    {rec: creator.Record{Scores: creator.Scores{Details: []creator.SubScore{{Score: math.Inf(1)}}}}},
		"Inf snapshot":  {snap: creator.Snapshot{AvgEngagement: math.Inf(-1)}},
		"year 10000":    {rec: creator.Record{UpdatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
		"year -1":       {snap: creator.Snapshot{At: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}},
		"zone 24h":      {rec: creator.Record{FirstSeen: time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600))}},
		"post year 1e5": {rec: creator.Record{Profile: creator.Profile{Posts: []creator.Post{{CreatedAt: time.Date(1e5, 1, 1, 0, 0, 0, 0, time.UTC)}}}}},
	} {
		var e jsonEncoder
		_, _, _, err := e.encode(&c.rec, &c.snap)
		var uv *json.UnsupportedValueError
		var me *json.MarshalerError
		if err == nil || !errors.As(err, &uv) && !errors.As(err, &me) {
			t.Errorf("%s: encodeJSON returned %v, want encoding/json's error", name, err)
		}
	}
}

// TestPrepareText checks that prepare stores index.TextOf's words, with
// the posts reduced by the reference distinctWords, and the JSON of the
// record, its summary and snapshot as json.Marshal gives them; one store
// prepares them all, so what one write leaves in the reused memory would
// show in the next.
func TestPrepareText(t *testing.T) {
	s, err := Open(t.TempDir() + "/text.db")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 500 {
		f := &filler{t: t, r: r, full: i%3 == 0}
		var rec creator.Record
		f.fill(reflect.ValueOf(&rec).Elem())
		rec.Key = "k-1"
		// Words repeated across posts, in other cases.
		for j := range rec.Profile.Posts {
			if j > 0 && r.IntN(2) == 0 {
				rec.Profile.Posts[j].Text += " " + strings.ToUpper(rec.Profile.Posts[j-1].Text)
			}
		}
		p, err := s.prepare(index.Write{Record: &rec, Snapshot: creator.Snapshot{At: rec.UpdatedAt}}, false)
		if err != nil {
			t.Fatal(err)
		}
		got, err := unpackText(p.words)
		if err != nil {
			t.Fatal(err)
		}
		name, handle, bio, posts := index.TextOf(&rec)
		if want := [4]string{name, handle, bio, distinctWordsReference(posts)}; got != want {
			t.Fatalf("prepare stores words %q, want %q", got, want)
		}
		// The stored record and the rest are what json.Marshal gives.
		doc, err := unpackDoc(p.stored)
		if err != nil {
			t.Fatal(err)
		}
		sum := index.Summary(&rec)
		for _, c := range []struct {
			name string
			got  []byte
			v    any
		}{{"record", doc, &rec}, {"summary", p.summary, &sum}, {"snapshot", p.snap, creator.Snapshot{At: rec.UpdatedAt}}} {
			want, err := json.Marshal(c.v)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(c.got, want) {
				t.Fatalf("prepare stores %s\n%s\nwant\n%s", c.name, c.got, want)
			}
		}
	}
}

// TestJSONPlain8 checks the word-at-a-time test of 8 bytes against
// jsonSafe byte by byte: every byte value at every position among plain
// ones, and random words.
func TestJSONPlain8(t *testing.T) {
	plain := func(s string) bool {
		for i := range len(s) {
			if s[i] >= utf8.RuneSelf || !jsonSafe[s[i]] {
				return false
			}
		}
		return true
	}
	check := func(b []byte) {
		x := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 | uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if got, want := jsonPlain8(x), plain(string(b)); got != want {
			t.Fatalf("jsonPlain8(%q) = %v, want %v", b, got, want)
		}
	}
	for pos := range 8 {
		for c := range 256 {
			b := []byte("abcdefgh")
			b[pos] = byte(c)
			check(b)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		var b [8]byte
		for i := range b {
			// Mostly bytes near the edges of the classes.
			b[i] = []byte{0, 0x1f, 0x20, 0x21, '"', '\\', '<', '>', '&', 'a', 0x7f, 0x80, 0xff, byte(r.IntN(256))}[r.IntN(14)]
		}
		check(b[:])
	}
}
