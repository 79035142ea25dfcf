package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// Store is the part of the store the API reads.
type Store interface {
	Get(ctx context.Context, key string) (*creator.Record, error)
	History(ctx context.Context, key string, limit int) ([]creator.Snapshot, error)
	Search(ctx context.Context, q index.Query) (*index.Result, error)
	GetJob(ctx context.Context, id string) (*index.Job, error)
	JobItems(ctx context.Context, jobID, state string) ([]index.JobItem, error)
}

// JSONSearcher is a Store that answers a search with its JSON ready to
// send (the encoding of an index.Result, and a newline), as the SQLite
// store does from each hit's summary as stored; the API sends it as it is
// rather than decoding and encoding every hit.
type JSONSearcher interface {
	SearchJSON(ctx context.Context, q index.Query) ([]byte, error)
}

// JSONGetter is a Store that gives a creator's record as its JSON ready to
// send (and a newline); the API sends it as it is.
type JSONGetter interface {
	GetJSON(ctx context.Context, key string) ([]byte, error)
}

// Submitter accepts discover and crawl requests: it records them in the
// store, then enqueues them.
type Submitter interface {
	SubmitDiscover(ctx context.Context, source, query string, limit int) (*index.Job, error)
	SubmitCrawl(ctx context.Context, ref creator.Ref) (*index.Job, error)
}

// Config configures a Server.
type Config struct {
	// Store is read by the search and get endpoints (required).
	Store Store
	// Submitter takes discover and crawl requests; nil makes those
	// endpoints answer 503.
	Submitter Submitter
	// Watchlists serves /v1/watchlists and /v1/alerts; nil makes those
	// endpoints answer 503.
	Watchlists Watchlists
	// OptOuts takes opt-out requests; nil makes those endpoints answer 503.
	OptOuts OptOuts
	// APIKey, when set, is an admin key accepted as "Authorization: Bearer
	// <key>" under the name SCOUT_API_KEY. With neither APIKey nor Keys no
	// key is required (local use).
	APIKey string
	// Keys holds the named API keys (`scout apikey`); nil means only
	// APIKey. Once a named key exists, every /v1 route needs a key.
	Keys KeyStore
	// Redis keeps the per-key rate limits, so that they hold across
	// replicas; nil means no rate limit.
	Redis redis.UniversalClient
	// RatePerMinute is the rate limit of a key that names none; 0 means
	// DefaultRatePerMinute.
	RatePerMinute int
	// Enums are the valid values of keyword parameters by name (platform,
	// tier, niche, engagement_label, growth_trend); nil means DefaultEnums.
	Enums Enums
	// Ready reports whether the server can serve: the store answers reads
	// and writes, Redis answers. Each check is named; nil means ready.
	Ready map[string]func(ctx context.Context) error
	// Registry receives the API's metrics and Gatherer serves /metrics;
	// nil means prometheus.DefaultRegisterer and DefaultGatherer.
	Registry prometheus.Registerer
	Gatherer prometheus.Gatherer
	// Logger logs every request (JSON, with its request id); nil means
	// slog.Default().
	Logger *slog.Logger
	// ResolveURL turns a profile URL into the creator it names (a platform
	// and a handle or id), for lookups by URL of creators whose stored URL
	// is spelled otherwise; nil means only the stored profile_url field.
	ResolveURL func(raw string) (creator.Ref, error)
	// Servers are the base URLs the OpenAPI document lists; nil means the
	// URL the document was requested at.
	Servers []string
}

// Server is the HTTP API. It is safe for concurrent use.
type Server struct {
	cfg            Config
	mux            *http.ServeMux
	log            *slog.Logger
	search         *SearchParser
	limiter        *redis_rate.Limiter
	metrics        *metrics
	metricsHandler http.Handler
	routes         []route
	// keysSeen and keysAskedUntil cache whether named keys exist.
	keysSeen       atomic.Bool
	keysAskedUntil atomic.Int64
}

