package api

import (
	"context"
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

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
	// APIKey, when set, is required as "Authorization: Bearer <key>" on
	// /v1 endpoints; empty means no authentication (local use).
	APIKey string
	// Health reports whether the server's dependencies answer; nil means
	// always healthy.
	Health func(ctx context.Context) error
	// Logger logs requests that failed on the server side; nil means
	// slog.Default().
	Logger *slog.Logger
	// Extra registers more routes (watchlists, opt-out) on the same mux.
	Extra []func(mux *http.ServeMux)
}

// Server is the HTTP API. It is safe for concurrent use.
type Server struct {
	cfg Config
	mux *http.ServeMux
	log *slog.Logger
}

// New returns the API server for cfg.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg, mux: http.NewServeMux(), log: cfg.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.mux.HandleFunc("GET /healthz", s.health)
	s.mux.HandleFunc("GET /v1/creators", s.auth(s.search))
	s.mux.HandleFunc("GET /v1/creators/{key}", s.auth(s.get))
	s.mux.HandleFunc("GET /v1/creators/{key}/history", s.auth(s.history))
	s.mux.HandleFunc("POST /v1/discover", s.auth(s.discover))
	s.mux.HandleFunc("POST /v1/crawl", s.auth(s.crawl))
	s.mux.HandleFunc("GET /v1/jobs/{id}", s.auth(s.job))
	s.mux.HandleFunc("POST /v1/optout", s.auth(s.needOptOuts(s.optOut)))
	s.mux.HandleFunc("GET /v1/optouts", s.auth(s.needOptOuts(s.listOptOuts)))
	s.mux.HandleFunc("GET /v1/openapi.json", s.openapi)
	s.routeWatchlists()
	s.mux.HandleFunc("GET /{$}", s.page)
	for _, f := range cfg.Extra {
		f(s.mux)
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r)
}

// Auth wraps h with the server's API-key check, for routes added by Extra.
func (s *Server) Auth(h http.HandlerFunc) http.HandlerFunc { return s.auth(h) }

