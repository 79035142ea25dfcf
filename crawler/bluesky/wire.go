package bluesky

import "encoding/json"

// The wire types mirror the AppView's JSON (lexicons app.bsky.actor.defs,
// app.bsky.feed.defs, app.bsky.graph.*). Only the fields the source reads are
// declared; counts are pointers so that a missing count stays unknown.

// xrpcError is the body of an XRPC error response. A Doer that decodes error
// bodies into the value it was given leaves these fields set.
type xrpcError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

type label struct {
	Src string `json:"src"`
	URI string `json:"uri"`
	Val string `json:"val"`
	Neg bool   `json:"neg"`
}

type verification struct {
	VerifiedStatus string `json:"verifiedStatus"`
}

// profileView covers profileViewBasic, profileView and profileViewDetailed.
type profileView struct {
	DID            string        `json:"did"`
	Handle         string        `json:"handle"`
	DisplayName    *string       `json:"displayName"`
	Description    *string       `json:"description"`
	Website        string        `json:"website"`
	Avatar         string        `json:"avatar"`
	FollowersCount *int64        `json:"followersCount"`
	FollowsCount   *int64        `json:"followsCount"`
	PostsCount     *int64        `json:"postsCount"`
	CreatedAt      string        `json:"createdAt"`
	Labels         []label       `json:"labels"`
	Verification   *verification `json:"verification"`
}

type profileResponse struct {
	xrpcError
	profileView
}

type profilesResponse struct {
	xrpcError
	Profiles *[]profileView `json:"profiles"`
}

type searchActorsResponse struct {
	xrpcError
	Actors *[]profileView `json:"actors"`
	Cursor string         `json:"cursor"`
}

type followersResponse struct {
	xrpcError
	Subject   *profileView   `json:"subject"`
	Followers *[]profileView `json:"followers"`
	Cursor    string         `json:"cursor"`
}

type facetFeature struct {
	Type string `json:"$type"`
	Tag  string `json:"tag"`
	URI  string `json:"uri"`
}

type facet struct {
	Features []facetFeature `json:"features"`
}

type strongRef struct {
	URI string `json:"uri"`
}

type replyRef struct {
	Root   strongRef `json:"root"`
	Parent strongRef `json:"parent"`
}

type postRecord struct {
	Text      string    `json:"text"`
	CreatedAt string    `json:"createdAt"`
	Langs     []string  `json:"langs"`
	Facets    []facet   `json:"facets"`
	Tags      []string  `json:"tags"`
	Reply     *replyRef `json:"reply"`
}

type postView struct {
	URI         string       `json:"uri"`
	Author      *profileView `json:"author"`
	Record      *postRecord  `json:"record"`
	LikeCount   *int64       `json:"likeCount"`
	RepostCount *int64       `json:"repostCount"`
	ReplyCount  *int64       `json:"replyCount"`
	QuoteCount  *int64       `json:"quoteCount"`
	IndexedAt   string       `json:"indexedAt"`
	Labels      []label      `json:"labels"`
}

type feedItem struct {
	Post   *postView       `json:"post"`
	Reason json.RawMessage `json:"reason"`
}

type authorFeedResponse struct {
	xrpcError
	Feed   *[]feedItem `json:"feed"`
	Cursor string      `json:"cursor"`
}

// threadNode is a threadViewPost, notFoundPost or blockedPost.
type threadNode struct {
	Type     string        `json:"$type"`
	Post     *postView     `json:"post"`
	Replies  []*threadNode `json:"replies"`
	NotFound bool          `json:"notFound"`
	Blocked  bool          `json:"blocked"`
}

type threadResponse struct {
	xrpcError
	Thread *threadNode `json:"thread"`
}
