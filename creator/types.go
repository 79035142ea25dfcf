package creator

import (
	"fmt"
	"time"
)

// Platform names. A source registers under one of these.
const (
	Bluesky   = "bluesky"
	Mastodon  = "mastodon"
	YouTube   = "youtube"
	Twitch    = "twitch"
	Instagram = "instagram"
	Web       = "web"
)

// Platforms lists every platform name, in a fixed order. Each has a source
// (crawler/sources imports them all); an opt-out may name any of them.
var Platforms = []string{Bluesky, Mastodon, YouTube, Twitch, Instagram, Web}

// Ref identifies a creator on one platform. ID is the platform-native,
// stable id (a Bluesky DID, a Mastodon acct@instance, a YouTube channel id);
// Handle is the human handle, which may change. A Ref with only a Handle is a
// lookup request; sources resolve it to a full Ref.
type Ref struct {
	Platform string `json:"platform"`
	ID       string `json:"id,omitempty"`
	Handle   string `json:"handle,omitempty"`
}

// String returns "platform:id" or, without an id, "platform:handle".
func (r Ref) String() string {
	if r.ID != "" {
		return r.Platform + ":" + r.ID
	}
	return r.Platform + ":" + r.Handle
}

// LabelNoAudienceSample labels a profile from a platform that gives no
// follower lists (Instagram, Twitch): authenticity rests on engagement and
// growth alone.
const LabelNoAudienceSample = "no-audience-sample"

// Profile is what a source returns for one creator: profile fields, a sample
// of recent posts with their counts, replies on some posts with their
// authors, and a sample of the audience (followers or commenters).
type Profile struct {
	Ref         Ref      `json:"ref"`
	DisplayName string   `json:"display_name,omitempty"`
	Bio         string   `json:"bio,omitempty"`
	AvatarURL   string   `json:"avatar_url,omitempty"`
	URL         string   `json:"url,omitempty"`
	Links       []string `json:"links,omitempty"`
	Followers   int64    `json:"followers"`
	Following   int64    `json:"following"`
	PostsCount  int64    `json:"posts_count"`
	// UnknownCounts names the counts the platform did not send
	// (CountFollowers, CountFollowing, CountPosts); their fields hold 0,
	// which the crawler replaces with the previous crawl's figure.
	UnknownCounts []string  `json:"unknown_counts,omitempty"`
	CreatedAt     time.Time `json:"created_at,omitzero"`
	Verified      bool      `json:"verified,omitempty"`
	Bot           bool      `json:"bot,omitempty"`
	Private       bool      `json:"private,omitempty"`
	// Country is an ISO 3166-1 alpha-2 code when known.
	Country string `json:"country,omitempty"`
	// Language is the creator's main language (BCP 47 primary subtag), from
	// the posts' declared languages when the platform gives them.
	Language string `json:"language,omitempty"`
	// Labels are the platform's and the source's labels of the account
	// (LabelNoAudienceSample, "bot", "not-indexable", ...).
	Labels []string `json:"labels,omitempty"`
	// Linked lists the creator's accounts elsewhere that evidence links
	// both ways (never a matching name), with that evidence.
	Linked []LinkedAccount `json:"linked,omitempty"`
	// Posts is a sample of recent original posts, newest first.
	Posts []Post `json:"posts,omitempty"`
	// Comments are replies to some of Posts, with their authors. A source
	// returns every reply it read and the scores are computed from them
	// all; a stored record keeps the first StoredComments (Sample says how
	// many were read).
	Comments []Comment `json:"comments,omitempty"`
	// Audience is a sample of followers (AudienceKind "followers") or, where
	// a platform does not list followers, of commenters ("commenters"). A
	// source returns the whole sample and the scores are computed from it;
	// a stored record keeps only the accounts its evidence names (the ones
	// most likely fake), not the profiles of everyone sampled.
	Audience     []Account `json:"audience,omitempty"`
	AudienceKind string    `json:"audience_kind,omitempty"`
	// Sample says what the source sampled, when it says (scores show it
	// in their evidence).
	Sample *Sample `json:"sample,omitempty"`
	// FetchedAt is when the source fetched this profile.
	FetchedAt time.Time `json:"fetched_at,omitzero"`
}

// StoredComments is how many of a profile's comments a stored record
// keeps (the creator page shows ten).
const StoredComments = 20

// Sample is what a source read of a creator, where it chose: how many
// posts, the replies of which, how many followers and how many of those
// with their counts.
type Sample struct {
	// Posts is how many recent posts were read.
	Posts int `json:"posts"`
	// Threads is how many posts' replies were read, out of RepliedPosts
	// posts with enough replies to be worth reading; Comments how many of
	// the replies read are by others than the creator.
	Threads      int `json:"threads"`
	RepliedPosts int `json:"replied_posts"`
	Comments     int `json:"comments"`
	// Followers is how many followers were listed, Counted how many of
	// them were read with their own counts.
	Followers int `json:"followers"`
	Counted   int `json:"counted"`
}

// CommentsText says in a sentence which replies were read.
func (s *Sample) CommentsText() string {
	return fmt.Sprintf("replies read on %d of the %d sampled posts with replies (most engaged first), %d by others; %d recent posts read",
		s.Threads, s.RepliedPosts, s.Comments, s.Posts)
}

// AudienceText says in a sentence which followers were read.
func (s *Sample) AudienceText() string {
	return fmt.Sprintf("%d newest followers listed, %d of them read with their own follower, following and post counts",
		s.Followers, s.Counted)
}

// Names of a Profile's counts, as listed in Profile.UnknownCounts.
const (
	CountFollowers = "followers"
	CountFollowing = "following"
	CountPosts     = "posts_count"
)

