package api

import (
	"net/http"

	"github.com/creatorscout/scout/index"
)

// OpenAPI returns the OpenAPI 3.1 document of the API. The search
// parameters are generated from index.Fields, so the document lists every
// filter the store accepts.
func OpenAPI() map[string]any {
	params := []any{
		qp("q", "string", "full-text search over display name, handle, bio and post text; at most 512 bytes and 10 words"),
		qp("sort", "string", "comma-separated sortable fields, '-' prefix for descending"),
		qp("page", "integer", "1-based page"),
		qp("per_page", "integer", "results per page, 1 to 100"),
		qp("facets", "string", "comma-separated fields: keyword fields give counts, numeric ones min/max"),
	}
	for _, f := range index.Fields {
		if !f.Filterable {
			continue
		}
		if f.Kind == index.Keyword {
			params = append(params, qp(f.Name, "string", "equals one of the comma-separated values; '-' matches a missing value"))
			continue
		}
		params = append(params,
			qp(f.Name+"_min", "number", "inclusive lower bound of "+f.Name),
			qp(f.Name+"_max", "number", "inclusive upper bound of "+f.Name))
	}
	errResp := map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{
		"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	ok := func(desc string) map[string]any { return map[string]any{"description": desc} }
	return map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": "CreatorScout API", "version": "1"},
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas": map[string]any{"Error": map[string]any{"type": "object", "properties": map[string]any{
				"error": map[string]any{"type": "object", "properties": map[string]any{
					"code": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"}}}}}},
		},
		"paths": map[string]any{
			"/healthz":     map[string]any{"get": map[string]any{"responses": map[string]any{"200": ok("healthy"), "503": errResp}}},
			"/v1/creators": map[string]any{"get": map[string]any{"summary": "search creators", "parameters": params, "responses": map[string]any{"200": ok("hits, total, facets, stats"), "400": errResp}}},
			"/v1/creators/{key}": map[string]any{"get": map[string]any{"summary": "one creator with its scores and evidence",
				"parameters": []any{pp("key")}, "responses": map[string]any{"200": ok("the record"), "404": errResp}}},
			"/v1/creators/{key}/history": map[string]any{"get": map[string]any{"summary": "snapshot history, oldest first",
				"parameters": []any{pp("key"), qp("limit", "integer", "newest N snapshots")}, "responses": map[string]any{"200": ok("snapshots"), "404": errResp}}},
			"/v1/discover": map[string]any{"post": map[string]any{"summary": "discover creators: {source, query, limit}", "responses": map[string]any{"202": ok("the job"), "400": errResp}}},
			"/v1/crawl":    map[string]any{"post": map[string]any{"summary": "crawl one creator: {platform, handle or id}", "responses": map[string]any{"202": ok("the job"), "400": errResp}}},
			"/v1/optout": map[string]any{"post": map[string]any{"summary": "opt a creator out: {platform, handle or id or url, reason}; erases what is stored and stops collection",
				"responses": map[string]any{"200": ok("the opt-out and the erased keys"), "400": errResp}}},
			"/v1/optouts": map[string]any{"get": map[string]any{"summary": "export the opt-out list",
				"parameters": []any{qp("format", "string", "json (default) or csv")}, "responses": map[string]any{"200": ok("the list")}}},
			"/v1/watchlists": map[string]any{
				"post": map[string]any{"summary": "create a watchlist: {name, members (keys or profile URLs), saved_search, cadence, rules, webhooks}", "responses": map[string]any{"201": ok("the watchlist, webhook secrets in full"), "400": errResp}},
				"get":  map[string]any{"summary": "list watchlists (secrets masked)", "responses": map[string]any{"200": ok("watchlists")}}},
			"/v1/watchlists/{id}": map[string]any{
				"get":    map[string]any{"parameters": []any{pp("id")}, "responses": map[string]any{"200": ok("the watchlist"), "404": errResp}},
				"patch":  map[string]any{"summary": "update name, cadence, rules, saved_search, webhooks", "parameters": []any{pp("id")}, "responses": map[string]any{"200": ok("the watchlist"), "400": errResp, "404": errResp}},
				"delete": map[string]any{"parameters": []any{pp("id")}, "responses": map[string]any{"204": ok("deleted"), "404": errResp}}},
			"/v1/watchlists/{id}/members":       map[string]any{"post": map[string]any{"summary": "add members: {members: [key or profile URL]}", "parameters": []any{pp("id")}, "responses": map[string]any{"200": ok("the watchlist"), "400": errResp}}},
			"/v1/watchlists/{id}/members/{key}": map[string]any{"delete": map[string]any{"parameters": []any{pp("id"), pp("key")}, "responses": map[string]any{"200": ok("the watchlist"), "404": errResp}}},
			"/v1/watchlists/{id}/alerts": map[string]any{"get": map[string]any{"summary": "alert events, newest first",
				"parameters": []any{pp("id"), qp("kind", "string", "alert kind"), qp("creator", "string", "creator key"), qp("limit", "integer", "1 to 1000")}, "responses": map[string]any{"200": ok("alerts")}}},
			"/v1/alerts/{id}": map[string]any{"get": map[string]any{"summary": "one alert event with its deliveries", "parameters": []any{pp("id")}, "responses": map[string]any{"200": ok("the event"), "404": errResp}}},
			"/v1/jobs/{id}": map[string]any{"get": map[string]any{"summary": "job state, counts and items",
				"parameters": []any{pp("id")}, "responses": map[string]any{"200": ok("the job"), "404": errResp}}},
		},
	}
}

func qp(name, typ, desc string) map[string]any {
	return map[string]any{"name": name, "in": "query", "description": desc, "schema": map[string]any{"type": typ}}
}

func pp(name string) map[string]any {
	return map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "string"}}
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, OpenAPI())
}
