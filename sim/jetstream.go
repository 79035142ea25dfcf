package sim

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// JetstreamConfig configures the simulated Jetstream. The zero value is
// usable.
type JetstreamConfig struct {
	// Rate is events a second, of every kind before filtering; 0 means 50.
	Rate float64
	// Start is the time of event 0; zero means an hour before the stream
	// was made, so an hour can be replayed from a cursor.
	Start time.Time
	// Now is the clock the stream is paced by (real time: it is not the
	// world's clock); nil means time.Now.
	Now func() time.Time
	// Lookback is how far back a cursor may reach; older ones start at
	// the oldest event served (v1 clamps silently). 0 means 36 hours.
	Lookback time.Duration
}

// Jetstream is the world's simulated Jetstream v1 /subscribe endpoint: a
// websocket of JSON events whose mix follows the recorded one (about 69%
// likes, 11% posts, 10% reposts, 4% follows, 2% follow deletions, the rest
// blocks, other records, #identity and #account events). Event i is a pure
// function of the seed and i; its time_us is Start + i/Rate, so a cursor
// (unix microseconds, inclusive) names where to start again. Events older
// than the clock are sent at once (a replay), later ones when their time
// comes. Posts are by creators (with their niche's text), by generated
// follower accounts and by unknown accounts; likes and reposts are of
// creators' posts; follows are mostly of creators. wantedCollections
// filters commits (exact NSIDs or "prefix.*"); #identity and #account
// events always pass. It is safe for concurrent use.
type Jetstream struct {
	w        *World
	mu       sync.Mutex
	cfg      JetstreamConfig
	extra    []jsExtra // scheduled events, by time
	conns    map[*websocket.Conn]struct{}
	sent     atomic.Int64
	accepted atomic.Int64
}

// jsExtra is a scheduled event: an account's end (EndAccount).
type jsExtra struct {
	us    int64
	frame []byte
}

// Jetstream returns the world's stream, which its Handler serves at
// /subscribe.
func (w *World) Jetstream() *Jetstream {
	w.jsOnce.Do(func() {
		w.js = &Jetstream{w: w, conns: map[*websocket.Conn]struct{}{}}
		w.js.Configure(JetstreamConfig{})
	})
	return w.js
}

// Configure sets the stream's configuration (the rate, the start, the
// clock); connections open already keep their pace until they reconnect.
func (j *Jetstream) Configure(cfg JetstreamConfig) {
	if cfg.Rate <= 0 {
		cfg.Rate = 50
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Start.IsZero() {
		cfg.Start = cfg.Now().Add(-time.Hour)
	}
	if cfg.Lookback <= 0 {
		cfg.Lookback = 36 * time.Hour
	}
	j.mu.Lock()
	j.cfg = cfg
	j.mu.Unlock()
}

func (j *Jetstream) config() JetstreamConfig {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.cfg
}

// Sent is how many events the stream has sent, over every connection.
func (j *Jetstream) Sent() int64 { return j.sent.Load() }

// Connections is how many connections the stream has accepted.
func (j *Jetstream) Connections() int64 { return j.accepted.Load() }

// DropConnections closes every open connection abruptly, as a crashed
// server or a cut network would.
func (j *Jetstream) DropConnections() {
	j.mu.Lock()
	conns := make([]*websocket.Conn, 0, len(j.conns))
	for c := range j.conns {
		conns = append(conns, c)
	}
	j.mu.Unlock()
	for _, c := range conns {
		c.CloseNow()
	}
}

// EndAccount deletes the account of the creator with the given handle or
// DID at time at: from then on the AppView no longer knows it, it writes
// nothing more, and the stream sends an #account event with active false
// and status "deleted" at that time.
func (w *World) EndAccount(handleOrDID string, at time.Time) bool {
	m := w.lookup(handleOrDID)
	if m == nil {
		return false
	}
	m.mu.Lock()
	m.ended = at
	m.mu.Unlock()
	j := w.Jetstream()
	us := at.UnixMicro()
	ev := jsEvent{DID: m.DID, TimeUS: us, Kind: "account", Account: &jsAccount{
		DID: m.DID, Active: false, Status: "deleted", Seq: us, Time: at.UTC().Format(msTime)}}
	frame, _ := json.Marshal(&ev)
	j.mu.Lock()
	j.extra = append(j.extra, jsExtra{us: us, frame: frame})
	slices.SortStableFunc(j.extra, func(a, b jsExtra) int { return int(a.us - b.us) })
	j.mu.Unlock()
	return true
}

// endedBy reports whether m's account had ended by t.
func (m *model) endedBy(t time.Time) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return !m.ended.IsZero() && !t.Before(m.ended)
}

