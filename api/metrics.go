package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the API's own Prometheus series.
type metrics struct {
	requests *prometheus.HistogramVec
	limited  *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "scout_http_request_duration_seconds",
			Help:    "Latency of API requests by route (the route's pattern), method and status code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "status"}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scout_http_rate_limited_total",
			Help: "Requests refused with 429 by the per-key rate limit, by key name.",
		}, []string{"key"}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.limited)
	}
	return m
}

func (m *metrics) rateLimited(key string) { m.limited.WithLabelValues(key).Inc() }

// reqInfo is what the middleware learns about a request as it is served.
type reqInfo struct {
	id    string
	route string
	key   string // the API key's name
}

type infoCtx struct{}

func setRoute(r *http.Request, rt *route) {
	if ri, ok := r.Context().Value(infoCtx{}).(*reqInfo); ok {
		ri.route = rt.path
	}
}

func setKeyName(r *http.Request, k *Key) {
	if ri, ok := r.Context().Value(infoCtx{}).(*reqInfo); ok {
		ri.key = k.Name
	}
}

// RequestID returns the id of the request ctx serves ("" outside one); the
// response carries it as X-Request-Id and every log line of the request
// has it.
func RequestID(ctx context.Context) string {
	if ri, ok := ctx.Value(infoCtx{}).(*reqInfo); ok {
		return ri.id
	}
	return ""
}

// statusWriter records the status code written.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets exports stream through the recorder.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// newRequestID returns a random id, or the client's X-Request-Id when it
// is a short printable token.
func newRequestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 64 && printableToken(id) {
		return id
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func printableToken(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// observe wraps every request: it gives it an id (returned as
// X-Request-Id), times it by route and status, and logs it as JSON
// through the server's logger.
func (s *Server) observe(w http.ResponseWriter, r *http.Request, next http.Handler) {
	start := time.Now()
	ri := &reqInfo{id: newRequestID(r)}
	r = r.WithContext(context.WithValue(r.Context(), infoCtx{}, ri))
	w.Header().Set("X-Request-Id", ri.id)
	sw := &statusWriter{ResponseWriter: w}
	next.ServeHTTP(sw, r)
	if sw.code == 0 {
		sw.code = http.StatusOK
	}
	route := ri.route
	if route == "" {
		route = "other"
	}
	d := time.Since(start)
	s.metrics.requests.WithLabelValues(route, r.Method, strconv.Itoa(sw.code)).Observe(d.Seconds())
	level := slog.LevelInfo
	if route == "/healthz" || route == "/readyz" || route == "/metrics" {
		level = slog.LevelDebug
	}
	attrs := []slog.Attr{slog.String("request_id", ri.id), slog.String("method", r.Method), slog.String("route", route),
		slog.Int("status", sw.code), slog.Float64("duration_ms", float64(d.Microseconds())/1000)}
	if ri.key != "" {
		attrs = append(attrs, slog.String("key", ri.key))
	}
	s.log.LogAttrs(r.Context(), level, "request", attrs...)
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	s.metricsHandler.ServeHTTP(w, r)
}

func metricsHandler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}
