package meili

import (
	"crypto/tls"
	"net/http"
	"time"

	"github.com/creatorscout/scout/index"
)

// Config configures a Store. Only URL is required.
type Config struct {
	// URL is the Meilisearch base URL, such as "http://localhost:7700".
	// Required.
	URL string
	// APIKey is sent as a bearer token. Empty sends no key (a Meilisearch
	// started without a master key). The key needs the documents, indexes,
	// settings, search and tasks actions on the store's indexes.
	APIKey string
	// IndexPrefix is put before every index name ("creators", "snapshots",
	// ...). Empty means "scout_". It may hold only [A-Za-z0-9_-].
	IndexPrefix string
	// Timeout bounds each HTTP request. Zero means 30 seconds. Keep it
	// under 10 minutes, the search time budget (searchCutoffMs) the Store
	// sets, so that a search is never cut short by Meilisearch before the
	// request gives up.
	Timeout time.Duration
	// TLS configures HTTPS connections. Nil means Go's defaults (system
	// roots, TLS 1.2 or later).
	TLS *tls.Config
	// HTTPClient, when set, is used as is and Timeout and TLS are ignored.
	// Nil builds a client from Timeout and TLS.
	HTTPClient *http.Client
	// BatchSize is the most creator writes sent in one documents request.
	// Zero means 1000.
	BatchSize int
	// MaxBatchBytes is the most bytes of JSON sent in one documents
	// request; a batch is split into requests by this as well as by
	// BatchSize. Zero means 32 MiB. It must stay below Meilisearch's
	// payload limit (--http-payload-size-limit, 100 MB by default), which
	// refuses a larger request whole. An Upsert or UpsertMany call holding
	// a record or snapshot that alone is larger fails whole with
	// creator.ErrInvalid, writing nothing.
	MaxBatchBytes int
	// BatchWait is how long the batcher waits for more writes to join a
	// batch before it sends it. Zero means 5 milliseconds.
	BatchWait time.Duration
	// HistoryCap is how many snapshots are kept per creator; older ones are
	// deleted after each write. Zero means index.DefaultHistoryCap.
	HistoryCap int
	// MaxValuesPerFacet is the most values a keyword facet reports (the
	// most frequent first). Zero means 1000.
	MaxValuesPerFacet int
	// OneTypoMinLen is the length of the shortest query word matched with
	// one typo, TwoTyposMinLen with two. Zero means 8 and 12: Meilisearch's
	// defaults (5 and 9) let plurals and similar short words match ("recipes"
	// finds "recipe"), which the SQLite backend never does; from 8 letters a
	// typo is far more often a misspelling.
	OneTypoMinLen, TwoTyposMinLen int
	// DisableTypos turns typo tolerance off, for text matching as close to
	// the SQLite backend as Meilisearch allows.
	DisableTypos bool
	// TaskTimeout bounds how long a write waits for its Meilisearch task.
	// Zero means 5 minutes.
	TaskTimeout time.Duration
	// PollInterval is the first wait between task status polls; it doubles
	// up to 32 times itself. Zero means 2 milliseconds.
	PollInterval time.Duration
}

func (c Config) withDefaults() Config {
	if c.IndexPrefix == "" {
		c.IndexPrefix = "scout_"
	}
	if c.Timeout == 0 {
		c.Timeout = 30 * time.Second
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 1000
	}
	if c.MaxBatchBytes <= 0 {
		c.MaxBatchBytes = 32 << 20
	}
	if c.BatchWait <= 0 {
		c.BatchWait = 5 * time.Millisecond
	}
	if c.HistoryCap <= 0 {
		c.HistoryCap = index.DefaultHistoryCap
	}
	if c.MaxValuesPerFacet <= 0 {
		c.MaxValuesPerFacet = 1000
	}
	if c.OneTypoMinLen <= 0 {
		c.OneTypoMinLen = 8
	}
	if c.TwoTyposMinLen <= 0 {
		c.TwoTyposMinLen = 12
	}
	c.TwoTyposMinLen = max(c.TwoTyposMinLen, c.OneTypoMinLen)
	if c.TaskTimeout <= 0 {
		c.TaskTimeout = 5 * time.Minute
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 2 * time.Millisecond
	}
	return c
}
