package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/watch"
)

// Watchlists is the watchlist service the API serves; *watch.Service
// implements it.
type Watchlists interface {
	Create(ctx context.Context, spec watch.Spec) (*index.Watchlist, error)
	List(ctx context.Context) ([]index.Watchlist, error)
	Get(ctx context.Context, id string) (*index.Watchlist, error)
	Update(ctx context.Context, id string, p watch.Patch) (*index.Watchlist, error)
	Delete(ctx context.Context, id string) error
	AddMembers(ctx context.Context, id string, items ...string) (*index.Watchlist, error)
	RemoveMember(ctx context.Context, id, key string) (*index.Watchlist, error)
	Alerts(ctx context.Context, id string, f index.AlertFilter) ([]index.AlertEvent, error)
	Alert(ctx context.Context, alertID string) (*index.AlertEvent, error)
}

func (s *Server) routeWatchlists() {
	w := func(h http.HandlerFunc) http.HandlerFunc {
		return s.auth(func(rw http.ResponseWriter, r *http.Request) {
			if s.cfg.Watchlists == nil {
				WriteError(rw, http.StatusServiceUnavailable, "unavailable", "this server does not keep watchlists")
				return
			}
			h(rw, r)
		})
	}
	s.mux.HandleFunc("POST /v1/watchlists", w(s.createWatchlist))
	s.mux.HandleFunc("GET /v1/watchlists", w(s.listWatchlists))
	s.mux.HandleFunc("GET /v1/watchlists/{id}", w(s.getWatchlist))
	s.mux.HandleFunc("PATCH /v1/watchlists/{id}", w(s.updateWatchlist))
	s.mux.HandleFunc("DELETE /v1/watchlists/{id}", w(s.deleteWatchlist))
	s.mux.HandleFunc("POST /v1/watchlists/{id}/members", w(s.addMembers))
	s.mux.HandleFunc("DELETE /v1/watchlists/{id}/members/{key}", w(s.removeMember))
	s.mux.HandleFunc("GET /v1/watchlists/{id}/alerts", w(s.watchlistAlerts))
	s.mux.HandleFunc("GET /v1/alerts/{id}", w(s.getAlert))
}

// createWatchlist answers 201 with the watchlist, webhook secrets in full
// (the only time they are shown).
func (s *Server) createWatchlist(w http.ResponseWriter, r *http.Request) {
	var spec watch.Spec
	if !DecodeBody(w, r, &spec) {
		return
	}
	wl, err := s.cfg.Watchlists.Create(r.Context(), spec)
	if err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("Location", "/v1/watchlists/"+wl.ID)
	WriteJSON(w, http.StatusCreated, wl)
}

func (s *Server) listWatchlists(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Watchlists.List(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	out := make([]index.Watchlist, 0, len(list))
	for _, wl := range list {
		out = append(out, watch.Redacted(wl))
	}
	WriteJSON(w, http.StatusOK, map[string]any{"watchlists": out})
}

func (s *Server) getWatchlist(w http.ResponseWriter, r *http.Request) {
	wl, err := s.cfg.Watchlists.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, watch.Redacted(*wl))
}

func (s *Server) updateWatchlist(w http.ResponseWriter, r *http.Request) {
	var p watch.Patch
	if !DecodeBody(w, r, &p) {
		return
	}
	before, err := s.cfg.Watchlists.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, err)
		return
	}
	wl, err := s.cfg.Watchlists.Update(r.Context(), r.PathValue("id"), p)
	if err != nil {
		s.fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, revealNew(*wl, before))
}

func (s *Server) deleteWatchlist(w http.ResponseWriter, r *http.Request) {
	if err := s.cfg.Watchlists.Delete(r.Context(), r.PathValue("id")); err != nil {
		s.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// MembersRequest is the body of POST /v1/watchlists/{id}/members: store
// keys or profile URLs.
type MembersRequest struct {
	Members []string `json:"members"`
}

func (s *Server) addMembers(w http.ResponseWriter, r *http.Request) {
	var req MembersRequest
	if !DecodeBody(w, r, &req) {
		return
	}
	if len(req.Members) == 0 {
		WriteError(w, http.StatusBadRequest, "invalid_parameter", "members: at least one store key or profile URL is required")
		return
	}
	wl, err := s.cfg.Watchlists.AddMembers(r.Context(), r.PathValue("id"), req.Members...)
	if err != nil {
		s.fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, watch.Redacted(*wl))
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) {
	wl, err := s.cfg.Watchlists.RemoveMember(r.Context(), r.PathValue("id"), r.PathValue("key"))
	if err != nil {
		s.fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, watch.Redacted(*wl))
}

func (s *Server) watchlistAlerts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := index.AlertFilter{Kind: q.Get("kind"), CreatorKey: q.Get("creator")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			WriteError(w, http.StatusBadRequest, "invalid_parameter", "limit: must be a whole number from 1 to 1000")
			return
		}
		f.Limit = n
	}
	for k := range q {
		if k != "kind" && k != "creator" && k != "limit" {
			WriteError(w, http.StatusBadRequest, "invalid_parameter", k+": unknown parameter")
			return
		}
	}
	events, err := s.cfg.Watchlists.Alerts(r.Context(), r.PathValue("id"), f)
	if err != nil {
		s.fail(w, err)
		return
	}
	if events == nil {
		events = []index.AlertEvent{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"alerts": events})
}

func (s *Server) getAlert(w http.ResponseWriter, r *http.Request) {
	ev, err := s.cfg.Watchlists.Alert(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, ev)
}

// revealNew masks the secrets of webhooks that were already there before an
// update; only secrets created by the update are shown, once.
func revealNew(after index.Watchlist, before *index.Watchlist) index.Watchlist {
	old := map[string]bool{}
	for _, h := range before.Webhooks {
		old[h.URL+"\x00"+h.Secret] = true
	}
	masked := watch.Redacted(after)
	for i, h := range after.Webhooks {
		if !old[h.URL+"\x00"+h.Secret] && i < len(masked.Webhooks) {
			masked.Webhooks[i].Secret = h.Secret
		}
	}
	return masked
}
