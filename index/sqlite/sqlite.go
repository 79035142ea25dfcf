package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/memsearch"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

var _ index.Store = (*Store)(nil)

// Store is an index.Store in one SQLite file. It is safe for concurrent use
// by multiple goroutines; writes are serialized through one connection.
type Store struct {
	w       *sql.DB // the one writing connection
	r       *sql.DB // read-only connections
	cfg     config
	schema  *schema
	mem     *memsearch.Index // the words and field columns searches run over, fed from the file
	answers *answers         // SearchJSON's answers of the latest generation
	sums    *summaryCache    // summaries of recent hits

	// The checkpointer copies the write-ahead log into the file on its
	// own connection, so that the writer does not stop to do it at the
	// end of a large write (see checkpoints).
	ckpt     *sql.DB
	ckptC    chan struct{} // asks for a checkpoint; never closed
	ckptStop chan struct{} // closed by Close
	ckptDone chan struct{} // closed when the checkpointer has stopped
	stopOnce sync.Once
	unlogged atomic.Int64 // bytes of creators written since the last checkpoint was asked for
	ckpts    atomic.Int64 // checkpoints the checkpointer ran
	// written counts creators written since the planner's statistics
	// were last refreshed.
	written atomic.Int64

	// The search statements, prepared on the read pool when the store
	// is opened: preparing one later would need a free read connection
	// while the search holds one for its transaction, which deadlocks
	// once every connection is held by a search doing the same.
	genStmt, pageStmt, sumStmt *sql.Stmt
	// readStmts holds the reads every crawl makes, prepared once on the
	// reading connections (readStmt): query text -> *sql.Stmt, filled by
	// Open and only read after.
	readStmts map[string]*sql.Stmt
	writes    []*sql.Stmt // on w, in the order of writeStmts' fields
	jobItem   *sql.Stmt   // on w: PutJobItems' upsert

	// Snapshots of the in-memory index (snapshot.go).
	snapSaved atomic.Int64   // generation of the latest snapshot this Store wrote or loaded from; -1 none
	wholeSeen atomic.Int64   // whole loads of mem already answered by a snapshot
	snapBusy  atomic.Bool    // a snapshot is being written in the background
	snapWG    sync.WaitGroup // the background writing

	closeOnce sync.Once
	closeErr  error
}

// readQueries are the short reads a crawl makes several times, prepared
// on the reading connections when the store opens (parsing one anew is
// most of its cost) and kept until Close. They are prepared there, not on
// first use: preparing takes a reading connection of its own, and readers
// that each held one in a transaction while preparing would wait for each
// other for ever (TestConcurrentFirstReads).
var readQueries = []string{getDocSQL, historySQL, getJobSQL, countJobItemsSQL, isOptedOutSQL, trackedDocsSQL}

// readStmt returns q, one of readQueries, as prepared by Open.
func (s *Store) readStmt(q string) (*sql.Stmt, error) {
	if st, ok := s.readStmts[q]; ok {
		return st, nil
	}
	return nil, fmt.Errorf("query not prepared when the store opened (list it in readQueries): %.60s", q)
}

// pointCtx is ctx for a read of a few rows by key. Such a read takes tens
// of microseconds, and a context that can end makes the driver watch it on
// a goroutine of its own, which doubles that (BenchmarkPointRead). A
// context that has already ended still stops the read before it starts.
func pointCtx(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

// query runs a search statement in tx: st, prepared when the store was
// opened, or q when st is nil.
func query(ctx context.Context, tx *sql.Tx, st *sql.Stmt, q string, args ...any) (*sql.Rows, error) {
	if st != nil {
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, q, args...)
}

type config struct {
	historyCap  int
	synchronous string
	busyTimeout time.Duration
	readConns   int
	cacheKiB    int
	mmapBytes   int64
	loadWorkers int
	snapshots   bool
}

// WithSnapshots sets whether the in-memory index is kept as a snapshot in
// the file, which the first search after opening reads instead of every
// creator's words (default true; see snapshot.go).
func WithSnapshots(on bool) Option {
	return func(c *config) { c.snapshots = on }
}

// WithLoadWorkers sets how many goroutines the first search after opening
// reads the in-memory index on (default GOMAXPROCS). n <= 0 keeps the
// default.
func WithLoadWorkers(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.loadWorkers = n
		}
	}
}

// Option configures a Store.
type Option func(*config)

