package crawler

import (
	"errors"
	"strconv"
	"testing"

	"github.com/creatorscout/scout/creator"
	"github.com/google/go-cmp/cmp"
)

func TestPageRefs(t *testing.T) {
	ref := func(id string) creator.Ref { return creator.Ref{Platform: "x", ID: id} }
	// Pages of three, the second repeating one ref of the first.
	pages := map[string][]creator.Ref{"": {ref("a"), ref("b"), ref("c")}, "p2": {ref("c"), ref("d"), ref("e")}, "p3": {ref("f")}}
	next := map[string]string{"": "p2", "p2": "p3", "p3": ""}
	var calls []string
	page := func(cursor string, want int) ([]creator.Ref, string, error) {
		calls = append(calls, cursor+"/"+strconv.Itoa(want))
		return pages[cursor], next[cursor], nil
	}
	ids := func(rs []creator.Ref) (out []string) {
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	tests := []struct {
		name      string
		limit     int
		maxPages  int
		want      []string
		wantCalls []string
	}{
		{"to the end", 0, 10, []string{"a", "b", "c", "d", "e", "f"}, []string{"/25", "p2/22", "p3/20"}},
		{"limit mid-page", 4, 10, []string{"a", "b", "c", "d"}, []string{"/4", "p2/1"}},
		{"page cap", 0, 1, []string{"a", "b", "c"}, []string{"/25"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls = nil
			got, err := PageRefs(tt.limit, 25, tt.maxPages, page)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("refs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantCalls, calls); diff != "" {
				t.Errorf("pages asked (-want +got):\n%s", diff)
			}
		})
	}
	// A repeated cursor ends the loop; an error is returned as it is.
	n := 0
	got, err := PageRefs(0, 25, 10, func(string, int) ([]creator.Ref, string, error) {
		n++
		return []creator.Ref{ref(strconv.Itoa(n))}, "same", nil
	})
	if err != nil || len(got) != 2 || n != 2 {
		t.Errorf("repeated cursor: %d refs after %d pages, err %v; want 2 after 2", len(got), n, err)
	}
	boom := errors.New("boom")
	if _, err := PageRefs(0, 25, 10, func(string, int) ([]creator.Ref, string, error) { return nil, "", boom }); !errors.Is(err, boom) {
		t.Errorf("error %v, want boom", err)
	}
}
