package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/watch"
)

// The OpenAPI document is generated from the route table (every route,
// parameter and response) and, by reflection, from the Go types the
// handlers decode and encode, so it cannot drift from them; TestOpenAPI
// checks it against real responses.

// OpenAPI returns the OpenAPI 3.1 document of the API, listing servers
// (nil: a relative "/").
func (s *Server) OpenAPI(servers []string) map[string]any {
	g := &schemaGen{enums: s.cfg.Enums, defs: map[string]any{}, types: map[string]reflect.Type{}}
	paths := map[string]any{}
	var tags []string
	for i := range s.routes {
		rt := &s.routes[i]
		p := strings.ReplaceAll(rt.path, "{$}", "")
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[strings.ToLower(rt.method)] = g.operation(rt)
		if !slices.Contains(tags, rt.tag) {
			tags = append(tags, rt.tag)
		}
	}
	var tagList []any
	for _, t := range tags {
		tagList = append(tagList, map[string]any{"name": t, "description": tagDocs[t]})
	}
	var srv []any
	for _, u := range servers {
		srv = append(srv, map[string]any{"url": u})
	}
	if len(srv) == 0 {
		srv = append(srv, map[string]any{"url": "/", "description": "this server"})
	}
	g.schema(reflect.TypeFor[Error]()) // registers the component
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "CreatorScout API",
			"version": "1",
			"summary": "Find and vet social-media creators: search, exact lookups, watchlists, alerts and exports.",
			"description": "Errors are JSON `{\"error\":{\"code\":...,\"message\":...}}` whose message names the parameter or body field at fault. " +
				"Unknown query parameters and body fields are refused (400), a wrong method is a 405 with `Allow`. " +
				"Times are RFC 3339 in UTC. Every response carries `X-Request-Id`. " +
				"Keys have a scope (read < write < admin) and a rate limit per minute, reported in `RateLimit-*` headers; past it the answer is 429 with `Retry-After`.",
			"license": map[string]any{"name": "Apache-2.0", "identifier": "Apache-2.0"},
		},
		"servers":  srv,
		"tags":     tagList,
		"security": []any{map[string]any{"bearer": []any{}}},
		"paths":    paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer",
				"description": "an API key: `scout apikey create NAME --scope read|write|admin`, or SCOUT_API_KEY (admin)"}},
			"schemas": g.defs,
		},
	}
}

var tagDocs = map[string]string{
	"service":    "Health, readiness, metrics and this document",
	"creators":   "Search, exact lookups and records of creators",
	"jobs":       "Discover and crawl jobs",
	"compliance": "Opt-outs and erasure",
	"watchlists": "Watchlists rescanned on a cadence",
	"alerts":     "Alert events of watchlists and their webhook deliveries",
}

// operation is the OpenAPI operation object of rt.
func (g *schemaGen) operation(rt *route) map[string]any {
	op := map[string]any{"operationId": rt.id, "summary": rt.summary, "tags": []any{rt.tag}}
	if rt.doc != "" {
		op["description"] = rt.doc
	}
	if rt.scope == "" {
		op["security"] = []any{}
	} else {
		op["description"] = strings.TrimSpace(rt.doc + "\n\nNeeds a key of scope `" + rt.scope + "` or above.")
	}
	var params []any
	for _, p := range rt.pathParams {
		params = append(params, paramObject(p, "path"))
	}
	for _, p := range rt.query {
		params = append(params, paramObject(p, "query"))
	}
	for _, p := range rt.headerParams {
		params = append(params, paramObject(p, "header"))
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if rt.body != nil {
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.body))}}}
	}
	resps := map[string]any{}
	for _, r := range rt.responses {
		resps[strconv.Itoa(r.code)] = g.response(rt, r)
	}
	if rt.scope != "" {
		for _, r := range []response{{code: 401, desc: "no valid API key"}, {code: 403, desc: "the key's scope does not allow this"},
			{code: 429, desc: "the key's rate limit is spent", headers: []string{"Retry-After"}}} {
			resps[strconv.Itoa(r.code)] = g.response(rt, r)
		}
	}
	if rt.query != nil || isSearch(rt) {
		if _, ok := resps["400"]; !ok {
			resps["400"] = g.response(rt, response{code: 400})
		}
	}
	resps["405"] = g.response(rt, response{code: 405, desc: "the method is not allowed on this path", headers: []string{"Allow"}})
	op["responses"] = resps
	return op
}

