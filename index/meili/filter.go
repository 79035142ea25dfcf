package meili

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// maxFacetBytes is the longest string Meilisearch keeps whole in a
// filterable or sortable attribute (its MAX_FACET_VALUE_LENGTH, 500 - 32
// bytes).
//
// It decides how the store's own strings (creator keys, job ids, watchlist
// ids, ...; not the keyword fields of creators, see creatorExpr) are
// stored in filterable and sortable attributes. Meilisearch normalises a
// facet string (trims it, lower-cases it, decomposes Unicode) and
// truncates it to maxFacetBytes before it compares or sorts it, but
// compares a filter's value untruncated: "US" would equal "us", keys
// would sort case-insensitively, and a value longer than maxFacetBytes
// would never equal anything. So equality-only values are stored with
// fkey and sort keys with keySort or sortEnc: forms that normalisation
// leaves unchanged, that fit in maxFacetBytes and hold no filter syntax.
const maxFacetBytes = 468

// fkey is the stored form of a value that is only compared for equality:
// enc(v), lower-case hex, when that fits in maxFacetBytes (values of up
// to 234 bytes), else "h" and the hex SHA-256 of v (65 bytes). 'h' is not
// a hex digit and a hash form has odd length, so the two forms never
// meet: fkey is injective but for SHA-256 collisions.
func fkey(v string) string {
	if 2*len(v) <= maxFacetBytes {
		return enc(v)
	}
	sum := sha256.Sum256([]byte(v))
	return "h" + hex.EncodeToString(sum[:])
}

// enc is lower-case hex of s's bytes.
func enc(s string) string { return hex.EncodeToString([]byte(s)) }

// sortDigits are 64 printable ASCII characters in increasing byte order,
// none of them upper case, a space, '"' or '\', so that Meilisearch's
// normalisation leaves them as they are and quote never escapes them.
// '!' sorts before all of them.
const sortDigits = "#$%&'()*+,-./0123456789:;<=>?@[]^_`abcdefghijklmnopqrstuvwxyz{|}"

// keyDigits are the 64 characters a creator key may hold
// (creator.ValidKey), in increasing byte order.
const keyDigits = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

// keyToSort maps each character of keyDigits to the sortDigit of the same
// rank (0 for any other byte).
var keyToSort = func() (m [256]byte) {
	for i := 0; i < len(keyDigits); i++ {
		m[keyDigits[i]] = sortDigits[i]
	}
	return m
}()

// keySort returns the two sort attributes of a creator key: its first
// maxFacetBytes characters, each mapped one to one and in order onto
// sortDigits, and, for a key of maxFacetBytes characters or more, '!'
// and the rest mapped likewise (else ""). Sorting by the first and then
// by the second (absent sorts last, but only keys of maxFacetBytes
// characters or more can tie on the first, and they all have a second)
// orders keys by their bytes, which is how the SQLite store orders them.
// key must be valid (creator.ValidKey), so at most 511 bytes.
func keySort(key string) (head, rest string) {
	if len(key) < maxFacetBytes {
		return mapKey(key), ""
	}
	return mapKey(key[:maxFacetBytes]), "!" + mapKey(key[maxFacetBytes:])
}

// mapKey maps each character of s, part of a valid key, onto sortDigits
// (keyToSort).
func mapKey(s string) string {
	b := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		b[i] = keyToSort[s[i]]
	}
	return string(b)
}

// sortEnc is the stored form of a string that is sorted on: its bytes, six
// bits to a character of sortDigits (an order-preserving base 64, without
// padding), cut to maxFacetBytes. Strings that differ in their first 351
// bytes sort as their bytes do; longer ones that share those tie.
func sortEnc(s string) string {
	var b []byte
	var acc, bits uint
	for i := 0; i < len(s) && len(b) < maxFacetBytes; i++ {
		acc = acc<<8 | uint(s[i])
		bits += 8
		for bits >= 6 && len(b) < maxFacetBytes {
			bits -= 6
			b = append(b, sortDigits[acc>>bits&63])
		}
		acc &= 1<<bits - 1
	}
	if bits > 0 && len(b) < maxFacetBytes {
		b = append(b, sortDigits[acc<<(6-bits)&63])
	}
	return string(b)
}

