package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/sim"
)

// diskFullStore is the real store with its writes failing while down is
// set, as SQLite's do when the disk is full (the error is SQLite's own
// message). Faking the failure is the one stand-in: a full disk cannot be
// made on demand without privileges.
type diskFullStore struct {
	index.Store
	down *atomic.Bool
}

var errDiskFull = errors.New("database or disk is full (13)")

func (f diskFullStore) fail() error {
	if f.down.Load() {
		return fmt.Errorf("sqlite: %w", errDiskFull)
	}
	return nil
}

func (f diskFullStore) PutJob(ctx context.Context, j *index.Job) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.PutJob(ctx, j)
}

func (f diskFullStore) PutJobItem(ctx context.Context, it *index.JobItem) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.PutJobItems(ctx, it)
}

func (f diskFullStore) PutWatchlist(ctx context.Context, w *index.Watchlist) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.PutWatchlist(ctx, w)
}

func (f diskFullStore) AddOptOut(ctx context.Context, o *index.OptOut) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.AddOptOut(ctx, o)
}

// TestIntegrationStoreOutage makes every store write fail and checks that
// the API says so truthfully: each write request is a 503 with
// Retry-After (never a 500), /readyz names the failing writes, /healthz
// still answers; once writes work again, the same requests succeed and
// /readyz is ready.
func TestIntegrationStoreOutage(t *testing.T) {
	world := sim.New(sim.Config{Seed: 3, Creators: 20})
	simSrv := httptest.NewServer(world.Handler())
	defer simSrv.Close()
	cfg := testConfig(t, simSrv.URL, t.TempDir())
	var down atomic.Bool
	a := startApp(t, cfg, func(a *app) {
		a.wrapStore = func(s index.Store) index.Store { return diskFullStore{s, &down} }
	})
	defer a.Close()
	runWorker(t, a)
	srv := httptest.NewServer(a.apiHandler())
	defer srv.Close()

	writes := []struct{ path, body string }{
		{"/v1/discover", `{"source":"bluesky","query":"fitness","limit":3}`},
		{"/v1/crawl", `{"platform":"bluesky","handle":"` + sim.HandleSteady + `"}`},
		{"/v1/watchlists", `{"name":"w"}`},
		{"/v1/optout", `{"platform":"bluesky","handle":"someone.bsky.social"}`},
	}
	down.Store(true)
	for _, w := range writes {
		req, _ := http.NewRequest("POST", srv.URL+w.path, strings.NewReader(w.body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		decodeJSON(t, resp, &body)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || body.Error.Code != "unavailable" {
			t.Errorf("POST %s while writes fail: %d Retry-After %q %+v, want 503 with Retry-After", w.path, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	var h struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	if code := getJSON(t, srv.URL, "/readyz", &h); code != http.StatusServiceUnavailable || h.Checks["store_writes"] != "failing" || h.Checks["store"] != "ok" {
		t.Errorf("/readyz while writes fail: %d %+v, want 503 naming store_writes", code, h)
	}
	if code := getJSON(t, srv.URL, "/healthz", &h); code != http.StatusOK {
		t.Errorf("/healthz while writes fail: %d, want 200 (the process is alive)", code)
	}
	if jobs, err := a.store.UnfinishedJobs(context.Background()); err != nil || len(jobs) != 0 {
		t.Errorf("jobs recorded during the outage: %v %v", jobs, err)
	}

	down.Store(false)
	code, job := postJSON(t, srv.URL+"/v1/discover", writes[0].body)
	if code != http.StatusAccepted {
		t.Fatalf("discover after the outage: %d %v", code, job)
	}
	if j := waitJob(t, srv.URL, job["id"].(string)); j["state"] != index.JobDone {
		t.Errorf("job after the outage: %v", j)
	}
	if code := getJSON(t, srv.URL, "/readyz", &h); code != http.StatusOK {
		t.Errorf("/readyz after the outage: %d %+v, want 200", code, h)
	}
	if _, err := a.store.Get(context.Background(), creator.Key(creator.Ref{Platform: creator.Bluesky, ID: "x"})); !errors.Is(err, creator.ErrNotFound) {
		t.Errorf("reads: %v", err)
	}
}