func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	if s.cfg.APIKey == "" {
		return h
	}
	want := []byte("Bearer " + s.cfg.APIKey)
	return func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="scout"`)
			WriteError(w, http.StatusUnauthorized, "unauthorized", "a valid API key is required (Authorization: Bearer <key>)")
			return
		}
		h(w, r)
	}
}

func (s *Server) needOptOuts(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.OptOuts == nil {
			WriteError(w, http.StatusServiceUnavailable, "unavailable", "this server does not take opt-outs")
			return
		}
		h(w, r)
	}
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Health != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.cfg.Health(ctx); err != nil {
			s.log.Error("health check failed", "err", err) // details stay in the log
			WriteError(w, http.StatusServiceUnavailable, "unhealthy", "a dependency is not answering")
			return
		}
	}
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q, err := ParseSearch(r.URL.Query())
	if err != nil {
		s.fail(w, err)
		return
	}
	res, err := s.cfg.Store.Search(r.Context(), q)
	if err != nil {
		s.fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, res)
}

// pathKey returns the {key} path value, writing a 400 when it is not a
// valid creator key.
func pathKey(w http.ResponseWriter, r *http.Request) (string, bool) {
	key := r.PathValue("key")
	if !creator.ValidKey(key) {
		WriteError(w, http.StatusBadRequest, "invalid_parameter", "key: not a valid creator key")
		return "", false
	}
	return key, true
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	key, ok := pathKey(w, r)
	if !ok {
		return
	}
	rec, err := s.cfg.Store.Get(r.Context(), key)
	if err != nil {
		s.fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, rec)
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	key, ok := pathKey(w, r)
	if !ok {
		return
	}
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			WriteError(w, http.StatusBadRequest, "invalid_parameter", "limit: must be a whole number of at least 1")
			return
		}
		limit = n
	}
	if _, err := s.cfg.Store.Get(r.Context(), key); err != nil {
		s.fail(w, err)
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
	WriteJSON(w, http.StatusOK, map[string]any{"key": key, "snapshots": h})
}

// DiscoverRequest is the body of POST /v1/discover.
type DiscoverRequest struct {
	Source string `json:"source"`
	Query  string `json:"query"`
	Limit  int    `json:"limit"`
}

// CrawlRequest is the body of POST /v1/crawl: a platform and an id or a
// handle.
type CrawlRequest struct {
	Platform string `json:"platform"`
	ID       string `json:"id,omitempty"`
	Handle   string `json:"handle,omitempty"`
}

func (s *Server) discover(w http.ResponseWriter, r *http.Request) {
	var req DiscoverRequest
	if !DecodeBody(w, r, &req) {
		return
	}
	if req.Source == "" {
		req.Source = creator.Bluesky
	}
	if req.Limit == 0 {
		req.Limit = 50
	}
	if s.cfg.Submitter == nil {
		WriteError(w, http.StatusServiceUnavailable, "unavailable", "this server does not accept jobs")
		return
	}
	job, err := s.cfg.Submitter.SubmitDiscover(r.Context(), req.Source, req.Query, req.Limit)
	if err != nil {
		s.fail(w, err)
		return
	}
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
	if s.cfg.Submitter == nil {
		WriteError(w, http.StatusServiceUnavailable, "unavailable", "this server does not accept jobs")
		return
	}
	job, err := s.cfg.Submitter.SubmitCrawl(r.Context(), creator.Ref{Platform: req.Platform, ID: req.ID, Handle: req.Handle})
	if err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("Location", "/v1/jobs/"+job.ID)
	WriteJSON(w, http.StatusAccepted, job)
}

// JobView is a job as GET /v1/jobs/{id} shows it: the job with its items.
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
		s.fail(w, err)
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

// fail writes err as a JSON error: invalid input 400, not found 404,
// opted out 410, anything else 500 (logged, with a generic message).
func (s *Server) fail(w http.ResponseWriter, err error) {
	var pe *paramError
	switch {
	case errors.As(err, &pe):
		WriteError(w, http.StatusBadRequest, "invalid_parameter", pe.Error())
	case errors.Is(err, creator.ErrInvalid):
		WriteError(w, http.StatusBadRequest, "invalid_parameter", trimSentinel(err))
	case errors.Is(err, creator.ErrNotFound):
		WriteError(w, http.StatusNotFound, "not_found", err.Error())
	case errors.Is(err, creator.ErrOptedOut):
		WriteError(w, http.StatusGone, "opted_out", "this creator opted out")
	case errors.Is(err, creator.ErrForbidden):
		WriteError(w, http.StatusForbidden, "forbidden", err.Error())
	default:
		s.log.Error("request failed", "err", err)
		WriteError(w, http.StatusInternalServerError, "internal", "internal error")
	}
}

// Fail writes err as Server.fail does, for routes added by Extra.
func (s *Server) Fail(w http.ResponseWriter, err error) { s.fail(w, err) }

// trimSentinel drops the wrapped "invalid input: " so the message starts
// with the parameter name where the error names one.
func trimSentinel(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, creator.ErrInvalid.Error()+": "); i >= 0 {
		return msg[i+len(creator.ErrInvalid.Error())+2:]
	}
	return msg
}

// MaxBody is the largest request body accepted.
const MaxBody = 1 << 20

// DecodeBody decodes a JSON request body into v, refusing unknown fields,
// trailing data and bodies over MaxBody; on failure it writes a 400 and
// returns false.
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
		WriteError(w, http.StatusBadRequest, "invalid_body", "body: "+err.Error())
		return false
	}
	if _, err := dec.Token(); err != io.EOF {
		WriteError(w, http.StatusBadRequest, "invalid_body", "body: trailing data after the JSON object")
		return false
	}
	return true
}

// WriteJSON writes v as JSON with status code.
func WriteJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// WriteError writes the API's JSON error shape.
func WriteError(w http.ResponseWriter, code int, kind, msg string) {
	WriteJSON(w, code, map[string]any{"error": map[string]string{"code": kind, "message": msg}})
}