// CountKnown reports whether the count named name was sent by the platform.
func (p *Profile) CountKnown(name string) bool {
	for _, n := range p.UnknownCounts {
		if n == name {
			return false
		}
	}
	return true
}

// LinkedAccount is another account of the same person: one the creator's
// account points at and that points back, each way shown by Evidence.
type LinkedAccount struct {
	// Platform is a platform name (Web for a site).
	Platform string `json:"platform"`
	// ID is the platform-native id when it is known from the link (a
	// Mastodon acct, a Bluesky DID, a page URL for Web); Handle likewise.
	ID     string `json:"id,omitempty"`
	Handle string `json:"handle,omitempty"`
	// URL is the linked account's address as the evidence names it.
	URL      string         `json:"url"`
	Evidence []LinkEvidence `json:"evidence"`
}

// Kinds of link evidence.
const (
	// EvidenceMastodonVerified: a Mastodon profile field links to the
	// page, and the instance verified that the page links back with
	// rel="me" (the field's verified_at).
	EvidenceMastodonVerified = "mastodon_verified_field"
	// EvidenceRelMe: a page links to the account with rel="me", and the
	// account's page links back to it with rel="me".
	EvidenceRelMe = "rel_me_backlink"
	// EvidenceDomainHandle: a Bluesky account's handle is a domain, which
	// proves control of it to the AT Protocol (DNS TXT or
	// /.well-known/atproto-did), and the account names that domain as its
	// website.
	EvidenceDomainHandle = "bluesky_domain_handle"
	// EvidenceMutualLinks: each account links to the other in what its
	// owner wrote (a website, a bio or profile-field link, rel="me" or
	// sameAs), as both were crawled.
	EvidenceMutualLinks = "mutual_links"
)

// LinkEvidence is one piece of two-way evidence for a link.
type LinkEvidence struct {
	Kind string `json:"kind"`
	// Forward says how the creator's account points at the linked one;
	// Back how the linked one points back.
	Forward string `json:"forward"`
	Back    string `json:"back"`
	// At is when the evidence was verified (by the platform where it says
	// so, else when the crawler checked it).
	At time.Time `json:"at,omitzero"`
}

// Post is one post of a creator with its public counts. Views is -1 where
// the platform gives no view counts.
type Post struct {
	ID        string    `json:"id"`
	URL       string    `json:"url,omitempty"`
	Text      string    `json:"text,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	Langs     []string  `json:"langs,omitempty"`
	Hashtags  []string  `json:"hashtags,omitempty"`
	Likes     int64     `json:"likes"`
	Replies   int64     `json:"replies"`
	Reposts   int64     `json:"reposts"`
	Quotes    int64     `json:"quotes"`
	Views     int64     `json:"views"`
}

// Comment is a reply to one of a creator's posts.
type Comment struct {
	ID        string    `json:"id"`
	PostID    string    `json:"post_id"`
	Author    Account   `json:"author"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	Likes     int64     `json:"likes"`
}

// Account is a sampled follower or commenter: the features the audience
// quality model reads. Every field but ID is optional, and a nil pointer
// means unknown, never zero or false.
type Account struct {
	ID          string     `json:"id"`
	Handle      string     `json:"handle,omitempty"`
	DisplayName *string    `json:"display_name,omitempty"`
	Bio         *string    `json:"bio,omitempty"`
	HasAvatar   *bool      `json:"has_avatar,omitempty"`
	Private     *bool      `json:"private,omitempty"`
	Verified    *bool      `json:"verified,omitempty"`
	HasURL      *bool      `json:"has_url,omitempty"`
	Bot         *bool      `json:"bot,omitempty"`
	Followers   *int64     `json:"followers,omitempty"`
	Following   *int64     `json:"following,omitempty"`
	Posts       *int64     `json:"posts,omitempty"`
	CreatedAt   *time.Time `json:"created_at,omitempty"`
}

// Snapshot is what one crawl saw of a creator, kept as history for growth
// and change detection. The store appends one per crawl.
type Snapshot struct {
	At             time.Time `json:"at"`
	Followers      int64     `json:"followers"`
	Following      int64     `json:"following"`
	PostsCount     int64     `json:"posts_count"`
	EngagementRate float64   `json:"engagement_rate"`
	// AvgEngagement is the mean of likes+replies+reposts+quotes per sampled post.
	AvgEngagement float64 `json:"avg_engagement"`
	// MaxEngagement is the highest likes+replies+reposts+quotes of one
	// sampled post: a post taking off shows here before it moves the mean.
	MaxEngagement float64   `json:"max_engagement,omitempty"`
	PostsPerWeek  float64   `json:"posts_per_week"`
	LastPostAt    time.Time `json:"last_post_at,omitzero"`
	Authenticity  float64   `json:"authenticity"`
	PrimaryNiche  string    `json:"primary_niche,omitempty"`
	// SponsoredPostIDs lists sampled posts judged sponsored; the ones judged
	// undisclosed are also in UndisclosedPostIDs.
	SponsoredPostIDs   []string `json:"sponsored_post_ids,omitempty"`
	UndisclosedPostIDs []string `json:"undisclosed_post_ids,omitempty"`
}

// Record is the stored document of one creator: the latest profile and its
// scores. The store keeps the Snapshot history beside it.
type Record struct {
	Key       string    `json:"key"`
	Profile   Profile   `json:"profile"`
	Scores    Scores    `json:"scores"`
	FirstSeen time.Time `json:"first_seen"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Ptr returns a pointer to v, for filling an Account's optional fields.
func Ptr[T any](v T) *T { return &v }
