package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// bm25Weights weighs the FTS columns (name, handle, bio, posts, tags)
// for relevance: a match in the name or handle counts most; filter tags
// count nothing.
const bm25Weights = "8.0, 8.0, 3.0, 1.0, 0.0"

// maxTextWords bounds how many words of a query's text are matched.
const maxTextWords = 32

// Search answers q. Filter values are bound parameters, never spliced into
// the SQL. An invalid query gives an error wrapping creator.ErrInvalid that
// names the offending field. It is safe for concurrent use.
func (s *Store) Search(ctx context.Context, q index.Query) (*index.Result, error) {
	if err := q.Normalize(); err != nil {
		return nil, fmt.Errorf("searching creators: %w", err)
	}
	// One read transaction: the plan reads counts and stats, and the
	// answer must come from the same state of the data.
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("searching creators: %w", err)
	}
	defer tx.Rollback()
	var nw *narrowing
	if q.Filter != nil {
		if nw, err = s.loadNarrowing(ctx, tx, q.Filter); err != nil {
			return nil, fmt.Errorf("searching creators: %w", err)
		}
	}
	plan, err := s.plan(&q, nw)
	if err != nil {
		return nil, fmt.Errorf("searching creators: %w", err)
	}
	res, err := s.run(ctx, tx, plan)
	if err != nil {
		return nil, fmt.Errorf("searching creators: %w", err)
	}
	res.Page, res.PerPage = q.Page, q.PerPage
	return res, nil
}

// loadNarrowing reads what choosing filter tags needs: the number of
// creators, the counts of the keyword values f names and the numeric stats.
func (s *Store) loadNarrowing(ctx context.Context, tx *sql.Tx, f *index.Filter) (*narrowing, error) {
	nw := &narrowing{counts: map[string]map[string]int{}, buckets: map[string]map[uint64]int{}}
	fields := map[string]bool{}
	var walk func(f *index.Filter)
	walk = func(f *index.Filter) {
		for i := range f.Sub {
			walk(&f.Sub[i])
		}
		if c := s.schema.byName[f.Field]; c != nil {
			if c.Kind == index.Keyword {
				fields[f.Field] = true
			} else {
				fields[bucketKey(f.Field, 0).field] = true
			}
		}
	}
	walk(f)
	q := `SELECT 0, '', '', n, NULL FROM facet_counts WHERE field = '' AND value = ''`
	var args []any
	if len(fields) > 0 {
		q += "\nUNION ALL SELECT 2, field, value, n, NULL FROM facet_counts WHERE field IN (" +
			strings.TrimSuffix(strings.Repeat("?, ", len(fields)), ", ") + ")"
		for name := range fields {
			args = append(args, name)
		}
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind int
		var field, value string
		var a, b any
		if err := rows.Scan(&kind, &field, &value, &a, &b); err != nil {
			return nil, fmt.Errorf("reading counts: %w", err)
		}
		switch kind {
		case 0:
			nw.total = int(asFloat(a))
		case 2:
			if name, ok := strings.CutPrefix(field, "#"); ok {
				bk, err := strconv.ParseUint(value, 16, 64)
				if err != nil {
					continue
				}
				m := nw.buckets[name]
				if m == nil {
					m = map[uint64]int{}
					nw.buckets[name] = m
				}
				m[bk] += int(asFloat(a))
				continue
			}
			m := nw.counts[field]
			if m == nil {
				m = map[string]int{}
				nw.counts[field] = m
			}
			m[strings.ToLower(value)] += int(asFloat(a))
		}
	}
	return nw, rows.Err()
}

// searchPlan is the SQL that answers one query.
type searchPlan struct {
	// direct is true when the query has neither text nor filter, so the
	// aggregates read the creators table (and its indexes) directly.
	direct bool
	// aggSQL computes the total, facets and stats (and, unless direct, the
	// page of hits) in one statement; hitSQL is the page when direct.
	aggSQL, hitSQL   string
	aggArgs, hitArgs []any
	keyword, numeric []*column
}

