package meili

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

var _ index.Store = (*Store)(nil)
var _ index.Exporter = (*Store)(nil)

// Store is an index.Store on Meilisearch. It is safe for concurrent use.
type Store struct {
	cfg   Config
	ms    meilisearch.ServiceManager
	hc    *http.Client // the client ms uses
	base  string       // Config.URL without a trailing slash
	names names
	batch *batcher
	// seq orders writes that carry the same time (snapshots, opt-outs).
	seq atomic.Uint64
	// watchMu serialises the writes of watchlists (PutWatchlist,
	// DeleteWatchlist and Delete's read-modify-write of memberships), so
	// that none is lost to another of this Store.
	watchMu sync.Mutex
}

// Index kinds; each index is named Config.IndexPrefix + kind.
const (
	kindCreators   = "creators"
	kindSnapshots  = "snapshots"
	kindJobs       = "jobs"
	kindJobItems   = "job_items"
	kindOptOuts    = "optouts"
	kindAPIKeys    = "apikeys"
	kindTracking   = "tracking"
	kindWatchlists = "watchlists"
	kindAlerts     = "alerts"
)

type names struct {
	creators, snapshots, jobs, jobItems, optOuts, watchlists, alerts, apiKeys, tracking string
}

// Attributes of the creators index besides the index.Fields.
const (
	attrKey     = "key"           // primary key: the creator key
	attrKeySort = "key_sort"      // keySort's head: with attrKeyRest, sorts like the key's bytes
	attrKeyRest = "key_sort_rest" // keySort's rest, for keys of maxFacetBytes or more
	attrAll     = "all"           // always "1": a facet whose count is the exact total
	attrName    = "text_name"
	attrHandle  = "text_handle"
	attrBio     = "text_bio"
	attrPosts   = "text_posts"
	attrRecord  = "record"  // the whole record as JSON text, for Get
	attrSummary = "summary" // index.Summary of the record as JSON text, for hits
)

// Attributes of the other indexes. String attributes that are filtered on
// hold fkey of their value; sorted ones, seqKey or sortEnc.
const (
	attrID       = "id"    // primary key of every other index
	attrCKey     = "ckey"  // creator key (snapshots, job items, alerts)
	attrSeq      = "seq"   // sort key: time then write order (snapshots, opt-outs)
	attrJob      = "job"   // job id (job items)
	attrState    = "state" // job or item state
	attrPlatform = "platform"
	attrOID      = "oid"
	attrHandleLC = "handle"  // lower-cased handle (opt-outs)
	attrMembers  = "members" // member keys (watchlists)
	attrWatch    = "watchlist"
	attrKind     = "kind"
	attrAt       = "at"   // sort key of an alert's time
	attrAID      = "aid"  // sortEnc(alert id), the tiebreak of alerts
	attrData     = "data" // the stored value as JSON text
)

// Open connects to Meilisearch, creates the store's indexes (primary key
// "key" for creators, "id" for the others) unless they exist, brings their
// settings to what the Store needs and waits for all of it. Settings that
// already are as needed are not sent, so opening a store set up before
// changes nothing; settings changed by hand are put back.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg = cfg.withDefaults()
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("opening meilisearch store: %w: url %q is not an http(s) URL", creator.ErrInvalid, cfg.URL)
	}
	if !creator.ValidKey(cfg.IndexPrefix + "x") {
		return nil, fmt.Errorf("opening meilisearch store: %w: index prefix %q", creator.ErrInvalid, cfg.IndexPrefix)
	}
	reserved := map[string]bool{attrKey: true, attrKeySort: true, attrKeyRest: true, attrAll: true, attrName: true,
		attrHandle: true, attrBio: true, attrPosts: true, attrRecord: true, attrSummary: true}
	for _, f := range index.Fields {
		if reserved[f.Name] || strings.HasPrefix(f.Name, "_") {
			return nil, fmt.Errorf("opening meilisearch store: search field %q collides with an attribute of the creators index", f.Name)
		}
	}
	hc := cfg.HTTPClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if cfg.TLS != nil {
			tr.TLSClientConfig = cfg.TLS.Clone()
		}
		hc = &http.Client{Transport: tr, Timeout: cfg.Timeout}
	}
	opts := []meilisearch.Option{meilisearch.WithCustomClient(hc)}
	if cfg.APIKey != "" {
		opts = append(opts, meilisearch.WithAPIKey(cfg.APIKey))
	}
	p := cfg.IndexPrefix
	s := &Store{
		cfg:  cfg,
		ms:   meilisearch.New(cfg.URL, opts...),
		hc:   hc,
		base: strings.TrimRight(cfg.URL, "/"),
		names: names{
			creators: p + kindCreators, snapshots: p + kindSnapshots, jobs: p + kindJobs,
			jobItems: p + kindJobItems, optOuts: p + kindOptOuts, watchlists: p + kindWatchlists,
			alerts: p + kindAlerts, apiKeys: p + kindAPIKeys, tracking: p + kindTracking,
		},
	}
	s.seq.Store(uint64(time.Now().UnixNano()))
	if err := s.setup(ctx); err != nil {
		s.ms.Close()
		return nil, fmt.Errorf("opening meilisearch store: %w", err)
	}
	s.batch = newBatcher(cfg.BatchSize, cfg.BatchWait, s.flush)
	return s, nil
}

