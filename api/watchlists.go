package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/creatorscout/scout/creator"
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
	Redeliver(ctx context.Context, alertID string) (*index.AlertEvent, error)
}

// WatchlistList is the answer of GET /v1/watchlists.
type WatchlistList struct {
	Watchlists []index.Watchlist `json:"watchlists"`
}

// MemberList is the answer of GET /v1/watchlists/{id}/members.
type MemberList struct {
	ID      string              `json:"id"`
	Members []index.WatchMember `json:"members"`
}

// AlertList is the answer of GET /v1/watchlists/{id}/alerts.
type AlertList struct {
	Alerts []index.AlertEvent `json:"alerts"`
}

// createWatchlist answers 201 with the watchlist, webhook secrets in full
// (the only time they are shown).
func (s *Server) createWatchlist(w http.ResponseWriter, r *http.Request) {
	var spec watch.Spec
	if !DecodeBody(w, r, &spec) {
		return
	}
	ik, ok := idempotencyKey(w, r)
	if !ok {
		return
	}
	if ik != "" && spec.ID == "" {
		// The id is derived from the API key and the Idempotency-Key, so
		// a retry finds what the first request created, in the store.
		spec.ID = idempotentID(KeyFrom(r.Context()), ik)
	}
	wl, err := s.cfg.Watchlists.Create(r.Context(), spec)
	if ik != "" && errors.Is(err, watch.ErrExists) {
		prev, gerr := s.cfg.Watchlists.Get(r.Context(), spec.ID)
		if gerr != nil {
			s.fail(w, gerr)
			return
		}
		if prev.Name != strings.TrimSpace(spec.Name) {
			WriteError(w, http.StatusConflict, "conflict", "Idempotency-Key: already used for the watchlist "+quoteShort(prev.ID)+" named "+quoteShort(prev.Name))
			return
		}
		w.Header().Set("Location", "/v1/watchlists/"+prev.ID)
		w.Header().Set("Idempotent-Replayed", "true")
		WriteJSON(w, http.StatusOK, prev)
		return
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	s.audit(r, "create watchlist", "watchlist", wl.ID)
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
	WriteJSON(w, http.StatusOK, WatchlistList{Watchlists: out})
}

func (s *Server) getWatchlist(w http.ResponseWriter, r *http.Request) {
	wl, err := s.cfg.Watchlists.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.failFor(w, err, "watchlist with id", r.PathValue("id"))
		return
	}
	WriteJSON(w, http.StatusOK, watch.Redacted(*wl))
}

// listMembers answers the members of a watchlist, or exports them.
func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) {
	format, err := exportFormat(r.URL.Query())
	if err != nil {
		s.fail(w, err)
		return
	}
	id := r.PathValue("id")
	wl, err := s.cfg.Watchlists.Get(r.Context(), id)
	if err != nil {
		s.failFor(w, err, "watchlist with id", id)
		return
	}
	members := wl.Members
	if members == nil {
		members = []index.WatchMember{}
	}
	if format == "json" {
		WriteJSON(w, http.StatusOK, MemberList{ID: wl.ID, Members: members})
		return
	}
	e := newExporter(w, format, "watchlist-"+wl.ID+"-members", MemberCSVHeader)
	for _, m := range members {
		e.row(MemberCSVRow(m), m)
	}
	e.flush()
}

func (s *Server) updateWatchlist(w http.ResponseWriter, r *http.Request) {
	var p watch.Patch
	if !DecodeBody(w, r, &p) {
		return
	}
	before, err := s.cfg.Watchlists.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.failFor(w, err, "watchlist with id", r.PathValue("id"))
		return
	}
	wl, err := s.cfg.Watchlists.Update(r.Context(), r.PathValue("id"), p)
	if err != nil {
		s.fail(w, err)
		return
	}
	s.audit(r, "update watchlist", "watchlist", wl.ID)
	WriteJSON(w, http.StatusOK, revealNew(*wl, before))
}