var defaultDesc = map[int]string{400: "invalid input, named in the message", 404: "not found", 409: "conflict", 410: "gone",
	503: "a part of the server this operation needs is not configured or not answering"}

func (g *schemaGen) response(rt *route, r response) map[string]any {
	desc := r.desc
	if desc == "" {
		desc = defaultDesc[r.code]
	}
	out := map[string]any{"description": desc}
	headers := map[string]any{"X-Request-Id": headerObject("X-Request-Id", "string")}
	names := r.headers
	if rt.scope != "" && r.code != 401 && r.code != 405 {
		names = append(names, "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy")
	}
	for _, h := range names {
		typ := "integer"
		switch h {
		case "Location", "Allow", "RateLimit-Policy", "X-Request-Id":
			typ = "string"
		case "X-Export-Truncated":
			typ = "boolean"
		}
		headers[h] = headerObject(h, typ)
	}
	out["headers"] = headers
	switch {
	case r.code >= 400 && r.body == nil:
		out["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}
	case r.body != nil:
		content := map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(r.body))}}
		if r.export {
			content["text/csv"] = map[string]any{"schema": map[string]any{"type": "string", "description": "with format=csv: a header row, then one row per item"}}
			content["application/jsonl"] = map[string]any{"schema": map[string]any{"type": "string", "description": "with format=jsonl: one JSON object per line"}}
		}
		out["content"] = content
	case r.code == 200:
		ct := map[string]string{"metrics": "text/plain", "docs": "text/html", "page": "text/html", "openapi": "application/json"}[rt.id]
		schema := map[string]any{"type": "string"}
		if ct == "application/json" {
			schema = map[string]any{"type": "object"}
		}
		out["content"] = map[string]any{ct: map[string]any{"schema": schema}}
	}
	return out
}

func headerObject(name, typ string) map[string]any {
	return map[string]any{"description": headerDocs[name], "schema": map[string]any{"type": typ}}
}

// paramObject is the OpenAPI parameter object of p.
func paramObject(p param, in string) map[string]any {
	schema := map[string]any{"type": p.typ}
	if p.format != "" {
		schema["format"] = p.format
	}
	if p.min != nil {
		schema["minimum"] = *p.min
	}
	if p.max != nil {
		schema["maximum"] = *p.max
	}
	if p.def != nil {
		schema["default"] = p.def
	}
	if p.enum != nil && !p.list {
		schema["enum"] = p.enum
	}
	o := map[string]any{"name": p.name, "in": in, "description": p.desc, "schema": schema}
	if p.list {
		items := map[string]any{"type": p.typ}
		if p.enum != nil {
			items["enum"] = p.enum
		}
		o["schema"] = map[string]any{"type": "array", "items": items}
		o["style"] = "form"
		o["explode"] = false
	}
	if p.required || in == "path" {
		o["required"] = true
	}
	if p.example != "" {
		o["example"] = p.example
	}
	return o
}

// schemaGen derives JSON Schemas (2020-12, as OpenAPI 3.1 uses) from Go
// types: a named struct becomes a component referenced by name.
type schemaGen struct {
	enums Enums
	defs  map[string]any
	types map[string]reflect.Type
	// owner is the name of the struct whose fields are being described.
	owner string
}

var timeType = reflect.TypeFor[time.Time]()
var rawType = reflect.TypeFor[json.RawMessage]()

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.schema(t.Elem())
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		if t.Elem().Kind() == reflect.Interface {
			return map[string]any{"type": "object"}
		}
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := t.Name()
		if name == "" {
			return g.structSchema(t)
		}
		if prev, ok := g.types[name]; ok && prev != t {
			panic(fmt.Sprintf("api: two types named %s in the OpenAPI document (%s, %s)", name, prev.PkgPath(), t.PkgPath()))
		}
		if _, ok := g.types[name]; !ok {
			g.types[name] = t
			g.defs[name] = map[string]any{} // placeholder against recursion
			g.defs[name] = g.structSchema(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	panic("api: no JSON Schema for " + t.String())
}

func (g *schemaGen) structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	g.fields(t, props, &required)
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		slices.Sort(required)
		s["required"] = required
	}
	return s
}

