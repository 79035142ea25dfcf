package sqlite

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime"
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
	key                     string
	vals                    []any // field column values in schema order
	summary, doc, snap      []byte
	stored                  []byte // doc as stored (see docs.go)
	words                   []byte // name, handle, bio and post words as stored (see text.go)
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
	if err := p.encodeJSON(rec, &w.Snapshot); err != nil {
		return nil, err
	}
	p.stored = packDoc(p.doc)
	p.vals = make([]any, len(s.schema.cols))
	for i := range s.schema.cols {
		p.vals[i] = s.schema.cols[i].value(rec)
	}
	// index.TextOf, with the posts' text (joined by newlines, which part
	// words) reduced to distinctWords without joining it first.
	p.name, p.handle, p.bio = rec.Profile.DisplayName, rec.Profile.Ref.Handle, rec.Profile.Bio
	ws := wordSets.Get().(*wordSet)
	for i := range rec.Profile.Posts {
		ws.add(rec.Profile.Posts[i].Text)
	}
	p.text = ws.done()
	p.words = packText(p.name, p.handle, p.bio, p.text)
	return p, nil
}

// distinctWords returns the words of text, each once, in order of first
// appearance. Post text is indexed this way: a word matches wherever it is,
// and indexing it once per creator instead of once per use makes the text
// index smaller and its writes faster. (Relevance then counts that the
// posts use a word, not how often.)
//
// It splits words as isWordRune says (as FTS5's unicode61 tokenizer: runs of
// letters, numbers, Mn and Co runes) and compares them as strings.ToLower
// does, without a slice of words or a lowered copy of each: ASCII runs are
// scanned byte by byte, ASCII words are keyed by a slice of one lowered
// copy of text, and the set is reused.
func distinctWords(text string) string {
	ws := wordSets.Get().(*wordSet)
	ws.add(text)
	return ws.done()
}

// wordSet collects distinct words; get one from wordSets.
type wordSet struct {
	seen map[string]struct{} // lower-cased
	out  []byte
}

var wordSets = sync.Pool{New: func() any { return &wordSet{seen: make(map[string]struct{}, 256)} }}

// add adds the words of text not seen yet to ws.
func (ws *wordSet) add(text string) {
	seen, out := ws.seen, ws.out
	lower := asciiLower(text) // same offsets as text
	for i := 0; i < len(text); {
		if c := text[i]; c < utf8.RuneSelf {
			if !asciiWord[c] {
				i++
				continue
			}
		} else if r, size := utf8.DecodeRuneInString(text[i:]); !isWordRune(r) {
			i += size
			continue
		}
		start, ascii := i, true
		for i < len(text) {
			if c := text[i]; c < utf8.RuneSelf {
				if !asciiWord[c] {
					break
				}
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
		key := lower[start:i]
		if !ascii {
			key = strings.ToLower(text[start:i])
		}
		if _, dup := seen[key]; dup {
			continue
		}
		seen[key] = struct{}{}
		if len(out) > 0 {
			out = append(out, ' ')
		}
		out = append(out, text[start:i]...)
	}
	ws.out = out
}

// done returns the words added, space-separated, and puts ws back in
// wordSets.
func (ws *wordSet) done() string {
	s := string(ws.out)
	clear(ws.seen)
	ws.out = ws.out[:0]
	wordSets.Put(ws)
	return s
}

// isWordRune reports whether r is part of a word (letters, numbers, Mn, Co).
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Co, r)
}

// asciiWord is isWordRune for ASCII.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = isWordRune(rune(c))
	}
	return t
}()

// asciiLower returns s with ASCII upper-case letters lowered (only those,
// so the offsets of s hold), without a copy when there are none.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			var b strings.Builder
			b.Grow(len(s))
			b.WriteString(s[:i])
			for ; i < len(s); i++ {
				c := s[i]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				b.WriteByte(c)
			}
			return b.String()
		}
	}
	return s
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

// encodeJSON sets p.doc, p.summary and p.snap, in one allocation.
func (p *prepared) encodeJSON(rec *creator.Record, snap *creator.Snapshot) error {
	e := jsonEncoders.Get().(*jsonEncoder)
	defer jsonEncoders.Put(e)
	e.b, e.err, e.ncut = e.b[:0], nil, 0
	e.record(rec)
	docEnd := len(e.b)
	e.snapshot(snap)
	if e.err != nil {
		return p.encodeJSONStd(rec, snap)
	}
	cut := 0
	for _, c := range e.cuts[:e.ncut] {
		cut += c[1] - c[0]
	}
	doc, sn := e.b[:docEnd], e.b[docEnd:]
	buf := make([]byte, 0, 2*len(doc)-cut+len(sn))
	buf = append(buf, doc...)
	p.doc = buf[:len(doc):len(doc)]
	from := 0
	for _, c := range e.cuts[:e.ncut] {
		buf = append(buf, doc[from:c[0]]...)
		from = c[1]
	}
	buf = append(buf, doc[from:]...)
	p.summary = buf[len(doc):len(buf):len(buf)]
	p.snap = append(buf, sn...)[len(buf):]
	return nil
}

// encodeJSONStd is encodeJSON by encoding/json.
func (p *prepared) encodeJSONStd(rec *creator.Record, snap *creator.Snapshot) error {
	var err error
	if p.doc, err = json.Marshal(rec); err != nil {
		return fmt.Errorf("encoding record %s: %w", rec.Key, err)
	}
	sum := index.Summary(rec)
	if p.summary, err = json.Marshal(&sum); err != nil {
		return fmt.Errorf("encoding record %s: %w", rec.Key, err)
	}
	if p.snap, err = json.Marshal(snap); err != nil {
		return fmt.Errorf("encoding snapshot of %s: %w", rec.Key, err)
	}
	return nil
}

// jsonEncoder appends JSON to b. The first error stops nothing but is kept;
// the caller then falls back to encoding/json.
type jsonEncoder struct {
	b    []byte
	err  error
	cuts [4][2]int // spans of b not in the summary
	ncut int
}

var jsonEncoders = sync.Pool{New: func() any { return &jsonEncoder{b: make([]byte, 0, 16<<10)} }}

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
	e.optTime(`,"created_at":`, p.CreatedAt)
	e.optBool(`,"verified":`, p.Verified)
	e.optBool(`,"bot":`, p.Bot)
	e.optBool(`,"private":`, p.Private)
	e.optStr(`,"country":`, p.Country)
	e.optStr(`,"language":`, p.Language)
	e.optStrs(`,"labels":`, p.Labels)
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

// jsonSafe is encoding/json's htmlSafeSet: the ASCII bytes json.Marshal
// writes as they are.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()
