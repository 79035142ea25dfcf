package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/creatorscout/scout/index"
)

// aggregates tracks, during one write transaction, the changes to the
// facet counts and numeric stats over all creators, and saves them at the
// end: one statement for the counts, one row per changed stat.
type aggregates struct {
	sch    *schema
	counts map[facetKey]int // count deltas; field "" is the creator total
	stats  map[string]*stat // numeric facet fields
}

type facetKey struct{ field, value string }

type stat struct {
	min, max float64
	ok       bool // min and max hold values
	changed  bool // to be saved
	dirty    bool // an extreme may have been removed: recompute
}

func loadAggregates(ctx context.Context, tx *sql.Tx, sch *schema) (*aggregates, error) {
	a := &aggregates{sch: sch, counts: map[facetKey]int{}, stats: map[string]*stat{}}
	for _, c := range sch.cols {
		if c.Kind == index.Numeric && c.Facet {
			a.stats[c.Name] = &stat{}
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT field, min, max FROM numeric_stats`)
	if err != nil {
		return nil, fmt.Errorf("reading stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var field string
		var lo, hi sql.NullFloat64
		if err := rows.Scan(&field, &lo, &hi); err != nil {
			return nil, fmt.Errorf("reading stats: %w", err)
		}
		if st := a.stats[field]; st != nil && lo.Valid && hi.Valid {
			st.min, st.max, st.ok = lo.Float64, hi.Float64, true
		}
	}
	return a, rows.Err()
}

// replace records that a creator's field values change from old (when
// found) to vals, both in schema order.
func (a *aggregates) replace(old, vals []any, found bool) {
	if !found {
		a.counts[facetKey{}]++
	}
	for i, c := range a.sch.cols {
		var was any
		if found {
			was = old[i]
		}
		v := vals[i]
		switch c.Kind {
		case index.Keyword:
			if !c.Facet || was != nil && v != nil && asString(was) == v.(string) {
				continue
			}
			if was != nil {
				a.counts[facetKey{c.Name, asString(was)}]--
			}
			if v != nil {
				a.counts[facetKey{c.Name, v.(string)}]++
			}
		case index.Numeric:
			if was != nil && v != nil && asFloat(was) == v.(float64) {
				continue
			}
			if was != nil {
				a.removeNumber(c, asFloat(was))
			}
			if v != nil {
				a.addNumber(c, v.(float64))
			}
		}
	}
}

// remove records that a creator with the field values old is gone.
func (a *aggregates) remove(old []any) {
	a.counts[facetKey{}]--
	for i, c := range a.sch.cols {
		v := old[i]
		if v == nil {
			continue
		}
		switch {
		case c.Kind == index.Keyword && c.Facet:
			a.counts[facetKey{c.Name, asString(v)}]--
		case c.Kind == index.Numeric:
			a.removeNumber(c, asFloat(v))
		}
	}
}

// bucketKey is the facet_counts key of the count of a numeric field's
// values in one bucket (see tags.go).
func bucketKey(field string, b uint64) facetKey {
	return facetKey{"#" + field, strconv.FormatUint(b, 16)}
}

func (a *aggregates) addNumber(c column, x float64) {
	if c.Filterable {
		a.counts[bucketKey(c.Name, bucket(x))]++
	}
	st := a.stats[c.Name]
	if st == nil {
		return
	}
	switch {
	case !st.ok:
		st.min, st.max, st.ok, st.changed = x, x, true, true
	case x < st.min:
		st.min, st.changed = x, true
	case x > st.max:
		st.max, st.changed = x, true
	}
}

func (a *aggregates) removeNumber(c column, x float64) {
	if c.Filterable {
		a.counts[bucketKey(c.Name, bucket(x))]--
	}
	if st := a.stats[c.Name]; st != nil && st.ok && (x <= st.min || x >= st.max) {
		st.dirty = true // an extreme may be gone
	}
}

func (a *aggregates) save(ctx context.Context, tx *sql.Tx) error {
	type delta struct {
		Field, Value string
		N            int
	}
	var ds []delta
	for k, n := range a.counts {
		if n != 0 {
			ds = append(ds, delta{k.field, k.value, n})
		}
	}
	if len(ds) > 0 {
		st, err := tx.PrepareContext(ctx, `INSERT INTO facet_counts(field, value, n) VALUES (?, ?, ?)
			ON CONFLICT(field, value) DO UPDATE SET n = n + excluded.n`)
		if err != nil {
			return fmt.Errorf("counting facets: %w", err)
		}
		defer st.Close()
		for _, d := range ds {
			if _, err := st.ExecContext(ctx, d.Field, d.Value, d.N); err != nil {
				return fmt.Errorf("counting facets: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM facet_counts WHERE n <= 0 AND field <> ''`); err != nil {
			return fmt.Errorf("counting facets: %w", err)
		}
	}
	for _, c := range a.sch.cols {
		st := a.stats[c.Name]
		if st == nil || !st.changed && !st.dirty {
			continue
		}
		var err error
		if st.dirty {
			_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO numeric_stats(field, min, max)
				SELECT ?, min(`+c.ident+`), max(`+c.ident+`) FROM creators`, c.Name)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO numeric_stats(field, min, max) VALUES (?, ?, ?)`, c.Name, st.min, st.max)
		}
		if err != nil {
			return fmt.Errorf("updating stats of %s: %w", c.Name, err)
		}
	}
	return nil
}