// Close flushes pending writes and releases the HTTP client.
func (s *Store) Close() error {
	s.batch.close()
	s.ms.Close()
	return nil
}

type indexSpec struct {
	uid string
	pk  string
	// settings are the settings the index needs, as Meilisearch's settings
	// route reads them (JSON values); those not listed must be at
	// Meilisearch's default (defaultSettings).
	settings map[string]any
}

// specs returns every index and its settings. The creators index's
// filterable, sortable and facet attributes come from index.Fields.
func (s *Store) specs() []indexSpec {
	var filterable, sortable []string
	for _, f := range index.Fields {
		if f.Filterable || f.Facet {
			filterable = append(filterable, f.Name)
		}
		if f.Sortable {
			sortable = append(sortable, f.Name)
		}
	}
	filterable = append(filterable, attrAll)
	sortable = append(sortable, attrKeySort, attrKeyRest)
	histHits := s.cfg.HistoryCap + 2*s.cfg.BatchSize + index.MaxTotalHits
	countFacets := map[string]string{"*": "count"}
	// Keyword facets report their most frequent values, so Meilisearch
	// counts every value to choose them ("count"). Of a numeric facet the
	// Store reads only the min and max (facetStats), which Meilisearch
	// computes apart from the values' order (milli's compute_stats), so
	// it lists values in their order and stops at maxValuesPerFacet
	// ("alpha") instead of counting every distinct follower count.
	creatorFacets := map[string]string{"*": "count"}
	for _, f := range index.Fields {
		if f.Facet && f.Kind == index.Numeric {
			creatorFacets[f.Name] = "alpha"
		}
	}
	aux := func(uid string, filterable, sortable []string, maxHits int) indexSpec {
		return indexSpec{uid: uid, pk: attrID, settings: asJSON(map[string]any{
			// Nothing of these indexes is searched by text; indexing only
			// the id keeps their writes cheap.
			"searchableAttributes": []string{attrID},
			"filterableAttributes": orEmpty(filterable),
			"sortableAttributes":   orEmpty(sortable),
			"pagination":           map[string]any{"maxTotalHits": maxHits},
			"faceting":             map[string]any{"maxValuesPerFacet": 1000, "sortFacetValuesBy": countFacets},
			"searchCutoffMs":       searchCutoff.Milliseconds(),
		})}
	}
	return []indexSpec{
		{uid: s.names.creators, pk: attrKey, settings: asJSON(map[string]any{
			"searchableAttributes": []string{attrName, attrHandle, attrBio, attrPosts},
			"filterableAttributes": filterable,
			"sortableAttributes":   sortable,
			// "sort" first: an explicit sort orders results whatever the
			// text relevance, as in the SQLite backend; the last rules
			// break every remaining tie by key.
			"rankingRules": []string{"sort", "words", "typo", "proximity", "attribute", "exactness", attrKeySort + ":asc", attrKeyRest + ":asc"},
			// index.Query.Normalize lets a page start at hit
			// index.MaxTotalHits, so the last page reaches
			// index.MaxPerPage further.
			"pagination": map[string]any{"maxTotalHits": index.MaxTotalHits + index.MaxPerPage},
			"typoTolerance": map[string]any{
				"enabled": !s.cfg.DisableTypos,
				"minWordSizeForTypos": map[string]any{
					"oneTypo": s.cfg.OneTypoMinLen, "twoTypos": s.cfg.TwoTyposMinLen,
				},
				"disableOnWords": []string{}, "disableOnAttributes": []string{},
				// Numbers match exactly, as in SQLite.
				"disableOnNumbers": true,
			},
			"faceting":       map[string]any{"maxValuesPerFacet": s.cfg.MaxValuesPerFacet, "sortFacetValuesBy": creatorFacets},
			"searchCutoffMs": searchCutoff.Milliseconds(),
		})},
		aux(s.names.snapshots, []string{attrCKey}, []string{attrSeq}, histHits),
		aux(s.names.jobs, []string{attrState}, nil, index.MaxTotalHits),
		aux(s.names.jobItems, []string{attrJob, attrCKey, attrState}, nil, index.MaxTotalHits),
		aux(s.names.optOuts, []string{attrPlatform, attrOID, attrHandleLC}, nil, index.MaxTotalHits),
		aux(s.names.watchlists, []string{attrMembers}, nil, index.MaxTotalHits),
		aux(s.names.alerts, []string{attrWatch, attrCKey, attrKind}, []string{attrAt, attrAID}, index.MaxTotalHits),
		aux(s.names.apiKeys, nil, nil, index.MaxTotalHits),
		aux(s.names.tracking, []string{attrKind, attrCKey, attrChecked}, []string{attrChecked, attrID}, index.MaxTotalHits),
	}
}

