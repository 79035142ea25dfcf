package watch

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/internal/testredis"
)

// receiver is a webhook endpoint that answers with the given status codes
// in turn (the last one repeated) and keeps every request.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	reqs     []received
}

type received struct {
	header http.Header
	body   []byte
}

func (rv *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rv.mu.Lock()
	n := len(rv.reqs)
	rv.reqs = append(rv.reqs, received{r.Header.Clone(), b})
	code := rv.statuses[min(n, len(rv.statuses)-1)]
	rv.mu.Unlock()
	w.WriteHeader(code)
}

func (rv *receiver) received() []received {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	return append([]received(nil), rv.reqs...)
}

// startWorker runs a real asynq server on queue with a near-zero retry
// delay, serving the Service's webhook handler.
func startWorker(t *testing.T, srv *testredis.Server, svc *Service, queue string) {
	t.Helper()
	w := asynq.NewServerFromRedisClient(srv.Client, asynq.Config{
		Queues:                   map[string]int{queue: 1},
		Concurrency:              1,
		RetryDelayFunc:           func(int, error, *asynq.Task) time.Duration { return time.Millisecond },
		DelayedTaskCheckInterval: 20 * time.Millisecond,
		LogLevel:                 asynq.FatalLevel,
	})
	mux := asynq.NewServeMux()
	mux.HandleFunc(TypeDeliver, svc.HandleDeliver)
	if err := w.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Shutdown)
}