// quote returns s as a double-quoted string of Meilisearch's filter grammar.
// Inside double quotes the parser first turns \" into " and then unescapes
// backslash sequences (\\ into \), so backslashes are doubled before quotes
// are escaped. Every string reaching a filter goes through quote, called
// by filterText.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// number formats v for a filter: plain decimal, never an exponent (the
// grammar's bare values are letters, digits, '_', '-' and '.').
func number(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// expr is a filter expression over the attributes of one of the store's
// indexes, typed: every filter the Store sends is built as an expr and
// made text by filterText, the one function that writes Meilisearch's
// filter grammar. Values are held as they are stored in the index.
type expr struct {
	op   string   // an index.Op* constant
	attr string   // the attribute compared (not for OpAnd, OpOr, OpNot)
	vals []string // OpEq (one) and OpIn: string values, as stored
	min  *float64 // OpEq on a number; OpRange's lower bound
	max  *float64 // OpRange's upper bound
	sub  []expr   // OpAnd, OpOr, OpNot
}

// eqVal is the filter "attr equals the string v", for the store's own
// attributes, whose values are stored with fkey.
func eqVal(attr, v string) expr { return eqStored(attr, fkey(v)) }

// inVals is the filter "attr is one of vs", for the store's own
// attributes.
func inVals(attr string, vs ...string) expr {
	stored := make([]string, len(vs))
	for i, v := range vs {
		stored[i] = fkey(v)
	}
	return expr{op: index.OpIn, attr: attr, vals: stored}
}

// eqStored is the filter "attr equals v", v as it is stored (a value read
// back from the index).
func eqStored(attr, v string) expr { return expr{op: index.OpEq, attr: attr, vals: []string{v}} }

// inStored is the filter "attr is one of vs", vs as they are stored.
func inStored(attr string, vs ...string) expr { return expr{op: index.OpIn, attr: attr, vals: vs} }

// allOf is the conjunction of es; anyOf the disjunction.
func allOf(es ...expr) expr { return expr{op: index.OpAnd, sub: es} }

func anyOf(es ...expr) expr { return expr{op: index.OpOr, sub: es} }

// filterText writes e in Meilisearch's filter grammar; it is the only
// function of the package that does. Attribute names are constants of
// this package or names from index.Fields (see creatorExpr); every string
// value goes through quote and every number through number, so a value
// can never become syntax. A conjunction or disjunction of one operand is
// that operand, of none is no filter (""). Nested operators are
// parenthesised; the top one is not.
func filterText(e expr) string {
	paren := func(s string, nested bool) string {
		if nested {
			return "(" + s + ")"
		}
		return s
	}
	var write func(e expr, nested bool) string
	write = func(e expr, nested bool) string {
		switch e.op {
		case index.OpAnd, index.OpOr:
			var parts []string
			for _, s := range e.sub {
				if p := write(s, true); p != "" {
					parts = append(parts, p)
				}
			}
			switch len(parts) {
			case 0:
				return ""
			case 1:
				return parts[0]
			}
			sep := " AND "
			if e.op == index.OpOr {
				sep = " OR "
			}
			return paren(strings.Join(parts, sep), nested)
		case index.OpNot:
			return paren("NOT "+write(e.sub[0], true), nested)
		case index.OpEq:
			if e.min != nil {
				return e.attr + " = " + number(*e.min)
			}
			return e.attr + " = " + quote(e.vals[0])
		case index.OpIn:
			q := make([]string, len(e.vals))
			for i, v := range e.vals {
				q[i] = quote(v)
			}
			return e.attr + " IN [" + strings.Join(q, ", ") + "]"
		case index.OpRange:
			switch {
			case e.max == nil:
				return e.attr + " >= " + number(*e.min)
			case e.min == nil:
				return e.attr + " <= " + number(*e.max)
			}
			return paren(e.attr+" >= "+number(*e.min)+" AND "+e.attr+" <= "+number(*e.max), nested)
		case index.OpExists:
			return e.attr + " EXISTS"
		case index.OpMissing:
			return e.attr + " NOT EXISTS"
		}
		panic("meili: filter operator " + e.op)
	}
	return write(e, false)
}

// filterExpr translates a filter on creators into Meilisearch's filter
// grammar: creatorExpr, then filterText.
func filterExpr(f *index.Filter) (string, error) {
	e, err := creatorExpr(f)
	if err != nil {
		return "", err
	}
	return filterText(e), nil
}

// creatorExpr translates a filter on creators into an expr. Field names
// come from index.Fields only (anything else is an error wrapping
// creator.ErrInvalid); numbers must be finite.
//
// Keyword values are stored as they are (not with fkey), so that they
// compare case-insensitively as in the SQLite backend (whose keyword
// columns are COLLATE NOCASE) and facet counts report the values written;
// quote alone keeps them values.
//
// Semantics match index.Filter: NOT is Meilisearch's NOT, which is the
// complement over all documents, so records missing the field match;
// keyword fields are absent from a document when empty, so EXISTS means
// non-empty and nothing equals "".
func creatorExpr(f *index.Filter) (expr, error) {
	switch f.Op {
	case index.OpAnd, index.OpOr:
		if len(f.Sub) == 0 {
			return expr{}, fmt.Errorf("%w: filter: %s needs operands", creator.ErrInvalid, f.Op)
		}
		e := expr{op: f.Op, sub: make([]expr, len(f.Sub))}
		for i := range f.Sub {
			s, err := creatorExpr(&f.Sub[i])
			if err != nil {
				return expr{}, err
			}
			e.sub[i] = s
		}
		return e, nil
	case index.OpNot:
		if len(f.Sub) != 1 {
			return expr{}, fmt.Errorf("%w: filter: not needs one operand", creator.ErrInvalid)
		}
		s, err := creatorExpr(&f.Sub[0])
		if err != nil {
			return expr{}, err
		}
		return expr{op: index.OpNot, sub: []expr{s}}, nil
	}
	fd, ok := index.FieldByName(f.Field)
	if !ok || !fd.Filterable {
		return expr{}, fmt.Errorf("%w: %s: not a filterable field", creator.ErrInvalid, f.Field)
	}
	name := fd.Name
	finite := func(v *float64) bool { return v == nil || !math.IsNaN(*v) && !math.IsInf(*v, 0) }
	switch f.Op {
	case index.OpEq:
		if fd.Kind == index.Numeric {
			if f.Min == nil || !finite(f.Min) {
				return expr{}, fmt.Errorf("%w: %s: eq needs a number", creator.ErrInvalid, name)
			}
			return expr{op: index.OpEq, attr: name, min: f.Min}, nil
		}
		if len(f.Values) != 1 {
			return expr{}, fmt.Errorf("%w: %s: eq needs one value", creator.ErrInvalid, name)
		}
		return eqStored(name, f.Values[0]), nil
	case index.OpIn:
		if fd.Kind != index.Keyword || len(f.Values) == 0 {
			return expr{}, fmt.Errorf("%w: %s: in needs keyword values", creator.ErrInvalid, name)
		}
		return inStored(name, f.Values...), nil
	case index.OpRange:
		if fd.Kind != index.Numeric || f.Min == nil && f.Max == nil || !finite(f.Min) || !finite(f.Max) {
			return expr{}, fmt.Errorf("%w: %s: range needs a numeric field and a finite bound", creator.ErrInvalid, name)
		}
		return expr{op: index.OpRange, attr: name, min: f.Min, max: f.Max}, nil
	case index.OpExists, index.OpMissing:
		return expr{op: f.Op, attr: name}, nil
	}
	return expr{}, fmt.Errorf("%w: %s: unknown operator %q", creator.ErrInvalid, name, f.Op)
}
