package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/creator"
)

// TestTwoWorkersShareHostLimit runs two clients, as two worker processes
// would (separate transports, one Redis), against one host limited to 10
// requests per second. The server counts requests per wall-clock second.
func TestTwoWorkersShareHostLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 4 s of real time")
	}
	const (
		limit    = 10
		requests = 40
	)
	var mu sync.Mutex
	perSecond := map[int64]int{}
	var served atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		perSecond[time.Now().Unix()]++
		mu.Unlock()
		served.Add(1)
		fmt.Fprint(w, `{"ok":true}`)
	}))
	defer srv.Close()
	host := mustURL(t, srv.URL).Host

	rdb, prefix := newTestRedis(t)
	var reserves atomic.Int32
	rdb.(*redis.Client).AddHook(countScripts{key: prefix + "tat:", n: &reserves})
	newWorker := func() *Client {
		return mustNew(t, WithRedis(rdb), WithKeyPrefix(prefix), WithAllowNets(loopback),
			WithHost(host, HostPolicy{Rate: limit, Burst: 1}))
	}
	workers := []*Client{newWorker(), newWorker()}
	if workers[0].base == workers[1].base {
		t.Fatal("workers share a transport")
	}

	var wg sync.WaitGroup
	errs := make(chan error, requests)
	next := atomic.Int32{}
	for _, c := range workers {
		for range 3 { // a few goroutines per worker, as a worker's concurrency
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= requests {
					var v map[string]bool
					if err := c.GetJSON(context.Background(), mustURL(t, srv.URL+"/creator"), &v); err != nil {
						errs <- err
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("GetJSON: %v", err)
	}
	if got := served.Load(); got != requests {
		t.Errorf("server served %d requests, want %d", got, requests)
	}
	mu.Lock()
	defer mu.Unlock()
	for sec, n := range perSecond {
		if n > limit {
			t.Errorf("server saw %d requests in second %d, over the limit of %d", n, sec, limit)
		}
	}
	// Three goroutines per worker wait for slots: batches of about three.
	if n := reserves.Load(); n > requests*3/4 {
		t.Errorf("%d rate-limit round trips for %d requests, want batches (at most %d)", n, requests, requests*3/4)
	}
	t.Logf("%d rate-limit round trips for %d requests", reserves.Load(), requests)
}

// countScripts counts the scripts run on keys starting with key.
type countScripts struct {
	key string
	n   *atomic.Int32
}

func (h countScripts) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h countScripts) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h countScripts) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if a := cmd.Args(); (cmd.Name() == "evalsha" || cmd.Name() == "eval") && len(a) > 3 {
			if k, ok := a[3].(string); ok && strings.HasPrefix(k, h.key) {
				h.n.Add(1)
			}
		}
		return next(ctx, cmd)
	}
}

func TestRetryAfterPausesEveryWorker(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		wantWait   bool // the second worker waits and succeeds instead of giving up
		until      time.Duration
	}{
		{"long pause: every worker gives up until then", "120", false, 120 * time.Second},
		{"short pause: every worker waits it out", "2", true, 0},
		{"huge pause: capped at MaxRetryWait, not overflowed into the past", "1e10", false, MaxRetryWait},
		{"infinite pause: capped at MaxRetryWait", "Inf", false, MaxRetryWait},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if hits.Add(1) == 1 {
					w.Header().Set("Retry-After", tt.retryAfter)
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				fmt.Fprint(w, `{}`)
			}))
			defer srv.Close()
			rdb, prefix := newTestRedis(t)
			clk := newFakeClock()
			a := mustNew(t, fakeOpts(clk, WithRedis(rdb), WithKeyPrefix(prefix), WithRetries(0, 0))...)
			bClock := &fakeClock{t: clk.Now()} // another process, same time
			b := mustNew(t, fakeOpts(bClock, WithRedis(rdb), WithKeyPrefix(prefix))...)
			ctx := context.Background()
			u := mustURL(t, srv.URL+"/x")

			err := a.GetJSON(ctx, u, new(any))
			var ra *creator.RetryAfter
			if !errors.As(err, &ra) || !errors.Is(err, creator.ErrRateLimited) {
				t.Fatalf("first worker: %v, want a *creator.RetryAfter rate limit", err)
			}
			err = b.GetJSON(ctx, u, new(any))
			if tt.wantWait {
				if err != nil {
					t.Fatalf("second worker: %v", err)
				}
				if diff := cmp.Diff([]time.Duration{2 * time.Second}, bClock.Slept()); diff != "" {
					t.Errorf("second worker's sleeps (-want +got):\n%s", diff)
				}
				if got := hits.Load(); got != 2 {
					t.Errorf("server saw %d requests, want 2", got)
				}
				return
			}
			var rb *creator.RetryAfter
			if !errors.As(err, &rb) {
				t.Fatalf("second worker: %v, want a *creator.RetryAfter", err)
			}
			if want := clk.Now().Add(tt.until); !rb.Until.Equal(want) {
				t.Errorf("second worker's RetryAfter.Until = %v, want %v", rb.Until, want)
			}
			if got := hits.Load(); got != 1 {
				t.Errorf("server saw %d requests during the pause, want 1", got)
			}
			bClock.Advance(tt.until + time.Second)
			if err := b.GetJSON(ctx, u, new(any)); err != nil {
				t.Errorf("second worker after the pause: %v", err)
			}
		})
	}
}