func (s *Store) plan(q *index.Query, nw *narrowing) (*searchPlan, error) {
	p := &searchPlan{}
	seen := map[string]bool{}
	for _, name := range q.Facets {
		if seen[name] {
			continue
		}
		seen[name] = true
		c := s.schema.byName[name]
		if c == nil {
			return nil, fmt.Errorf("%w: facets: %q is not a facet field", creator.ErrInvalid, name)
		}
		if c.Kind == index.Keyword {
			p.keyword = append(p.keyword, c)
		} else {
			p.numeric = append(p.numeric, c)
		}
	}
	text := ftsQuery(q.Text)
	var match, textMatch string
	if text != "" {
		textMatch = text
		if mayMatchTags(q.Text) {
			// Keep the words from matching tags (which start with 'x').
			textMatch = "{name handle bio posts} : (" + text + ")"
		}
		match = textMatch
	}
	tagged := false
	if q.Filter != nil && nw != nil {
		if tags := s.tagQuery(q.Filter, nw); tags != "" {
			if match != "" {
				match += " AND "
			}
			match += tags
			tagged = true
		}
	}
	ranked := text != "" && len(q.Sort) == 0 // ordered by relevance
	var where string
	var whereArgs []any
	if q.Filter != nil {
		var b filterBuilder
		b.s = s
		if err := b.build(q.Filter); err != nil {
			return nil, err
		}
		where, whereArgs = b.sql.String(), b.args
	}
	// Order: the requested fields (missing values last), or relevance when
	// there is text, then key.
	var order []string
	for _, so := range q.Sort {
		c := s.schema.byName[so.Field]
		if c == nil || !c.Sortable {
			return nil, fmt.Errorf("%w: sort: %q is not a sortable field", creator.ErrInvalid, so.Field)
		}
		dir := " ASC NULLS LAST"
		if so.Desc {
			dir = " DESC NULLS LAST"
		}
		order = append(order, c.ident+dir)
	}
	if ranked {
		order = append(order, "rank")
	}
	order = append(order, "key")
	orderBy := strings.Join(order, ", ")
	limit, offset := q.PerPage, (q.Page-1)*q.PerPage

	p.direct = match == "" && where == ""
	var b strings.Builder
	if !p.direct {
		// The columns the aggregates and the order need.
		cols := []string{"c.id AS id", "c.key AS key"}
		need := map[string]bool{}
		for _, c := range append(slices.Clone(p.keyword), p.numeric...) {
			need[c.Name] = true
		}
		for _, so := range q.Sort {
			need[so.Field] = true
		}
		for _, c := range s.schema.cols {
			if need[c.Name] {
				cols = append(cols, "c."+c.ident+" AS "+c.ident)
			}
		}
		b.WriteString("WITH m AS MATERIALIZED (SELECT ")
		if match != "" {
			// bm25 weighs every phrase of the match by how many creators
			// have it, which for filter tags means reading their long
			// word lists; so a tagged query ranks its matches apart (r).
			if ranked && !tagged {
				cols = append(cols, "bm25(creators_fts, "+bm25Weights+") AS rank")
			}
			b.WriteString(strings.Join(cols, ", "))
			b.WriteString(" FROM creators_fts JOIN creators c ON c.id = creators_fts.rowid WHERE creators_fts MATCH ?")
			p.aggArgs = append(p.aggArgs, match)
			if where != "" {
				b.WriteString(" AND " + where)
			}
		} else {
			b.WriteString(strings.Join(cols, ", "))
			b.WriteString(" FROM creators c WHERE " + where)
		}
		p.aggArgs = append(p.aggArgs, whereArgs...)
		b.WriteString(")\n")
		if ranked && tagged {
			b.WriteString(", r AS MATERIALIZED (SELECT m.id AS id, m.key AS key, bm25(creators_fts, " + bm25Weights + ") AS rank" +
				" FROM creators_fts JOIN m ON m.id = creators_fts.rowid WHERE creators_fts MATCH ?)\n")
			p.aggArgs = append(p.aggArgs, textMatch)
		}
	}
	if p.direct {
		// Over all creators, the counts and stats are kept up to date by
		// the writes (see aggregates).
		b.WriteString("SELECT 0, NULL, coalesce((SELECT n FROM facet_counts WHERE field = '' AND value = ''), 0), NULL, NULL")
		if len(p.keyword) > 0 {
			b.WriteString("\nUNION ALL SELECT 1, field, value, n, NULL FROM facet_counts WHERE field IN (")
			for i, c := range p.keyword {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("'" + c.Name + "'")
			}
			b.WriteString(") AND n > 0")
		}
		if len(p.numeric) > 0 {
			b.WriteString("\nUNION ALL SELECT 2, field, min, max, NULL FROM numeric_stats WHERE field IN (")
			for i, c := range p.numeric {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("'" + c.Name + "'")
			}
			b.WriteString(")")
		}
		p.hitSQL = "SELECT c.key, s.summary FROM creators c JOIN creator_summaries s ON s.id = c.id ORDER BY " +
			qualify(orderBy, "c.") + " LIMIT ? OFFSET ?"
		p.hitArgs = []any{limit, offset}
	} else {
		b.WriteString("SELECT 0, NULL, count(*), NULL, NULL FROM m")
		for _, c := range p.keyword {
			fmt.Fprintf(&b, "\nUNION ALL SELECT 1, '%s', %s, count(*), NULL FROM m WHERE %s IS NOT NULL GROUP BY %s",
				c.Name, c.ident, c.ident, c.ident)
		}
		for _, c := range p.numeric {
			fmt.Fprintf(&b, "\nUNION ALL SELECT 2, '%s', min(%s), max(%s), NULL FROM m", c.Name, c.ident, c.ident)
		}
		ordered := "m"
		if ranked && tagged {
			ordered = "r"
		}
		fmt.Fprintf(&b, "\nUNION ALL SELECT 3, p.key, p.ord, NULL, s.summary FROM (SELECT id, key, row_number() OVER (ORDER BY %s) AS ord FROM %s ORDER BY %s LIMIT ? OFFSET ?) p JOIN creator_summaries s ON s.id = p.id",
			orderBy, ordered, orderBy)
		p.aggArgs = append(p.aggArgs, limit, offset)
	}
	p.aggSQL = b.String()
	return p, nil
}

