package sqlite

import (
	"context"
	"fmt"
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

// TestQueryPlans checks that every statement a search runs reads what it
// was designed to read, and logs the plans (go test -run QueryPlans -v).
// See the summary in bench_test.go.
func TestQueryPlans(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var ws []index.Write
	for i := range 400 {
		r := testRecord([]string{creator.Bluesky, creator.Mastodon, creator.YouTube}[i%3], fmt.Sprintf("r%d", i), "DE", int64(i*i))
		ws = append(ws, index.Write{Record: r, Snapshot: creator.Snapshot{At: r.UpdatedAt}})
	}
	if err := s.UpsertMany(ctx, ws); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec("ANALYZE"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		sql  string
		args []any
		want []string // substrings of the plan
	}{
		{"generation", genSQL, nil, []string{"SEARCH store_meta USING PRIMARY KEY (name=?)"}},
		{"in-memory index, first load", rowsSQL(s.schema, false), nil, []string{"SCAN creators"}},
		{"in-memory index, what changed", rowsSQL(s.schema, true), []any{3}, []string{"SEARCH creators USING INDEX creators_seq (seq>?)"}},
		{"in-memory index, what was erased", erasedSQL, []any{3}, []string{"SEARCH erased USING INDEX erased_seq (seq>?)"}},
		{"first page by key", pageByKeySQL, []any{20, 0}, []string{"SCAN creators USING COVERING INDEX sqlite_autoindex_creators_1"}},
		{"summaries of a page", summariesSQL, []any{"[1,2,3]"}, []string{"SEARCH creators USING INTEGER PRIMARY KEY (rowid=?)"}},
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
		})
	}
}
