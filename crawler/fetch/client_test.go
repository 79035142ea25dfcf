package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
)

func mustURL(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUserAgent(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"default names the project and a contact URL", nil, "CreatorScout/0.1 (+https://github.com/creatorscout/scout)"},
		{"configured", []Option{WithUserAgent("CreatorScout/0.1 (+https://example.org/contact)")}, "CreatorScout/0.1 (+https://example.org/contact)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got atomic.Value
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					http.NotFound(w, r)
					return
				}
				got.Store(r.UserAgent())
				fmt.Fprint(w, `{}`)
			}))
			defer srv.Close()
			c := mustNew(t, fakeOpts(newFakeClock(), tt.opts...)...)
			if _, err := c.Get(context.Background(), mustURL(t, srv.URL+"/page")); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.Load()); diff != "" {
				t.Errorf("User-Agent (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGetJSONStatuses(t *testing.T) {
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		wantErr   error
		wantRA    bool // the error wraps a *creator.RetryAfter
		wantValue map[string]int
	}{
		{
			name:      "ok",
			handler:   func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"a":1}`) },
			wantValue: map[string]int{"a": 1},
		},
		{
			name:    "404 is not found",
			handler: func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
			wantErr: creator.ErrNotFound,
		},
		{
			name:    "truncated JSON is malformed",
			handler: func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"a":`) },
			wantErr: creator.ErrMalformed,
		},
		{
			name: "429 after retries is rate limited with a retry time",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "2")
				w.WriteHeader(http.StatusTooManyRequests)
			},
			wantErr: creator.ErrRateLimited,
			wantRA:  true,
		},
		{
			name:    "5xx after retries carries a retry time and the status",
			handler: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) },
			wantRA:  true,
		},
		{
			name:    "too large",
			handler: func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, `{"a":"%s"}`, strings.Repeat("x", 2000)) },
			wantErr: creator.ErrTooLarge,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			c := mustNew(t, fakeOpts(newFakeClock(), WithMaxBodyBytes(1000))...)
			var got map[string]int
			err := c.GetJSON(context.Background(), mustURL(t, srv.URL+"/x"), &got)
			if tt.wantErr == nil && !tt.wantRA {
				if err != nil {
					t.Fatalf("GetJSON: %v", err)
				}
				if diff := cmp.Diff(tt.wantValue, got); diff != "" {
					t.Errorf("value (-want +got):\n%s", diff)
				}
				return
			}
			if err == nil {
				t.Fatal("GetJSON succeeded, want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("GetJSON error %q does not wrap %q", err, tt.wantErr)
			}
			var ra *creator.RetryAfter
			if got := errors.As(err, &ra); got != tt.wantRA {
				t.Errorf("GetJSON error %q wraps *creator.RetryAfter: %v, want %v", err, got, tt.wantRA)
			}
		})
	}
}