// qualify prefixes the column names of an ORDER BY list with a table alias.
func qualify(orderBy, alias string) string {
	parts := strings.Split(orderBy, ", ")
	for i, p := range parts {
		parts[i] = alias + p
	}
	return strings.Join(parts, ", ")
}

func (s *Store) run(ctx context.Context, tx *sql.Tx, p *searchPlan) (*index.Result, error) {
	res := &index.Result{Hits: []creator.Record{}}
	if len(p.keyword) > 0 {
		res.Facets = make(map[string]map[string]int, len(p.keyword))
		for _, c := range p.keyword {
			res.Facets[c.Name] = map[string]int{}
		}
	}
	if len(p.numeric) > 0 {
		res.Stats = make(map[string]index.Stat, len(p.numeric))
	}
	rows, err := s.query(ctx, tx, p.aggSQL, p.aggArgs...)
	if err != nil {
		return nil, err
	}
	type hit struct {
		ord int64
		doc []byte
	}
	var hits []hit
	for rows.Next() {
		var kind int
		var name sql.NullString
		var a, b any
		var doc []byte
		if err := rows.Scan(&kind, &name, &a, &b, &doc); err != nil {
			rows.Close()
			return nil, err
		}
		switch kind {
		case 0:
			res.Total = int(asFloat(a))
		case 1:
			res.Facets[name.String][asString(a)] += int(asFloat(b))
		case 2:
			if a != nil && b != nil {
				res.Stats[name.String] = index.Stat{Min: asFloat(a), Max: asFloat(b)}
			}
		case 3:
			hits = append(hits, hit{int64(asFloat(a)), doc})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if p.direct {
		rows, err := s.query(ctx, tx, p.hitSQL, p.hitArgs...)
		if err != nil {
			return nil, err
		}
		for i := 0; rows.Next(); i++ {
			var key string
			var doc []byte
			if err := rows.Scan(&key, &doc); err != nil {
				rows.Close()
				return nil, err
			}
			hits = append(hits, hit{int64(i), doc})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(hits, func(x, y hit) int { return int(x.ord - y.ord) })
	for _, h := range hits {
		var rec creator.Record
		if err := json.Unmarshal(h.doc, &rec); err != nil {
			return nil, fmt.Errorf("decoding hit: %w", err)
		}
		res.Hits = append(res.Hits, rec)
	}
	return res, nil
}

func asFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	case []byte:
		f, _ := strconv.ParseFloat(string(x), 64)
		return f
	case string:
		f, _ := strconv.ParseFloat(x, 64)
		return f
	}
	return 0
}

func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// ftsQuery turns free text into an FTS5 query: every word must match, the
// last one also as a prefix. Words are split as FTS5's unicode61 tokenizer
// splits them and each is quoted, so no input is FTS5 syntax. Text without
// words gives "".
func ftsQuery(text string) string {
	words := splitWords(text)
	if len(words) > maxTextWords {
		words = words[:maxTextWords]
	}
	if len(words) == 0 {
		return ""
	}
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(w, `"`, `""`))
		b.WriteByte('"')
	}
	b.WriteByte('*')
	return b.String()
}

