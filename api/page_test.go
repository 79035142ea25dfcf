package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPageRoutes checks that the web app's pages serve its shell (with its
// state in any query string, and without a key even when the API needs
// one), that its modules and styles come with their types and the CSP, and
// that a missing file is a JSON 404.
func TestPageRoutes(t *testing.T) {
	srv, _ := newServer(t, "sekret")
	type answer struct {
		Code        int
		Type        string
		CSP         bool
		Shell, JSON bool
	}
	tests := []struct {
		path string
		want answer
	}{
		{"/", answer{200, "text/html; charset=utf-8", true, true, false}},
		{"/?tier=micro,mid&followers_min=1000&page=3", answer{200, "text/html; charset=utf-8", true, true, false}},
		{"/creator/bluesky-did_3Aplc_3Aabc", answer{200, "text/html; charset=utf-8", true, true, false}},
		{"/watchlists", answer{200, "text/html; charset=utf-8", true, true, false}},
		{"/watchlists/wl-1?kind=quiet", answer{200, "text/html; charset=utf-8", true, true, false}},
		{"/compare?keys=a,b", answer{200, "text/html; charset=utf-8", true, true, false}},
		{"/discover?job=j1", answer{200, "text/html; charset=utf-8", true, true, false}},
		{"/static/app.js", answer{200, "text/javascript; charset=utf-8", true, false, false}},
		{"/static/app.css", answer{200, "text/css; charset=utf-8", true, false, false}},
		{"/static/nope.js", answer{404, "application/json", false, false, true}},
		{"/static/index.html", answer{404, "application/json", false, false, true}},
		{"/static/../page.go", answer{404, "application/json", false, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			got := answer{
				Code:  resp.StatusCode,
				Type:  resp.Header.Get("Content-Type"),
				CSP:   strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'"),
				Shell: strings.Contains(string(b), `<script type="module" src="/static/app.js">`),
				JSON:  strings.HasPrefix(string(b), `{"error":`),
			}
			if strings.HasPrefix(got.Type, "application/json") {
				got.Type = "application/json"
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("GET %s (-want +got):\n%s", tt.path, diff)
			}
		})
	}
}