// New returns the API server for cfg.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg, mux: http.NewServeMux(), log: cfg.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	if cfg.Enums == nil {
		cfg.Enums = DefaultEnums()
		s.cfg.Enums = cfg.Enums
	}
	s.search = NewSearchParser(cfg.Enums)
	if cfg.Redis != nil {
		s.limiter = redis_rate.NewLimiter(cfg.Redis)
	}
	reg, gat := cfg.Registry, cfg.Gatherer
	if reg == nil {
		reg = prometheus.DefaultRegisterer
	}
	if gat == nil {
		gat = prometheus.DefaultGatherer
	}
	s.metrics = newMetrics(registerOnce{reg})
	s.metricsHandler = metricsHandler(gat)
	s.routes = s.routeTable()
	s.handle(s.routes)
	s.webRoutes()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path+" (the API's operations are listed at /v1/openapi.json and /docs)")
	})
	return s
}

// registerOnce registers collectors, reusing those already registered (a
// process that builds several Servers, as tests do, shares the series).
type registerOnce struct{ prometheus.Registerer }

func (r registerOnce) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := r.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				panic(err)
			}
			reflect.ValueOf(c).Elem().Set(reflect.ValueOf(are.ExistingCollector).Elem())
		}
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.observe(w, r, s.mux)
}

// needs names a Config part a route cannot run without.
func needSubmitter(s *Server) (string, bool)  { return "accept jobs", s.cfg.Submitter != nil }
func needWatchlists(s *Server) (string, bool) { return "keep watchlists", s.cfg.Watchlists != nil }
func needOptOuts(s *Server) (string, bool)    { return "take opt-outs", s.cfg.OptOuts != nil }

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, Health{Status: "ok"})
}

// Health is the answer of /healthz and /readyz.
type Health struct {
	// Status is "ok" or "unavailable".
	Status string `json:"status" enum:"ok,unavailable"`
	// Checks gives each dependency's state ("ok" or "failing") on /readyz.
	Checks map[string]string `json:"checks,omitempty"`
}

// ready checks the store and Redis: 200 when every check passes, else 503
// with Retry-After and the failing checks named (their errors go to the
// log only).
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	out := Health{Status: "ok", Checks: map[string]string{}}
	names := make([]string, 0, len(s.cfg.Ready))
	for n := range s.cfg.Ready {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := s.cfg.Ready[n](ctx); err != nil {
			s.log.ErrorContext(r.Context(), "readiness check failed", "check", n, "err", err, "request_id", RequestID(r.Context()))
			out.Checks[n] = "failing"
			out.Status = "unavailable"
			continue
		}
		out.Checks[n] = "ok"
	}
	if out.Status != "ok" {
		w.Header().Set("Retry-After", "10")
		WriteJSON(w, http.StatusServiceUnavailable, out)
		return
	}
	WriteJSON(w, http.StatusOK, out)
}

func (s *Server) searchCreators(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	format, err := exportFormat(v)
	if err != nil {
		s.fail(w, err)
		return
	}
	v.Del("format")
	q, err := s.search.Parse(v)
	if err != nil {
		s.fail(w, err)
		return
	}
	if format != "json" {
		s.exportCreators(w, r, q, format)
		return
	}
	if js, ok := s.cfg.Store.(JSONSearcher); ok {
		b, err := js.SearchJSON(r.Context(), q)
		if err != nil {
			s.fail(w, err)
			return
		}
		writeJSONBytes(w, http.StatusOK, b)
		return
	}
	res, err := s.cfg.Store.Search(r.Context(), q)
	if err != nil {
		s.fail(w, err)
		return
	}
	if res.Hits == nil {
		res.Hits = []creator.Record{}
	}
	WriteJSON(w, http.StatusOK, res)
}

// pathKey returns the {key} path value, writing a 400 when it is not a
// valid creator key.
func (s *Server) pathKey(w http.ResponseWriter, r *http.Request) (string, bool) {
	key := r.PathValue("key")
	if !creator.ValidKey(key) {
		msg := "key: " + quoteShort(key) + " is not a creator key (keys look like bluesky-did_3Aplc_3Aabc)"
		if strings.Contains(key, ".") || strings.HasPrefix(key, "@") {
			msg += "; to find a creator by handle use GET /v1/creators/lookup?platform=bluesky&handle=" + key
		}
		WriteError(w, http.StatusBadRequest, "invalid_parameter", msg)
		return "", false
	}
	return key, true
}

