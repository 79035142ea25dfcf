package meili

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"
)

// fakeMeili is a recording fake of the parts of Meilisearch's HTTP API the
// Store uses. It exists because no Meilisearch binary can run on the
// machine these tests are written on (no package registry here ships one
// and no container can be pulled), so the contract tests check the exact
// requests the Store sends against Meilisearch's documented API instead.
// It is not a Meilisearch: it indexes nothing and answers searches and
// document reads only with what a test tells it to.
//
// Every request that Meilisearch answers with a task (index creation,
// settings, document writes and deletes) gets 202 and a new task uid; task
// polls answer "succeeded" unless the test queued other states for that
// task with taskStates.
type fakeMeili struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	reqs     []recorded
	nextTask int64
	// states lists, per task uid, the statuses successive polls return;
	// the last one repeats. Tasks not listed succeed at once.
	states map[int64][]taskState
	// onTask, when set, is called for each task-creating request before it
	// is given a uid; what it returns is queued as that task's states.
	onTask func(r recorded) []taskState
	// holdTask, when set, is called for each task-creating request; if it
	// returns a channel, polls of the task answer "processing" until the
	// channel is closed, and then go on as they would have.
	holdTask func(r recorded) chan struct{}
	hold     map[int64]chan struct{}
	// reject, when set, is called for each task-creating request first;
	// a non-zero status is the response (with an error body of code),
	// and no task is made.
	reject func(r recorded) (status int, code string)
	// sizes holds the body size of each task-creating request, by path.
	sizes map[string][]int
	// settings holds each index's settings as GET /indexes/{uid}/settings
	// answers them; an index not in it has fakeDefaults. A settings
	// PATCH updates them as Meilisearch does: null resets a setting (or a
	// part) to its default, and typoTolerance, faceting and pagination are
	// updated part by part. A PATCH that names a setting Meilisearch does
	// not have or gives one a value of the wrong type is refused
	// (fakeSettingTypes) and changes nothing.
	settings map[string]map[string]any
	// search answers POST /indexes/{uid}/search.
	search func(uid string, body map[string]any) (int, any)
	// getDoc answers GET /indexes/{uid}/documents/{id}.
	getDoc func(uid, id string) (int, any)
	// fetch answers POST /indexes/{uid}/documents/fetch.
	fetch func(uid string, body map[string]any) (int, any)
}

type taskState struct {
	Status string
	Code   string
}

// recorded is one request as the fake received it.
type recorded struct {
	Method string
	Path   string
	Query  string
	Auth   string
	Body   any
}

