// Package api serves CreatorScout's HTTP API (JSON under /v1), its OpenAPI
// document (/v1/openapi.json), a reference page (/docs), Prometheus
// metrics (/metrics), liveness and readiness (/healthz, /readyz) and a
// small web page listing search results.
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
