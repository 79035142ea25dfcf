package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// JSON shapes of the AppView (app.bsky.actor.defs, app.bsky.feed.defs),
// as in recorded real responses.

type jViewer struct {
	Muted     bool `json:"muted"`
	BlockedBy bool `json:"blockedBy"`
}

type jLabel struct {
	Src string `json:"src"`
	URI string `json:"uri"`
	Cid string `json:"cid,omitempty"`
	Val string `json:"val"`
	Cts string `json:"cts"`
}

type jAssociated struct {
	Lists        int  `json:"lists"`
	Feedgens     int  `json:"feedgens"`
	StarterPacks int  `json:"starterPacks"`
	Labeler      bool `json:"labeler"`
}

type jProfile struct {
	DID            string       `json:"did"`
	Handle         string       `json:"handle"`
	DisplayName    string       `json:"displayName,omitempty"`
	Avatar         string       `json:"avatar,omitempty"`
	Associated     *jAssociated `json:"associated,omitempty"`
	Viewer         jViewer      `json:"viewer"`
	Labels         []jLabel     `json:"labels"`
	CreatedAt      string       `json:"createdAt"`
	Description    string       `json:"description,omitempty"`
	IndexedAt      string       `json:"indexedAt,omitempty"`
	Banner         string       `json:"banner,omitempty"`
	FollowersCount *int64       `json:"followersCount,omitempty"`
	FollowsCount   *int64       `json:"followsCount,omitempty"`
	PostsCount     *int64       `json:"postsCount,omitempty"`
	Website        string       `json:"website,omitempty"`
}

type jIndex struct {
	ByteEnd   int `json:"byteEnd"`
	ByteStart int `json:"byteStart"`
}

type jFeature struct {
	Type string `json:"$type"`
	Tag  string `json:"tag,omitempty"`
	URI  string `json:"uri,omitempty"`
}

type jFacet struct {
	Features []jFeature `json:"features"`
	Index    jIndex     `json:"index"`
}

type jRef struct {
	Cid string `json:"cid"`
	URI string `json:"uri"`
}

type jReplyRef struct {
	Parent jRef `json:"parent"`
	Root   jRef `json:"root"`
}

type jRecord struct {
	Type      string     `json:"$type"`
	CreatedAt string     `json:"createdAt"`
	Facets    []jFacet   `json:"facets,omitempty"`
	Langs     []string   `json:"langs,omitempty"`
	Reply     *jReplyRef `json:"reply,omitempty"`
	Text      string     `json:"text"`
}

type jPostViewer struct {
	ThreadMuted       bool `json:"threadMuted"`
	EmbeddingDisabled bool `json:"embeddingDisabled"`
}

type jPost struct {
	URI         string      `json:"uri"`
	Cid         string      `json:"cid"`
	Author      jProfile    `json:"author"`
	Record      jRecord     `json:"record"`
	ReplyCount  int64       `json:"replyCount"`
	RepostCount int64       `json:"repostCount"`
	LikeCount   int64       `json:"likeCount"`
	QuoteCount  int64       `json:"quoteCount"`
	IndexedAt   string      `json:"indexedAt"`
	Viewer      jPostViewer `json:"viewer"`
	Labels      []jLabel    `json:"labels"`
}

type jReason struct {
	Type      string   `json:"$type"`
	By        jProfile `json:"by"`
	IndexedAt string   `json:"indexedAt"`
}

type jFeedItem struct {
	Post   jPost    `json:"post"`
	Reason *jReason `json:"reason,omitempty"`
}

type jThread struct {
	Type    string     `json:"$type"`
	Post    jPost      `json:"post"`
	Replies *[]jThread `json:"replies,omitempty"`
}

const (
	msTime = "2006-01-02T15:04:05.000Z"
	usTime = "2006-01-02T15:04:05.000000Z"
)