func (s *Server) deleteWatchlist(w http.ResponseWriter, r *http.Request) {
	if err := s.cfg.Watchlists.Delete(r.Context(), r.PathValue("id")); err != nil {
		s.failFor(w, err, "watchlist with id", r.PathValue("id"))
		return
	}
	s.audit(r, "delete watchlist", "watchlist", r.PathValue("id"))
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
	if len(req.Members) > 1000 {
		WriteError(w, http.StatusBadRequest, "invalid_parameter", "members: at most 1000 at a time")
		return
	}
	wl, err := s.cfg.Watchlists.AddMembers(r.Context(), r.PathValue("id"), req.Members...)
	if err != nil {
		s.failFor(w, err, "watchlist with id", r.PathValue("id"))
		return
	}
	s.audit(r, "add members", "watchlist", wl.ID)
	WriteJSON(w, http.StatusOK, watch.Redacted(*wl))
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) {
	wl, err := s.cfg.Watchlists.RemoveMember(r.Context(), r.PathValue("id"), r.PathValue("key"))
	if err != nil {
		s.fail(w, err)
		return
	}
	s.audit(r, "remove member", "watchlist", wl.ID)
	WriteJSON(w, http.StatusOK, watch.Redacted(*wl))
}

func (s *Server) watchlistAlerts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	format, err := exportFormat(q)
	if err != nil {
		s.fail(w, err)
		return
	}
	f := index.AlertFilter{Kind: q.Get("kind"), CreatorKey: q.Get("creator")}
	if f.CreatorKey != "" && !creator.ValidKey(f.CreatorKey) {
		s.fail(w, &paramError{"creator", quoteShort(f.CreatorKey) + " is not a creator key"})
		return
	}
	if f.Limit, err = intParam(q, "limit", 100, 1, 1000); err != nil {
		s.fail(w, err)
		return
	}
	id := r.PathValue("id")
	events, err := s.cfg.Watchlists.Alerts(r.Context(), id, f)
	if err != nil {
		s.failFor(w, err, "watchlist with id", id)
		return
	}
	if events == nil {
		events = []index.AlertEvent{}
	}
	if format == "json" {
		WriteJSON(w, http.StatusOK, AlertList{Alerts: events})
		return
	}
	e := newExporter(w, format, "watchlist-"+id+"-alerts", AlertCSVHeader)
	for _, a := range events {
		e.row(AlertCSVRow(a), a)
	}
	e.flush()
}

func (s *Server) getAlert(w http.ResponseWriter, r *http.Request) {
	ev, err := s.cfg.Watchlists.Alert(r.Context(), r.PathValue("id"))
	if err != nil {
		s.failFor(w, err, "alert with id", r.PathValue("id"))
		return
	}
	WriteJSON(w, http.StatusOK, ev)
}

// redeliver sends a failed alert again to its watchlist's webhooks: 202
// with the event, now pending; 409 when its delivery has not failed.
func (s *Server) redeliver(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ev, err := s.cfg.Watchlists.Redeliver(r.Context(), id)
	if errors.Is(err, watch.ErrNotRedeliverable) {
		WriteError(w, http.StatusConflict, "conflict", userMessage(err))
		return
	}
	if errors.Is(err, watch.ErrNoQueue) {
		WriteError(w, http.StatusServiceUnavailable, "unavailable", "this server has no queue to deliver webhooks from")
		return
	}
	if err != nil {
		s.failFor(w, err, "alert with id", id)
		return
	}
	s.audit(r, "redeliver alert", "alert", id)
	WriteJSON(w, http.StatusAccepted, ev)
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

// idempotencyKey reads the Idempotency-Key header: "" when absent, or a
// 400 written when it is not 1 to 255 visible ASCII characters.
func idempotencyKey(w http.ResponseWriter, r *http.Request) (string, bool) {
	vs := r.Header.Values("Idempotency-Key")
	if len(vs) == 0 {
		return "", true
	}
	v := vs[0]
	ok := len(vs) == 1 && len(v) >= 1 && len(v) <= 255
	for i := 0; ok && i < len(v); i++ {
		ok = v[i] > ' ' && v[i] < 0x7f
	}
	if !ok {
		WriteError(w, http.StatusBadRequest, "invalid_parameter", "Idempotency-Key: want one value of 1 to 255 visible ASCII characters")
		return "", false
	}
	return v, true
}

// idempotentID is the watchlist id a request with Idempotency-Key ik
// creates, for the API key k (nil without keys).
func idempotentID(k *Key, ik string) string {
	name := ""
	if k != nil {
		name = k.Name
	}
	sum := sha256.Sum256([]byte(name + "\x00" + ik))
	return "wl-" + hex.EncodeToString(sum[:8])
}
