package scoring

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/creatorscout/scout/creator"
)

//go:embed taxonomy.txt
var builtinTaxonomy []byte

// BuiltinNiches lists the ids of the built-in taxonomy's niches, in file order.
var BuiltinNiches []string

// defaultTaxonomy is the built-in taxonomy with the disclosure and safety
// lexicons, built once at start-up.
var defaultTaxonomy = func() *Taxonomy {
	t, err := ParseTaxonomy(bytes.NewReader(builtinTaxonomy))
	if err != nil {
		panic("scoring: built-in taxonomy: " + err.Error())
	}
	BuiltinNiches = append([]string(nil), t.niches...)
	return t
}()

// DefaultTaxonomy returns the built-in taxonomy. It is shared and must not
// be modified; use Extend to add custom niches.
func DefaultTaxonomy() *Taxonomy { return defaultTaxonomy }

// Taxonomy is a set of niches, each with weighted terms, compiled into one
// lexicon together with the built-in disclosure and safety cues. A Taxonomy
// is immutable once built and safe for concurrent use.
type Taxonomy struct {
	niches []string
	terms  []termInfo
	lex    map[string]*lexEntry
	fast   *lexTable // lex indexed for the matcher, built by compile
}

type termInfo struct {
	niche  int
	text   string
	weight float64
}

// lexEntry is what one n-gram key (stems joined by spaces) means.
type lexEntry struct {
	terms  []int32 // niche terms this n-gram completes
	flags  cueFlags
	prefix bool // a longer phrase starts with this n-gram
}

// Niches returns the taxonomy's niche ids in order.
func (t *Taxonomy) Niches() []string { return append([]string(nil), t.niches...) }

// Term weights: a strong term counts fully, a weak ("~") term half.
const (
	strongTermWeight = 1.0
	weakTermWeight   = 0.5
)

// ParseTaxonomy reads niches in the taxonomy file format, one niche per
// line as "<id>: term, term, ~weak term, ...", '#' starting a comment line,
// and returns them compiled with the built-in disclosure and safety cues.
// Ids are lower-case letters, digits and '_'. A niche named twice gets the
// union of its terms.
func ParseTaxonomy(r io.Reader) (*Taxonomy, error) {
	t := &Taxonomy{lex: make(map[string]*lexEntry, 2048)}
	if err := t.add(r); err != nil {
		return nil, err
	}
	t.addCues()
	t.compile()
	return t, nil
}

// Extend returns a new taxonomy holding t's niches and those read from r (in
// the ParseTaxonomy format): operators' custom niches. A niche id already in
// t gets the extra terms.
func (t *Taxonomy) Extend(r io.Reader) (*Taxonomy, error) {
	var b bytes.Buffer
	for i, id := range t.niches {
		b.WriteString(id)
		b.WriteString(": ")
		first := true
		for _, ti := range t.terms {
			if ti.niche != i {
				continue
			}
			if !first {
				b.WriteString(", ")
			}
			first = false
			if ti.weight < strongTermWeight {
				b.WriteByte('~')
			}
			b.WriteString(ti.text)
		}
		b.WriteByte('\n')
	}
	n := &Taxonomy{lex: make(map[string]*lexEntry, 2048)}
	if err := n.add(&b); err != nil {
		return nil, err
	}
	if err := n.add(r); err != nil {
		return nil, err
	}
	n.addCues()
	n.compile()
	return n, nil
}