// Handler returns the simulator's HTTP handler, serving under /xrpc/ the
// AppView methods app.bsky.actor.getProfile, getProfiles and searchActors,
// app.bsky.feed.getAuthorFeed and getPostThread, and
// app.bsky.graph.getFollowers, as of the world's clock at each request. It
// answers unknown actors with 400 InvalidRequest "Profile not found", like
// the real AppView. It is safe for concurrent use.
func (w *World) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /xrpc/app.bsky.actor.getProfile", w.getProfile)
	mux.HandleFunc("GET /xrpc/app.bsky.actor.getProfiles", w.getProfiles)
	mux.HandleFunc("GET /xrpc/app.bsky.actor.searchActors", w.searchActors)
	mux.HandleFunc("GET /xrpc/app.bsky.feed.getAuthorFeed", w.getAuthorFeed)
	mux.HandleFunc("GET /xrpc/app.bsky.feed.getPostThread", w.getPostThread)
	mux.HandleFunc("GET /xrpc/app.bsky.graph.getFollowers", w.getFollowers)
	mux.Handle("GET /subscribe", w.Jetstream())
	mux.HandleFunc("/xrpc/", func(rw http.ResponseWriter, r *http.Request) {
		xrpcError(rw, http.StatusNotImplemented, "MethodNotImplemented", "Method Not Implemented")
	})
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if m := w.siteFor(r.Host); m != nil {
			w.serveSite(rw, r, m)
			return
		}
		mux.ServeHTTP(rw, r)
	})
}

func writeJSON(rw http.ResponseWriter, v any) {
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.Header().Set("RateLimit-Limit", "3000")
	rw.Header().Set("RateLimit-Policy", "3000;w=300")
	b, err := json.Marshal(v)
	if err != nil {
		xrpcError(rw, http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
		return
	}
	rw.Write(b)
}

func xrpcError(rw http.ResponseWriter, status int, code, msg string) {
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"error": code, "message": msg})
	rw.Write(b)
}

func notFoundProfile(rw http.ResponseWriter) {
	xrpcError(rw, http.StatusBadRequest, "InvalidRequest", "Profile not found")
}

// limitParam reads "limit" (default def, 1..max).
func limitParam(rw http.ResponseWriter, q url.Values, def, maxLimit int) (int, bool) {
	s := q.Get("limit")
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		xrpcError(rw, http.StatusBadRequest, "InvalidRequest", "Error: limit must be an integer")
		return 0, false
	case n < 1:
		xrpcError(rw, http.StatusBadRequest, "InvalidRequest", "Error: limit can not be less than 1")
		return 0, false
	case n > maxLimit:
		xrpcError(rw, http.StatusBadRequest, "InvalidRequest", "Error: limit can not be greater than "+strconv.Itoa(maxLimit))
		return 0, false
	}
	return n, true
}

func required(rw http.ResponseWriter, q url.Values, name string) (string, bool) {
	v := q.Get(name)
	if v == "" {
		xrpcError(rw, http.StatusBadRequest, "InvalidRequest", `Error: Params must have the property "`+name+`"`)
		return "", false
	}
	return v, true
}

// actor is any account the world knows: a creator or a generated one.
type actor struct {
	m   *model   // the creator, or the creator the account belongs to
	acc *account // nil for a creator
}

func (w *World) resolve(s string, now time.Time) (actor, bool) {
	if m := w.lookup(s); m != nil {
		if m.endedBy(now) {
			return actor{}, false
		}
		return actor{m: m}, true
	}
	kind, a, b, ok := decodeDID(w.seed, s)
	if !ok || a >= uint64(len(w.list)) {
		return actor{}, false
	}
	m := w.list[a]
	switch kind {
	case kindFollower:
		tr := m.trajectory()
		if int64(b) >= w.followersAt(m, tr, now) {
			return actor{}, false
		}
		acc := w.follower(m, tr, int64(b), now)
		return actor{m: m, acc: &acc}, true
	case kindBot:
		if b >= uint64(w.botGroup(m)) {
			return actor{}, false
		}
		acc := w.bot(m, int64(b))
		return actor{m: m, acc: &acc}, true
	}
	return actor{}, false
}

func (w *World) avatarURL(did string) string {
	return "https://cdn.bsky.app/img/avatar/plain/" + did + "/" + cid(did, "avatar") + "@jpeg"
}

func cid(parts ...string) string {
	var b strings.Builder
	b.WriteString("bafyrei")
	h := strHash(strings.Join(parts, "\x00"))
	for b.Len() < 59 {
		h = mix(h)
		for i := 0; i < 12 && b.Len() < 59; i++ {
			b.WriteByte(tidAlphabet[(h>>(5*i))&31])
		}
	}
	return b.String()
}

