package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// explain returns SQLite's query plan for q, one line per step, indented
// by depth.
func explain(t *testing.T, s *Store, q string, args ...any) string {
	t.Helper()
	rows, err := s.r.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("explaining %s: %v", q, err)
	}
	defer rows.Close()
	depth := map[int]int{0: -1}
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		depth[id] = depth[parent] + 1
		fmt.Fprintf(&b, "%s%s\n", strings.Repeat("  ", depth[id]), detail)
	}
	return b.String()
}

// TestQueryPlans checks that the statements behind facets and filters use
// the indexes they were designed for, and logs the plans (go test -run
// QueryPlans -v). See the summary in bench_test.go.
func TestQueryPlans(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "plans.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ws []index.Write
	countries := []string{"US", "GB", "DE", "FR", "CA", "", "JP", "BR"}
	for i := range 400 {
		r := testRecord([]string{creator.Bluesky, creator.Mastodon, creator.YouTube}[i%3], fmt.Sprintf("r%d", i), countries[i%len(countries)], int64(i*i))
		ws = append(ws, index.Write{Record: r, Snapshot: creator.Snapshot{At: r.UpdatedAt}})
	}
	if err := s.UpsertMany(ctx, ws); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec("ANALYZE"); err != nil {
		t.Fatal(err)
	}
	var plan func(q index.Query) *searchPlan
	lo := 1000.0
	plan = func(q index.Query) *searchPlan {
		t.Helper()
		if err := q.Normalize(); err != nil {
			t.Fatal(err)
		}
		tx, err := s.r.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		var nw *narrowing
		if q.Filter != nil {
			if nw, err = s.loadNarrowing(ctx, tx, q.Filter); err != nil {
				t.Fatal(err)
			}
		}
		p, err := s.plan(&q, nw)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	de := index.Eq("country", "DE")
	keyword := plan(index.Query{Filter: &de, Facets: []string{"tier"}})
	bs := index.In("platform", "bluesky", "mastodon") // two thirds of the creators
	common := plan(index.Query{Filter: &bs, Facets: []string{"tier"}})
	tf := index.And(index.In("platform", "bluesky", "youtube"), index.Range("followers", &lo, nil))
	text := plan(index.Query{Text: "vegan rec", Filter: &tf, Facets: []string{"platform", "tier"}})
	hi := 140000.0 // a tenth of the creators: narrowed by tags
	tt := index.And(index.In("platform", "bluesky", "youtube"), index.Range("followers", &hi, nil))
	tagged := plan(index.Query{Text: "vegan rec", Filter: &tt, Facets: []string{"platform", "tier"}})
	tests := []struct {
		name    string
		sql     string
		args    []any
		want    []string // substrings of the plan
		notWant []string
	}{
		{
			name: "facet counts over all creators",
			sql:  plan(index.Query{Facets: []string{"platform", "tier", "country", "followers"}}).aggSQL,
			want: []string{"SEARCH facet_counts USING PRIMARY KEY (field=?)", "SEARCH numeric_stats USING PRIMARY KEY (field=?)"},
		},
		{
			name: "rebuilding a facet's counts",
			sql:  `SELECT "platform", count(*) FROM creators WHERE "platform" IS NOT NULL GROUP BY "platform"`,
			want: []string{"USING COVERING INDEX creators_f_platform"},
		},
		{
			name: "keyword filter narrowed by tags",
			sql:  keyword.aggSQL,
			args: keyword.aggArgs,
			want: []string{"MATERIALIZE m", "SCAN creators_fts VIRTUAL TABLE INDEX 0:M", "SEARCH c USING INTEGER PRIMARY KEY (rowid=?)", "SCAN m"},
		},
		{
			name:    "keyword filter too common for tags",
			sql:     common.aggSQL,
			args:    common.aggArgs,
			want:    []string{"MATERIALIZE m", "SCAN m"},
			notWant: []string{"creators_fts"},
		},
		{
			name: "text with filters",
			sql:  text.aggSQL,
			args: text.aggArgs,
			want: []string{"SCAN creators_fts VIRTUAL TABLE INDEX 0:M", "SEARCH c USING INTEGER PRIMARY KEY (rowid=?)", "SEARCH s USING INTEGER PRIMARY KEY (rowid=?)"},
		},
		{
			name: "text with filters narrowed by tags",
			sql:  tagged.aggSQL,
			args: tagged.aggArgs,
			want: []string{"MATERIALIZE m", "SCAN creators_fts VIRTUAL TABLE INDEX 0:M5", "MATERIALIZE r"},
		},
		{
			name: "first page by key",
			sql:  plan(index.Query{}).hitSQL,
			args: []any{20, 0},
			want: []string{"SCAN c USING COVERING INDEX sqlite_autoindex_creators_1", "SEARCH s USING INTEGER PRIMARY KEY (rowid=?)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := explain(t, s, tt.sql, tt.args...)
			t.Logf("%s\n%s", tt.sql, got)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("plan lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("plan has %q:\n%s", w, got)
				}
			}
		})
	}
}
