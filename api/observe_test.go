package api_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/creatorscout/scout/api"
	"github.com/creatorscout/scout/index/sqlite"
)

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRequestIDsAndLogs checks that every answer carries X-Request-Id,
// that a client's own id is kept, and that the JSON log line of the
// request has the same id, route and status.
func TestRequestIDsAndLogs(t *testing.T) {
	st, err := sqlite.Open(t.TempDir() + "/scout.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var logs lockedBuffer
	reg := prometheus.NewRegistry()
	srv := httptest.NewServer(api.New(api.Config{Store: st, Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Registry: reg, Gatherer: reg}))
	defer srv.Close()

	_, h, _ := do(t, "GET", srv.URL+"/v1/creators?tier=gigantic", "", "")
	id := h.Get("X-Request-Id")
	if len(id) != 16 {
		t.Fatalf("X-Request-Id %q", id)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/v1/creators", nil)
	req.Header.Set("X-Request-Id", "client-id-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); got != "client-id-1" {
		t.Errorf("client's id not kept: %q", got)
	}
	req.Header.Set("X-Request-Id", "<script>")
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); got == "<script>" || got == "" {
		t.Errorf("an unsafe client id was echoed: %q", got)
	}
	var found bool
	for line := range strings.SplitSeq(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["request_id"] == id {
			found = rec["route"] == "/v1/creators" && rec["status"] == 400.0 && rec["method"] == "GET"
		}
	}
	if !found {
		t.Errorf("no log line with request_id %s, route and status:\n%s", id, logs.String())
	}
	// The series of the requests.
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	for _, mf := range mfs {
		if mf.GetName() != "scout_http_request_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["route"] == "/v1/creators" && labels["status"] == "400" {
				n += m.GetHistogram().GetSampleCount()
			}
		}
	}
	if n != 1 {
		t.Errorf("scout_http_request_duration_seconds{route=/v1/creators,status=400} counted %d, want 1", n)
	}
}