// profileLevel says which profile view to build.
type profileLevel int

const (
	basicView    profileLevel = iota // profileViewBasic: post authors
	listView                         // profileView: followers, search results
	detailedView                     // profileViewDetailed: getProfile(s)
)

func (w *World) creatorView(m *model, now time.Time, level profileLevel) jProfile {
	p := jProfile{
		DID:         m.DID,
		Handle:      m.Handle,
		DisplayName: m.DisplayName,
		Labels:      []jLabel{},
		CreatedAt:   m.created.Format(msTime),
	}
	if m.avatar {
		p.Avatar = w.avatarURL(m.DID)
	}
	if m.OptedOut {
		p.Labels = append(p.Labels, jLabel{
			Src: m.DID, URI: "at://" + m.DID + "/app.bsky.actor.profile/self", Cid: cid(m.DID, "profile"),
			Val: "!no-unauthenticated", Cts: m.created.Format(msTime),
		})
	}
	if level >= listView {
		p.Description = m.bio
		p.IndexedAt = m.created.Add(time.Hour).Format(msTime)
	}
	if level == detailedView {
		tr := m.trajectory()
		p.Associated = &jAssociated{}
		p.Banner = "https://cdn.bsky.app/img/banner/plain/" + m.DID + "/" + cid(m.DID, "banner") + "@jpeg"
		f, g, n := w.followersAt(m, tr, now), m.following, w.postsCount(m, tr, now)
		p.FollowersCount, p.FollowsCount, p.PostsCount = &f, &g, &n
	}
	return p
}

func (w *World) accountView(a *account, level profileLevel) jProfile {
	p := jProfile{DID: a.did, Handle: a.handle, DisplayName: a.name, Labels: []jLabel{}, CreatedAt: a.created.Format(msTime)}
	if a.avatar {
		p.Avatar = w.avatarURL(a.did)
	}
	if level >= listView {
		p.Description = a.bio
		p.IndexedAt = a.created.Add(time.Minute).Format(msTime)
	}
	if level == detailedView {
		p.Associated = &jAssociated{}
		f, g, n := a.followers, a.following, a.posts
		p.FollowersCount, p.FollowsCount, p.PostsCount = &f, &g, &n
	}
	return p
}

func (w *World) actorView(a actor, now time.Time, level profileLevel) jProfile {
	if a.acc != nil {
		return w.accountView(a.acc, level)
	}
	return w.creatorView(a.m, now, level)
}

func (w *World) getProfile(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name, ok := required(rw, q, "actor")
	if !ok {
		return
	}
	now := w.Now()
	a, ok := w.resolve(name, now)
	if !ok {
		notFoundProfile(rw)
		return
	}
	p := w.actorView(a, now, detailedView)
	w.website(&p, a, r)
	writeJSON(rw, p)
}

func (w *World) getProfiles(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	names := q["actors"]
	if len(names) == 0 {
		xrpcError(rw, http.StatusBadRequest, "InvalidRequest", `Error: Params must have the property "actors"`)
		return
	}
	if len(names) > 25 {
		xrpcError(rw, http.StatusBadRequest, "InvalidRequest", "Error: actors must not have more than 25 elements")
		return
	}
	now := w.Now()
	out := []jProfile{}
	for _, n := range names {
		if a, ok := w.resolve(n, now); ok {
			p := w.actorView(a, now, detailedView)
			w.website(&p, a, r)
			out = append(out, p)
		}
	}
	writeJSON(rw, map[string]any{"profiles": out})
}

