package api

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"
)

// docsPage is the API reference: the OpenAPI document rendered as one
// HTML page, without scripts.
var docsPage = template.Must(template.New("docs").Funcs(template.FuncMap{
	"upper": strings.ToUpper,
	"json": func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CreatorScout API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2430;background:#fafbfc}
main{max-width:980px;margin:0 auto;padding:1.5rem}
nav{background:#fff;border:1px solid #dde2e8;border-radius:8px;padding:.5rem 1rem;margin:1rem 0}
nav a{margin-right:1rem}
h2{margin-top:2.5rem;border-bottom:2px solid #dde2e8}
.op{background:#fff;border:1px solid #dde2e8;border-radius:8px;padding:.75rem 1rem;margin:1rem 0}
.m{display:inline-block;min-width:4.5em;font-weight:700;font-family:monospace}
.GET{color:#0a7d36}.POST{color:#1456c8}.PATCH{color:#a35c00}.DELETE{color:#b3261e}
code,.path{font-family:ui-monospace,monospace;font-size:.92em}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
td,th{border-top:1px solid #eef0f3;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{font-weight:600;color:#556}
.scope{float:right;font-size:.85em;color:#556}
.enum{color:#556;font-size:.9em}
</style></head><body><main>
<h1>{{.Title}}</h1>
<p>{{.Summary}}</p><p>{{.Description}}</p>
<p>Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a> (OpenAPI 3.1).</p>
<nav>{{range .Tags}}<a href="#{{.Name}}">{{.Name}}</a>{{end}}<a href="#schemas">schemas</a></nav>
{{range .Tags}}<h2 id="{{.Name}}">{{.Name}}</h2><p>{{.Desc}}</p>
{{range .Ops}}<div class="op" id="{{.ID}}"><span class="scope">{{if .Scope}}scope: {{.Scope}}{{else}}public{{end}}</span>
<span class="m {{.Method}}">{{.Method}}</span> <span class="path">{{.Path}}</span>
<p><b>{{.Summary}}</b>{{if .Doc}}<br>{{.Doc}}{{end}}</p>
{{if .Params}}<table><tr><th>parameter</th><th>in</th><th>type</th><th>description</th></tr>
{{range .Params}}<tr><td><code>{{.Name}}</code>{{if .Required}} *{{end}}</td><td>{{.In}}</td><td>{{.Type}}</td><td>{{.Desc}}{{if .Enum}}<div class="enum">one of: {{.Enum}}</div>{{end}}</td></tr>{{end}}
</table>{{end}}
{{if .Body}}<p>Body (JSON): <a href="#schema-{{.Body}}">{{.Body}}</a></p>{{end}}
<table><tr><th>status</th><th>answer</th></tr>{{range .Responses}}<tr><td>{{.Code}}</td><td>{{.Desc}}{{if .Schema}} — <a href="#schema-{{.Schema}}">{{.Schema}}</a>{{end}}</td></tr>{{end}}</table>
</div>{{end}}{{end}}
<h2 id="schemas">schemas</h2>
{{range .Schemas}}<div class="op" id="schema-{{.Name}}"><b>{{.Name}}</b>
<table><tr><th>field</th><th>type</th><th>description</th></tr>{{range .Fields}}<tr><td><code>{{.Name}}</code>{{if .Required}} *{{end}}</td><td>{{.Type}}</td><td>{{.Desc}}</td></tr>{{end}}</table></div>{{end}}
<p>* required</p>
</main></body></html>`))

type docParam struct {
	Name, In, Type, Desc, Enum string
	Required                   bool
}

type docResp struct {
	Code, Desc, Schema string
}

type docOp struct {
	ID, Method, Path, Summary, Doc, Scope, Body string
	Params                                      []docParam
	Responses                                   []docResp
}

type docTag struct {
	Name, Desc string
	Ops        []docOp
}

type docField struct {
	Name, Type, Desc string
	Required         bool
}

type docSchema struct {
	Name   string
	Fields []docField
}

// docs serves the API reference page, rendered from the OpenAPI document.
func (s *Server) docs(w http.ResponseWriter, r *http.Request) {
	doc := s.OpenAPI(nil)
	info := doc["info"].(map[string]any)
	data := struct {
		Title, Summary, Description string
		Tags                        []docTag
		Schemas                     []docSchema
	}{Title: info["title"].(string), Summary: info["summary"].(string), Description: info["description"].(string)}
	byTag := map[string]*docTag{}
	for _, t := range doc["tags"].([]any) {
		tm := t.(map[string]any)
		data.Tags = append(data.Tags, docTag{Name: tm["name"].(string), Desc: fmt.Sprint(tm["description"])})
	}
	for i := range data.Tags {
		byTag[data.Tags[i].Name] = &data.Tags[i]
	}
	for _, rt := range s.routes {
		path := strings.ReplaceAll(rt.path, "{$}", "")
		op := doc["paths"].(map[string]any)[path].(map[string]any)[strings.ToLower(rt.method)].(map[string]any)
		d := docOp{ID: rt.id, Method: rt.method, Path: path, Summary: rt.summary, Doc: rt.doc, Scope: rt.scope}
		if ps, ok := op["parameters"].([]any); ok {
			for _, p := range ps {
				pm := p.(map[string]any)
				dp := docParam{Name: pm["name"].(string), In: pm["in"].(string), Desc: fmt.Sprint(pm["description"]), Required: pm["required"] == true}
				sch := pm["schema"].(map[string]any)
				dp.Type = fmt.Sprint(sch["type"])
				if it, ok := sch["items"].(map[string]any); ok {
					dp.Type = "comma-separated " + fmt.Sprint(it["type"])
					sch = it
				}
				if e, ok := sch["enum"].([]string); ok {
					dp.Enum = strings.Join(e, ", ")
				}
				d.Params = append(d.Params, dp)
			}
		}
		if rb, ok := op["requestBody"].(map[string]any); ok {
			d.Body = refName(rb["content"].(map[string]any)["application/json"].(map[string]any)["schema"])
		}
		resps := op["responses"].(map[string]any)
		codes := make([]string, 0, len(resps))
		for c := range resps {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		for _, c := range codes {
			rm := resps[c].(map[string]any)
			dr := docResp{Code: c, Desc: fmt.Sprint(rm["description"])}
			if ct, ok := rm["content"].(map[string]any); ok {
				if j, ok := ct["application/json"].(map[string]any); ok {
					dr.Schema = refName(j["schema"])
				}
				if _, ok := ct["text/csv"]; ok {
					dr.Desc += " (also CSV and JSON Lines with format=)"
				}
			}
			d.Responses = append(d.Responses, dr)
		}
		byTag[rt.tag].Ops = append(byTag[rt.tag].Ops, d)
	}
	defs := doc["components"].(map[string]any)["schemas"].(map[string]any)
	names := make([]string, 0, len(defs))
	for n := range defs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		sm := defs[n].(map[string]any)
		ds := docSchema{Name: n}
		req := map[string]bool{}
		if rq, ok := sm["required"].([]string); ok {
			for _, x := range rq {
				req[x] = true
			}
		}
		props, _ := sm["properties"].(map[string]any)
		fields := make([]string, 0, len(props))
		for f := range props {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			pm := props[f].(map[string]any)
			df := docField{Name: f, Type: typeName(pm), Required: req[f]}
			if d, ok := pm["description"].(string); ok {
				df.Desc = d
			}
			if e, ok := pm["enum"].([]string); ok {
				df.Desc = strings.TrimSpace(df.Desc + " one of: " + strings.Join(e, ", "))
			}
			ds.Fields = append(ds.Fields, df)
		}
		data.Schemas = append(data.Schemas, ds)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	if err := docsPage.Execute(w, data); err != nil {
		s.log.Error("rendering the API reference", "err", err)
	}
}

func refName(schema any) string {
	m, _ := schema.(map[string]any)
	ref, _ := m["$ref"].(string)
	return strings.TrimPrefix(ref, "#/components/schemas/")
}

// typeName describes a property schema in a few words.
func typeName(m map[string]any) string {
	if n := refName(m); n != "" {
		return n
	}
	if alts, ok := m["anyOf"].([]any); ok {
		return typeName(alts[0].(map[string]any)) + " or null"
	}
	switch m["type"] {
	case "array":
		return "array of " + typeName(m["items"].(map[string]any))
	case "object":
		if ap, ok := m["additionalProperties"].(map[string]any); ok {
			return "map of " + typeName(ap)
		}
		return "object"
	case nil:
		return "any JSON"
	}
	t := fmt.Sprint(m["type"])
	if f, ok := m["format"].(string); ok {
		t += " (" + f + ")"
	}
	return t
}