// Wire types of the v1 stream.
type jsEvent struct {
	DID      string      `json:"did"`
	TimeUS   int64       `json:"time_us"`
	Kind     string      `json:"kind"`
	Commit   *jsCommit   `json:"commit,omitempty"`
	Identity *jsIdentity `json:"identity,omitempty"`
	Account  *jsAccount  `json:"account,omitempty"`
}

type jsCommit struct {
	Rev        string `json:"rev"`
	Operation  string `json:"operation"`
	Collection string `json:"collection"`
	RKey       string `json:"rkey"`
	Record     any    `json:"record,omitempty"`
	CID        string `json:"cid,omitempty"`
}

type jsIdentity struct {
	DID    string `json:"did"`
	Handle string `json:"handle,omitempty"`
	Seq    int64  `json:"seq"`
	Time   string `json:"time"`
}

type jsAccount struct {
	DID    string `json:"did"`
	Active bool   `json:"active"`
	Status string `json:"status,omitempty"`
	Seq    int64  `json:"seq"`
	Time   string `json:"time"`
}

type jsStrongRef struct {
	CID string `json:"cid"`
	URI string `json:"uri"`
}

type jsPost struct {
	Type      string   `json:"$type"`
	CreatedAt string   `json:"createdAt"`
	Langs     []string `json:"langs,omitempty"`
	Text      string   `json:"text"`
}

type jsSubjectRecord struct {
	Type      string      `json:"$type"`
	CreatedAt string      `json:"createdAt"`
	Subject   jsStrongRef `json:"subject"`
}

type jsFollow struct {
	Type      string `json:"$type"`
	CreatedAt string `json:"createdAt"`
	Subject   string `json:"subject"`
}

// The recorded mix, out of 152 events.
var jsMix = []struct {
	weight int
	kind   string
}{
	{105, "like"}, {17, "post"}, {15, "repost"}, {6, "follow"}, {3, "unfollow"},
	{1, "block"}, {1, "unpost"}, {2, "status"}, {1, "identity"}, {1, "account"},
}

const jsMixTotal = 152

// frameTime is the time_us of event i.
func (c *JetstreamConfig) frameTime(i int64) int64 {
	return c.Start.UnixMicro() + int64(math.Round(float64(i)*1e6/c.Rate))
}

// indexAt is the first event at or after us.
func (c *JetstreamConfig) indexAt(us int64) int64 {
	d := float64(us-c.Start.UnixMicro()) * c.Rate / 1e6
	if d <= 0 {
		return 0
	}
	return int64(math.Ceil(d - 1e-9))
}

// Frame returns event i of the stream as its JSON frame, its time, and
// its collection ("" for #identity and #account), or nil when event i
// has no event (its author's account ended).
func (j *Jetstream) Frame(i int64) (frame []byte, us int64, collection string) {
	cfg := j.config()
	return j.frame(&cfg, i)
}

