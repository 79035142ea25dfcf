package api

import (
	"context"
	"net/http"
	"time"

	"github.com/creatorscout/scout/compliance"
	"github.com/creatorscout/scout/index"
)

// OptOuts records opt-outs (erasing what was stored) and lists them: a
// *compliance.Service.
type OptOuts interface {
	// OptOut records the opt-out and erases the creator.
	OptOut(ctx context.Context, req compliance.OptOutRequest) (*compliance.OptOutResult, error)
	ListOptOuts(ctx context.Context) ([]index.OptOut, error)
}

func (s *Server) optOut(w http.ResponseWriter, r *http.Request) {
	var req compliance.OptOutRequest
	if !DecodeBody(w, r, &req) {
		return
	}
	if req.Platform != "" {
		if err := s.checkEnum("platform", "platform", req.Platform); err != nil {
			s.fail(w, err)
			return
		}
	}
	res, err := s.cfg.OptOuts.OptOut(r.Context(), req)
	if err != nil {
		s.fail(w, err)
		return
	}
	s.audit(r, "opt out", "platform", req.Platform)
	WriteJSON(w, http.StatusOK, res)
}

// OptOutList is the answer of GET /v1/optouts.
type OptOutList struct {
	OptOuts []index.OptOut `json:"opt_outs"`
}

// listOptOuts exports the opt-out list as JSON, CSV or JSON Lines.
func (s *Server) listOptOuts(w http.ResponseWriter, r *http.Request) {
	format, err := exportFormat(r.URL.Query())
	if err != nil {
		s.fail(w, err)
		return
	}
	list, err := s.cfg.OptOuts.ListOptOuts(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	if list == nil {
		list = []index.OptOut{}
	}
	if format == "json" {
		WriteJSON(w, http.StatusOK, OptOutList{OptOuts: list})
		return
	}
	e := newExporter(w, format, "optouts", CSVHeader)
	for _, o := range list {
		e.row(CSVRow(o), o)
	}
	e.flush()
}

// CSVHeader and CSVRow are the opt-out list's CSV form, for the API and
// the CLI alike.
var CSVHeader = []string{"platform", "id", "handle", "reason", "created_at"}

// CSVRow is one opt-out as a CSV row, with every text cell defused.
func CSVRow(o index.OptOut) []string {
	return []string{csvSafe(o.Platform), csvSafe(o.ID), csvSafe(o.Handle), csvSafe(o.Reason), o.CreatedAt.UTC().Format(time.RFC3339)}
}