// waitState polls the store until the alert leaves the pending state.
func waitState(t *testing.T, svc *Service, id string) *index.AlertEvent {
	t.Helper()
	for i := 0; ; i++ {
		ev, err := svc.Alert(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ev.DeliveryState != "pending" {
			return ev
		}
		if i > 2000 {
			t.Fatalf("alert %s still pending after %d deliveries", id, len(ev.Deliveries))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// raiseOne creates a watchlist with one webhook and raises one niche-change
// alert on it, returning the alert id and the webhook's secret.
func raiseOne(t *testing.T, svc *Service, st index.Store, clk *clock, url string) (string, string) {
	t.Helper()
	ctx := context.Background()
	a := storeCreator(t, st, "did:plc:hook", "hook.bsky.social", day(0))
	w, err := svc.Create(ctx, Spec{ID: "hooked", Name: "Hooked", Members: []string{a.Key}, Webhooks: []index.Webhook{{URL: url}}})
	if err != nil {
		t.Fatal(err)
	}
	h := []creator.Snapshot{snap(0, nil), snap(1, func(s *creator.Snapshot) { s.PrimaryNiche = "gaming" })}
	if err := svc.AfterWrite(ctx, a, a, h, "rescan"); err != nil {
		t.Fatal(err)
	}
	return EventID(w.ID, a.Key, KindNicheChange, day(1)), w.Webhooks[0].Secret
}

func TestWebhookFailsTwiceThenDelivers(t *testing.T) {
	srv := testredis.New(t, redisDB)
	st := newMemStore()
	clk := newClock(day(1))
	rv := &receiver{statuses: []int{500, 503, 200}}
	hook := httptest.NewServer(rv)
	defer hook.Close()
	queue := "webhooks-three"
	svc := New(st, WithProfileURLs(parseProfileURL), WithClock(clk.Now), WithURLCheck(allowAll), WithHTTPClient(hook.Client()),
		WithTaskEnqueuer(asynq.NewClientFromRedisClient(srv.Client)), WithDeliveryQueue(queue))
	id, secret := raiseOne(t, svc, st, clk, hook.URL+"/scout")
	startWorker(t, srv, svc, queue)

	ev := waitState(t, svc, id)
	reqs := rv.received()
	if len(reqs) != 3 {
		t.Fatalf("receiver got %d requests, want 3", len(reqs))
	}
	for i, r := range reqs {
		if err := Verify(secret, r.header, r.body, clk.Now(), 0); err != nil {
			t.Errorf("request %d: %v", i, err)
		}
		if err := Verify("wrong", r.header, r.body, clk.Now(), 0); !errors.Is(err, creator.ErrForbidden) {
			t.Errorf("request %d verified with the wrong secret: %v", i, err)
		}
		if string(r.body) != string(reqs[0].body) || r.header.Get(HeaderDelivery) != id || r.header.Get(HeaderEvent) != KindNicheChange {
			t.Errorf("request %d: body or headers differ between attempts: %s %v", i, r.body, r.header)
		}
	}
	var body WebhookBody
	if err := json.Unmarshal(reqs[0].body, &body); err != nil {
		t.Fatal(err)
	}
	if body.ID != id || body.Type != "alert" || body.Watchlist != (WatchlistRef{ID: "hooked", Name: "Hooked"}) ||
		body.Event.Kind != KindNicheChange || body.Event.After["primary_niche"] != "gaming" || body.Event.Deliveries != nil {
		t.Errorf("body: %+v", body)
	}
	url := hook.URL + "/scout"
	want := []index.Delivery{
		{URL: url, Attempt: 1, At: day(1), StatusCode: 500, Error: "status 500"},
		{URL: url, Attempt: 2, At: day(1), StatusCode: 503, Error: "status 503"},
		{URL: url, Attempt: 3, At: day(1), StatusCode: 200},
	}
	if ev.DeliveryState != "delivered" {
		t.Errorf("state %q, want delivered", ev.DeliveryState)
	}
	if diff := cmp.Diff(want, ev.Deliveries); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
}

func TestWebhookGivesUpIntoFailed(t *testing.T) {
	srv := testredis.New(t, redisDB)
	st := newMemStore()
	clk := newClock(day(1))
	rv := &receiver{statuses: []int{502}}
	hook := httptest.NewServer(rv)
	defer hook.Close()
	queue := "webhooks-fail"
	svc := New(st, WithProfileURLs(parseProfileURL), WithClock(clk.Now), WithURLCheck(allowAll), WithHTTPClient(hook.Client()), WithMaxAttempts(3),
		WithTaskEnqueuer(asynq.NewClientFromRedisClient(srv.Client)), WithDeliveryQueue(queue))
	id, _ := raiseOne(t, svc, st, clk, hook.URL)
	startWorker(t, srv, svc, queue)

	ev := waitState(t, svc, id)
	if ev.DeliveryState != "failed" || len(ev.Deliveries) != 3 || ev.Deliveries[2].Attempt != 3 {
		t.Errorf("state %q with %d deliveries, want failed after 3", ev.DeliveryState, len(ev.Deliveries))
	}
	insp := asynq.NewInspectorFromRedisClient(srv.Client)
	for i := 0; ; i++ {
		arch, _ := insp.ListArchivedTasks(queue)
		if len(arch) == 1 {
			break
		}
		if i > 500 {
			t.Fatalf("archived tasks: %d, want 1", len(arch))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(rv.received()); n != 3 {
		t.Errorf("receiver got %d requests, want 3", n)
	}
}

func TestHandleDeliver(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int
		check     URLCheck
		payload   func(id, url string) []byte
		calls     int
		wantState string
		wantSkip  bool
		wantErr   bool
		wantReqs  int
	}{
		{name: "delivered", statuses: []int{204}, calls: 1, wantState: "delivered", wantReqs: 1},
		{name: "already delivered is not sent again", statuses: []int{200}, calls: 2, wantState: "delivered", wantReqs: 1},
		{name: "server error is retried", statuses: []int{500}, calls: 1, wantState: "pending", wantErr: true, wantReqs: 1},
		{name: "gone is not retried", statuses: []int{410}, calls: 1, wantState: "failed", wantErr: true, wantSkip: true, wantReqs: 1},
		{name: "rate limited is retried", statuses: []int{429}, calls: 1, wantState: "pending", wantErr: true, wantReqs: 1},
		{name: "attempts run out", statuses: []int{500}, calls: 3, wantState: "failed", wantErr: true, wantReqs: 3},
		{name: "url refused at delivery", statuses: []int{200}, calls: 1, check: func(context.Context, string) error { return creator.ErrForbidden },
			wantState: "failed", wantErr: true, wantSkip: true},
		{name: "undecodable payload", statuses: []int{200}, calls: 1, payload: func(string, string) []byte { return []byte("{") },
			wantState: "pending", wantErr: true, wantSkip: true},
		{name: "unknown alert", statuses: []int{200}, calls: 1, payload: func(_, url string) []byte {
			return []byte(`{"alert_id":"al-nope","hook":0,"url":"` + url + `"}`)
		}, wantState: "pending", wantErr: true, wantSkip: true},
		{name: "webhook removed since", statuses: []int{200}, calls: 1, payload: func(id, _ string) []byte {
			return []byte(`{"alert_id":"` + id + `","hook":0,"url":"https://other.example.com/"}`)
		}, wantState: "pending", wantErr: true, wantSkip: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := newMemStore()
			clk := newClock(day(1))
			rv := &receiver{statuses: tc.statuses}
			hook := httptest.NewServer(rv)
			defer hook.Close()
			tasks := &taskRecorder{}
			svc := New(st, WithProfileURLs(parseProfileURL), WithClock(clk.Now), WithURLCheck(allowAll), WithHTTPClient(hook.Client()), WithMaxAttempts(3), WithTaskEnqueuer(tasks))
			id, _ := raiseOne(t, svc, st, clk, hook.URL)
			if tc.check != nil {
				svc.checkURL = tc.check
			}
			if len(tasks.tasks) != 1 {
				t.Fatalf("tasks: %d, want 1", len(tasks.tasks))
			}
			task := tasks.tasks[0]
			if tc.payload != nil {
				task = asynq.NewTask(TypeDeliver, tc.payload(id, hook.URL))
			}
			var err error
			for range tc.calls {
				err = svc.HandleDeliver(ctx, task)
			}
			if (err != nil) != tc.wantErr || errors.Is(err, asynq.SkipRetry) != tc.wantSkip {
				t.Errorf("HandleDeliver: %v; want error %v, skip retry %v", err, tc.wantErr, tc.wantSkip)
			}
			ev, _ := svc.Alert(ctx, id)
			if ev.DeliveryState != tc.wantState {
				t.Errorf("state %q, want %q", ev.DeliveryState, tc.wantState)
			}
			if n := len(rv.received()); n != tc.wantReqs {
				t.Errorf("requests: %d, want %d", n, tc.wantReqs)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"id":"al-1"}`)
	now := time.Unix(1_800_000_000, 0)
	good := http.Header{}
	good.Set(HeaderTimestamp, "1800000000")
	good.Set(HeaderSignature, Sign("s", 1_800_000_000, body))
	tests := []struct {
		name   string
		header func() http.Header
		body   []byte
		now    time.Time
		ok     bool
	}{
		{name: "valid", header: good.Clone, body: body, now: now, ok: true},
		{name: "tampered body", header: good.Clone, body: []byte(`{"id":"al-2"}`), now: now},
		{name: "stale", header: good.Clone, body: body, now: now.Add(6 * time.Minute)},
		{name: "from the future", header: good.Clone, body: body, now: now.Add(-6 * time.Minute)},
		{name: "timestamp swapped", header: func() http.Header {
			h := good.Clone()
			h.Set(HeaderTimestamp, "1800000001")
			return h
		}, body: body, now: now},
		{name: "no signature", header: func() http.Header {
			h := good.Clone()
			h.Del(HeaderSignature)
			return h
		}, body: body, now: now},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify("s", tc.header(), tc.body, tc.now, 0)
			if (err == nil) != tc.ok {
				t.Errorf("Verify: %v, want ok %v", err, tc.ok)
			}
		})
	}
	// The documented scheme, computed independently.
	m := hmac.New(sha256.New, []byte("secret"))
	m.Write([]byte("1700000000.{}"))
	if got, want := Sign("secret", 1700000000, []byte("{}")), "sha256="+hex.EncodeToString(m.Sum(nil)); got != want {
		t.Errorf("Sign: got %q, want %q", got, want)
	}
}

func TestWebhookThroughSSRFGuardedClient(t *testing.T) {
	tests := []struct {
		name      string
		allow     []netip.Prefix
		wantState string
		wantReqs  int
	}{
		{name: "loopback allowed", allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, wantState: "delivered", wantReqs: 1},
		// The URL passed the check when saved (its name resolved to a
		// public address then); the guard refuses it at dial time.
		{name: "loopback refused at dial", wantState: "failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := newMemStore()
			clk := newClock(day(1))
			rv := &receiver{statuses: []int{200}}
			hook := httptest.NewServer(rv)
			defer hook.Close()
			fc, err := fetch.New(fetch.WithAllowNets(tc.allow...))
			if err != nil {
				t.Fatal(err)
			}
			tasks := &taskRecorder{}
			svc := New(st, WithProfileURLs(parseProfileURL), WithClock(clk.Now), WithURLCheck(allowAll), WithHTTPClient(fc.HTTPClient()), WithTaskEnqueuer(tasks))
			id, _ := raiseOne(t, svc, st, clk, hook.URL)
			err = svc.HandleDeliver(ctx, tasks.tasks[0])
			if (tc.wantState == "failed") != errors.Is(err, asynq.SkipRetry) {
				t.Errorf("HandleDeliver: %v", err)
			}
			ev, _ := svc.Alert(ctx, id)
			if ev.DeliveryState != tc.wantState || len(rv.received()) != tc.wantReqs {
				t.Errorf("state %q after %d requests, want %q after %d (%+v)", ev.DeliveryState, len(rv.received()), tc.wantState, tc.wantReqs, ev.Deliveries)
			}
		})
	}
}
