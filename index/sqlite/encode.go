package sqlite

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// prepared is one creator write, encoded outside the write lock.
type prepared struct {
	key                     string
	vals                    []any // field column values in schema order
	summary, doc, snap      []byte
	at                      int64
	name, handle, bio, text string
}

func (s *Store) prepare(w index.Write) (*prepared, error) {
	rec := w.Record
	if rec == nil {
		return nil, fmt.Errorf("%w: record is nil", creator.ErrInvalid)
	}
	if !creator.ValidKey(rec.Key) {
		return nil, fmt.Errorf("%w: key %q is not a valid store key", creator.ErrInvalid, rec.Key)
	}
	p := &prepared{key: rec.Key, at: unixNano(w.Snapshot.At)}
	var err error
	if p.doc, err = json.Marshal(rec); err != nil {
		return nil, fmt.Errorf("encoding record %s: %w", rec.Key, err)
	}
	sum := index.Summary(rec)
	if p.summary, err = json.Marshal(&sum); err != nil {
		return nil, fmt.Errorf("encoding record %s: %w", rec.Key, err)
	}
	if p.snap, err = json.Marshal(&w.Snapshot); err != nil {
		return nil, fmt.Errorf("encoding snapshot of %s: %w", rec.Key, err)
	}
	p.vals = make([]any, len(s.schema.cols))
	for i := range s.schema.cols {
		p.vals[i] = s.schema.cols[i].value(rec)
	}
	p.name, p.handle, p.bio, p.text = index.TextOf(rec)
	p.text = distinctWords(p.text)
	return p, nil
}

// distinctWords returns the words of text, each once, in order of first
// appearance. Post text is indexed this way: a word matches wherever it is,
// and indexing it once per creator instead of once per use makes the text
// index smaller and its writes faster. (Relevance then counts that the
// posts use a word, not how often.)
func distinctWords(text string) string {
	words := splitWords(text)
	seen := make(map[string]struct{}, len(words))
	var b strings.Builder
	b.Grow(len(text) / 2)
	for _, w := range words {
		lw := strings.ToLower(w)
		if _, dup := seen[lw]; dup {
			continue
		}
		seen[lw] = struct{}{}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
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

func (s *Store) encode(ws []index.Write) *encoder {
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
				p, err := s.prepare(ws[i])
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

