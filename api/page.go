package api

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// staticFiles holds the web app: index.html, its ES modules and styles.
// Nothing is built: the files are served as they are committed.
//
//go:embed static
var staticFiles embed.FS

// pageCSP is the Content-Security-Policy of the web app. Scripts and
// styles come only from this server; avatars may come from the platforms'
// CDNs; requests go only to this server.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: http: data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// pagePaths are the app's own URLs: each serves index.html, and the app
// reads the path and query string to show the page (so a reload or a
// shared link gives the same page).
var pagePaths = []string{"/creator/{key}", "/watchlists", "/watchlists/{id}", "/compare", "/discover", "/jetstream"}

// servePage serves the web app's shell. Its scripts build every cell with
// textContent, never innerHTML, so stored text cannot inject markup.
func servePage(w http.ResponseWriter) {
	b, err := staticFiles.ReadFile("static/index.html")
	if err != nil {
		WriteError(w, http.StatusInternalServerError, "internal", "the web page is missing from this build")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", pageCSP)
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(b)
}

// webRoutes registers the app's pages and its static files (the search
// page at / is in the route table).
func (s *Server) webRoutes() {
	for _, p := range pagePaths {
		s.mux.HandleFunc("GET "+p, func(w http.ResponseWriter, r *http.Request) { servePage(w) })
	}
	sub, _ := fs.Sub(staticFiles, "static")
	files := http.FileServerFS(sub)
	s.mux.HandleFunc("GET /static/{file...}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		if name == "" || name == "index.html" || strings.HasSuffix(name, "/") {
			WriteError(w, http.StatusNotFound, "not_found", "no such file: "+r.URL.Path)
			return
		}
		if _, err := fs.Stat(sub, name); err != nil {
			WriteError(w, http.StatusNotFound, "not_found", "no such file: "+r.URL.Path)
			return
		}
		switch path.Ext(name) {
		case ".js":
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		case ".css":
			w.Header().Set("Content-Type", "text/css; charset=utf-8")
		}
		w.Header().Set("Content-Security-Policy", pageCSP)
		w.Header().Set("Cache-Control", "no-cache")
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + name
		files.ServeHTTP(w, r2)
	})
}
