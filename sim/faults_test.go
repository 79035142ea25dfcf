package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestFaults switches a simulator to failing answers and back over HTTP:
// statuses in turn with Retry-After, counted; bad switches are 400s naming
// the field; the period ends by itself.
func TestFaults(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	f := NewFaults(New(Config{Seed: 3, Creators: 5}).Handler())
	f.now = func() time.Time { return now }
	srv := httptest.NewServer(f)
	defer srv.Close()

	call := func(method, path, body string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	profile := "/xrpc/app.bsky.actor.getProfile?actor=" + HandleSteady

	if resp, _ := call("GET", profile, ""); resp.StatusCode != 200 {
		t.Fatalf("before any fault: %d", resp.StatusCode)
	}
	for _, bad := range []struct{ body, field string }{
		{`{"for":"soon"}`, "for:"},
		{`{"for":"10s","statuses":[404]}`, "statuses:"},
		{`{"for":"10s","retry_after":-1}`, "retry_after:"},
		{`{"for":"10s","colour":"red"}`, "body:"},
	} {
		if resp, body := call("POST", FaultPath, bad.body); resp.StatusCode != 400 || !strings.Contains(body, bad.field) {
			t.Errorf("POST %s: %d %s, want 400 naming %q", bad.body, resp.StatusCode, body, bad.field)
		}
	}
	if resp, body := call("POST", FaultPath, `{"for":"10s","statuses":[429,502],"retry_after":2}`); resp.StatusCode != 200 || !strings.Contains(body, `"active":true`) {
		t.Fatalf("start: %d %s", resp.StatusCode, body)
	}
	var got []int
	for range 3 {
		resp, _ := call("GET", profile, "")
		got = append(got, resp.StatusCode)
		if resp.StatusCode == 429 && resp.Header.Get("Retry-After") != "2" {
			t.Errorf("429 with Retry-After %q, want 2", resp.Header.Get("Retry-After"))
		}
	}
	if want := []int{429, 502, 429}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	now = now.Add(10 * time.Second) // the period is over
	if resp, _ := call("GET", profile, ""); resp.StatusCode != 200 {
		t.Errorf("after the period: %d, want 200", resp.StatusCode)
	}
	call("POST", FaultPath, `{"for":"1m"}`)
	call("DELETE", FaultPath, "")
	resp, body := call("GET", FaultPath, "")
	var st FaultState
	if err := json.Unmarshal([]byte(body), &st); err != nil || resp.StatusCode != 200 {
		t.Fatalf("state: %d %s %v", resp.StatusCode, body, err)
	}
	if st.Active || st.Failed["429"] != 2 || st.Failed["502"] != 1 || st.Served != 2 {
		t.Errorf("state %+v, want inactive, 2 429s, 1 502, 2 served", st)
	}
}