// fields adds t's JSON fields to props, and those always present (no
// omitempty or omitzero) to required. Fields of embedded structs are
// inlined, as encoding/json does.
func (g *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string) {
	defer func(prev string) { g.owner = prev }(g.owner)
	for i := range t.NumField() {
		g.owner = t.Name()
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				g.fields(et, props, required)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		optional := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		sch := g.schema(f.Type)
		sch = g.annotate(sch, f, name)
		// encoding/json writes a nil slice, map or pointer as null.
		if !optional {
			switch f.Type.Kind() {
			case reflect.Slice, reflect.Map, reflect.Pointer:
				if f.Type != rawType {
					sch = map[string]any{"anyOf": []any{sch, map[string]any{"type": "null"}}}
				}
			}
			*required = append(*required, name)
		}
		props[name] = sch
	}
}

// annotate adds a field's description, enumeration and limits from its
// tags and the units known by name.
func (g *schemaGen) annotate(sch map[string]any, f reflect.StructField, name string) map[string]any {
	if _, ref := sch["$ref"]; ref {
		return sch // siblings of $ref are not for us to add
	}
	out := map[string]any{}
	for k, v := range sch {
		out[k] = v
	}
	if d, ok := numericDocs[name]; ok && (out["type"] == "number" || out["type"] == "integer") {
		out["description"] = d
	} else if d, ok := keywordDocs[name]; ok && out["type"] == "string" {
		out["description"] = d
	}
	if e, ok := g.fieldEnum(f, name); ok {
		out["enum"] = e
	}
	if e := f.Tag.Get("enum"); e != "" {
		if strings.Contains(e, ",") {
			out["enum"] = strings.Split(e, ",")
		} else if vals, ok := g.enums[e]; ok {
			out["enum"] = vals
		}
	}
	for _, k := range []string{"minimum", "maximum", "maxLength"} {
		if v := f.Tag.Get(k); v != "" {
			n, _ := strconv.ParseFloat(v, 64)
			out[k] = n
		}
	}
	if v := f.Tag.Get("format"); v != "" {
		out["format"] = v
	}
	return out
}

// fieldEnum gives the enumeration of a field of the store's and the
// watch package's types, which carry no tags of ours: keyed by the Go type
// that declares the field and its JSON name.
func (g *schemaGen) fieldEnum(f reflect.StructField, name string) ([]string, bool) {
	owner := g.owner
	switch owner + "." + name {
	case "Job.state":
		return []string{index.JobQueued, index.JobRunning, index.JobDone, index.JobFailed}, true
	case "Job.kind":
		return []string{"discover", "crawl"}, true
	case "JobItem.state":
		return []string{index.ItemPending, index.ItemDone, index.ItemFailed, index.ItemSkipped}, true
	case "AlertEvent.kind":
		return watch.Kinds, true
	case "AlertEvent.delivery_state":
		return []string{"pending", "delivered", "failed"}, true
	case "Ref.platform", "OptOut.platform":
		return g.enums["platform"], g.enums["platform"] != nil
	case "Scores.tier":
		return append([]string{""}, g.enums["tier"]...), g.enums["tier"] != nil
	case "WatchMember.source":
		return []string{"key", "url", "search"}, true
	case "Filter.op":
		return []string{index.OpAnd, index.OpOr, index.OpNot, index.OpEq, index.OpIn, index.OpRange, index.OpExists, index.OpMissing}, true
	}
	return nil, false
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	servers := s.cfg.Servers
	if servers == nil {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		servers = []string{scheme + "://" + r.Host}
	}
	WriteJSON(w, http.StatusOK, s.OpenAPI(servers))
}