func TestAnnouncedLimits(t *testing.T) {
	clk := newFakeClock()
	tests := []struct {
		name      string
		header    map[string]string
		policy    HostPolicy
		wantSleep time.Duration
	}{
		{
			name:      "exhausted RateLimit-* pauses until the epoch reset",
			header:    map[string]string{"RateLimit-Limit": "3000", "RateLimit-Remaining": "0", "RateLimit-Reset": fmt.Sprint(clk.Now().Add(10 * time.Second).Unix())},
			wantSleep: 10 * time.Second,
		},
		{
			name:      "exhausted X-RateLimit-* pauses until the ISO-8601 reset",
			header:    map[string]string{"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": clk.Now().Add(7 * time.Second).Format(time.RFC3339)},
			wantSleep: 7 * time.Second,
		},
		{
			name:      "a lower announced rate slows the host down",
			header:    map[string]string{"Ratelimit-Limit": "800", "Ratelimit-Remaining": "5", "Ratelimit-Reset": fmt.Sprint(clk.Now().Add(10 * time.Second).Unix())},
			policy:    HostPolicy{Rate: 100, Burst: 1},
			wantSleep: intervalFor(0.5 * headroom),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if hits.Add(1) == 1 {
					for k, v := range tt.header {
						w.Header().Set(k, v)
					}
				}
				fmt.Fprint(w, `{}`)
			}))
			defer srv.Close()
			c := newFakeClock()
			// The in-process state runs the GCRA on the fake clock.
			client := mustNew(t, fakeOpts(c, WithDefaultHostPolicy(tt.policy))...)
			ctx := context.Background()
			for range 3 {
				if err := client.GetJSON(ctx, mustURL(t, srv.URL+"/x"), new(any)); err != nil {
					t.Fatal(err)
				}
			}
			slept := c.Slept()
			if len(slept) == 0 || slept[len(slept)-1] != tt.wantSleep {
				t.Errorf("sleeps %v, want the last to be %v", slept, tt.wantSleep)
			}
		})
	}
}

func TestDailyQuota(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	rdb, prefix := newTestRedis(t)
	clk := newFakeClock()
	host := mustURL(t, srv.URL).Host
	pol := HostPolicy{DailyQuota: 150}
	a := mustNew(t, fakeOpts(clk, WithRedis(rdb), WithKeyPrefix(prefix), WithHost(host, pol))...)
	b := mustNew(t, fakeOpts(clk, WithRedis(rdb), WithKeyPrefix(prefix), WithHost(host, pol))...)
	ctx := context.Background()
	u := mustURL(t, srv.URL+"/search")

	if err := a.GetJSON(WithCost(ctx, 100), u, new(any)); err != nil {
		t.Fatalf("first search: %v", err)
	}
	err := b.GetJSON(WithCost(ctx, 100), u, new(any))
	if !errors.Is(err, ErrQuotaSpent) || !errors.Is(err, creator.ErrRateLimited) {
		t.Fatalf("second search on another worker: %v, want ErrQuotaSpent", err)
	}
	var ra *creator.RetryAfter
	if !errors.As(err, &ra) || !ra.Until.Equal(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("RetryAfter %v, want midnight UTC", ra)
	}
	if got := hits.Load(); got != 1 {
		t.Errorf("server saw %d requests, want 1: the refused one must not be sent", got)
	}
	for i := range 50 {
		if err := b.GetJSON(ctx, u, new(any)); err != nil {
			t.Fatalf("cheap request %d within the quota: %v", i, err)
		}
	}
	if err := a.GetJSON(ctx, u, new(any)); !errors.Is(err, ErrQuotaSpent) {
		t.Errorf("request past the quota: %v, want ErrQuotaSpent", err)
	}
	clk.Advance(12 * time.Hour)
	if err := a.GetJSON(WithCost(ctx, 100), u, new(any)); err != nil {
		t.Errorf("next day: %v", err)
	}
}

func TestBudget(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/x", http.StatusFound)
			return
		}
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	c := mustNew(t, fakeOpts(newFakeClock())...)
	ctx, cancel := NewTask(context.Background(), Limits{Pages: 3, Timeout: time.Hour})
	defer cancel()
	if err := c.GetJSON(ctx, mustURL(t, srv.URL+"/redirect"), new(any)); err != nil {
		t.Fatal(err) // two requests: the redirect and its target
	}
	if err := c.GetJSON(ctx, mustURL(t, srv.URL+"/x"), new(any)); err != nil {
		t.Fatal(err)
	}
	err := c.GetJSON(ctx, mustURL(t, srv.URL+"/x"), new(any))
	if !errors.Is(err, ErrBudgetSpent) || !errors.Is(err, creator.ErrForbidden) {
		t.Fatalf("request past the budget: %v, want ErrBudgetSpent", err)
	}
	if got := hits.Load(); got != 3 {
		t.Errorf("server saw %d requests, want 3", got)
	}
	if left, ok := BudgetLeft(ctx); !ok || left != 0 {
		t.Errorf("BudgetLeft = %d, %v; want 0, true", left, ok)
	}
}