func (s *Server) getCreator(w http.ResponseWriter, r *http.Request) {
	key, ok := s.pathKey(w, r)
	if !ok {
		return
	}
	if jg, ok := s.cfg.Store.(JSONGetter); ok {
		b, err := jg.GetJSON(r.Context(), key)
		if err != nil {
			s.failFor(w, err, "creator with key", key)
			return
		}
		writeJSONBytes(w, http.StatusOK, b)
		return
	}
	rec, err := s.cfg.Store.Get(r.Context(), key)
	if err != nil {
		s.failFor(w, err, "creator with key", key)
		return
	}
	WriteJSON(w, http.StatusOK, rec)
}

// HistoryView is the answer of GET /v1/creators/{key}/history.
type HistoryView struct {
	Key       string             `json:"key"`
	Snapshots []creator.Snapshot `json:"snapshots"`
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	key, ok := s.pathKey(w, r)
	if !ok {
		return
	}
	limit, err := intParam(r.URL.Query(), "limit", 0, 1, index.DefaultHistoryCap*10)
	if err != nil {
		s.fail(w, err)
		return
	}
	if _, err := s.cfg.Store.Get(r.Context(), key); err != nil {
		s.failFor(w, err, "creator with key", key)
		return
	}
	h, err := s.cfg.Store.History(r.Context(), key, limit)
	if err != nil {
		s.fail(w, err)
		return
	}
	if h == nil {
		h = []creator.Snapshot{}
	}
	WriteJSON(w, http.StatusOK, HistoryView{Key: key, Snapshots: h})
}

// intParam reads an optional whole-number parameter within [lo, hi]; def
// when absent.
func intParam(v map[string][]string, name string, def, lo, hi int) (int, error) {
	vals := v[name]
	if len(vals) == 0 {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(vals[0]))
	if err != nil || n < lo || n > hi {
		return 0, &paramError{name, fmt.Sprintf("must be a whole number from %d to %d", lo, hi)}
	}
	return n, nil
}

// DiscoverRequest is the body of POST /v1/discover.
type DiscoverRequest struct {
	// Source is the platform to discover on; empty means bluesky.
	Source string `json:"source,omitempty" enum:"platform"`
	// Query is what to search the source for (required).
	Query string `json:"query" maxLength:"256"`
	// Limit is how many creators at most, 1 to 1000; 0 means 50.
	Limit int `json:"limit,omitempty" minimum:"0" maximum:"1000"`
}

// CrawlRequest is the body of POST /v1/crawl: a platform and an id or a
// handle.
type CrawlRequest struct {
	// Platform of the creator; empty means bluesky.
	Platform string `json:"platform,omitempty" enum:"platform"`
	// ID is the platform-native id (a DID, a channel id, ...).
	ID string `json:"id,omitempty" maxLength:"512"`
	// Handle is the creator's handle, without "@".
	Handle string `json:"handle,omitempty" maxLength:"256"`
}

func (s *Server) discover(w http.ResponseWriter, r *http.Request) {
	var req DiscoverRequest
	if !DecodeBody(w, r, &req) {
		return
	}
	if req.Source == "" {
		req.Source = creator.Bluesky
	}
	if err := s.checkEnum("source", "platform", req.Source); err != nil {
		s.fail(w, err)
		return
	}
	if strings.TrimSpace(req.Query) == "" {
		s.fail(w, &paramError{"query", "required: what to search the source for"})
		return
	}
	if len(req.Query) > 256 {
		s.fail(w, &paramError{"query", "at most 256 bytes"})
		return
	}
	if req.Limit == 0 {
		req.Limit = 50
	}
	if req.Limit < 1 || req.Limit > 1000 {
		s.fail(w, &paramError{"limit", "must be a whole number from 1 to 1000"})
		return
	}
	job, err := s.cfg.Submitter.SubmitDiscover(r.Context(), req.Source, req.Query, req.Limit)
	if err != nil {
		s.fail(w, err)
		return
	}
	s.audit(r, "discover", "job", job.ID)
	w.Header().Set("Location", "/v1/jobs/"+job.ID)
	WriteJSON(w, http.StatusAccepted, job)
}