// searchCutoff is every index's searchCutoffMs: Meilisearch stops a
// search after this long and answers with what it found so far, which
// would be wrong results, not an error. Its default is 1.5 seconds; the
// Store's requests time out long before this (Config.Timeout), so a
// search is never cut short for a caller still waiting for it.
const searchCutoff = 10 * time.Minute

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// asJSON returns v as encoding/json decodes its encoding into an any,
// so that it compares with settings read from Meilisearch.
func asJSON(v map[string]any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // the specs are plain values
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// defaultSettings are the settings every index needs at (or near)
// Meilisearch's default, each with the test of a value read that does not
// need resetting. A setting that fails its test (changed by hand, say) is
// reset to Meilisearch's default by sending it as null: stop words,
// synonyms and custom separators or dictionary words would change which
// words match; a distinct attribute would drop hits and change counts;
// displayed attributes would hide the stored documents; prefix search
// must stay on for the last word; proximity precision changes ranking;
// localized attributes change tokenization; an embedder would make every
// write call it; the indexes other than creators need the "sort" ranking
// rule (wherever it is: their default rules differ between Meilisearch
// versions).
var defaultSettings = map[string]func(have any) bool{
	"displayedAttributes": func(v any) bool { l, ok := sortedStrings(v); return ok && slices.Equal(l, []string{"*"}) },
	"distinctAttribute":   isEmpty,
	"stopWords":           isEmpty,
	"synonyms":            isEmpty,
	"separatorTokens":     isEmpty,
	"nonSeparatorTokens":  isEmpty,
	"dictionary":          isEmpty,
	"proximityPrecision":  func(v any) bool { return v == "byWord" },
	"prefixSearch":        func(v any) bool { return v == "indexingTime" },
	"localizedAttributes": isEmpty,
	"embedders":           isEmpty,
	"rankingRules":        func(v any) bool { l, ok := sortedStrings(v); return ok && slices.Contains(l, "sort") },
}

// isEmpty reports whether a setting read is null, an empty list or an
// empty object.
func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// setSettings are the settings (and parts of settings) of those the
// Store sets whose lists Meilisearch keeps as sets and reads back sorted:
// their order does not matter. (Those needed at their default, such as
// stopWords, are only tested by defaultSettings.)
var setSettings = map[string]bool{
	"filterableAttributes": true, "sortableAttributes": true,
	"disableOnWords": true, "disableOnAttributes": true,
}

// partSettings are the settings made of parts that are updated one by
// one; only the parts the Store sets are compared (a newer Meilisearch may
// add parts).
var partSettings = map[string]bool{"typoTolerance": true, "pagination": true, "faceting": true}

// settingsPatch returns the settings to send so that an index whose
// settings read have becomes one with want (and defaultSettings for the
// rest): every setting of want that differs, with its value, and every
// other setting of defaultSettings that fails its test, as null. It is
// empty when nothing differs.
func settingsPatch(want, have map[string]any) map[string]any {
	patch := map[string]any{}
	for k, w := range want {
		if h, ok := have[k]; !ok || !sameSetting(k, w, h) {
			patch[k] = w
		}
	}
	for k, fine := range defaultSettings {
		if _, ok := want[k]; ok {
			continue
		}
		// A setting this Meilisearch does not have cannot be wrong.
		if h, ok := have[k]; ok && !fine(h) {
			patch[k] = nil
		}
	}
	return patch
}

// sameSetting reports whether the setting k read as have is want.
func sameSetting(k string, want, have any) bool {
	switch {
	case setSettings[k]:
		w, ok1 := sortedStrings(want)
		h, ok2 := sortedStrings(have)
		return ok1 && ok2 && slices.Equal(w, h)
	case partSettings[k]:
		w, ok1 := want.(map[string]any)
		h, ok2 := have.(map[string]any)
		if !ok1 || !ok2 {
			return false
		}
		for part, wv := range w {
			hv, ok := h[part]
			if !ok || !sameSetting(part, wv, hv) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(want, have)
}

// sortedStrings returns v, a JSON list of strings, sorted.
func sortedStrings(v any) ([]string, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, len(list))
	for i, e := range list {
		if out[i], ok = e.(string); !ok {
			return nil, false
		}
	}
	slices.Sort(out)
	return out, true
}

// setup creates the indexes, then reads each one's settings and sends
// the settings that differ from what the Store needs, in one update per
// index, and waits for the updates: on a store already set up, start-up
// sends no update and so causes no reindexing.
func (s *Store) setup(ctx context.Context) error {
	specs := s.specs()
	created := make([]*meilisearch.TaskInfo, len(specs))
	for i, sp := range specs {
		ti, err := s.ms.CreateIndexWithContext(ctx, &meilisearch.IndexConfig{Uid: sp.uid, PrimaryKey: sp.pk})
		if err != nil {
			return fmt.Errorf("creating index %s: %w", sp.uid, mapErr(err))
		}
		created[i] = ti
	}
	for i, sp := range specs {
		err := s.wait(ctx, created[i])
		if err != nil && !errors.Is(err, errIndexExists) {
			return fmt.Errorf("creating index %s: %w", sp.uid, err)
		}
	}
	updated := make([]*meilisearch.TaskInfo, len(specs)) // nil: no update sent
	for i, sp := range specs {
		var have map[string]any
		if err := s.settingsCall(ctx, http.MethodGet, sp.uid, nil, &have); err != nil {
			return fmt.Errorf("reading settings of %s: %w", sp.uid, err)
		}
		patch := settingsPatch(sp.settings, have)
		if len(patch) == 0 {
			continue
		}
		ti := new(meilisearch.TaskInfo)
		if err := s.settingsCall(ctx, http.MethodPatch, sp.uid, patch, ti); err != nil {
			return fmt.Errorf("updating settings of %s: %w", sp.uid, err)
		}
		updated[i] = ti
	}
	for i, sp := range specs {
		if updated[i] == nil {
			continue
		}
		if err := s.wait(ctx, updated[i]); err != nil {
			return fmt.Errorf("updating settings of %s: %w", sp.uid, err)
		}
	}
	return nil
}

// settingsCall sends method to the settings route of index uid with the
// Store's HTTP client and decodes the answer into out. Settings are read
// and written without meilisearch-go, whose Settings type drops empty
// lists and false values and cannot send null, which resets a setting.
func (s *Store) settingsCall(ctx context.Context, method, uid string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encoding settings: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+"/indexes/"+url.PathEscape(uid)+"/settings", rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+s.cfg.APIKey)
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("reading the answer to %s %s: %w", method, req.URL.Path, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct{ Message, Code string }
		_ = json.Unmarshal(raw, &e)
		return &APIError{StatusCode: resp.StatusCode, Code: e.Code, Message: e.Message,
			err: fmt.Errorf("%s %s: %s", method, req.URL.Path, resp.Status)}
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decoding the answer to %s %s: %w", method, req.URL.Path, creator.ErrMalformed)
	}
	return nil
}

// errIndexExists is the error of a create-index task for an index that
// exists, which Open expects on every start but the first.
var errIndexExists = errors.New("index exists")

// TaskError is a Meilisearch task that did not succeed. It wraps
// creator.ErrNotFound or creator.ErrInvalid where its code says so.
type TaskError struct {
	UID     int64
	Status  string // "failed" or "canceled"
	Code    string // Meilisearch error code, such as "invalid_document_id"
	Message string
}

// Error implements error.
func (e *TaskError) Error() string {
	return fmt.Sprintf("meilisearch task %d %s: %s: %s", e.UID, e.Status, e.Code, e.Message)
}

// Unwrap returns the sentinel error the task's code maps to, if any.
func (e *TaskError) Unwrap() error {
	if e.Code == "index_already_exists" {
		return errIndexExists
	}
	return sentinel(e.Code)
}

// wait polls the task until it ends and returns nil only if it succeeded.
func (s *Store) wait(ctx context.Context, ti *meilisearch.TaskInfo) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.TaskTimeout)
	defer cancel()
	poll := s.cfg.PollInterval
	for {
		t, err := s.ms.GetTaskWithContext(ctx, ti.TaskUID)
		if err != nil {
			return fmt.Errorf("waiting for task %d: %w", ti.TaskUID, mapErr(err))
		}
		switch t.Status {
		case meilisearch.TaskStatusSucceeded:
			return nil
		case meilisearch.TaskStatusFailed, meilisearch.TaskStatusCanceled:
			return &TaskError{UID: ti.TaskUID, Status: string(t.Status), Code: t.Error.Code, Message: t.Error.Message}
		}
		timer := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("waiting for task %d: %w", ti.TaskUID, ctx.Err())
		case <-timer.C:
		}
		if poll < 32*s.cfg.PollInterval {
			poll *= 2
		}
	}
}