// WithHistoryCap sets how many snapshots are kept per creator (default
// index.DefaultHistoryCap); older ones are dropped first. n <= 0 keeps the
// default.
func WithHistoryCap(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.historyCap = n
		}
	}
}

// WithSynchronous sets SQLite's synchronous mode: "FULL" (default: a
// committed write survives power loss) or "NORMAL" (survives a crash of the
// process, is faster; see SQLite's documentation of WAL mode). Other values
// are rejected by Open.
func WithSynchronous(mode string) Option {
	return func(c *config) { c.synchronous = strings.ToUpper(mode) }
}

// WithReadConns sets the size of the read connection pool (default the
// larger of 4 and the number of CPUs).
func WithReadConns(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.readConns = n
		}
	}
}

// Open opens (creating if needed) the store in the SQLite file at path and
// brings its schema up to date.
func Open(path string, opts ...Option) (*Store, error) {
	return open(path, index.Fields, len(migrations), opts...)
}

// open is Open with the search schema fields and the schema version to
// migrate up to, which tests vary.
func open(path string, fields []index.Field, version int, opts ...Option) (*Store, error) {
	cfg := config{
		historyCap:  index.DefaultHistoryCap,
		synchronous: "FULL",
		busyTimeout: 10 * time.Second,
		readConns:   max(4, runtime.NumCPU()),
		cacheKiB:    32 << 10,
		snapshots:   true,
		mmapBytes:   1 << 30,
	}
	for _, o := range opts {
		o(&cfg)
	}
	switch cfg.synchronous {
	case "OFF", "NORMAL", "FULL", "EXTRA":
	default:
		return nil, fmt.Errorf("opening store %s: %w: synchronous mode %q", path, creator.ErrInvalid, cfg.synchronous)
	}
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("opening store: %w: path %q", creator.ErrInvalid, path)
	}
	sch, err := newSchema(fields)
	if err != nil {
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	common := url.Values{}
	common.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", cfg.busyTimeout.Milliseconds()))
	common.Add("_pragma", "synchronous("+cfg.synchronous+")")
	common.Add("_pragma", fmt.Sprintf("cache_size(-%d)", cfg.cacheKiB))
	common.Add("_pragma", "temp_store(MEMORY)")
	common.Add("_pragma", "foreign_keys(ON)")
	// Deleted content is overwritten with zeros, in the file and in the
	// pages the log holds, so that an erased creator cannot be read back
	// from freed space (ScrubCreator truncates the log's older frames).
	common.Add("_pragma", "secure_delete(ON)")
	// Memory-mapped reads share the operating system's page cache between
	// connections instead of copying pages into each one's cache.
	common.Add("_pragma", fmt.Sprintf("mmap_size(%d)", cfg.mmapBytes))

	wv := url.Values{}
	// 16 KiB pages: a creator's rows (a record of about 3 KB compressed, a
	// row of columns, summary and words of about 2.5 KB) leave less of a
	// page empty than in 8 KiB ones, and a batch writes half as many
	// pages, each twice (log, then file): 10% faster bulk writes and a
	// 12% smaller file, for 10% slower writes of one creator, whose few
	// pages are larger (measured with BenchmarkIngest). The size only
	// applies when the file is created.
	wv.Add("_pragma", "page_size(16384)")
	for k, vs := range common {
		wv[k] = append(wv[k], vs...)
	}
	cv := cloneValues(wv) // the checkpointer's connection
	wv.Set("_txlock", "immediate")
	wv.Add("_pragma", "analysis_limit(2000)")
	// The checkpointer does it (see checkpoints); the writer only when
	// the log has grown far beyond that, as after many small writes.
	wv.Add("_pragma", "wal_autocheckpoint(10000)")
	w, err := sql.Open("sqlite", path+"?"+wv.Encode())
	if err != nil {
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	ctx := context.Background()
	if _, err := w.ExecContext(ctx, "PRAGMA journal_mode=WAL"); err != nil {
		w.Close()
		return nil, fmt.Errorf("opening store %s: setting WAL mode: %w", path, err)
	}
	if err := migrate(ctx, w, sch, version); err != nil {
		w.Close()
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}

	// Gather the statistics the query planner needs to choose between an
	// index and a scan (cheap when they are fresh).
	if _, err := w.ExecContext(ctx, "PRAGMA optimize=0x10002"); err != nil {
		w.Close()
		return nil, fmt.Errorf("opening store %s: analyzing: %w", path, err)
	}

	rv := cloneValues(common)
	rv.Add("_pragma", "query_only(1)")
	r, err := sql.Open("sqlite", path+"?"+rv.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	r.SetMaxOpenConns(cfg.readConns)
	r.SetMaxIdleConns(cfg.readConns)
	r.SetConnMaxIdleTime(0)
	r.SetConnMaxLifetime(0)
	ckpt, err := sql.Open("sqlite", path+"?"+cv.Encode())
	if err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	ckpt.SetMaxOpenConns(1)
	s := &Store{w: w, r: r, cfg: cfg, schema: sch, mem: memsearch.New(sch.fields(), memsearch.WithLoadWorkers(cfg.loadWorkers)), answers: newAnswers(), sums: newSummaryCache(),
		ckpt: ckpt, ckptC: make(chan struct{}, 1), ckptStop: make(chan struct{}), ckptDone: make(chan struct{})}
	if version == len(migrations) { // older versions are opened only by tests, which neither search nor write
		if s.pageStmt, err = r.PrepareContext(ctx, pageByKeySQL); err == nil {
			if s.sumStmt, err = r.PrepareContext(ctx, summariesSQL); err == nil {
				s.genStmt, err = r.PrepareContext(ctx, genSQL)
			}
		}
		if err == nil {
			s.writes, err = prepareWrites(ctx, w, sch)
		}
		if err == nil {
			s.jobItem, err = w.PrepareContext(ctx, jobItemSQL)
		}
		s.readStmts = make(map[string]*sql.Stmt, len(readQueries))
		for _, q := range readQueries {
			if err != nil {
				break
			}
			s.readStmts[q], err = r.PrepareContext(ctx, q)
		}
	}
	if err != nil {
		errors.Join(r.Close(), ckpt.Close(), w.Close())
		return nil, fmt.Errorf("opening store %s: preparing searches: %w", path, err)
	}
	s.snapSaved.Store(-1)
	go s.checkpoints()
	return s, nil
}

// checkpointBytes is about how much creator data written asks for a
// checkpoint (SQLite's own default is after 1000 pages, 8 MiB here).
const checkpointBytes = 8 << 20

// checkpoints runs a passive checkpoint each time a write asks for one,
// until Close. A passive checkpoint waits for nobody: it copies what no
// reader still needs, and the log is reused from the start once all of it
// has been copied.
func (s *Store) checkpoints() {
	defer close(s.ckptDone)
	for {
		select {
		case <-s.ckptStop:
			return
		case <-s.ckptC:
			s.ckpt.Exec("PRAGMA wal_checkpoint(PASSIVE)") // best effort: the next one catches up
			s.ckpts.Add(1)
		}
	}
}

// logged notes n bytes written to the log and asks for a checkpoint
// once there are enough of them.
func (s *Store) logged(n int) {
	if s.unlogged.Add(int64(n)) < checkpointBytes {
		return
	}
	s.unlogged.Store(0)
	select {
	case s.ckptC <- struct{}{}:
	default: // one is already asked for
	}
}

func cloneValues(v url.Values) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// Close checkpoints the write-ahead log and closes the file. The Store must
// not be used afterwards.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.snapWG.Wait()
		s.closingSnapshot()
		for _, st := range append([]*sql.Stmt{s.genStmt, s.pageStmt, s.sumStmt, s.jobItem}, s.writes...) {
			if st != nil {
				st.Close()
			}
		}
		for _, st := range s.readStmts {
			if st != nil {
				st.Close()
			}
		}
		s.stopOnce.Do(func() { close(s.ckptStop) })
		<-s.ckptDone
		s.w.Exec("PRAGMA optimize")
		_, cerr := s.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		if cerr != nil && strings.Contains(cerr.Error(), "database is locked") {
			cerr = nil // another process still reads; it checkpoints later
		}
		if err := errors.Join(s.r.Close(), s.ckpt.Close(), s.w.Close(), cerr); err != nil {
			s.closeErr = fmt.Errorf("closing store: %w", err)
		}
	})
	return s.closeErr
}

// write runs fn in one immediate transaction on the writing connection.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// analyzeEvery is how many creator writes pass between refreshes of the
// query planner's statistics.
const analyzeEvery = 50_000

// wrote counts n creator writes and refreshes the planner's statistics
// when enough have passed, so that plans follow the data as it grows.
func (s *Store) wrote(ctx context.Context, n int) {
	if s.written.Add(int64(n)) < analyzeEvery {
		return
	}
	s.written.Store(0)
	s.w.ExecContext(ctx, "PRAGMA optimize") // best effort: plans only get slower without it
}
