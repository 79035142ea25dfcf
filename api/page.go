package api

import (
	_ "embed"
	"net/http"
)

//go:embed static/index.html
var indexHTML []byte

// servePage serves the web page that lists search results. It builds every
// cell with textContent, never innerHTML, so stored text cannot inject
// markup.
func servePage(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline'")
	_, _ = w.Write(indexHTML)
}
