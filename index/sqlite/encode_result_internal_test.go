package sqlite

import (
	"encoding/json"
	"testing"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// TestEncodeResultMatchesMarshal: the answers written directly are
// json.Marshal's bytes, whatever the facet values hold (quotes, HTML,
// non-ASCII, line separators, invalid UTF-8) and with facets or stats
// missing, empty or nil.
func TestEncodeResultMatchesMarshal(t *testing.T) {
	for i, res := range []index.Result{
		{Total: 3, Page: 1, PerPage: 20},
		{Total: 3, Page: 2, PerPage: 5, Facets: map[string]map[string]int{}, Stats: map[string]index.Stat{}},
		{Total: 7, Page: 1, PerPage: 20, Facets: map[string]map[string]int{
			"niche":   {"food": 3, "travel": 4, "": 1},
			"country": {`a"b`: 1, `<script>&`: 2, "café": 3, "line\u2028sep": 4, "tab\there": 5, "bad\xffutf8": 6, `back\slash`: 7, "\x7f": 8},
			"empty":   {},
			"nil":     nil,
		}, Stats: map[string]index.Stat{"followers": {Min: 0.5, Max: 1e21}, "engagement_rate": {Min: 1e-7, Max: 0.25}}},
	} {
		want, err := json.Marshal(index.Result{Hits: []creator.Record{}, Total: res.Total, Page: res.Page, PerPage: res.PerPage, Facets: res.Facets, Stats: res.Stats})
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeResult(&res, nil)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want)+"\n" {
			t.Errorf("result %d:\n got %s\nwant %s", i, got, want)
		}
	}
}
