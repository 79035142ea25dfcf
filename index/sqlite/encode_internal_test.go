package sqlite

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/memsearch"
	"golang.org/x/text/unicode/norm"
)

// foldedWordsReference is the posts' words as prepare must store them:
// split by the Unicode tables (splitWords), folded (lower case, no marks),
// each once, in order of first appearance.
func foldedWordsReference(text string) string {
	seen := map[string]bool{}
	var out []string
	for _, w := range splitWords(text) {
		var f []rune
		for _, r := range norm.NFD.String(w) {
			if !unicode.Is(unicode.Mn, r) {
				f = append(f, unicode.ToLower(r))
			}
		}
		if w := string(f); w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
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

// TestPrepareText checks that prepare stores index.TextOf's words, with
// the posts reduced to their distinct folded words, and the JSON of the
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
		if want := (memsearch.Text{Name: name, Handle: handle, Bio: bio, Posts: foldedWordsReference(posts)}); got != want {
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