func newFake(t *testing.T) *fakeMeili {
	f := &fakeMeili{t: t, states: map[int64][]taskState{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeMeili) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	rec := recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization")}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &rec.Body); err != nil {
			f.t.Errorf("fake meilisearch: %s %s: body is not JSON: %v", r.Method, r.URL.Path, err)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			f.t.Errorf("fake meilisearch: %s %s: Content-Type %q, want application/json", r.Method, r.URL.Path, ct)
		}
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if parts[0] == "tasks" && len(parts) == 2 && r.Method == http.MethodGet {
		uid, _ := strconv.ParseInt(parts[1], 10, 64)
		f.mu.Lock()
		f.reqs = append(f.reqs, rec)
		held := false
		if ch := f.hold[uid]; ch != nil {
			select {
			case <-ch:
			default:
				held = true
			}
		}
		st := taskState{Status: "succeeded"}
		if held {
			st = taskState{Status: "processing"}
		} else if q := f.states[uid]; len(q) > 0 {
			st = q[0]
			if len(q) > 1 {
				f.states[uid] = q[1:]
			}
		}
		f.mu.Unlock()
		task := map[string]any{"uid": uid, "status": st.Status, "type": "documentAdditionOrUpdate", "enqueuedAt": "2026-01-01T00:00:00Z"}
		if st.Code != "" {
			task["error"] = map[string]any{"message": "fake failure " + st.Code, "code": st.Code, "type": "invalid_request", "link": "https://docs.meilisearch.com/errors#" + st.Code}
		}
		writeJSON(w, http.StatusOK, task)
		return
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, rec)
	f.mu.Unlock()
	var body map[string]any
	if m, ok := rec.Body.(map[string]any); ok {
		body = m
	}
	switch {
	case len(parts) == 3 && parts[0] == "indexes" && parts[2] == "settings" && r.Method == http.MethodGet:
		f.mu.Lock()
		cur := f.indexSettings(parts[1])
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, cur)
	case len(parts) == 3 && parts[0] == "indexes" && parts[2] == "search" && r.Method == http.MethodPost:
		if f.search == nil {
			writeJSON(w, http.StatusOK, map[string]any{"hits": []any{}, "totalHits": 0})
			return
		}
		code, resp := f.search(parts[1], body)
		writeJSON(w, code, resp)
	case len(parts) == 4 && parts[2] == "documents" && parts[3] == "fetch" && r.Method == http.MethodPost:
		if f.fetch == nil {
			writeJSON(w, http.StatusOK, map[string]any{"results": []any{}, "offset": 0, "limit": 1000, "total": 0})
			return
		}
		code, resp := f.fetch(parts[1], body)
		writeJSON(w, code, resp)
	case len(parts) == 4 && parts[2] == "documents" && r.Method == http.MethodGet:
		if f.getDoc == nil {
			writeJSON(w, http.StatusNotFound, apiError("document_not_found", "document not found"))
			return
		}
		code, resp := f.getDoc(parts[1], parts[3])
		writeJSON(w, code, resp)
	case r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodDelete:
		f.mu.Lock()
		if f.sizes == nil {
			f.sizes = map[string][]int{}
		}
		f.sizes[r.URL.Path] = append(f.sizes[r.URL.Path], len(raw))
		if f.reject != nil {
			if status, code := f.reject(rec); status != 0 {
				f.mu.Unlock()
				writeJSON(w, status, apiError(code, "fake rejection "+code))
				return
			}
		}
		if len(parts) == 3 && parts[0] == "indexes" && parts[2] == "settings" && r.Method == http.MethodPatch {
			if code, msg := checkSettings(rec.Body); code != "" {
				f.mu.Unlock()
				writeJSON(w, http.StatusBadRequest, apiError(code, msg))
				return
			}
			cur := f.indexSettings(parts[1])
			def := fakeDefaults()
			for k, v := range body {
				old, isMap := cur[k].(map[string]any)
				switch nv, ok := v.(map[string]any); {
				case v == nil:
					cur[k] = def[k]
				case ok && isMap && (k == "typoTolerance" || k == "faceting" || k == "pagination"):
					for pk, pv := range nv {
						if pv == nil {
							pv = def[k].(map[string]any)[pk]
						}
						old[pk] = pv
					}
				default:
					cur[k] = v
				}
			}
		}
		f.nextTask++
		uid := f.nextTask
		if f.onTask != nil {
			if st := f.onTask(rec); st != nil {
				f.states[uid] = st
			}
		}
		if f.holdTask != nil {
			if ch := f.holdTask(rec); ch != nil {
				if f.hold == nil {
					f.hold = map[int64]chan struct{}{}
				}
				f.hold[uid] = ch
			}
		}
		f.mu.Unlock()
		index := ""
		if len(parts) > 1 {
			index = parts[1]
		}
		writeJSON(w, http.StatusAccepted, map[string]any{"taskUid": uid, "indexUid": index, "status": "enqueued", "type": "fake", "enqueuedAt": "2026-01-01T00:00:00Z"})
	default:
		writeJSON(w, http.StatusNotFound, apiError("not_found", "the fake does not serve "+r.URL.Path))
	}
}

// indexSettings returns the settings of index uid, which the caller may
// change. f.mu must be held.
func (f *fakeMeili) indexSettings(uid string) map[string]any {
	if f.settings == nil {
		f.settings = map[string]map[string]any{}
	}
	if f.settings[uid] == nil {
		f.settings[uid] = fakeDefaults()
	}
	return f.settings[uid]
}

// fakeDefaults returns the settings of a new index in Meilisearch v1.15,
// as GET /indexes/{uid}/settings answers them.
func fakeDefaults() map[string]any {
	var m map[string]any
	err := json.Unmarshal([]byte(`{
		"displayedAttributes": ["*"],
		"searchableAttributes": ["*"],
		"filterableAttributes": [],
		"sortableAttributes": [],
		"rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
		"stopWords": [],
		"nonSeparatorTokens": [],
		"separatorTokens": [],
		"dictionary": [],
		"synonyms": {},
		"distinctAttribute": null,
		"proximityPrecision": "byWord",
		"typoTolerance": {"enabled": true, "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
			"disableOnWords": [], "disableOnAttributes": [], "disableOnNumbers": false},
		"faceting": {"maxValuesPerFacet": 100, "sortFacetValuesBy": {"*": "alpha"}},
		"pagination": {"maxTotalHits": 1000},
		"embedders": {},
		"searchCutoffMs": null,
		"localizedAttributes": null,
		"facetSearch": true,
		"prefixSearch": "indexingTime"
	}`), &m)
	if err != nil {
		panic(err)
	}
	return m
}