func (t *Taxonomy) add(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	index := make(map[string]int, len(t.niches))
	for i, id := range t.niches {
		index[id] = i
	}
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		id, rest, ok := strings.Cut(s, ":")
		id = strings.TrimSpace(id)
		if !ok || !validNicheID(id) {
			return fmt.Errorf("parsing taxonomy line %d: want \"<id>: term, term\": %w", line, creator.ErrInvalid)
		}
		ni, seen := index[id]
		if !seen {
			ni = len(t.niches)
			t.niches = append(t.niches, id)
			index[id] = ni
		}
		for _, term := range strings.Split(rest, ",") {
			term = strings.TrimSpace(term)
			w := strongTermWeight
			if strings.HasPrefix(term, "~") {
				w = weakTermWeight
				term = strings.TrimSpace(term[1:])
			}
			if term == "" {
				continue
			}
			if bad := badTermRune(term); bad != 0 {
				// Text is matched by its words: a term like "any%" would
				// match every "any".
				return fmt.Errorf("parsing taxonomy line %d: term %q: %q is not matched, only letters, digits, spaces, hyphens, apostrophes and dots are; write the words alone: %w",
					line, term, bad, creator.ErrInvalid)
			}
			t.addTerm(ni, term, w)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading taxonomy: %w", err)
	}
	if len(t.niches) == 0 {
		return fmt.Errorf("parsing taxonomy: no niches: %w", creator.ErrInvalid)
	}
	return nil
}

// badTermRune returns the first rune of term the matcher cannot see (it
// reads words of letters and digits), or 0.
func badTermRune(term string) rune {
	for _, r := range term {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) && !strings.ContainsRune(" -'’.", r) {
			return r
		}
	}
	return 0
}

func validNicheID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// stems returns the stems of the words of s, as the tokenizer makes them.
func stems(s string) []string {
	var out []string
	var tk tokenizer
	tk.each(s, func(tok []byte, kind tokenKind) {
		if kind == tokWord || kind == tokHashPart || kind == tokPercent {
			out = append(out, string(tok))
		}
	})
	return out
}

// compile indexes the finished lexicon for the matcher.
// The map is dropped: a finished Taxonomy reads only the index.
func (t *Taxonomy) compile() {
	t.fast = newLexTable(t.lex)
	t.lex = nil
}

func (t *Taxonomy) entry(key string) *lexEntry {
	e := t.lex[key]
	if e == nil {
		e = &lexEntry{}
		t.lex[key] = e
	}
	return e
}

func (t *Taxonomy) addTerm(niche int, term string, w float64) {
	words := stems(term)
	if len(words) == 0 {
		return
	}
	for _, ti := range t.terms {
		if ti.niche == niche && ti.text == term {
			return
		}
	}
	id := int32(len(t.terms))
	t.terms = append(t.terms, termInfo{niche: niche, text: term, weight: w})
	if len(words) > 3 {
		words = words[:3]
	}
	for i := 1; i < len(words); i++ {
		t.entry(strings.Join(words[:i], " ")).prefix = true
	}
	e := t.entry(strings.Join(words, " "))
	for _, other := range e.terms {
		if t.terms[other].niche == niche {
			// Same stems as a term already in this niche ("dog", "dogs"):
			// keep it for the record but do not count it twice.
			return
		}
	}
	e.terms = append(e.terms, id)
	if len(words) > 1 {
		// The words written together, as in a hashtag: "skin care" -> #skincare.
		var raw []byte
		for _, f := range strings.Fields(term) {
			for _, c := range f {
				if isWordRune(c) {
					raw = appendFolded(raw, c)
				}
			}
		}
		cat := string(stemAppend(nil, raw))
		ce := t.entry(cat)
		ce.terms = append(ce.terms, id)
	}
}

func (t *Taxonomy) addCues() {
	for _, c := range cueLexicon {
		for _, term := range c.terms {
			if strings.HasPrefix(term, "#") {
				// Hashtag-only cue: matched against whole folded hashtags.
				var raw []byte
				for _, r := range term[1:] {
					raw = appendFolded(raw, r)
				}
				t.entry("#" + string(raw)).flags |= c.flag
				continue
			}
			words := stems(term)
			if len(words) == 0 {
				continue
			}
			if len(words) > 3 {
				words = words[:3]
			}
			for i := 1; i < len(words); i++ {
				t.entry(strings.Join(words[:i], " ")).prefix = true
			}
			t.entry(strings.Join(words, " ")).flags |= c.flag
		}
	}
}
