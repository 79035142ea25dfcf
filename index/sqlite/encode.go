package sqlite

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
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
	words         []byte // name, handle, bio and post words as stored (see text.go)
	at            int64
}

// scratch is the memory prepare reuses from one write to the next: the
// JSON, the compressed record and the words are built in it, and only
// what the writer stores is copied out, in one allocation.
type scratch struct {
	json  jsonEncoder
	z     []byte // the record as stored
	words wordSet
	raw   []byte // the words as stored
}

var scratches = sync.Pool{New: func() any { return &scratch{json: jsonEncoder{b: make([]byte, 0, 16<<10)}} }}

// prepare encodes w; with snapOnly, only its snapshot.
func (s *Store) prepare(w index.Write, snapOnly bool) (*prepared, error) {
	rec := w.Record
	if rec == nil {
		return nil, fmt.Errorf("%w: record is nil", creator.ErrInvalid)
	}
	if !creator.ValidKey(rec.Key) {
		return nil, fmt.Errorf("%w: key %q is not a valid store key", creator.ErrInvalid, rec.Key)
	}
	sc := scratches.Get().(*scratch)
	defer scratches.Put(sc)
	if snapOnly {
		snap, err := sc.json.encodeSnapshot(rec.Key, &w.Snapshot)
		if err != nil {
			return nil, err
		}
		return &prepared{key: rec.Key, snapOnly: true, at: unixNano(w.Snapshot.At), snap: slices.Clone(snap)}, nil
	}
	doc, sum, snap, err := sc.json.encode(rec, &w.Snapshot)
	if err != nil {
		return nil, err
	}
	sc.z = packDoc(sc.z[:0], doc)
	// index.TextOf, with the posts' text (joined by newlines, which part
	// words) reduced to distinctWords without joining it first.
	ws := &sc.words
	ws.reset()
	for i := range rec.Profile.Posts {
		ws.add(rec.Profile.Posts[i].Text)
	}
	sc.raw = appendText(sc.raw[:0], rec.Profile.DisplayName, rec.Profile.Ref.Handle, rec.Profile.Bio, ws.out)

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

// distinctWords returns the words of text, each once, in order of first
// appearance. Post text is indexed this way: a word matches wherever it is,
// and indexing it once per creator instead of once per use makes the text
// index smaller and its writes faster. (Relevance then counts that the
// posts use a word, not how often.)
//
// It splits words as isWordRune says (as FTS5's unicode61 tokenizer: runs of
// letters, numbers, Mn and Co runes) and compares them as strings.ToLower
// does.
func distinctWords(text string) string {
	var ws wordSet
	ws.reset()
	ws.add(text)
	return string(ws.out)
}

// wordSet collects distinct words. It is an open-addressing hash set of the
// words' lowered forms, kept one after another in keys, so that adding a
// word allocates nothing: ASCII words are lowered and hashed as they are
// scanned, others are lowered by strings.ToLower.
type wordSet struct {
	slots []uint64 // high 32 bits of the hash << 32 | word number + 1; 0 when empty
	keys  []byte   // the lowered words, one after another
	ends  []uint32 // where each word's lowered form ends in keys
	out   []byte   // the words, space-separated, as first spelled
}

// wordSlots is the size of a new wordSet's table; one grown past
// maxWordSlots (by a huge text) is dropped on reset.
const (
	wordSlots    = 512
	maxWordSlots = 1 << 14
)

// reset empties ws.
func (ws *wordSet) reset() {
	if len(ws.slots) == 0 || len(ws.slots) > maxWordSlots {
		ws.slots = make([]uint64, wordSlots)
	} else {
		clear(ws.slots)
	}
	ws.keys, ws.ends, ws.out = ws.keys[:0], ws.ends[:0], ws.out[:0]
}

// FNV-1a, byte by byte, so that a word is hashed as it is scanned.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv(b []byte) uint64 {
	h := uint64(fnvOffset)
	for _, c := range b {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

// add adds the words of text not seen yet to ws.
func (ws *wordSet) add(text string) {
	// Lowered ASCII takes as many bytes as it had: room for all of text.
	keys := slices.Grow(ws.keys, len(text))
	for i := 0; i < len(text); {
		if c := text[i]; c < utf8.RuneSelf {
			if asciiFold[c] == 0 {
				i++
				continue
			}
		} else if r, size := utf8.DecodeRuneInString(text[i:]); !isWordRune(r) {
			i += size
			continue
		}
		start, keyStart, ascii := i, len(keys), true
		h := uint64(fnvOffset)
		for i < len(text) {
			if c := text[i]; c < utf8.RuneSelf {
				l := asciiFold[c]
				if l == 0 {
					break
				}
				keys = append(keys, l)
				h = (h ^ uint64(l)) * fnvPrime
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(text[i:])
			if !isWordRune(r) {
				break
			}
			ascii = false
			i += size
		}
		if !ascii {
			keys = append(keys[:keyStart], strings.ToLower(text[start:i])...)
			h = fnv(keys[keyStart:])
		}
		ws.keys = keys
		if ws.insert(keyStart, h) {
			if len(ws.out) > 0 {
				ws.out = append(ws.out, ' ')
			}
			ws.out = append(ws.out, text[start:i]...)
		}
		keys = ws.keys
	}
}

// insert adds the key at keys[start:], whose hash is h, and reports
// whether it is new; a key already there is dropped from keys.
func (ws *wordSet) insert(start int, h uint64) bool {
	key := ws.keys[start:]
	mask := uint64(len(ws.slots) - 1)
	tag := h &^ 0xffffffff
	for j := (h ^ h>>32) & mask; ; j = (j + 1) & mask {
		slot := ws.slots[j]
		if slot == 0 {
			ws.ends = append(ws.ends, uint32(len(ws.keys)))
			ws.slots[j] = tag | uint64(len(ws.ends))
			if 2*len(ws.ends) > len(ws.slots) {
				ws.grow()
			}
			return true
		}
		if slot&^0xffffffff == tag {
			n := int(uint32(slot)) - 1
			from := uint32(0)
			if n > 0 {
				from = ws.ends[n-1]
			}
			if string(ws.keys[from:ws.ends[n]]) == string(key) {
				ws.keys = ws.keys[:start]
				return false
			}
		}
	}
}

// grow doubles the table.
func (ws *wordSet) grow() {
	slots := make([]uint64, 2*len(ws.slots))
	mask := uint64(len(slots) - 1)
	from := uint32(0)
	for n, end := range ws.ends {
		h := fnv(ws.keys[from:end])
		from = end
		j := (h ^ h>>32) & mask
		for slots[j] != 0 {
			j = (j + 1) & mask
		}
		slots[j] = h&^0xffffffff | uint64(n+1)
	}
	ws.slots = slots
}

// isWordRune reports whether r is part of a word (letters, numbers, Mn, Co).
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Co, r)
}

// asciiFold is, for each ASCII byte of a word (isWordRune), the byte
// lowered; 0 for the others.
var asciiFold = func() (t [utf8.RuneSelf]byte) {
	for c := range t {
		if isWordRune(rune(c)) {
			t[c] = byte(unicode.ToLower(rune(c)))
		}
	}
	return t
}()

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

// JSON encoding of records and snapshots.
//
// encoding/json's reflection is most of prepare's cost, so records and
// snapshots are encoded by hand, to the very bytes json.Marshal gives: the
// fields in declaration order with their tags' names and omitempty or
// omitzero, strings escaped as json.Marshal escapes them (HTML characters,
// U+2028/9, invalid UTF-8 as U+FFFD), floats formatted as it formats them,
// times by their own MarshalJSON. The tests check the bytes against
// json.Marshal on generated records and on records with every field set
// (found by reflection, so a field added to the types without adding it
// here fails them). On any error (a NaN, a year past 9999) the encoding is
// left to json.Marshal, for its error.
//
// The summary (index.Summary) is the record without posts, comments,
// audience and score details, all omitempty: it is the record's JSON with
// those members cut out, so it is taken from the record's bytes.

// encode returns the JSON of rec, of its summary and of snap, as
// json.Marshal gives them. They are e's until its next use.
func (e *jsonEncoder) encode(rec *creator.Record, snap *creator.Snapshot) (doc, sum, sn []byte, err error) {
	e.b, e.err, e.ncut = e.b[:0], nil, 0
	e.record(rec)
	docEnd := len(e.b)
	e.snapshot(snap)
	if e.err != nil {
		return encodeJSONStd(rec, snap)
	}
	doc, sn = e.b[:docEnd:docEnd], e.b[docEnd:]
	e.sum = e.sum[:0]
	from := 0
	for _, c := range e.cuts[:e.ncut] {
		e.sum = append(e.sum, doc[from:c[0]]...)
		from = c[1]
	}
	e.sum = append(e.sum, doc[from:]...)
	return doc, e.sum, sn, nil
}

// encodeSnapshot returns the JSON of snap, as json.Marshal gives it, for
// the creator key. It is e's until its next use.
func (e *jsonEncoder) encodeSnapshot(key string, snap *creator.Snapshot) ([]byte, error) {
	e.b, e.err = e.b[:0], nil
	e.snapshot(snap)
	if e.err != nil {
		b, err := json.Marshal(snap)
		if err != nil {
			return nil, fmt.Errorf("encoding snapshot of %s: %w", key, err)
		}
		return b, nil
	}
	return e.b, nil
}

// encodeJSONStd is encode by encoding/json.
func encodeJSONStd(rec *creator.Record, snap *creator.Snapshot) (doc, sum, sn []byte, err error) {
	if doc, err = json.Marshal(rec); err != nil {
		return nil, nil, nil, fmt.Errorf("encoding record %s: %w", rec.Key, err)
	}
	summary := index.Summary(rec)
	if sum, err = json.Marshal(&summary); err != nil {
		return nil, nil, nil, fmt.Errorf("encoding record %s: %w", rec.Key, err)
	}
	if sn, err = json.Marshal(snap); err != nil {
		return nil, nil, nil, fmt.Errorf("encoding snapshot of %s: %w", rec.Key, err)
	}
	return doc, sum, sn, nil
}

// jsonEncoder appends JSON to b. The first error stops nothing but is kept;
// the caller then falls back to encoding/json.
type jsonEncoder struct {
	b    []byte
	sum  []byte // the summary, assembled from b without the cuts
	err  error
	cuts [4][2]int // spans of b not in the summary
	ncut int
}

func (e *jsonEncoder) raw(s string) { e.b = append(e.b, s...) }

// cutFrom marks b from start to its current end as not in the summary.
func (e *jsonEncoder) cutFrom(start int) {
	e.cuts[e.ncut] = [2]int{start, len(e.b)}
	e.ncut++
}

func (e *jsonEncoder) record(r *creator.Record) {
	e.raw(`{"key":`)
	e.str(r.Key)
	e.raw(`,"profile":`)
	e.profile(&r.Profile)
	e.raw(`,"scores":`)
	e.scores(&r.Scores)
	e.raw(`,"first_seen":`)
	e.time(r.FirstSeen)
	e.raw(`,"updated_at":`)
	e.time(r.UpdatedAt)
	e.raw(`}`)
}

func (e *jsonEncoder) profile(p *creator.Profile) {
	e.raw(`{"ref":{"platform":`)
	e.str(p.Ref.Platform)
	if p.Ref.ID != "" {
		e.raw(`,"id":`)
		e.str(p.Ref.ID)
	}
	if p.Ref.Handle != "" {
		e.raw(`,"handle":`)
		e.str(p.Ref.Handle)
	}
	e.raw(`}`)
	e.optStr(`,"display_name":`, p.DisplayName)
	e.optStr(`,"bio":`, p.Bio)
	e.optStr(`,"avatar_url":`, p.AvatarURL)
	e.optStr(`,"url":`, p.URL)
	e.optStrs(`,"links":`, p.Links)
	e.raw(`,"followers":`)
	e.int(p.Followers)
	e.raw(`,"following":`)
	e.int(p.Following)
	e.raw(`,"posts_count":`)
	e.int(p.PostsCount)
	e.optStrs(`,"unknown_counts":`, p.UnknownCounts)
	e.optTime(`,"created_at":`, p.CreatedAt)
	e.optBool(`,"verified":`, p.Verified)
	e.optBool(`,"bot":`, p.Bot)
	e.optBool(`,"private":`, p.Private)
	e.optStr(`,"country":`, p.Country)
	e.optStr(`,"language":`, p.Language)
	e.optStrs(`,"labels":`, p.Labels)
	if len(p.Linked) > 0 {
		e.raw(`,"linked":[`)
		for i := range p.Linked {
			if i > 0 {
				e.raw(`,`)
			}
			e.linked(&p.Linked[i])
		}
		e.raw(`]`)
	}
	if len(p.Posts) > 0 {
		start := len(e.b)
		e.raw(`,"posts":[`)
		for i := range p.Posts {
			if i > 0 {
				e.raw(`,`)
			}
			e.post(&p.Posts[i])
		}
		e.raw(`]`)
		e.cutFrom(start)
	}
	if len(p.Comments) > 0 {
		start := len(e.b)
		e.raw(`,"comments":[`)
		for i := range p.Comments {
			if i > 0 {
				e.raw(`,`)
			}
			e.comment(&p.Comments[i])
		}
		e.raw(`]`)
		e.cutFrom(start)
	}
	if len(p.Audience) > 0 {
		start := len(e.b)
		e.raw(`,"audience":[`)
		for i := range p.Audience {
			if i > 0 {
				e.raw(`,`)
			}
			e.account(&p.Audience[i])
		}
		e.raw(`]`)
		e.cutFrom(start)
	}
	e.optStr(`,"audience_kind":`, p.AudienceKind)
	e.optTime(`,"fetched_at":`, p.FetchedAt)
	e.raw(`}`)
}

func (e *jsonEncoder) linked(l *creator.LinkedAccount) {
	e.raw(`{"platform":`)
	e.str(l.Platform)
	e.optStr(`,"id":`, l.ID)
	e.optStr(`,"handle":`, l.Handle)
	e.raw(`,"url":`)
	e.str(l.URL)
	e.raw(`,"evidence":`)
	if l.Evidence == nil {
		e.raw(`null`)
	} else {
		e.raw(`[`)
		for i := range l.Evidence {
			ev := &l.Evidence[i]
			if i > 0 {
				e.raw(`,`)
			}
			e.raw(`{"kind":`)
			e.str(ev.Kind)
			e.raw(`,"forward":`)
			e.str(ev.Forward)
			e.raw(`,"back":`)
			e.str(ev.Back)
			e.optTime(`,"at":`, ev.At)
			e.raw(`}`)
		}
		e.raw(`]`)
	}
	e.raw(`}`)
}

func (e *jsonEncoder) post(p *creator.Post) {
	e.raw(`{"id":`)
	e.str(p.ID)
	e.optStr(`,"url":`, p.URL)
	e.optStr(`,"text":`, p.Text)
	e.optTime(`,"created_at":`, p.CreatedAt)
	e.optStrs(`,"langs":`, p.Langs)
	e.optStrs(`,"hashtags":`, p.Hashtags)
	e.raw(`,"likes":`)
	e.int(p.Likes)
	e.raw(`,"replies":`)
	e.int(p.Replies)
	e.raw(`,"reposts":`)
	e.int(p.Reposts)
	e.raw(`,"quotes":`)
	e.int(p.Quotes)
	e.raw(`,"views":`)
	e.int(p.Views)
	e.raw(`}`)
}

func (e *jsonEncoder) comment(c *creator.Comment) {
	e.raw(`{"id":`)
	e.str(c.ID)
	e.raw(`,"post_id":`)
	e.str(c.PostID)
	e.raw(`,"author":`)
	e.account(&c.Author)
	e.raw(`,"text":`)
	e.str(c.Text)
	e.optTime(`,"created_at":`, c.CreatedAt)
	e.raw(`,"likes":`)
	e.int(c.Likes)
	e.raw(`}`)
}

func (e *jsonEncoder) account(a *creator.Account) {
	e.raw(`{"id":`)
	e.str(a.ID)
	e.optStr(`,"handle":`, a.Handle)
	if a.DisplayName != nil {
		e.raw(`,"display_name":`)
		e.str(*a.DisplayName)
	}
	if a.Bio != nil {
		e.raw(`,"bio":`)
		e.str(*a.Bio)
	}
	e.ptrBool(`,"has_avatar":`, a.HasAvatar)
	e.ptrBool(`,"private":`, a.Private)
	e.ptrBool(`,"verified":`, a.Verified)
	e.ptrBool(`,"has_url":`, a.HasURL)
	e.ptrBool(`,"bot":`, a.Bot)
	e.ptrInt(`,"followers":`, a.Followers)
	e.ptrInt(`,"following":`, a.Following)
	e.ptrInt(`,"posts":`, a.Posts)
	if a.CreatedAt != nil {
		e.raw(`,"created_at":`)
		e.time(*a.CreatedAt)
	}
	e.raw(`}`)
}

func (e *jsonEncoder) scores(s *creator.Scores) {
	e.raw(`{`)
	if !s.ComputedAt.IsZero() {
		e.raw(`"computed_at":`)
		e.time(s.ComputedAt)
		e.raw(`,`)
	}
	if s.Model != "" {
		e.raw(`"model":`)
		e.str(s.Model)
		e.raw(`,`)
	}
	e.raw(`"tier":`)
	e.str(s.Tier)
	e.raw(`,"engagement_rate":`)
	e.float(s.EngagementRate)
	e.optStr(`,"engagement_label":`, s.EngagementLabel)
	e.raw(`,"posts_per_week":`)
	e.float(s.PostsPerWeek)
	e.raw(`,"days_since_last_post":`)
	e.float(s.DaysSinceLast)
	e.optStr(`,"primary_niche":`, s.PrimaryNiche)
	e.raw(`,"niche_relevance":`)
	e.float(s.NicheRelevance)
	e.raw(`,"niche_focus":`)
	e.float(s.NicheFocus)
	if len(s.Niches) > 0 {
		e.raw(`,"niches":[`)
		for i := range s.Niches {
			if i > 0 {
				e.raw(`,`)
			}
			n := &s.Niches[i]
			e.raw(`{"niche":`)
			e.str(n.Niche)
			e.raw(`,"relevance":`)
			e.float(n.Relevance)
			e.optStrs(`,"terms":`, n.Terms)
			e.raw(`}`)
		}
		e.raw(`]`)
	}
	e.raw(`,"authenticity":`)
	e.float(s.Authenticity)
	e.raw(`,"fake_follower_share":`)
	e.float(s.FakeFollowerShare)
	e.optStr(`,"growth_trend":`, s.GrowthTrend)
	e.raw(`,"growth_30d":`)
	e.float(s.Growth30d)
	e.raw(`,"growth":`)
	e.float(s.GrowthScore)
	e.raw(`,"consistency":`)
	e.float(s.Consistency)
	e.raw(`,"brand_safety":`)
	e.float(s.BrandSafety)
	e.raw(`,"price_min_usd":`)
	e.float(s.PriceMinUSD)
	e.raw(`,"price_max_usd":`)
	e.float(s.PriceMaxUSD)
	e.raw(`,"overall":`)
	e.float(s.Overall)
	e.raw(`,"confidence":`)
	e.float(s.Confidence)
	e.raw(`,"sponsored_pct":`)
	e.float(s.SponsoredPct)
	if len(s.Details) > 0 {
		start := len(e.b)
		e.raw(`,"details":[`)
		for i := range s.Details {
			if i > 0 {
				e.raw(`,`)
			}
			e.subScore(&s.Details[i])
		}
		e.raw(`]`)
		e.cutFrom(start)
	}
	e.raw(`}`)
}

func (e *jsonEncoder) subScore(s *creator.SubScore) {
	e.raw(`{"name":`)
	e.str(s.Name)
	e.raw(`,"score":`)
	e.float(s.Score)
	e.optStr(`,"label":`, s.Label)
	e.raw(`,"confidence":`)
	e.float(s.Confidence)
	e.optStr(`,"summary":`, s.Summary)
	if len(s.Evidence) > 0 {
		e.raw(`,"evidence":[`)
		for i := range s.Evidence {
			if i > 0 {
				e.raw(`,`)
			}
			v := &s.Evidence[i]
			e.raw(`{"signal":`)
			e.str(v.Signal)
			e.raw(`,"value":`)
			e.float(v.Value)
			if v.SampleSize != 0 {
				e.raw(`,"sample_size":`)
				e.int(int64(v.SampleSize))
			}
			e.optStr(`,"text":`, v.Text)
			e.optStr(`,"post_id":`, v.PostID)
			e.raw(`}`)
		}
		e.raw(`]`)
	}
	e.raw(`}`)
}

func (e *jsonEncoder) snapshot(s *creator.Snapshot) {
	e.raw(`{"at":`)
	e.time(s.At)
	e.raw(`,"followers":`)
	e.int(s.Followers)
	e.raw(`,"following":`)
	e.int(s.Following)
	e.raw(`,"posts_count":`)
	e.int(s.PostsCount)
	e.raw(`,"engagement_rate":`)
	e.float(s.EngagementRate)
	e.raw(`,"avg_engagement":`)
	e.float(s.AvgEngagement)
	if s.MaxEngagement != 0 {
		e.raw(`,"max_engagement":`)
		e.float(s.MaxEngagement)
	}
	e.raw(`,"posts_per_week":`)
	e.float(s.PostsPerWeek)
	e.optTime(`,"last_post_at":`, s.LastPostAt)
	e.raw(`,"authenticity":`)
	e.float(s.Authenticity)
	e.optStr(`,"primary_niche":`, s.PrimaryNiche)
	e.optStrs(`,"sponsored_post_ids":`, s.SponsoredPostIDs)
	e.optStrs(`,"undisclosed_post_ids":`, s.UndisclosedPostIDs)
	e.raw(`}`)
}

// optStr writes key and s unless s is empty (omitempty).
func (e *jsonEncoder) optStr(key, s string) {
	if s != "" {
		e.raw(key)
		e.str(s)
	}
}

// optStrs writes key and ss unless ss is empty (omitempty).
func (e *jsonEncoder) optStrs(key string, ss []string) {
	if len(ss) == 0 {
		return
	}
	e.raw(key)
	e.raw(`[`)
	for i, s := range ss {
		if i > 0 {
			e.raw(`,`)
		}
		e.str(s)
	}
	e.raw(`]`)
}

// optTime writes key and t unless t is zero (omitzero).
func (e *jsonEncoder) optTime(key string, t time.Time) {
	if !t.IsZero() {
		e.raw(key)
		e.time(t)
	}
}

// optBool writes key and true if v (omitempty).
func (e *jsonEncoder) optBool(key string, v bool) {
	if v {
		e.raw(key)
		e.raw(`true`)
	}
}

func (e *jsonEncoder) ptrBool(key string, v *bool) {
	if v != nil {
		e.raw(key)
		if *v {
			e.raw(`true`)
		} else {
			e.raw(`false`)
		}
	}
}

func (e *jsonEncoder) ptrInt(key string, v *int64) {
	if v != nil {
		e.raw(key)
		e.int(*v)
	}
}

func (e *jsonEncoder) int(v int64) { e.b = strconv.AppendInt(e.b, v, 10) }

// time writes t as time.Time.MarshalJSON does.
func (e *jsonEncoder) time(t time.Time) {
	e.b = append(e.b, '"')
	b, err := t.AppendText(e.b)
	if err != nil {
		e.err = err
		return
	}
	e.b = append(b, '"')
}

// float writes f as encoding/json does (floatEncoder with 64 bits).
func (e *jsonEncoder) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		e.err = fmt.Errorf("unsupported value %v", f)
		return
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b := strconv.AppendFloat(e.b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	e.b = b
}

// str writes s as encoding/json does with HTML escaping (json.Marshal):
// the same escapes for ", \, control characters, <, > and &, U+2028 and
// U+2029, and U+FFFD for invalid UTF-8.
func (e *jsonEncoder) str(s string) {
	const hex = "0123456789abcdef"
	b := append(e.b, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			w := s[i : i+8]
			_ = w[7]
			if jsonPlain8(uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
				uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56) {
				i += 8
				continue
			}
		}
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	e.b = append(b, '"')
}

// jsonPlain8 reports whether the 8 bytes of x (little-endian) are all
// written as they are (jsonSafe), testing them at once: none is a control
// character, '"', '\\', '<', '>', '&' or past ASCII. A byte of x^c*ones is
// zero where x has c; (v-ones)&^v&highs has the high bit of some byte set
// when v has a zero byte, and (x-0x20*ones)&^x&highs when x has a byte
// under 0x20 (both exact for the word as a whole, which is all that is
// asked).
func jsonPlain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, bs, lt, gt, amp := x^'"'*ones, x^'\\'*ones, x^'<'*ones, x^'>'*ones, x^'&'*ones
	return (x|(x-0x20*ones)&^x|(q-ones)&^q|(bs-ones)&^bs|(lt-ones)&^lt|(gt-ones)&^gt|(amp-ones)&^amp)&highs == 0
}

// jsonSafe is encoding/json's htmlSafeSet: the ASCII bytes json.Marshal
// writes as they are.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()
