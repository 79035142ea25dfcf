// Package api serves CreatorScout's HTTP API (JSON under /v1), its OpenAPI
// document (/v1/openapi.json), a reference page (/docs), Prometheus
// metrics (/metrics), liveness and readiness (/healthz, /readyz) and the
// web app.
//
// The web app (static/, embedded with go:embed; page.go) is plain ES
// modules with no build step: the search page at / keeps its whole state in
// the query string; /creator/{key}, /watchlists, /watchlists/{id},
// /compare?keys=a,b and /discover?job=ID are its other pages. Each serves
// the same shell, which reads the path; every call goes through the /v1
// API, with the key the page asks for on a 401 (kept in sessionStorage).
// Its scripts set text with textContent only, under a CSP that allows no
// inline script or style. cmd/scout's TestBrowser drives it in Chromium.
//
// One route table (table.go) declares every operation: method, path,
// parameters with their enumerations and units, body and answer types,
// the key scope it needs. The mux, the checks every request passes (405
// with Allow for another method, 400 for an unknown, repeated or badly
// escaped parameter, 401/403 for the key, 429 past its rate limit) and the
// OpenAPI document are all derived from it; the document's schemas are
// reflected from the handlers' Go types.
//
// Errors are JSON {"error":{"code":...,"message":...}} whose message names
// the parameter or body field at fault in the API's terms, never Go's.
// Creators are found by exact handle or profile URL through
// GET /v1/creators/lookup (index.ByHandle, index.ByProfileURL), never by
// text search. Searches, watchlist members, alerts and the opt-out list
// export as CSV (formula cells defused) and JSON Lines.
//
// Every request gets an id (X-Request-Id), a JSON log line and a latency
// observation by route and status. A Server is safe for concurrent use.
package api