// searchActors ranks creators by how many query words appear in their
// handle, display name or bio (plural "s" ignored; handles also match by
// substring), then by followers.
func (w *World) searchActors(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	term := q.Get("q")
	if term == "" {
		term = q.Get("term")
	}
	limit, ok := limitParam(rw, q, 25, 100)
	if !ok {
		return
	}
	offset := 0
	if c := q.Get("cursor"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			xrpcError(rw, http.StatusBadRequest, "InvalidRequest", "Error: malformed cursor")
			return
		}
		offset = n
	}
	words := splitWords(term)
	type hit struct {
		m     *model
		score int
		f     int64
	}
	now := w.Now()
	var hits []hit
	if len(words) > 0 {
		for _, m := range w.list {
			score := 0
			for _, wd := range words {
				st := strings.TrimSuffix(wd, "s")
				if contains(m.keywords, wd) || (st != "" && contains(m.keywords, st)) ||
					(len(st) >= 3 && strings.Contains(strings.TrimSuffix(m.Handle, ".bsky.social"), st)) {
					score++
				}
			}
			if score > 0 {
				hits = append(hits, hit{m: m, score: score, f: w.followersAt(m, m.trajectory(), now)})
			}
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		if hits[i].f != hits[j].f {
			return hits[i].f > hits[j].f
		}
		return hits[i].m.idx < hits[j].m.idx
	})
	actors := []jProfile{}
	end := min(offset+limit, len(hits))
	for i := offset; i < end; i++ {
		actors = append(actors, w.creatorView(hits[i].m, now, listView))
	}
	resp := map[string]any{"actors": actors}
	if end < len(hits) {
		resp["cursor"] = strconv.Itoa(end)
	}
	writeJSON(rw, resp)
}

func contains(sorted []string, s string) bool {
	i := sort.SearchStrings(sorted, s)
	return i < len(sorted) && sorted[i] == s
}

func (w *World) postURI(m *model, s stub) string {
	return "at://" + m.DID + "/app.bsky.feed.post/" + tid(s.at.UnixMicro(), uint64(s.i))
}

// facets finds the hashtags and links of text, with UTF-8 byte offsets.
func facets(text string) []jFacet {
	var out []jFacet
	for i := 0; i < len(text); {
		c, size := utf8.DecodeRuneInString(text[i:])
		atStart := i == 0 || text[i-1] == ' ' || text[i-1] == '\n'
		if c == '#' && atStart {
			j := i + 1
			for j < len(text) {
				r, sz := utf8.DecodeRuneInString(text[j:])
				if r == ' ' || r == '\n' || r == '#' || r == ',' || r == '.' || r == '!' || r == '?' || r == ')' {
					break
				}
				j += sz
			}
			if j > i+1 {
				out = append(out, jFacet{Features: []jFeature{{Type: "app.bsky.richtext.facet#tag", Tag: text[i+1 : j]}},
					Index: jIndex{ByteStart: i, ByteEnd: j}})
			}
			i = j
			continue
		}
		if atStart && strings.Contains(firstField(text[i:]), ".com/") {
			f := firstField(text[i:])
			out = append(out, jFacet{Features: []jFeature{{Type: "app.bsky.richtext.facet#link", URI: "https://" + f}},
				Index: jIndex{ByteStart: i, ByteEnd: i + len(f)}})
			i += len(f)
			continue
		}
		i += size
	}
	return out
}

func firstField(s string) string {
	if i := strings.IndexAny(s, " \n"); i >= 0 {
		return s[:i]
	}
	return s
}

func (w *World) postView(m *model, tr Trajectory, s stub, now time.Time) jPost {
	c := w.postContent(m, s)
	n := w.postCounts(m, tr, s, c, now)
	uri := w.postURI(m, s)
	return jPost{
		URI:    uri,
		Cid:    cid(uri),
		Author: w.creatorView(m, now, basicView),
		Record: jRecord{
			Type:      "app.bsky.feed.post",
			CreatedAt: s.at.Format(usTime),
			Facets:    facets(c.text),
			Langs:     c.langs,
			Text:      c.text,
		},
		ReplyCount:  n.replies,
		RepostCount: n.reposts,
		LikeCount:   n.likes,
		QuoteCount:  n.quotes,
		IndexedAt:   s.at.Add(300 * time.Millisecond).Format(msTime),
		Labels:      []jLabel{},
	}
}

// feed returns the creator's feed items older than before (or at most now,
// when before is zero), newest first, up to limit, and whether more remain.
func (w *World) feed(m *model, now, before time.Time, limit int) ([]stub, bool) {
	tr := m.trajectory()
	var out []stub
	last := now
	if !before.IsZero() && before.Before(now) {
		last = before
	}
	for d := w.dayOf(last); d >= w.dayMin(m)-1; d-- {
		items := w.dayPosts(m, tr, d, true)
		sort.SliceStable(items, func(i, j int) bool { return items[i].at.After(items[j].at) })
		for _, it := range items {
			if it.at.After(now) || (!before.IsZero() && !it.at.Before(before)) {
				continue
			}
			if it.repost != nil && it.repost.at.After(now) {
				continue
			}
			if len(out) == limit {
				return out, true
			}
			out = append(out, it)
		}
	}
	return out, false
}

