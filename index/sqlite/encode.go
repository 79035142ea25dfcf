package sqlite

import (
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/memsearch"
)

// prepared is one creator write, encoded outside the write lock.
type prepared struct {
	key string
	// snapOnly is set when a later write of the batch has the same key:
	// only the snapshot is encoded and stored, since the later record
	// replaces this one in the same transaction.
	snapOnly bool
	vals     []any // field column values in schema order
	// summary, snap, stored and words share one allocation.
	summary, snap []byte
	stored        []byte // the record's JSON as stored (see docs.go)
	words         []byte // name, handle, bio and post words as stored (see words.go)
	at            int64
}

// scratch is the memory prepare reuses from one write to the next: the
// compressed record and the words are built in it, and only what the
// writer stores is copied out, in one allocation.
type scratch struct {
	z     []byte              // the record as stored
	seen  map[string]struct{} // the posts' words so far
	posts []byte              // the posts' distinct words
	raw   []byte              // the words as stored
}

var scratches = sync.Pool{New: func() any { return &scratch{seen: map[string]struct{}{}} }}

// prepare encodes w; with snapOnly, only its snapshot.
func (s *Store) prepare(w index.Write, snapOnly bool) (*prepared, error) {
	rec := w.Record
	if rec == nil {
		return nil, fmt.Errorf("%w: record is nil", creator.ErrInvalid)
	}
	if !creator.ValidKey(rec.Key) {
		return nil, fmt.Errorf("%w: key %q is not a valid store key", creator.ErrInvalid, rec.Key)
	}
	snap, err := json.Marshal(&w.Snapshot)
	if err != nil {
		return nil, fmt.Errorf("encoding snapshot of %s: %w", rec.Key, err)
	}
	if snapOnly {
		return &prepared{key: rec.Key, snapOnly: true, at: unixNano(w.Snapshot.At), snap: snap}, nil
	}
	doc, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("encoding record %s: %w", rec.Key, err)
	}
	summary := index.Summary(rec)
	sum, err := json.Marshal(&summary)
	if err != nil {
		return nil, fmt.Errorf("encoding record %s: %w", rec.Key, err)
	}
	sc := scratches.Get().(*scratch)
	defer scratches.Put(sc)
	sc.z = packDoc(sc.z[:0], doc)
	// index.TextOf, with the posts' text reduced to their distinct words
	// without joining it first.
	clear(sc.seen)
	sc.posts = sc.posts[:0]
	for i := range rec.Profile.Posts {
		sc.posts = memsearch.DistinctWords(sc.posts, sc.seen, rec.Profile.Posts[i].Text)
	}
	clear(sc.seen) // its keys point into the posts
	sc.raw = appendText(sc.raw[:0], rec.Profile.DisplayName, rec.Profile.Ref.Handle, rec.Profile.Bio, sc.posts)

	p := &prepared{key: rec.Key, at: unixNano(w.Snapshot.At)}
	buf := make([]byte, 0, len(sum)+len(snap)+len(sc.z)+len(sc.raw))
	p.summary, buf = appendPiece(buf, sum)
	p.snap, buf = appendPiece(buf, snap)
	p.stored, buf = appendPiece(buf, sc.z)
	p.words, _ = appendPiece(buf, sc.raw)
	p.vals = make([]any, len(s.schema.cols))
	for i := range s.schema.cols {
		p.vals[i] = s.schema.cols[i].value(rec)
	}
	return p, nil
}

// appendPiece appends b to buf, which has room for it, and returns the
// copy and buf.
func appendPiece(buf, b []byte) (piece, out []byte) {
	n := len(buf)
	buf = append(buf, b...)
	return buf[n:len(buf):len(buf)], buf
}

// encodeChunk is how many writes an encoding worker takes at a time.
const encodeChunk = 32

// encoder encodes a batch of writes on all CPUs while the writer stores
// the ones already encoded: encoding (JSON, text) is most of a write's work
// outside SQLite and needs no lock.
type encoder struct {
	ps   []*prepared
	errs []error         // per chunk
	done []chan struct{} // per chunk, closed when encoded
	next atomic.Int64    // next chunk to take
	stop atomic.Bool
}

// encode starts encoding ws; a write whose key comes again later in ws
// is encoded snapOnly.
func (s *Store) encode(ws []index.Write) *encoder {
	var superseded []bool
	if len(ws) > 1 {
		last := make(map[string]int, len(ws))
		for i, w := range ws {
			last[w.Record.Key] = i
		}
		if len(last) < len(ws) {
			superseded = make([]bool, len(ws))
			for i, w := range ws {
				superseded[i] = last[w.Record.Key] != i
			}
		}
	}
	n := (len(ws) + encodeChunk - 1) / encodeChunk
	e := &encoder{ps: make([]*prepared, len(ws)), errs: make([]error, n), done: make([]chan struct{}, n)}
	for i := range e.done {
		e.done[i] = make(chan struct{})
	}
	work := func() {
		for {
			c := int(e.next.Add(1) - 1)
			if c >= n {
				return
			}
			for i := c * encodeChunk; i < min(len(ws), (c+1)*encodeChunk) && !e.stop.Load(); i++ {
				p, err := s.prepare(ws[i], superseded != nil && superseded[i])
				if err != nil {
					e.errs[c] = err
					break
				}
				e.ps[i] = p
			}
			close(e.done[c])
		}
	}
	if n == 1 {
		work()
		return e
	}
	for range min(runtime.GOMAXPROCS(0), n) {
		go work()
	}
	return e
}

// get returns the i-th write, encoded, waiting for it if needed.
func (e *encoder) get(i int) (*prepared, error) {
	c := i / encodeChunk
	<-e.done[c]
	if e.errs[c] != nil {
		return nil, e.errs[c]
	}
	return e.ps[i], nil
}

// abandon tells the workers to stop early.
func (e *encoder) abandon() { e.stop.Store(true) }