func TestServerErrorPausesEveryWorkerBriefly(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	rdb, prefix := newTestRedis(t)
	clk := newFakeClock()
	a := mustNew(t, fakeOpts(clk, WithRedis(rdb), WithKeyPrefix(prefix), WithRetries(0, 0), WithBackoff(time.Second, time.Minute))...)
	bClock := &fakeClock{t: clk.Now()}
	b := mustNew(t, fakeOpts(bClock, WithRedis(rdb), WithKeyPrefix(prefix), WithBackoff(time.Second, time.Minute))...)
	ctx := context.Background()
	u := mustURL(t, srv.URL+"/x")
	var sErr *StatusError
	if err := a.GetJSON(ctx, u, new(any)); !errors.As(err, &sErr) || sErr.StatusCode != http.StatusInternalServerError {
		t.Fatalf("first worker: %v, want a 500 *StatusError", err)
	}
	if err := b.GetJSON(ctx, u, new(any)); err != nil {
		t.Fatalf("second worker: %v", err)
	}
	if diff := cmp.Diff([]time.Duration{time.Second}, bClock.Slept()); diff != "" {
		t.Errorf("second worker's sleeps (-want +got):\n%s", diff)
	}
}

// TestMetaUsagePausesEveryWorker: Meta's Graph API answers with its usage
// headers (as its rate-limiting docs show them); at full usage every worker
// sharing the Redis stops until access is regained, and high usage slows
// them down.
func TestMetaUsagePausesEveryWorker(t *testing.T) {
	tests := []struct {
		name      string
		header    string
		value     string
		wantPause time.Duration // 0: no pause
	}{
		{"business use case throttled", "X-Business-Use-Case-Usage",
			`{"17841406338772941":[{"type":"instagram","call_count":100,"total_cputime":25,"total_time":25,"estimated_time_to_regain_access":7}]}`, 7 * time.Minute},
		{"app usage full, no time given", "X-App-Usage", `{"call_count":100,"total_time":25,"total_cputime":25}`, metaDefaultPause},
		{"app usage low", "X-App-Usage", `{"call_count":28,"total_time":25,"total_cputime":25}`, 0},
		{"unreadable header", "X-App-Usage", `call_count=100`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if hits.Add(1) == 1 {
					w.Header().Set(tt.header, tt.value)
				}
				fmt.Fprint(w, `{}`)
			}))
			defer srv.Close()
			rdb, prefix := newTestRedis(t)
			clk := newFakeClock()
			a := mustNew(t, fakeOpts(clk, WithRedis(rdb), WithKeyPrefix(prefix), WithRetries(0, 0))...)
			b := mustNew(t, fakeOpts(&fakeClock{t: clk.Now()}, WithRedis(rdb), WithKeyPrefix(prefix))...)
			ctx := WithCredential(context.Background(), "operator-token")
			u := mustURL(t, srv.URL+"/v21.0/17841406338772941")
			if err := a.GetJSON(ctx, u, new(any)); err != nil {
				t.Fatalf("first request: %v", err)
			}
			err := b.GetJSON(ctx, u, new(any))
			if tt.wantPause == 0 {
				if err != nil {
					t.Fatalf("second worker: %v", err)
				}
				return
			}
			var ra *creator.RetryAfter
			if !errors.As(err, &ra) {
				t.Fatalf("second worker: %v, want a *creator.RetryAfter", err)
			}
			if want := clk.Now().Add(tt.wantPause); !ra.Until.Equal(want) {
				t.Errorf("paused until %v, want %v", ra.Until, want)
			}
			if hits.Load() != 1 {
				t.Errorf("server saw %d requests during the pause", hits.Load())
			}
		})
	}
}

func TestParseMetaUsage(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	h := http.Header{}
	h.Set("X-App-Usage", `{"call_count":12,"total_time":80,"total_cputime":3}`)
	h.Set("X-Business-Use-Case-Usage", `{"1":[{"type":"instagram","call_count":40,"estimated_time_to_regain_access":0}],"2":[{"type":"ads_management","call_count":91,"estimated_time_to_regain_access":2}]}`)
	pct, regain, ok := parseMetaUsage(h, now)
	if !ok || pct != 91 || !regain.Equal(now.Add(2*time.Minute)) {
		t.Errorf("parseMetaUsage = %v, %v, %v; want 91, +2m, true", pct, regain, ok)
	}
	if _, _, ok := parseMetaUsage(http.Header{}, now); ok {
		t.Error("no headers read as usage")
	}
}
