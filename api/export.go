package api

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// Export formats: json (the default answer), csv and jsonl (JSON Lines).
var exportFormats = []string{"json", "csv", "jsonl"}

// exportFormat reads the format parameter.
func exportFormat(v url.Values) (string, error) {
	f := strings.ToLower(strings.TrimSpace(v.Get("format")))
	if f == "" {
		return "json", nil
	}
	for _, x := range exportFormats {
		if f == x {
			return f, nil
		}
	}
	return "", &paramError{"format", enumMsg(f, exportFormats)}
}

// exporter writes rows as CSV (with a header of spreadsheet-friendly
// names, every text cell defused against formula injection) or as JSON
// Lines (one JSON object a line), flushing as it goes.
type exporter struct {
	w      http.ResponseWriter
	format string
	csv    *csv.Writer
	json   *json.Encoder
	rows   int
}

// newExporter starts an export response named file (without extension).
func newExporter(w http.ResponseWriter, format, file string, header []string) *exporter {
	e := &exporter{w: w, format: format}
	h := w.Header()
	switch format {
	case "csv":
		h.Set("Content-Type", "text/csv; charset=utf-8; header=present")
		h.Set("Content-Disposition", `attachment; filename="`+file+`.csv"`)
		e.csv = csv.NewWriter(w)
		_ = e.csv.Write(header)
	default:
		h.Set("Content-Type", "application/jsonl; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+file+`.jsonl"`)
		e.json = json.NewEncoder(w)
	}
	return e
}

// row writes one row: cells for CSV, obj for JSON Lines.
func (e *exporter) row(cells []string, obj any) {
	e.rows++
	if e.csv != nil {
		_ = e.csv.Write(cells)
		return
	}
	_ = e.json.Encode(obj)
}

// flush sends what is buffered.
func (e *exporter) flush() {
	if e.csv != nil {
		e.csv.Flush()
	}
	if f, ok := e.w.(http.Flusher); ok {
		f.Flush()
	}
}

// CreatorCSVHeader is the header of a creator export, units in brackets.
var CreatorCSVHeader = []string{
	"Key", "Platform", "Handle", "Display name", "Profile URL", "Followers", "Following", "Posts",
	"Tier", "Primary niche", "Niche relevance (0-1)", "Engagement rate (%)", "Engagement label",
	"Authenticity (0-100)", "Fake follower share (%)", "Growth 30 days (%)", "Growth trend",
	"Brand safety (0-100)", "Sponsored posts (%)", "Price min (USD)", "Price max (USD)",
	"Overall (0-100)", "Confidence (0-1)", "Country", "Language", "Updated at (UTC)",
}

// CreatorCSVRow is one creator as a row of CreatorCSVHeader.
func CreatorCSVRow(r *creator.Record) []string {
	p, s := &r.Profile, &r.Scores
	num := func(x float64, prec int) string { return strconv.FormatFloat(x, 'f', prec, 64) }
	pct := func(x float64) string { return num(x*100, 2) }
	updated := ""
	if !r.UpdatedAt.IsZero() {
		updated = r.UpdatedAt.UTC().Format(time.RFC3339)
	}
	return []string{
		csvSafe(r.Key), csvSafe(p.Ref.Platform), csvSafe(p.Ref.Handle), csvSafe(p.DisplayName), csvSafe(p.URL),
		strconv.FormatInt(p.Followers, 10), strconv.FormatInt(p.Following, 10), strconv.FormatInt(p.PostsCount, 10),
		csvSafe(s.Tier), csvSafe(s.PrimaryNiche), num(s.NicheRelevance, 3), pct(s.EngagementRate), csvSafe(s.EngagementLabel),
		num(s.Authenticity, 1), pct(s.FakeFollowerShare), pct(s.Growth30d), csvSafe(s.GrowthTrend),
		num(s.BrandSafety, 1), num(s.SponsoredPct, 2), num(s.PriceMinUSD, 0), num(s.PriceMaxUSD, 0),
		num(s.Overall, 1), num(s.Confidence, 2), csvSafe(p.Country), csvSafe(p.Language), updated,
	}
}

// exportCreators streams every match of q, page after page, up to
// MaxExportRows. X-Total-Count gives the number of matches and
// X-Export-Truncated is true when there were more than the cap.
func (s *Server) exportCreators(w http.ResponseWriter, r *http.Request, q index.Query, format string) {
	q.Page, q.PerPage = 1, index.MaxPerPage
	q.Facets = nil
	res, err := s.cfg.Store.Search(r.Context(), q)
	if err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(res.Total))
	w.Header().Set("X-Export-Truncated", strconv.FormatBool(res.Total > MaxExportRows))
	e := newExporter(w, format, "creators", CreatorCSVHeader)
	for {
		for i := range res.Hits {
			if e.rows >= MaxExportRows {
				break
			}
			e.row(CreatorCSVRow(&res.Hits[i]), &res.Hits[i])
		}
		e.flush()
		if len(res.Hits) < q.PerPage || e.rows >= min(res.Total, MaxExportRows) {
			return
		}
		q.Page++
		if res, err = s.cfg.Store.Search(r.Context(), q); err != nil {
			// The status is sent: end the body early; the row count tells
			// the client it is short.
			s.log.ErrorContext(r.Context(), "export cut short", "err", err, "rows", e.rows, "request_id", RequestID(r.Context()))
			return
		}
	}
}

// MemberCSVHeader is the header of a watchlist members export.
var MemberCSVHeader = []string{"Key", "Platform", "Platform ID", "Handle", "Added at (UTC)", "Added by"}

// MemberCSVRow is one watchlist member as a row of MemberCSVHeader.
func MemberCSVRow(m index.WatchMember) []string {
	return []string{csvSafe(m.Key), csvSafe(m.Ref.Platform), csvSafe(m.Ref.ID), csvSafe(m.Ref.Handle),
		m.AddedAt.UTC().Format(time.RFC3339), csvSafe(m.Source)}
}

// AlertCSVHeader is the header of an alerts export.
var AlertCSVHeader = []string{"Alert ID", "Watchlist", "Creator key", "Kind", "At (UTC)", "Message", "Delivery"}

// AlertCSVRow is one alert event as a row of AlertCSVHeader.
func AlertCSVRow(a index.AlertEvent) []string {
	return []string{csvSafe(a.ID), csvSafe(a.WatchlistID), csvSafe(a.CreatorKey), csvSafe(a.Kind),
		a.At.UTC().Format(time.RFC3339), csvSafe(a.Message), csvSafe(a.DeliveryState)}
}

// csvSafe defuses spreadsheet formula injection in text that others
// control: a cell a spreadsheet would read as a formula (starting with =,
// +, -, @, a tab or a carriage return, also after leading spaces) gets a
// leading apostrophe, which spreadsheets show as text.
func csvSafe(s string) string {
	t := strings.TrimLeft(s, " ")
	if t != "" && strings.ContainsRune("=+-@\t\r\n|%", rune(t[0])) {
		return "'" + s
	}
	if strings.HasPrefix(t, "＝") || strings.HasPrefix(t, "＋") || strings.HasPrefix(t, "－") || strings.HasPrefix(t, "＠") {
		return "'" + s
	}
	return s
}