func (w *World) getAuthorFeed(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name, ok := required(rw, q, "actor")
	if !ok {
		return
	}
	limit, ok := limitParam(rw, q, 50, 100)
	if !ok {
		return
	}
	var before time.Time
	if c := q.Get("cursor"); c != "" {
		t, err := time.Parse(time.RFC3339Nano, c)
		if err != nil {
			xrpcError(rw, http.StatusBadRequest, "InvalidRequest", "Error: malformed cursor")
			return
		}
		before = t
	}
	now := w.Now()
	a, ok := w.resolve(name, now)
	if !ok {
		notFoundProfile(rw)
		return
	}
	items := []jFeedItem{}
	resp := map[string]any{}
	if a.acc == nil {
		stubs, more := w.feed(a.m, now, before, limit)
		for _, s := range stubs {
			if s.repost != nil {
				o := s.repost.owner
				items = append(items, jFeedItem{
					Post:   w.postView(o, o.trajectory(), *s.repost, now),
					Reason: &jReason{Type: "app.bsky.feed.defs#reasonRepost", By: w.creatorView(a.m, now, basicView), IndexedAt: s.at.Format(usTime)},
				})
				continue
			}
			items = append(items, jFeedItem{Post: w.postView(a.m, a.m.trajectory(), s, now)})
		}
		if more && len(stubs) > 0 {
			resp["cursor"] = stubs[len(stubs)-1].at.Format(usTime)
		}
	}
	resp["feed"] = items
	writeJSON(rw, resp)
}

const maxThreadReplies = 40

func validPostURI(uri string) bool {
	rest, ok := strings.CutPrefix(uri, "at://")
	parts := strings.Split(rest, "/")
	return ok && len(parts) == 3 && parts[1] == "app.bsky.feed.post"
}

// findPost returns the creator's post at uri if it exists at now.
func (w *World) findPost(uri string, now time.Time) (*model, Trajectory, *stub, bool) {
	if !validPostURI(uri) {
		return nil, Trajectory{}, nil, false
	}
	parts := strings.Split(strings.TrimPrefix(uri, "at://"), "/")
	m := w.lookup(parts[0])
	us, clock, ok := parseTID(parts[2])
	if m == nil || !ok {
		return nil, Trajectory{}, nil, false
	}
	at := time.UnixMicro(us).UTC()
	if at.After(now) {
		return nil, Trajectory{}, nil, false
	}
	tr := m.trajectory()
	for _, s := range w.dayPosts(m, tr, w.dayOf(at), false) {
		if s.at.Equal(at) && uint64(s.i) == clock {
			return m, tr, &s, true
		}
	}
	return nil, Trajectory{}, nil, false
}

// PostTruth is the ground truth of one simulated post.
type PostTruth struct {
	URI string `json:"uri"`
	// Niche is what the post is about, or "" for an off-topic post.
	Niche string `json:"niche,omitempty"`
	// Sponsored says the post is paid for; Disclosed that it says so.
	Sponsored bool `json:"sponsored"`
	Disclosed bool `json:"disclosed"`
}

// Post returns the ground truth of the post at uri (an at:// URI as the
// feed shows it), if the post exists at the world's clock.
func (w *World) Post(uri string) (PostTruth, bool) {
	m, _, s, ok := w.findPost(uri, w.Now())
	if !ok {
		return PostTruth{}, false
	}
	c := w.postContent(m, *s)
	return PostTruth{URI: uri, Niche: c.niche, Sponsored: c.sponsored, Disclosed: c.disclosed}, true
}

