package meili

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
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
	names names
	batch *batcher
	// seq orders writes that carry the same time (snapshots, opt-outs).
	seq atomic.Uint64
}

// Index kinds; each index is named Config.IndexPrefix + kind.
const (
	kindCreators   = "creators"
	kindSnapshots  = "snapshots"
	kindJobs       = "jobs"
	kindJobItems   = "job_items"
	kindOptOuts    = "optouts"
	kindWatchlists = "watchlists"
	kindAlerts     = "alerts"
)

type names struct {
	creators, snapshots, jobs, jobItems, optOuts, watchlists, alerts string
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
// "key" for creators, "id" for the others) unless they exist, applies their
// settings and waits for all of it. The settings are the same on every
// start, so opening an existing store changes nothing.
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
		cfg: cfg,
		ms:  meilisearch.New(cfg.URL, opts...),
		names: names{
			creators: p + kindCreators, snapshots: p + kindSnapshots, jobs: p + kindJobs,
			jobItems: p + kindJobItems, optOuts: p + kindOptOuts, watchlists: p + kindWatchlists,
			alerts: p + kindAlerts,
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
	uid      string
	pk       string
	settings *meilisearch.Settings
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
	histHits := int64(s.cfg.HistoryCap + 2*s.cfg.BatchSize + index.MaxTotalHits)
	aux := func(uid string, filterable, sortable []string, maxHits int64) indexSpec {
		return indexSpec{uid: uid, pk: attrID, settings: &meilisearch.Settings{
			// Nothing of these indexes is searched by text; indexing only
			// the id keeps their writes cheap.
			SearchableAttributes: []string{attrID},
			FilterableAttributes: filterable,
			SortableAttributes:   sortable,
			Pagination:           &meilisearch.Pagination{MaxTotalHits: maxHits},
			Faceting: &meilisearch.Faceting{
				MaxValuesPerFacet: 1000,
				SortFacetValuesBy: map[string]meilisearch.SortFacetType{"*": meilisearch.SortFacetTypeCount},
			},
		}}
	}
	return []indexSpec{
		{uid: s.names.creators, pk: attrKey, settings: &meilisearch.Settings{
			SearchableAttributes: []string{attrName, attrHandle, attrBio, attrPosts},
			FilterableAttributes: filterable,
			SortableAttributes:   sortable,
			// "sort" first: an explicit sort orders results whatever the
			// text relevance, as in the SQLite backend; the last rules
			// break every remaining tie by key.
			RankingRules: []string{"sort", "words", "typo", "proximity", "attribute", "exactness", attrKeySort + ":asc", attrKeyRest + ":asc"},
			// index.Query.Normalize lets a page start at hit
			// index.MaxTotalHits, so the last page reaches
			// index.MaxPerPage further.
			Pagination: &meilisearch.Pagination{MaxTotalHits: index.MaxTotalHits + index.MaxPerPage},
			TypoTolerance: &meilisearch.TypoTolerance{
				Enabled: !s.cfg.DisableTypos,
				MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{
					OneTypo: int64(s.cfg.OneTypoMinLen), TwoTypos: int64(s.cfg.TwoTyposMinLen),
				},
				DisableOnWords: []string{}, DisableOnAttributes: []string{},
				// Numbers match exactly, as in SQLite.
				DisableOnNumbers: true,
			},
			Faceting: &meilisearch.Faceting{
				MaxValuesPerFacet: int64(s.cfg.MaxValuesPerFacet),
				SortFacetValuesBy: map[string]meilisearch.SortFacetType{"*": meilisearch.SortFacetTypeCount},
			},
		}},
		aux(s.names.snapshots, []string{attrCKey}, []string{attrSeq}, histHits),
		aux(s.names.jobs, []string{attrState}, nil, index.MaxTotalHits),
		aux(s.names.jobItems, []string{attrJob, attrCKey, attrState}, nil, index.MaxTotalHits),
		aux(s.names.optOuts, []string{attrPlatform, attrOID, attrHandleLC}, nil, index.MaxTotalHits),
		aux(s.names.watchlists, []string{attrMembers}, nil, index.MaxTotalHits),
		aux(s.names.alerts, []string{attrWatch, attrCKey, attrKind}, []string{attrAt, attrAID}, index.MaxTotalHits),
	}
}

// setup creates the indexes and applies their settings, all requests first
// and then all waits, so start-up costs two rounds of tasks.
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
	updated := make([]*meilisearch.TaskInfo, len(specs))
	for i, sp := range specs {
		ti, err := s.ms.Index(sp.uid).UpdateSettingsWithContext(ctx, sp.settings)
		if err != nil {
			return fmt.Errorf("updating settings of %s: %w", sp.uid, mapErr(err))
		}
		updated[i] = ti
	}
	for i, sp := range specs {
		if err := s.wait(ctx, updated[i]); err != nil {
			return fmt.Errorf("updating settings of %s: %w", sp.uid, err)
		}
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

// waitAll waits for every task, returning the first error.
func (s *Store) waitAll(ctx context.Context, tis []*meilisearch.TaskInfo) error {
	var first error
	for _, ti := range tis {
		if err := s.wait(ctx, ti); err != nil && first == nil {
			first = err
		}
	}
	return first
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
