package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/sim"
)

// TestIntegrationWatchlistMembersResolveLater creates a watchlist whose
// members are ten handles the store does not hold (plus one that does not
// exist) through the real wiring, against a simulator that takes 20 ms a
// request: the API answers at once with the members pending, a retry with
// the same Idempotency-Key returns the same watchlist (another name with
// it is a 409), and the worker resolves each member to its DID (the
// unknown one gets an error; one carrying the platform's opt-out label is
// dropped).
func TestIntegrationWatchlistMembersResolveLater(t *testing.T) {
	world := sim.New(sim.Config{Seed: 9, Creators: 40})
	h := world.Handler()
	simSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		h.ServeHTTP(w, r)
	}))
	defer simSrv.Close()
	cfg := testConfig(t, simSrv.URL, t.TempDir())
	a := startApp(t, cfg)
	defer a.Close()
	runWorker(t, a)
	srv := httptest.NewServer(a.apiHandler())
	defer srv.Close()

	want := map[string]string{} // handle -> DID
	var urls []string
	optedOut := 0
	for _, c := range world.Creators()[:10] {
		if c.OptedOut {
			optedOut++ // the platform's opt-out label: dropped once looked up
		} else {
			want[c.Handle] = c.DID
		}
		urls = append(urls, `"https://bsky.app/profile/`+c.Handle+`"`)
	}
	urls = append(urls, `"https://bsky.app/profile/nobody-here.bsky.social"`)
	body := `{"name":"launch","members":[` + strings.Join(urls, ",") + `]}`
	post := func(body string) (*http.Response, index.Watchlist) {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+"/v1/watchlists", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "create-launch-1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var wl index.Watchlist
		decodeJSON(t, resp, &wl)
		return resp, wl
	}
	start := time.Now()
	resp, wl := post(body)
	took := time.Since(start)
	if resp.StatusCode != http.StatusCreated || len(wl.Members) != 11 {
		t.Fatalf("create: %d with %d members, want 201 with 11", resp.StatusCode, len(wl.Members))
	}
	for _, m := range wl.Members {
		if !m.Pending || m.Ref.ID != "" {
			t.Errorf("member %+v at creation, want pending without an id", m)
		}
	}
	again, wl2 := post(body)
	if again.StatusCode != http.StatusOK || wl2.ID != wl.ID || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry with the same Idempotency-Key: %d id %q replayed %q, want 200 with id %q", again.StatusCode, wl2.ID, again.Header.Get("Idempotent-Replayed"), wl.ID)
	}
	if other, _ := post(`{"name":"other"}`); other.StatusCode != http.StatusConflict {
		t.Errorf("the same Idempotency-Key for another watchlist: %d, want 409", other.StatusCode)
	}
	var list struct{ Watchlists []index.Watchlist }
	getJSON(t, srv.URL, "/v1/watchlists", &list)
	if len(list.Watchlists) != 1 {
		t.Errorf("%d watchlists after retries, want 1", len(list.Watchlists))
	}

	deadline := time.Now().Add(60 * time.Second)
	var got index.Watchlist
	for {
		got = index.Watchlist{} // decoding into the last answer would keep its pending flags
		getJSON(t, srv.URL, "/v1/watchlists/"+wl.ID, &got)
		pending := 0
		for _, m := range got.Members {
			if m.Pending {
				pending++
			}
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d members still pending after 60 s: %+v", pending, got.Members)
		}
		time.Sleep(20 * time.Millisecond)
	}
	resolved := time.Since(start)
	failed := 0
	for _, m := range got.Members {
		switch {
		case m.Error != "":
			failed++
			if !strings.Contains(m.Error, "nobody-here") || !strings.Contains(m.Error, "not found") {
				t.Errorf("unknown handle's member error %q", m.Error)
			}
		case want[m.Ref.Handle] != m.Ref.ID || m.Ref.ID == "":
			t.Errorf("member %+v resolved to %q, want %q", m, m.Ref.ID, want[m.Ref.Handle])
		case !strings.HasPrefix(m.Key, "bluesky-did_"):
			t.Errorf("resolved member keyed %q, want the creator's key", m.Key)
		}
	}
	if failed != 1 || len(got.Members) != 11-optedOut || optedOut == 10 {
		for _, m := range got.Members {
			t.Logf("member %+v", m)
		}
		t.Errorf("%d members, %d with errors; want %d (%d carry the opt-out label) and 1", len(got.Members), failed, 11-optedOut, optedOut)
	}
	t.Logf("11 members by handle: created in %s, all resolved after %s (simulator 20 ms a request)", took.Round(time.Millisecond), resolved.Round(time.Millisecond))
}