func (s *Server) crawl(w http.ResponseWriter, r *http.Request) {
	var req CrawlRequest
	if !DecodeBody(w, r, &req) {
		return
	}
	if req.Platform == "" {
		req.Platform = creator.Bluesky
	}
	if err := s.checkEnum("platform", "platform", req.Platform); err != nil {
		s.fail(w, err)
		return
	}
	req.Handle = strings.TrimPrefix(strings.TrimSpace(req.Handle), "@")
	req.ID = strings.TrimSpace(req.ID)
	if req.ID == "" && req.Handle == "" {
		s.fail(w, &paramError{"handle", "a handle or an id is required"})
		return
	}
	if len(req.Handle) > 256 || len(req.ID) > 512 {
		s.fail(w, &paramError{"handle", "too long (a handle has at most 256 bytes, an id 512)"})
		return
	}
	if strings.ContainsAny(req.Handle, " \t\r\n/\\") {
		s.fail(w, &paramError{"handle", quoteShort(req.Handle) + " is not a handle (no spaces or slashes)"})
		return
	}
	job, err := s.cfg.Submitter.SubmitCrawl(r.Context(), creator.Ref{Platform: req.Platform, ID: req.ID, Handle: req.Handle})
	if err != nil {
		s.fail(w, err)
		return
	}
	s.audit(r, "crawl", "job", job.ID)
	w.Header().Set("Location", "/v1/jobs/"+job.ID)
	WriteJSON(w, http.StatusAccepted, job)
}

// JobView is a job as GET /v1/jobs/{id} shows it: the job with its items
// (at most 1000).
type JobView struct {
	*index.Job
	Items []index.JobItem `json:"items"`
}

func (s *Server) job(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id == "" || len(id) > 128 {
		WriteError(w, http.StatusBadRequest, "invalid_parameter", "id: not a valid job id")
		return
	}
	j, err := s.cfg.Store.GetJob(r.Context(), id)
	if err != nil {
		s.failFor(w, err, "job with id", id)
		return
	}
	items, err := s.cfg.Store.JobItems(r.Context(), id, "")
	if err != nil {
		s.fail(w, err)
		return
	}
	if len(items) > 1000 {
		items = items[:1000]
	}
	if items == nil {
		items = []index.JobItem{}
	}
	WriteJSON(w, http.StatusOK, JobView{Job: j, Items: items})
}

// audit records a write with the name of the key that made it.
func (s *Server) audit(r *http.Request, action, kind, id string) {
	name := ""
	if k := KeyFrom(r.Context()); k != nil {
		name = k.Name
	}
	s.log.InfoContext(r.Context(), "write", "action", action, kind, id, "key", name, "request_id", RequestID(r.Context()))
}

// failFor is fail for a route that reads one thing by id: not found says
// which ("no watchlist with id x").
func (s *Server) failFor(w http.ResponseWriter, err error, what, id string) {
	if errors.Is(err, creator.ErrNotFound) {
		WriteError(w, http.StatusNotFound, "not_found", "no "+what+" "+quoteShort(id))
		return
	}
	s.fail(w, err)
}

// fail writes err as a JSON error: invalid input 400, not found 404,
// opted out 410, anything else 500 (logged, with a generic message).
func (s *Server) fail(w http.ResponseWriter, err error) {
	var pe *paramError
	switch {
	case errors.As(err, &pe):
		WriteError(w, http.StatusBadRequest, "invalid_parameter", pe.Error())
	case errors.Is(err, creator.ErrInvalid):
		WriteError(w, http.StatusBadRequest, "invalid_parameter", userMessage(err))
	case errors.Is(err, creator.ErrNotFound):
		WriteError(w, http.StatusNotFound, "not_found", userMessage(err))
	case errors.Is(err, creator.ErrOptedOut):
		msg := "this creator opted out"
		if field, _, ok := strings.Cut(userMessage(err), ": "); ok && strings.HasPrefix(field, "members[") {
			msg = field + ": " + msg
		}
		WriteError(w, http.StatusGone, "opted_out", msg)
	case errors.Is(err, creator.ErrForbidden):
		WriteError(w, http.StatusForbidden, "forbidden", userMessage(err))
	case errors.Is(err, context.DeadlineExceeded):
		WriteUnavailable(w, "the store did not answer in time; retry")
	case errors.Is(err, creator.ErrUnavailable):
		s.log.Warn("request failed for now", "err", err)
		WriteUnavailable(w, "temporarily unavailable; nothing was recorded, retry")
	default:
		s.log.Error("request failed", "err", err)
		WriteError(w, http.StatusInternalServerError, "internal", "internal error")
	}
}