// fakeSettingTypes holds, for every setting of Meilisearch v1.15's
// settings route, a test of a value sent for it against the type
// Meilisearch documents (https://www.meilisearch.com/docs/reference/api/
// settings): lists of strings, objects of known parts, integers that are
// not negative, the documented words of an enumeration. null, which
// resets a setting or a part, is accepted for every setting and part.
var fakeSettingTypes = map[string]func(any) bool{
	"displayedAttributes":  jsonList(jsonString),
	"searchableAttributes": jsonList(jsonString),
	// A filterable attribute is a name or, since v1.14, an object of
	// attribute patterns and features.
	"filterableAttributes": jsonList(func(v any) bool { return jsonString(v) || jsonMap(jsonAny)(v) }),
	"sortableAttributes":   jsonList(jsonString),
	"rankingRules":         jsonList(jsonString),
	"stopWords":            jsonList(jsonString),
	"nonSeparatorTokens":   jsonList(jsonString),
	"separatorTokens":      jsonList(jsonString),
	"dictionary":           jsonList(jsonString),
	"synonyms":             jsonMap(jsonList(jsonString)),
	"distinctAttribute":    jsonString,
	"proximityPrecision":   jsonEnum("byWord", "byAttribute"),
	"typoTolerance": jsonObject(map[string]func(any) bool{
		"enabled":             jsonBool,
		"minWordSizeForTypos": jsonObject(map[string]func(any) bool{"oneTypo": jsonUint(255), "twoTypos": jsonUint(255)}),
		"disableOnWords":      jsonList(jsonString),
		"disableOnAttributes": jsonList(jsonString),
		"disableOnNumbers":    jsonBool,
	}),
	"faceting": jsonObject(map[string]func(any) bool{
		"maxValuesPerFacet": jsonUint(math.MaxInt64),
		"sortFacetValuesBy": jsonMap(jsonEnum("alpha", "count")),
	}),
	"pagination":          jsonObject(map[string]func(any) bool{"maxTotalHits": jsonUint(math.MaxInt64)}),
	"embedders":           jsonMap(jsonMap(jsonAny)),
	"searchCutoffMs":      jsonUint(math.MaxInt64),
	"localizedAttributes": jsonList(jsonObject(map[string]func(any) bool{"attributePatterns": jsonList(jsonString), "locales": jsonList(jsonString)})),
	"facetSearch":         jsonBool,
	"prefixSearch":        jsonEnum("indexingTime", "disabled"),
}

// checkSettings returns the error code and message with which
// Meilisearch refuses the body of a settings PATCH, or "" if it takes it:
// bad_request for a body that is not an object or names an unknown
// setting, invalid_settings_<name in snake case> for a value of the wrong
// type (fakeSettingTypes).
func checkSettings(body any) (code, msg string) {
	m, ok := body.(map[string]any)
	if !ok {
		return "bad_request", "the settings are not a JSON object"
	}
	names := slices.Sorted(maps.Keys(m))
	for _, k := range names {
		valid, ok := fakeSettingTypes[k]
		if !ok {
			return "bad_request", fmt.Sprintf("unknown field `%s`", k)
		}
		if v := m[k]; v != nil && !valid(v) {
			b, _ := json.Marshal(v)
			return "invalid_settings_" + snakeCase(k), fmt.Sprintf("invalid value for `%s`: %s", k, b)
		}
	}
	return "", ""
}

// snakeCase turns a camel-case setting name into Meilisearch's error code
// form: searchCutoffMs into search_cutoff_ms.
func snakeCase(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsUpper(r) {
			b.WriteByte('_')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func jsonAny(any) bool { return true }

func jsonString(v any) bool { _, ok := v.(string); return ok }

func jsonBool(v any) bool { _, ok := v.(bool); return ok }

// jsonUint accepts a whole number from 0 to max.
func jsonUint(max float64) func(any) bool {
	return func(v any) bool {
		n, ok := v.(float64)
		return ok && n >= 0 && n <= max && n == math.Trunc(n)
	}
}

// jsonEnum accepts one of the strings words.
func jsonEnum(words ...string) func(any) bool {
	return func(v any) bool { s, ok := v.(string); return ok && slices.Contains(words, s) }
}

// jsonList accepts a list whose elements all pass elem.
func jsonList(elem func(any) bool) func(any) bool {
	return func(v any) bool {
		l, ok := v.([]any)
		if !ok {
			return false
		}
		for _, e := range l {
			if !elem(e) {
				return false
			}
		}
		return true
	}
}

// jsonMap accepts an object whose values all pass val, whatever its keys.
func jsonMap(val func(any) bool) func(any) bool {
	return func(v any) bool {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		for _, e := range m {
			if !val(e) {
				return false
			}
		}
		return true
	}
}

// jsonObject accepts an object of some of parts, each null or passing
// its test.
func jsonObject(parts map[string]func(any) bool) func(any) bool {
	return func(v any) bool {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		for k, e := range m {
			valid, ok := parts[k]
			if !ok || e != nil && !valid(e) {
				return false
			}
		}
		return true
	}
}

func apiError(code, msg string) map[string]any {
	return map[string]any{"message": msg, "code": code, "type": "invalid_request", "link": "https://docs.meilisearch.com/errors#" + code}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// requests returns the recorded requests except task polls, and clears
// the record.
func (f *fakeMeili) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []recorded
	for _, r := range f.reqs {
		if !strings.HasPrefix(r.Path, "/tasks/") {
			out = append(out, r)
		}
	}
	f.reqs = nil
	return out
}

// polls returns how many times each task was polled, and clears nothing.
func (f *fakeMeili) polls() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := map[string]int{}
	for _, r := range f.reqs {
		if strings.HasPrefix(r.Path, "/tasks/") {
			m[r.Path]++
		}
	}
	return m
}

// jsonValue round-trips v through JSON so it compares with decoded bodies.
func jsonValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func (r recorded) String() string { return fmt.Sprintf("%s %s?%s", r.Method, r.Path, r.Query) }
