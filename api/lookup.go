package api

import (
	"net/http"
	"strings"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// LookupResult is the answer of GET /v1/creators/lookup: the stored
// creators (summaries, as search hits) with exactly this handle or profile
// URL. There is usually one; a handle that moved from one account to
// another can match both until the old one is crawled again.
type LookupResult struct {
	Creators []creator.Record `json:"creators"`
}

// lookup finds creators by an exact profile URL (url=) or platform and
// handle (platform=&handle=), never by text search: 200 with the matches,
// 404 when there are none.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	raw, platform, handle := strings.TrimSpace(q.Get("url")), q.Get("platform"), strings.TrimSpace(q.Get("handle"))
	var hits []creator.Record
	var err error
	switch {
	case raw != "" && (platform != "" || handle != ""):
		s.fail(w, &paramError{"url", "give either url, or platform and handle, not both"})
		return
	case raw != "":
		hits, err = index.ByProfileURL(r.Context(), s.cfg.Store, raw)
		if err == nil && len(hits) == 0 && s.cfg.ResolveURL != nil {
			hits, err = s.lookupResolved(r, raw)
		}
	case handle != "" && platform != "":
		hits, err = index.ByHandle(r.Context(), s.cfg.Store, platform, handle)
	case handle != "":
		s.fail(w, &paramError{"platform", "required with handle; valid values: " + strings.Join(s.cfg.Enums["platform"], ", ")})
		return
	default:
		s.fail(w, &paramError{"url", "give url (a profile URL), or platform and handle"})
		return
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	if len(hits) == 0 {
		what := "profile URL " + quoteShort(raw)
		if raw == "" {
			what = "handle " + quoteShort(handle) + " on " + platform
		}
		WriteError(w, http.StatusNotFound, "not_found", "no stored creator has the "+what)
		return
	}
	WriteJSON(w, http.StatusOK, LookupResult{Creators: hits})
}

// lookupResolved finds the creator a profile URL names when its stored URL
// is spelled otherwise: by the id or the handle the URL holds.
func (s *Server) lookupResolved(r *http.Request, raw string) ([]creator.Record, error) {
	ref, err := s.cfg.ResolveURL(raw)
	if err != nil {
		return nil, nil // not a profile URL of a known platform: no match
	}
	if ref.ID != "" {
		rec, err := s.cfg.Store.Get(r.Context(), creator.Key(ref))
		if err != nil {
			return nil, nil
		}
		return []creator.Record{index.Summary(rec)}, nil
	}
	if ref.Handle == "" {
		return nil, nil
	}
	return index.ByHandle(r.Context(), s.cfg.Store, ref.Platform, ref.Handle)
}