// mayMatchTags reports whether a word of text could match a filter tag,
// whose words start with an 'x' (see tags.go): only then does the text
// match need a column filter, which costs FTS5 a pass over the positions.
// Words starting with anything but an ASCII letter or digit count as
// possible matches, since the tokenizer folds case and diacritics.
func mayMatchTags(text string) bool {
	for _, w := range splitWords(text) {
		c := w[0]
		if c == 'x' || c == 'X' || !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return true
		}
	}
	return false
}

// splitWords splits text into words the way FTS5's unicode61 tokenizer
// does: runs of letters, numbers and combining marks.
func splitWords(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Co, r)
	})
}

// filterBuilder translates an index.Filter into a SQL condition with bound
// parameters. Every leaf yields true or false, never NULL, so NOT is the
// complement: a record missing the field matches NOT eq.
type filterBuilder struct {
	s    *Store
	sql  strings.Builder
	args []any
}

func (b *filterBuilder) build(f *index.Filter) error {
	switch f.Op {
	case index.OpAnd, index.OpOr:
		sep := " AND "
		if f.Op == index.OpOr {
			sep = " OR "
		}
		b.sql.WriteByte('(')
		for i := range f.Sub {
			if i > 0 {
				b.sql.WriteString(sep)
			}
			if err := b.build(&f.Sub[i]); err != nil {
				return err
			}
		}
		b.sql.WriteByte(')')
		return nil
	case index.OpNot:
		b.sql.WriteString("NOT (")
		if err := b.build(&f.Sub[0]); err != nil {
			return err
		}
		b.sql.WriteByte(')')
		return nil
	}
	c := b.s.schema.byName[f.Field]
	if c == nil || !c.Filterable {
		return fmt.Errorf("%w: %s: not a filterable field", creator.ErrInvalid, f.Field)
	}
	col := "c." + c.ident
	switch f.Op {
	case index.OpEq:
		b.sql.WriteString("(" + col + " IS NOT NULL AND " + col + " = ?)")
		if c.Kind == index.Keyword {
			b.args = append(b.args, f.Values[0])
		} else {
			b.args = append(b.args, *f.Min)
		}
	case index.OpIn:
		b.sql.WriteString("(" + col + " IS NOT NULL AND " + col + " IN (")
		for i, v := range f.Values {
			if i > 0 {
				b.sql.WriteString(", ")
			}
			b.sql.WriteByte('?')
			b.args = append(b.args, v)
		}
		b.sql.WriteString("))")
	case index.OpRange:
		b.sql.WriteString("(" + col + " IS NOT NULL")
		if f.Min != nil {
			b.sql.WriteString(" AND " + col + " >= ?")
			b.args = append(b.args, *f.Min)
		}
		if f.Max != nil {
			b.sql.WriteString(" AND " + col + " <= ?")
			b.args = append(b.args, *f.Max)
		}
		b.sql.WriteByte(')')
	case index.OpExists:
		b.sql.WriteString("(" + col + " IS NOT NULL)")
	case index.OpMissing:
		b.sql.WriteString("(" + col + " IS NULL)")
	default:
		return fmt.Errorf("%w: %s: unknown operator %q", creator.ErrInvalid, f.Field, f.Op)
	}
	return nil
}
