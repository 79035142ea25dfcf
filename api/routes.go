package api

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/creatorscout/scout/index"
)

// Scopes of API keys, from least to most: a key of a scope may do what the
// scopes before it allow.
const (
	ScopeRead  = "read"  // searches, lookups, reads and exports
	ScopeWrite = "write" // jobs, watchlists, redeliveries
	ScopeAdmin = "admin" // opt-outs and their list
)

// Scopes lists the scopes in order.
var Scopes = []string{ScopeRead, ScopeWrite, ScopeAdmin}

// scopeAllows reports whether a key of scope have may call a route that
// needs scope need.
func scopeAllows(have, need string) bool {
	return slices.Index(Scopes, have) >= slices.Index(Scopes, need)
}

// route is one operation of the API: the one place its method, path,
// parameters, body, responses and handler are declared. The mux, the
// parameter checks, 405 answers and the OpenAPI document all read it.
type route struct {
	method, path string
	// id is the OpenAPI operationId; tag groups operations in the document.
	id, tag string
	summary string
	// doc is a longer description (Markdown) for the reference page.
	doc string
	// scope is the API-key scope the route needs; "" is a public route
	// that needs no key.
	scope string
	// query lists every query parameter the route takes; any other is a
	// 400. Path parameters are in path.
	query []param
	// pathParams describes the {name} segments of path.
	pathParams []param
	// headerParams describes request headers the route reads.
	headerParams []param
	// body is a value of the request body's type (nil: no body).
	body any
	// responses by status code.
	responses []response
	h         http.HandlerFunc
	// needs, when set, names the Config part the route cannot run without
	// and reports whether it is there (a 503 otherwise).
	needs func(s *Server) (what string, ok bool)
}

// param is one query or path parameter.
type param struct {
	name, desc string
	// typ is the JSON Schema type: string, integer, number, boolean.
	typ      string
	format   string // a JSON Schema format: date-time, uri, ...
	enum     []string
	min, max *float64
	def      any
	example  string
	required bool
	// list marks a comma-separated list of values.
	list bool
}

// response is one possible answer of a route.
type response struct {
	code int
	desc string
	// body is a value of the JSON body's type; nil means no body, or the
	// error shape for codes of 400 and more.
	body any
	// export marks a response that also comes as CSV and JSON Lines.
	export bool
	// headers names response headers documented for this answer.
	headers []string
}

func fptr(v float64) *float64 { return &v }

// handle registers every route on the mux: one handler per path that
// dispatches on the method, answers 405 with Allow for the others, checks
// the query string and the key's scope, then runs the route.
func (s *Server) handle(routes []route) {
	byPath := map[string][]*route{}
	var paths []string
	for i := range routes {
		r := &routes[i]
		if _, ok := byPath[r.path]; !ok {
			paths = append(paths, r.path)
		}
		byPath[r.path] = append(byPath[r.path], r)
	}
	for _, p := range paths {
		rs := byPath[p]
		var allow []string
		for _, r := range rs {
			allow = append(allow, r.method)
			if r.method == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
		sort.Strings(allow)
		allowHeader := strings.Join(allow, ", ")
		s.mux.HandleFunc(p, func(w http.ResponseWriter, req *http.Request) {
			m := req.Method
			if m == http.MethodHead {
				m = http.MethodGet
			}
			for _, r := range rs {
				if r.method == m {
					s.serveRoute(r, w, req)
					return
				}
			}
			w.Header().Set("Allow", allowHeader)
			WriteError(w, http.StatusMethodNotAllowed, "method_not_allowed",
				req.Method+" is not allowed on "+p+"; allowed: "+allowHeader)
		})
	}
}

// serveRoute runs one route after the checks every route shares.
func (s *Server) serveRoute(rt *route, w http.ResponseWriter, r *http.Request) {
	setRoute(r, rt)
	// The key first: a request without a valid one learns nothing more,
	// and every request with one counts against its rate limit.
	if rt.scope != "" {
		k, ok := s.authenticate(w, r)
		if !ok {
			return
		}
		setKeyName(r, k)
		r = r.WithContext(index.WithActor(withKey(r.Context(), k), k.Name))
		if !s.limit(w, r, k) {
			return
		}
		if !scopeAllows(k.Scope, rt.scope) {
			WriteError(w, http.StatusForbidden, "forbidden",
				"the API key "+quoteName(k.Name)+" has scope "+k.Scope+"; this operation needs "+rt.scope)
			return
		}
	}
	q, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		s.fail(w, err)
		return
	}
	if !isSearch(rt) && rt.id != "page" { // the page keeps its state in the query string
		if err := checkParams(q, rt.query); err != nil {
			s.fail(w, err)
			return
		}
	}
	r.URL.RawQuery = q.Encode() // handlers read the checked values
	if rt.needs != nil {
		if what, ok := rt.needs(s); !ok {
			WriteError(w, http.StatusServiceUnavailable, "unavailable", "this server does not "+what)
			return
		}
	}
	rt.h(w, r)
}

