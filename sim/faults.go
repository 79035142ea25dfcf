package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// FaultPath is where a Faults handler takes its switch: POST a FaultSpec
// to start answering errors, DELETE to stop, GET for the state and counts.
// Only a simulator started for fault tests serves it (`scout sim
// --fault-admin`), never the API.
const FaultPath = "/_sim/faults"

// FaultSpec is one period of failing answers.
type FaultSpec struct {
	// Statuses are the statuses answered in turn (429, 500, 502, 503,
	// 504); empty means [429, 503].
	Statuses []int `json:"statuses"`
	// For is how long the period lasts ("10s", "1m"); required.
	For string `json:"for"`
	// RetryAfter is the Retry-After header, in seconds, sent with 429 and
	// 503 answers; 0 sends none.
	RetryAfter int `json:"retry_after"`
}

// FaultState is what GET FaultPath answers.
type FaultState struct {
	// Active is whether answers fail now; Until when the period ends.
	Active bool      `json:"active"`
	Until  time.Time `json:"until,omitzero"`
	// Failed counts the failing answers sent, by status, since the
	// handler started; Served the requests passed to the simulator.
	Failed map[string]int64 `json:"failed"`
	Served int64            `json:"served"`
}

// Faults wraps a simulator handler with a switch that makes it answer
// errors for a period, for fault tests of the crawler (rate limiting and
// server errors for a minute). It is safe for concurrent use.
type Faults struct {
	next http.Handler
	now  func() time.Time

	mu     sync.Mutex
	spec   FaultSpec
	until  time.Time
	turn   int
	failed map[int]int64
	served int64
}

// NewFaults returns next behind a fault switch served at FaultPath.
// The switch runs on real time: the world's clock may be moved by tests.
func NewFaults(next http.Handler) *Faults {
	return &Faults{next: next, now: time.Now, failed: map[int]int64{}}
}

// Start makes every request fail as spec says until spec.For has passed.
// Errors name the field at fault.
func (f *Faults) Start(spec FaultSpec) error {
	d, err := time.ParseDuration(spec.For)
	if err != nil || d <= 0 || d > 24*time.Hour {
		return fmt.Errorf("for: want a duration like 10s (at most 24h), got %q", spec.For)
	}
	if len(spec.Statuses) == 0 {
		spec.Statuses = []int{http.StatusTooManyRequests, http.StatusServiceUnavailable}
	}
	for _, s := range spec.Statuses {
		if s != http.StatusTooManyRequests && (s < 500 || s > 599) {
			return fmt.Errorf("statuses: %d is not 429 or a 5xx", s)
		}
	}
	if spec.RetryAfter < 0 || spec.RetryAfter > 3600 {
		return fmt.Errorf("retry_after: want 0 to 3600 seconds, got %d", spec.RetryAfter)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.spec, f.until, f.turn = spec, f.now().Add(d), 0
	return nil
}

// Stop ends the failing period at once.
func (f *Faults) Stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.until = time.Time{}
}

// State reports the switch and its counts.
func (f *Faults) State() FaultState {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := FaultState{Failed: map[string]int64{}, Served: f.served}
	if now := f.now(); now.Before(f.until) {
		st.Active, st.Until = true, f.until
	}
	for s, n := range f.failed {
		st.Failed[strconv.Itoa(s)] = n
	}
	return st
}

// fault returns the status to fail a request with, or 0 to serve it.
func (f *Faults) fault() (int, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.now().Before(f.until) {
		f.served++
		return 0, 0
	}
	s := f.spec.Statuses[f.turn%len(f.spec.Statuses)]
	f.turn++
	f.failed[s]++
	return s, f.spec.RetryAfter
}

// ServeHTTP answers the switch at FaultPath and, outside a failing period,
// passes every other request to the simulator.
func (f *Faults) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.URL.Path == FaultPath {
		f.admin(rw, r)
		return
	}
	status, retry := f.fault()
	if status == 0 {
		f.next.ServeHTTP(rw, r)
		return
	}
	if retry > 0 && (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) {
		rw.Header().Set("Retry-After", strconv.Itoa(retry))
	}
	if status == http.StatusTooManyRequests {
		rw.Header().Set("RateLimit-Limit", "3000")
		rw.Header().Set("RateLimit-Remaining", "0")
		xrpcError(rw, status, "RateLimitExceeded", "Rate Limit Exceeded")
		return
	}
	xrpcError(rw, status, "InternalServerError", http.StatusText(status))
}

func (f *Faults) admin(rw http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodDelete:
		f.Stop()
	case http.MethodPost:
		var spec FaultSpec
		dec := json.NewDecoder(http.MaxBytesReader(rw, r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&spec); err != nil {
			xrpcError(rw, http.StatusBadRequest, "InvalidRequest", "body: want a JSON object with statuses, for and retry_after")
			return
		}
		if err := f.Start(spec); err != nil {
			xrpcError(rw, http.StatusBadRequest, "InvalidRequest", err.Error())
			return
		}
	default:
		rw.Header().Set("Allow", "GET, POST, DELETE")
		xrpcError(rw, http.StatusMethodNotAllowed, "InvalidRequest", "use GET, POST or DELETE")
		return
	}
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(rw).Encode(f.State())
}