func (j *Jetstream) frame(cfg *JetstreamConfig, i int64) ([]byte, int64, string) {
	w := j.w
	us := cfg.frameTime(i)
	at := time.UnixMicro(us).UTC()
	r := seeded(w.seed, 21, uint64(i))
	k := r.intn(jsMixTotal)
	kind := ""
	for _, m := range jsMix {
		if k < m.weight {
			kind = m.kind
			break
		}
		k -= m.weight
	}
	creatorAt := func() *model { return w.list[r.intn(len(w.list))] }
	// A follower account of m (resolvable through getProfiles), or, one
	// time in ten, an account the AppView does not know.
	someone := func(m *model) string {
		if r.chance(0.1) {
			return encodeDID(w.seed^0x5eed, kindFollower, uint64(r.intn(1<<20)), r.next()&0xffffff)
		}
		f := max(w.followersAt(m, m.trajectory(), w.Now()), 1)
		return encodeDID(w.seed, kindFollower, uint64(m.idx), uint64(r.intn(int(min(f, 5000)))))
	}
	ev := jsEvent{TimeUS: us, Kind: "commit"}
	created := at.Add(-time.Duration(r.intn(2000)) * time.Millisecond).Format(msTime)
	rkey := tid(us, uint64(i)&1023)
	rev := tid(us, uint64(i>>10)&1023)
	commit := func(op, col string, rec any) {
		ev.Commit = &jsCommit{Rev: rev, Operation: op, Collection: col, RKey: rkey, Record: rec}
		if rec != nil {
			ev.Commit.CID = cid(ev.DID, col, rkey)
		}
	}
	postOf := func(m *model) (jsStrongRef, string, []string) {
		posts := w.dayPosts(m, m.trajectory(), w.dayOf(at), false)
		if len(posts) == 0 {
			posts = w.dayPosts(m, m.trajectory(), w.dayOf(at)-1, false)
		}
		if len(posts) == 0 {
			s := stub{at: at.Add(-time.Hour), owner: m}
			return jsStrongRef{URI: w.postURI(m, s), CID: cid(m.DID, "post", "x")}, "", nil
		}
		s := posts[r.intn(len(posts))]
		c := w.postContent(m, s)
		return jsStrongRef{URI: w.postURI(m, s), CID: cid(w.postURI(m, s))}, c.text, c.langs
	}
	var m *model
	switch kind {
	case "post":
		y := r.float()
		switch {
		case y < 0.5:
			m = creatorAt()
			ev.DID = m.DID
			_, text, langs := postOf(m)
			if text == "" {
				text = "Back at it tomorrow."
			}
			commit("create", "app.bsky.feed.post", jsPost{Type: "app.bsky.feed.post", CreatedAt: created, Langs: langs, Text: text})
		default:
			ev.DID = someone(creatorAt())
			commit("create", "app.bsky.feed.post", jsPost{Type: "app.bsky.feed.post", CreatedAt: created, Langs: []string{"en"},
				Text: casualPosts[r.intn(len(casualPosts))]})
		}
	case "like", "repost":
		m = creatorAt()
		ref, _, _ := postOf(m)
		ev.DID = someone(m)
		col := "app.bsky.feed.like"
		if kind == "repost" {
			col = "app.bsky.feed.repost"
		}
		commit("create", col, jsSubjectRecord{Type: col, CreatedAt: created, Subject: ref})
	case "follow", "block":
		m = creatorAt()
		ev.DID = someone(creatorAt())
		subject := m.DID
		if r.chance(0.3) {
			subject = someone(m)
		}
		col := "app.bsky.graph.follow"
		if kind == "block" {
			col = "app.bsky.graph.block"
		}
		commit("create", col, jsFollow{Type: col, CreatedAt: created, Subject: subject})
	case "unfollow":
		ev.DID = someone(creatorAt())
		commit("delete", "app.bsky.graph.follow", nil)
	case "unpost":
		m = creatorAt()
		ev.DID = m.DID
		commit("delete", "app.bsky.feed.post", nil)
	case "status":
		ev.DID = someone(creatorAt())
		rkey = "self"
		commit("update", "app.bsky.actor.status", map[string]any{"$type": "app.bsky.actor.status", "createdAt": created, "status": "app.bsky.actor.status#live"})
	case "identity":
		m = creatorAt()
		ev.DID, ev.Kind = m.DID, "identity"
		ev.Identity = &jsIdentity{DID: m.DID, Handle: m.Handle, Seq: us, Time: at.Format(msTime)}
	case "account":
		ev.DID, ev.Kind = someone(creatorAt()), "account"
		ev.Account = &jsAccount{DID: ev.DID, Active: true, Seq: us, Time: at.Format(msTime)}
	}
	if m != nil && m.DID == ev.DID && m.endedBy(at) {
		return nil, us, ""
	}
	b, err := json.Marshal(&ev)
	if err != nil {
		return nil, us, ""
	}
	col := ""
	if ev.Commit != nil {
		col = ev.Commit.Collection
	}
	return b, us, col
}