// tasks collects the outcomes of requests that enqueue tasks, sent one
// after another, so that every task that was enqueued is waited for even
// when another request could not be sent.
type tasks struct {
	tis  []*meilisearch.TaskInfo
	errs []error // of the requests that could not be sent
}

// add records the outcome of sending one request.
func (t *tasks) add(ti *meilisearch.TaskInfo, err error) {
	if err != nil {
		t.errs = append(t.errs, mapErr(err))
		return
	}
	t.tis = append(t.tis, ti)
}

// waitAll waits for every task of t and returns the errors of the
// requests that could not be sent joined with the first error of a task,
// or nil if there is none.
func (s *Store) waitAll(ctx context.Context, t *tasks) error {
	var first error
	for _, ti := range t.tis {
		if err := s.wait(ctx, ti); err != nil && first == nil {
			first = err
		}
	}
	return errors.Join(append(t.errs, first)...)
}

// sentinel maps a Meilisearch error code to the store's sentinel errors.
func sentinel(code string) error {
	switch code {
	case "index_not_found", "document_not_found", "task_not_found":
		return creator.ErrNotFound
	case "invalid_search_filter", "invalid_search_sort", "invalid_search_facets",
		"invalid_search_q", "invalid_search_page", "invalid_search_hits_per_page",
		"invalid_search_limit", "invalid_search_offset", "invalid_document_id",
		"invalid_document_filter", "invalid_document_fields", "missing_document_id",
		"invalid_document_offset", "invalid_document_limit", "bad_request",
		"malformed_payload", "invalid_content_type":
		return creator.ErrInvalid
	}
	return nil
}

// APIError is an error response from Meilisearch. It wraps
// creator.ErrNotFound or creator.ErrInvalid where its code says so.
type APIError struct {
	StatusCode int
	Code       string
	Message    string
	err        error
}

// Error implements error.
func (e *APIError) Error() string {
	if e.Code == "" {
		return e.err.Error()
	}
	return fmt.Sprintf("meilisearch %d %s: %s", e.StatusCode, e.Code, e.Message)
}

// Unwrap returns the sentinel error the code maps to and the client error.
func (e *APIError) Unwrap() []error {
	if s := sentinel(e.Code); s != nil {
		return []error{s, e.err}
	}
	return []error{e.err}
}

// mapErr turns a meilisearch-go error into an *APIError.
func mapErr(err error) error {
	var me *meilisearch.Error
	if !errors.As(err, &me) {
		return err
	}
	return &APIError{StatusCode: me.StatusCode, Code: me.MeilisearchApiError.Code, Message: me.MeilisearchApiError.Message, err: err}
}