// userMessage makes an error chain a message for an API user: the
// wrapping layers' "-ing" context ("creating watchlist x: ") and the
// sentinels' own words ("invalid input") go, and a part repeated by two
// layers of wrapping shows once. What is left names the field at fault.
func userMessage(err error) string {
	parts := strings.Split(err.Error(), ": ")
	out := make([]string, 0, len(parts))
	for i, p := range parts {
		switch {
		case p == creator.ErrInvalid.Error() || p == creator.ErrForbidden.Error():
			continue
		case len(out) == 0 && i < len(parts)-1 && isGerund(p):
			continue
		case len(out) > 0 && out[len(out)-1] == p:
			continue
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return err.Error()
	}
	return strings.Join(out, ": ")
}

// isGerund reports whether a message part starts with an -ing verb, as
// the wrapping context of an error does ("getting alert x").
func isGerund(p string) bool {
	w, _, _ := strings.Cut(p, " ")
	return len(w) > 4 && strings.HasSuffix(w, "ing") && strings.ToLower(w) == w
}

// MaxBody is the largest request body accepted.
const MaxBody = 1 << 20

// DecodeBody decodes a JSON request body into v, refusing unknown fields,
// trailing data and bodies over MaxBody; on failure it writes a 400 whose
// message names the field in the body's terms and returns false.
func DecodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	// Requiring the JSON content type (not just accepting it) makes a
	// browser preflight any cross-site request, so a page the operator
	// visits cannot drive an API that runs without a key.
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		WriteError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "body must be sent as Content-Type: application/json")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			WriteError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("body: larger than %d bytes", MaxBody))
			return false
		}
		WriteError(w, http.StatusBadRequest, "invalid_body", "body: "+jsonProblem(err, v))
		return false
	}
	if _, err := dec.Token(); err != io.EOF {
		WriteError(w, http.StatusBadRequest, "invalid_body", "body: trailing data after the JSON object")
		return false
	}
	return true
}

// jsonProblem says what is wrong with a body in JSON's terms, never Go's.
func jsonProblem(err error, v any) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		return "empty; a JSON object is required"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends too early"
	case errors.As(err, &se):
		return fmt.Sprintf("not valid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	case errors.As(err, &te):
		if te.Field == "" {
			return "must be " + article(jsonKind(te.Type)) + ", not " + article(te.Value)
		}
		return te.Field + ": must be " + article(jsonKind(te.Type)) + ", not " + article(te.Value)
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		if fields := jsonFields(reflect.TypeOf(v)); len(fields) > 0 {
			return "unknown field " + name + "; valid fields: " + strings.Join(fields, ", ")
		}
		return "unknown field " + name
	}
	return "not a valid JSON object"
}

// jsonKind names the JSON type a Go type decodes from.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "whole number"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		if t == reflect.TypeFor[time.Time]() {
			return "RFC 3339 time string"
		}
		return "string"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return "RFC 3339 time string"
		}
		return "object"
	}
	return "value"
}

func article(s string) string {
	if s == "bool" {
		s = "boolean"
	}
	if s == "" {
		return s
	}
	if strings.ContainsRune("aeiouR", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// jsonFields lists the JSON field names of a struct type.
func jsonFields(t reflect.Type) []string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			if f.Anonymous {
				out = append(out, jsonFields(f.Type)...)
				continue
			}
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}

// WriteJSON writes v as JSON with status code.
func WriteJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// writeJSONBytes writes b, JSON already encoded, with code.
func writeJSONBytes(w http.ResponseWriter, code int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// Error is the API's error shape.
type Error struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody says what went wrong.
type ErrorBody struct {
	// Code is a stable, machine-readable kind: invalid_parameter,
	// invalid_body, not_found, unauthorized, forbidden, rate_limited,
	// method_not_allowed, ...
	Code string `json:"code"`
	// Message is written for the API's user and names the parameter or
	// field at fault.
	Message string `json:"message"`
}

// WriteError writes the API's JSON error shape.
func WriteError(w http.ResponseWriter, code int, kind, msg string) {
	WriteJSON(w, code, Error{Error: ErrorBody{Code: kind, Message: msg}})
}

// WriteUnavailable answers 503 "unavailable" with Retry-After: 5 and msg,
// which should tell the user that nothing was done and to retry.
func WriteUnavailable(w http.ResponseWriter, msg string) {
	w.Header().Set("Retry-After", "5")
	WriteError(w, http.StatusServiceUnavailable, "unavailable", msg)
}

func jsonString(s string) (string, error) {
	b, err := json.Marshal(s)
	return string(b), err
}