func TestRetriesHonourAnnouncedTimes(t *testing.T) {
	tests := []struct {
		name      string
		first     func(w http.ResponseWriter)
		wantSleep time.Duration
		// jittered: the retry's backoff is drawn from [wantSleep/2,
		// wantSleep]; with the host's 5xx pause the sleeps add up to
		// between the two.
		jittered bool
	}{
		{
			name: "503 with Retry-After seconds",
			first: func(w http.ResponseWriter) {
				w.Header().Set("Retry-After", "7")
				w.WriteHeader(http.StatusServiceUnavailable)
			},
			wantSleep: 7 * time.Second,
		},
		{
			name: "429 with Retry-After HTTP date",
			first: func(w http.ResponseWriter) {
				w.Header().Set("Retry-After", "Mon, 23 Nov 2026 12:00:09 GMT")
				w.WriteHeader(http.StatusTooManyRequests)
			},
			wantSleep: 9 * time.Second,
		},
		{
			name: "429 with RateLimit-Reset epoch seconds",
			first: func(w http.ResponseWriter) {
				w.Header().Set("RateLimit-Reset", fmt.Sprint(time.Date(2026, 11, 23, 12, 0, 4, 0, time.UTC).Unix()))
				w.WriteHeader(http.StatusTooManyRequests)
			},
			wantSleep: 4 * time.Second,
		},
		{
			name: "429 with X-RateLimit-Reset ISO-8601",
			first: func(w http.ResponseWriter) {
				w.Header().Set("X-RateLimit-Reset", "2026-11-23T12:00:05.000Z")
				w.WriteHeader(http.StatusTooManyRequests)
			},
			wantSleep: 5 * time.Second,
		},
		{
			name:      "500 without headers backs off",
			first:     func(w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) },
			wantSleep: 500 * time.Millisecond,
			jittered:  true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					tt.first(w)
					return
				}
				fmt.Fprint(w, `{"ok":1}`)
			}))
			defer srv.Close()
			clk := newFakeClock()
			c := mustNew(t, fakeOpts(clk)...)
			var got map[string]int
			if err := c.GetJSON(context.Background(), mustURL(t, srv.URL+"/x"), &got); err != nil {
				t.Fatalf("GetJSON: %v", err)
			}
			slept := clk.Slept()
			switch {
			case tt.jittered:
				var sum time.Duration
				for _, d := range slept {
					sum += d
				}
				if len(slept) == 0 || sum < tt.wantSleep/2 || sum > tt.wantSleep {
					t.Errorf("sleeps %v, want them to add up to between %v and %v", slept, tt.wantSleep/2, tt.wantSleep)
				}
			default:
				if diff := cmp.Diff([]time.Duration{tt.wantSleep}, slept); diff != "" {
					t.Errorf("sleeps (-want +got):\n%s", diff)
				}
			}
			if got := n.Load(); got != 2 {
				t.Errorf("server saw %d requests, want 2", got)
			}
		})
	}
}

func TestGiveUpReportsWhen(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	clk := newFakeClock()
	c := mustNew(t, fakeOpts(clk)...)
	err := c.GetJSON(context.Background(), mustURL(t, srv.URL+"/x"), new(any))
	var ra *creator.RetryAfter
	if !errors.As(err, &ra) {
		t.Fatalf("GetJSON error %v does not wrap *creator.RetryAfter", err)
	}
	if want := clk.Now().Add(time.Hour); !ra.Until.Equal(want) {
		t.Errorf("RetryAfter.Until = %v, want %v", ra.Until, want)
	}
	if !errors.Is(err, creator.ErrRateLimited) {
		t.Errorf("error %v does not wrap creator.ErrRateLimited", err)
	}
}

func gzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestBodyLimits(t *testing.T) {
	const limit = 64 << 10
	bomb := gzipBytes(t, make([]byte, 8<<20)) // 8 MiB of zeros in 8 KiB
	tests := []struct {
		name    string
		handler http.HandlerFunc
		wantErr error
	}{
		{
			name: "gzip bomb, transparently negotiated",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(bomb)
			},
			wantErr: creator.ErrTooLarge,
		},
		{
			name: "gzip bomb as unrequested encoding",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "GZIP ")
				w.Write(bomb)
			},
			wantErr: creator.ErrTooLarge,
		},
		{
			name: "endless body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				chunk := bytes.Repeat([]byte("a"), 4096)
				for r.Context().Err() == nil {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			},
			wantErr: creator.ErrTooLarge,
		},
		{
			name: "declared length over the limit",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", fmt.Sprint(limit+1))
				w.Write(make([]byte, limit+1))
			},
			wantErr: creator.ErrTooLarge,
		},
		{
			name: "exactly the limit",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Write(make([]byte, limit))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			c := mustNew(t, fakeOpts(newFakeClock(), WithMaxBodyBytes(limit), WithRobots(false))...)
			resp, err := c.Get(context.Background(), mustURL(t, srv.URL+"/x"))
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if len(resp.Body) != limit {
					t.Errorf("body is %d bytes, want %d", len(resp.Body), limit)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Get error %v, want one wrapping %v", err, tt.wantErr)
			}
			if resp != nil {
				t.Errorf("Get returned a response with the error; a truncated body must not escape")
			}
		})
	}
}

func TestReadTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c := mustNew(t, WithAllowNets(loopback), WithRobots(false), WithRetries(0, 0),
		WithTimeouts(0, 50*time.Millisecond, 0))
	_, err := c.Get(context.Background(), mustURL(t, srv.URL+"/slow"))
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("Get error %v, want one wrapping ErrTimeout", err)
	}
}

func TestRedactsSecrets(t *testing.T) {
	u := mustURL(t, "https://www.googleapis.com/youtube/v3/channels?id=UC1&key=SECRET")
	if got := redact(u); strings.Contains(got, "SECRET") {
		t.Errorf("redact(%s) = %s, still holds the key", u, got)
	}
}

func TestGetJSONStatusErrorKeepsBody(t *testing.T) {
	long := `{"error":"NotFound","message":"` + strings.Repeat("x", 3*StatusBodyMax) + `"}`
	for _, tt := range []struct{ name, body, want string }{
		{"xrpc error", `{"error":"NotFound","message":"Post not found"}`, `{"error":"NotFound","message":"Post not found"}`},
		{"long body cut", long, long[:StatusBodyMax]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, tt.body)
			}))
			defer srv.Close()
			c := mustNew(t, fakeOpts(newFakeClock())...)
			err := c.GetJSON(context.Background(), mustURL(t, srv.URL+"/x"), new(any))
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("GetJSON error %v, want a *StatusError", err)
			}
			if se.StatusCode != http.StatusBadRequest || string(se.Body) != tt.want {
				t.Errorf("StatusError %d with body %q, want 400 with %q", se.StatusCode, short(string(se.Body)), short(tt.want))
			}
		})
	}
}

func TestBackoffSchedule(t *testing.T) {
	first, limit := 100*time.Millisecond, time.Second
	b := Backoff(first, limit)
	step := first
	for n := range 8 {
		d := b.NextBackOff()
		if d < step/2 || d > step {
			t.Errorf("delay %d = %v, want between %v and %v", n, d, step/2, step)
		}
		if got := BackoffDelay(first, limit, n); got < step/2 || got > step {
			t.Errorf("BackoffDelay(%d) = %v, want between %v and %v", n, got, step/2, step)
		}
		step = min(step*2, limit)
	}
	// Jitter: 50 draws of one step are not all the same.
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[BackoffDelay(first, limit, 0)] = true
	}
	if len(seen) < 2 {
		t.Errorf("50 first delays took %d value(s), want jitter", len(seen))
	}
}

// TestGetJSONKeepsNothingOfItsBuffer decodes answers one after another
// (each body read into the same pooled buffer) and checks that what an
// earlier answer decoded, strings, raw JSON and bytes, is not overwritten
// by a later one.
func TestGetJSONKeepsNothingOfItsBuffer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := r.URL.Query().Get("n")
		fmt.Fprintf(w, `{"handle":"user%s.example","raw":{"n":"%s"},"bytes":"%s","pad":"%s"}`,
			n, n, base64.StdEncoding.EncodeToString([]byte("bytes"+n)), strings.Repeat(n, 100))
	}))
	defer srv.Close()
	c := mustNew(t, fakeOpts(newFakeClock())...)
	type answer struct {
		Handle string          `json:"handle"`
		Raw    json.RawMessage `json:"raw"`
		Bytes  []byte          `json:"bytes"`
	}
	var got []answer
	for i := range 20 {
		var a answer
		if err := c.GetJSON(context.Background(), mustURL(t, fmt.Sprintf("%s/x?n=%d", srv.URL, i)), &a); err != nil {
			t.Fatal(err)
		}
		got = append(got, a)
	}
	for i, a := range got {
		if a.Handle != fmt.Sprintf("user%d.example", i) || string(a.Raw) != fmt.Sprintf(`{"n":"%d"}`, i) || string(a.Bytes) != fmt.Sprintf("bytes%d", i) {
			t.Errorf("answer %d reads %q %s %q after later answers were decoded", i, a.Handle, a.Raw, a.Bytes)
		}
	}
}