// HandleGet adds a GET operation outside the route table, for an
// endpoint a process adds beside the API (the Jetstream's recent
// creators): it is served as any route is (the request's API key checked
// for scope and counted against its rate limit, query parameters
// refused, the request logged and measured under path), but it is not in
// the OpenAPI document. Call it before serving.
func (s *Server) HandleGet(path, scope string, h http.HandlerFunc) {
	rt := &route{method: http.MethodGet, path: path, id: path, scope: scope, h: h}
	s.mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) { s.serveRoute(rt, w, r) })
}

func quoteName(s string) string { return `"` + s + `"` }

// isSearch reports whether rt is the creator search, whose parameters
// ParseSearch checks (they follow index.Fields).
func isSearch(rt *route) bool { return rt.id == "searchCreators" }

// checkParams refuses a parameter the route does not take, and a repeated
// one that is not a list.
func checkParams(q url.Values, allowed []param) error {
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		i := slices.IndexFunc(allowed, func(p param) bool { return p.name == k })
		if i < 0 {
			if len(allowed) == 0 {
				return &paramError{k, "unknown parameter; this endpoint takes no query parameters"}
			}
			var valid []string
			for _, p := range allowed {
				valid = append(valid, p.name)
			}
			return &paramError{k, "unknown parameter; valid parameters: " + strings.Join(valid, ", ")}
		}
		if len(q[k]) > 1 {
			return &paramError{k, "given more than once"}
		}
		p := allowed[i]
		v := q.Get(k)
		if p.enum != nil {
			vals := []string{v}
			if p.list {
				vals = splitList(v)
			}
			for _, x := range vals {
				if !slices.Contains(p.enum, x) {
					return &paramError{k, enumMsg(x, p.enum)}
				}
			}
		}
		if p.required && strings.TrimSpace(v) == "" {
			return &paramError{k, "needs a value"}
		}
	}
	for _, p := range allowed {
		if p.required && !q.Has(p.name) {
			return &paramError{p.name, "required"}
		}
	}
	return nil
}

// enumMsg says that v is not one of valid, listing them.
func enumMsg(v string, valid []string) string {
	msg := quoteShort(v) + " is not a valid value; valid values: " + strings.Join(valid, ", ")
	if near := closest(v, valid); near != "" {
		msg = quoteShort(v) + " is not a valid value (did you mean " + near + "?); valid values: " + strings.Join(valid, ", ")
	}
	return msg
}

// quoteShort quotes v for a message, cut to 64 bytes.
func quoteShort(v string) string {
	if len(v) > 64 {
		v = v[:64] + "…"
	}
	b, _ := jsonString(v)
	return b
}

// closest returns the value of valid nearest to v by edit distance, when it
// is near enough to be a likely typo.
func closest(v string, valid []string) string {
	best, bestD := "", 3
	lv := strings.ToLower(v)
	for _, c := range valid {
		if d := editDistance(lv, strings.ToLower(c)); d < bestD && d <= max(1, len(c)/3) {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// parseQuery parses a raw query string strictly: a pair that does not
// decode is a 400 naming its parameter, where url.ParseQuery would drop it
// and the filter with it.
func parseQuery(raw string) (url.Values, error) {
	v := url.Values{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		if strings.Contains(pair, ";") {
			return nil, &paramError{paramName(pair), "contains a semicolon; separate parameters with & and encode ; as %3B"}
		}
		k, val, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, &paramError{paramName(k), "the parameter name is not validly percent-encoded"}
		}
		if key == "" {
			return nil, &paramError{"(no name)", "a parameter without a name (" + quoteShort(pair) + "); write name=value"}
		}
		value, err := url.QueryUnescape(val)
		if err != nil {
			return nil, &paramError{key, "the value is not validly percent-encoded (a % must be followed by two hex digits; write %25 for a literal %)"}
		}
		v[key] = append(v[key], value)
	}
	return v, nil
}

// paramName is a raw parameter name made printable for a message.
func paramName(raw string) string {
	k, _, _ := strings.Cut(raw, "=")
	if len(k) > 64 {
		k = k[:64]
	}
	return strings.ToValidUTF8(k, "?")
}
