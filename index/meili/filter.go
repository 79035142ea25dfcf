package meili

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// enc is how the store's own filterable or sortable strings (creator keys,
// job ids, watchlist ids, ...; not the keyword fields of creators, see
// filterExpr) are stored: lower-case hex
// of its bytes. Meilisearch normalises facet strings (trims, lower-cases,
// decomposes Unicode) before comparing and sorting them, which would make
// "US" equal "us" and order keys case-insensitively; hex is unchanged by
// that normalisation, keeps byte order, and holds no filter syntax.
func enc(s string) string { return hex.EncodeToString([]byte(s)) }

// dec reverses enc; a value that is not hex (written by something else) is
// returned as it is.
func dec(s string) string {
	b, err := hex.DecodeString(s)
	if err != nil {
		return s
	}
	return string(b)
}

// quote returns s as a double-quoted string of Meilisearch's filter grammar.
// Inside double quotes the parser first turns \" into " and then unescapes
// backslash sequences (\\ into \), so backslashes are doubled before quotes
// are escaped. Every string reaching a filter goes through quote.
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

// eqStr is the filter "attr equals the string v", for the store's own
// attributes (attr is a constant of this package, v is stored with enc).
func eqStr(attr, v string) string { return attr + " = " + quote(enc(v)) }

// inStr is the filter "attr is one of vs".
func inStr(attr string, vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = quote(enc(v))
	}
	return attr + " IN [" + strings.Join(q, ", ") + "]"
}

// filterExpr translates a validated filter on creators into Meilisearch's
// filter grammar. It is the only function that builds a creator filter.
// Field names come from index.Fields only (anything else is an error
// wrapping creator.ErrInvalid); keyword values are stored with enc and
// quoted with quote; numbers are plain decimals.
//
// Keyword values are stored as they are (not with enc), so that they
// compare case-insensitively as in the SQLite backend (whose keyword
// columns are COLLATE NOCASE) and facet counts report the values written;
// quote alone keeps them values.
//
// Semantics match index.Filter: NOT is Meilisearch's NOT, which is the
// complement over all documents, so records missing the field match;
// keyword fields are absent from a document when empty, so EXISTS means
// non-empty and nothing equals "".
func filterExpr(f *index.Filter) (string, error) {
	switch f.Op {
	case index.OpAnd, index.OpOr:
		if len(f.Sub) == 0 {
			return "", fmt.Errorf("%w: filter: %s needs operands", creator.ErrInvalid, f.Op)
		}
		parts := make([]string, len(f.Sub))
		for i := range f.Sub {
			p, err := filterExpr(&f.Sub[i])
			if err != nil {
				return "", err
			}
			parts[i] = p
		}
		if len(parts) == 1 {
			return parts[0], nil
		}
		sep := " AND "
		if f.Op == index.OpOr {
			sep = " OR "
		}
		return "(" + strings.Join(parts, sep) + ")", nil
	case index.OpNot:
		if len(f.Sub) != 1 {
			return "", fmt.Errorf("%w: filter: not needs one operand", creator.ErrInvalid)
		}
		p, err := filterExpr(&f.Sub[0])
		if err != nil {
			return "", err
		}
		return "(NOT " + p + ")", nil
	}
	fd, ok := index.FieldByName(f.Field)
	if !ok || !fd.Filterable {
		return "", fmt.Errorf("%w: %s: not a filterable field", creator.ErrInvalid, f.Field)
	}
	name := fd.Name
	switch f.Op {
	case index.OpEq:
		if fd.Kind == index.Numeric {
			if f.Min == nil {
				return "", fmt.Errorf("%w: %s: eq needs a number", creator.ErrInvalid, name)
			}
			return name + " = " + number(*f.Min), nil
		}
		if len(f.Values) != 1 {
			return "", fmt.Errorf("%w: %s: eq needs one value", creator.ErrInvalid, name)
		}
		return name + " = " + quote(f.Values[0]), nil
	case index.OpIn:
		if fd.Kind != index.Keyword || len(f.Values) == 0 {
			return "", fmt.Errorf("%w: %s: in needs keyword values", creator.ErrInvalid, name)
		}
		q := make([]string, len(f.Values))
		for i, v := range f.Values {
			q[i] = quote(v)
		}
		return name + " IN [" + strings.Join(q, ", ") + "]", nil
	case index.OpRange:
		if fd.Kind != index.Numeric || f.Min == nil && f.Max == nil {
			return "", fmt.Errorf("%w: %s: range needs a numeric field and a bound", creator.ErrInvalid, name)
		}
		switch {
		case f.Max == nil:
			return name + " >= " + number(*f.Min), nil
		case f.Min == nil:
			return name + " <= " + number(*f.Max), nil
		}
		return "(" + name + " >= " + number(*f.Min) + " AND " + name + " <= " + number(*f.Max) + ")", nil
	case index.OpExists:
		return name + " EXISTS", nil
	case index.OpMissing:
		return name + " NOT EXISTS", nil
	}
	return "", fmt.Errorf("%w: %s: unknown operator %q", creator.ErrInvalid, name, f.Op)
}