// casualPosts are what accounts that are not creators write.
var casualPosts = []string{
	"good morning everyone", "coffee first, then the world", "anyone else watching the game tonight?",
	"this weather is something else", "finally finished that book", "lol same", "new week, new me (probably not)",
	"my cat just knocked over a plant again", "happy friday!", "can't sleep",
}

// wanted is a wantedCollections filter: exact NSIDs and "prefix.*".
type wanted struct {
	exact    map[string]bool
	prefixes []string
}

func (f *wanted) match(col string) bool {
	if f == nil || col == "" {
		return true
	}
	if f.exact[col] {
		return true
	}
	for _, p := range f.prefixes {
		if strings.HasPrefix(col, p) {
			return true
		}
	}
	return false
}

// ServeHTTP serves /subscribe: the v1 query parameters wantedCollections
// (repeated) and cursor (unix microseconds); compression is not offered.
func (j *Jetstream) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var filter *wanted
	if cols := q["wantedCollections"]; len(cols) > 0 {
		filter = &wanted{exact: map[string]bool{}}
		for _, c := range cols {
			if p, ok := strings.CutSuffix(c, ".*"); ok {
				filter.prefixes = append(filter.prefixes, p+".")
			} else {
				filter.exact[c] = true
			}
		}
	}
	cfg := j.config()
	now := cfg.Now()
	next := cfg.indexAt(now.UnixMicro())
	if c := q.Get("cursor"); c != "" {
		us, err := strconv.ParseInt(c, 10, 64)
		if err != nil || us < 0 {
			http.Error(rw, `{"error":"InvalidRequest","message":"cursor must be a unix time in microseconds"}`, http.StatusBadRequest)
			return
		}
		floor := now.Add(-cfg.Lookback).UnixMicro()
		next = cfg.indexAt(max(us, floor))
	}
	conn, err := websocket.Accept(rw, r, nil)
	if err != nil {
		return
	}
	j.accepted.Add(1)
	j.mu.Lock()
	j.conns[conn] = struct{}{}
	j.mu.Unlock()
	defer func() {
		j.mu.Lock()
		delete(j.conns, conn)
		j.mu.Unlock()
		conn.CloseNow()
	}()
	ctx := conn.CloseRead(r.Context())
	lastUS := cfg.frameTime(next) - 1 // scheduled events after this are due
	for ctx.Err() == nil {
		due := cfg.indexAt(cfg.Now().UnixMicro())
		if next >= due {
			wait := time.Until(time.UnixMicro(cfg.frameTime(next)))
			if wait > 0 {
				t := time.NewTimer(min(wait, 100*time.Millisecond))
				select {
				case <-ctx.Done():
					t.Stop()
					return
				case <-t.C:
				}
			}
			continue
		}
		for ; next < due && ctx.Err() == nil; next++ {
			frame, us, col := j.frame(&cfg, next)
			if err := j.sendExtras(ctx, conn, lastUS, us); err != nil {
				return
			}
			lastUS = us
			if frame == nil || !filter.match(col) {
				continue
			}
			if err := j.send(ctx, conn, frame); err != nil {
				return
			}
		}
	}
}

// sendExtras sends the scheduled events timed in (after, upTo].
func (j *Jetstream) sendExtras(ctx context.Context, conn *websocket.Conn, after, upTo int64) error {
	j.mu.Lock()
	var due [][]byte
	for _, e := range j.extra {
		if e.us > after && e.us <= upTo {
			due = append(due, e.frame)
		}
	}
	j.mu.Unlock()
	for _, f := range due {
		if err := j.send(ctx, conn, f); err != nil {
			return err
		}
	}
	return nil
}

func (j *Jetstream) send(ctx context.Context, conn *websocket.Conn, frame []byte) error {
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := conn.Write(wctx, websocket.MessageText, frame); err != nil {
		return err
	}
	j.sent.Add(1)
	return nil
}
