package api

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"time"

	"github.com/creatorscout/scout/index"
)

// OptOutRequest is the body of POST /v1/optout: a platform and a handle,
// id or profile URL.
type OptOutRequest struct {
	Platform string `json:"platform"`
	Handle   string `json:"handle,omitempty"`
	ID       string `json:"id,omitempty"`
	URL      string `json:"url,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// OptOuts records opt-outs (erasing what was stored) and lists them.
type OptOuts interface {
	// OptOut records the opt-out and erases the creator; the result is
	// returned to the client as JSON.
	OptOut(ctx context.Context, req OptOutRequest) (any, error)
	ListOptOuts(ctx context.Context) ([]index.OptOut, error)
}

func (s *Server) optOut(w http.ResponseWriter, r *http.Request) {
	var req OptOutRequest
	if !DecodeBody(w, r, &req) {
		return
	}
	res, err := s.cfg.OptOuts.OptOut(r.Context(), req)
	if err != nil {
		s.fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, res)
}

// listOptOuts exports the opt-out list as JSON, or CSV with ?format=csv.
func (s *Server) listOptOuts(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.OptOuts.ListOptOuts(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	switch r.URL.Query().Get("format") {
	case "", "json":
		if list == nil {
			list = []index.OptOut{}
		}
		WriteJSON(w, http.StatusOK, map[string]any{"opt_outs": list})
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="optouts.csv"`)
		cw := csv.NewWriter(w)
		cw.Write(CSVHeader)
		for _, o := range list {
			cw.Write(CSVRow(o))
		}
		cw.Flush()
	default:
		WriteError(w, http.StatusBadRequest, "invalid_parameter", "format: must be json or csv")
	}
}

// CSVHeader and CSVRow are the opt-out list's CSV form, for the API and
// the CLI alike.
var CSVHeader = []string{"platform", "id", "handle", "reason", "created_at"}

// CSVRow is one opt-out as a CSV row, with every text cell defused.
func CSVRow(o index.OptOut) []string {
	return []string{csvSafe(o.Platform), csvSafe(o.ID), csvSafe(o.Handle), csvSafe(o.Reason), o.CreatedAt.UTC().Format(time.RFC3339)}
}

// csvSafe defuses spreadsheet formula injection in text that requesters
// control.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