func (w *World) getPostThread(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	uri, ok := required(rw, q, "uri")
	if !ok {
		return
	}
	now := w.Now()
	notFound := func() {
		xrpcError(rw, http.StatusBadRequest, "NotFound", "Post not found: "+uri)
	}
	if !validPostURI(uri) {
		xrpcError(rw, http.StatusBadRequest, "InvalidRequest", "Error: uri must be a valid at-uri")
		return
	}
	m, tr, post, ok := w.findPost(uri, now)
	if !ok {
		notFound()
		return
	}
	pv := w.postView(m, tr, *post, now)
	c := w.postContent(m, *post)
	n := w.postCounts(m, tr, *post, c, now)
	replies := []jThread{}
	depth := 6
	if d := q.Get("depth"); d != "" {
		if v, err := strconv.Atoi(d); err == nil {
			depth = v
		}
	}
	if depth > 0 {
		for k, j := range w.botsOn(m, *post) {
			if k >= n.bots || len(replies) >= maxThreadReplies {
				break
			}
			rr := seeded(w.seed, 11, uint64(m.idx), uint64(int64(post.day)), uint64(post.i), uint64(j))
			b := w.bot(m, int64(j))
			replies = append(replies, w.replyView(pv, b, botReplyTime(*post, k), pick(rr, botReplies), int64(rr.intn(2)), now))
		}
		f := w.followersAt(m, tr, post.at)
		for i := int64(0); i < n.organicReplies && len(replies) < maxThreadReplies && f > 0; i++ {
			rr := seeded(w.seed, 5, uint64(m.idx), uint64(int64(post.day)), uint64(post.i), uint64(i))
			var acc account
			for try := 0; try < 5; try++ {
				k := int64(rr.intn(int(min(f, 1<<31-1))))
				if fake, _ := w.isFake(m, tr, k); !fake || try == 4 {
					acc = w.follower(m, tr, k, now)
					break
				}
			}
			nn := niches[m.Niche]
			if c.niche != "" {
				nn = niches[c.niche]
			}
			var text string
			switch {
			case m.regular:
				text = legacyReply(rr, nn)
			default:
				text = humanReply(rr, nn)
			}
			replies = append(replies, w.replyView(pv, acc, organicReplyTime(*post, i, n.organicFinal), text, int64(rr.poisson(1.5)), now))
		}
	}
	writeJSON(rw, map[string]any{"thread": jThread{Type: "app.bsky.feed.defs#threadViewPost", Post: pv, Replies: &replies}})
}

func (w *World) replyView(parent jPost, a account, at time.Time, text string, likes int64, now time.Time) jThread {
	at = at.Truncate(time.Microsecond)
	uri := "at://" + a.did + "/app.bsky.feed.post/" + tid(at.UnixMicro(), strHash(parent.URI)&1023)
	ref := jRef{Cid: parent.Cid, URI: parent.URI}
	return jThread{
		Type: "app.bsky.feed.defs#threadViewPost",
		Post: jPost{
			URI:       uri,
			Cid:       cid(uri),
			Author:    w.accountView(&a, basicView),
			Record:    jRecord{Type: "app.bsky.feed.post", CreatedAt: at.Format(usTime), Langs: []string{"en"}, Reply: &jReplyRef{Parent: ref, Root: ref}, Text: text},
			LikeCount: likes,
			IndexedAt: at.Add(200 * time.Millisecond).Format(msTime),
			Labels:    []jLabel{},
		},
	}
}

func (w *World) getFollowers(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name, ok := required(rw, q, "actor")
	if !ok {
		return
	}
	limit, ok := limitParam(rw, q, 50, 100)
	if !ok {
		return
	}
	now := w.Now()
	a, ok := w.resolve(name, now)
	if !ok {
		notFoundProfile(rw)
		return
	}
	followers := []jProfile{}
	resp := map[string]any{"subject": w.actorView(a, now, listView)}
	if a.acc == nil {
		m, tr := a.m, a.m.trajectory()
		total := w.followersAt(m, tr, now)
		next := total - 1
		if c := q.Get("cursor"); c != "" {
			n, err := strconv.ParseInt(c, 10, 64)
			if err != nil || n < 0 {
				xrpcError(rw, http.StatusBadRequest, "InvalidRequest", "Error: malformed cursor")
				return
			}
			next = min(n, total-1)
		}
		for ; next >= 0 && len(followers) < limit; next-- {
			acc := w.follower(m, tr, next, now)
			followers = append(followers, w.accountView(&acc, listView))
		}
		if next >= 0 {
			resp["cursor"] = strconv.FormatInt(next, 10)
		}
	}
	resp["followers"] = followers
	writeJSON(rw, resp)
}
