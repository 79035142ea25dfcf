package bluesky

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
)

// LabelNoUnauthenticated is the self-label by which an account asks not to
// be shown to logged-out users. The source honours it as an opt-out.
const LabelNoUnauthenticated = "!no-unauthenticated"

// errMissing reports a required field absent from a response.
var errMissing = errors.New("missing required field")

// InvalidHandle is the handle the AppView reports for an account whose
// handle no longer resolves to its DID. It names nobody: the source keeps
// such an account by its DID alone.
const InvalidHandle = "handle.invalid"

// checkXRPC turns an XRPC error body that was decoded as a success into an
// error: see xrpcErr.
func checkXRPC(e xrpcError) error {
	if e.Error == "" {
		return nil
	}
	return xrpcErr(e)
}

// xrpcErr classifies an XRPC error. A missing actor or record ("NotFound",
// InvalidRequest "Profile not found" or "Actor not found") and an account
// the AppView will not show (AccountTakedown, AccountDeactivated,
// BlockedActor, BlockedByActor) give creator.ErrNotFound: there is nothing
// to crawl, and asking again will not change that soon. Anything else is
// creator.ErrMalformed.
func xrpcErr(e xrpcError) error {
	switch {
	case isUnavailable(e.Error):
		return fmt.Errorf("%w: account unavailable: %s: %s", creator.ErrNotFound, e.Error, e.Message)
	case isNotFoundMessage(e.Error, e.Message):
		return fmt.Errorf("%w: %s: %s", creator.ErrNotFound, e.Error, e.Message)
	}
	return fmt.Errorf("%w: xrpc error %s: %s", creator.ErrMalformed, e.Error, e.Message)
}

// isUnavailable reports whether an XRPC error code says the account exists
// but is not shown.
func isUnavailable(code string) bool {
	switch code {
	case "AccountTakedown", "AccountDeactivated", "BlockedActor", "BlockedByActor":
		return true
	}
	return false
}

// isNotFoundMessage reports whether an XRPC error names a missing actor or
// record. The AppView answers unknown actors with 400 InvalidRequest
// "Profile not found" rather than 404.
func isNotFoundMessage(code, msg string) bool {
	m := strings.ToLower(msg)
	return code == "NotFound" || strings.Contains(m, "profile not found") ||
		strings.Contains(m, "could not find") || strings.Contains(m, "actor not found") ||
		strings.Contains(m, "unable to resolve handle") || strings.Contains(m, "post not found")
}

func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decoding response: %w: %v", creator.ErrMalformed, err)
	}
	return nil
}

// parseProfile decodes an app.bsky.actor.getProfile response into a Profile
// holding the profile fields only (no posts, comments or audience). A body
// without did or handle gives creator.ErrMalformed; an XRPC "Profile not
// found" body gives creator.ErrNotFound. It does not refuse opted-out
// accounts: see OptedOut.
func parseProfile(body []byte) (*creator.Profile, error) {
	var r profileResponse
	if err := decode(body, &r); err != nil {
		return nil, err
	}
	if err := checkXRPC(r.xrpcError); err != nil {
		return nil, err
	}
	return profileFromView(&r.profileView)
}

// parseProfiles decodes an app.bsky.actor.getProfiles response into
// Accounts, in response order. Accounts labelled !no-unauthenticated are
// left out.
func parseProfiles(body []byte) ([]creator.Account, error) {
	var r profilesResponse
	if err := decode(body, &r); err != nil {
		return nil, err
	}
	views, err := profilesFromResponse(&r)
	if err != nil {
		return nil, err
	}
	var out []creator.Account
	for i := range views {
		if optedOut(views[i].Labels) {
			continue
		}
		out = append(out, accountFromView(&views[i], true))
	}
	return out, nil
}

func profilesFromResponse(r *profilesResponse) ([]profileView, error) {
	if err := checkXRPC(r.xrpcError); err != nil {
		return nil, err
	}
	if r.Profiles == nil {
		return nil, fmt.Errorf("decoding profiles: %w: %w: profiles", creator.ErrMalformed, errMissing)
	}
	for i, p := range *r.Profiles {
		if p.DID == "" || p.Handle == "" {
			return nil, fmt.Errorf("decoding profiles[%d]: %w: %w: did or handle", i, creator.ErrMalformed, errMissing)
		}
	}
	return *r.Profiles, nil
}

// parseSearchActors decodes an app.bsky.actor.searchActors (or
// searchActorsTypeahead) response into refs and the next cursor. Accounts
// labelled !no-unauthenticated are left out.
func parseSearchActors(body []byte) (refs []creator.Ref, cursor string, err error) {
	var r searchActorsResponse
	if err := decode(body, &r); err != nil {
		return nil, "", err
	}
	return refsFromSearch(&r)
}

func refsFromSearch(r *searchActorsResponse) ([]creator.Ref, string, error) {
	if err := checkXRPC(r.xrpcError); err != nil {
		return nil, "", err
	}
	if r.Actors == nil {
		return nil, "", fmt.Errorf("decoding actors: %w: %w: actors", creator.ErrMalformed, errMissing)
	}
	refs := []creator.Ref{}
	for i, a := range *r.Actors {
		if a.DID == "" || a.Handle == "" {
			return nil, "", fmt.Errorf("decoding actors[%d]: %w: %w: did or handle", i, creator.ErrMalformed, errMissing)
		}
		if optedOut(a.Labels) {
			continue
		}
		refs = append(refs, creator.Ref{Platform: creator.Bluesky, ID: a.DID, Handle: handleOf(&a)})
	}
	return refs, r.Cursor, nil
}

// parseAuthorFeed decodes an app.bsky.feed.getAuthorFeed response into the
// original posts of the actor with DID did (reposts, which carry a reason,
// other authors' posts and replies to other accounts are skipped), newest
// first as served, and the next cursor. An empty did keeps every author's
// non-repost posts.
func parseAuthorFeed(body []byte, did string) (posts []creator.Post, cursor string, err error) {
	var r authorFeedResponse
	if err := decode(body, &r); err != nil {
		return nil, "", err
	}
	return postsFromFeed(&r, did)
}

func postsFromFeed(r *authorFeedResponse, did string) ([]creator.Post, string, error) {
	if err := checkXRPC(r.xrpcError); err != nil {
		return nil, "", err
	}
	if r.Feed == nil {
		return nil, "", fmt.Errorf("decoding feed: %w: %w: feed", creator.ErrMalformed, errMissing)
	}
	posts := []creator.Post{}
	for i, it := range *r.Feed {
		if it.Post == nil {
			return nil, "", fmt.Errorf("decoding feed[%d]: %w: %w: post", i, creator.ErrMalformed, errMissing)
		}
		if len(it.Reason) > 0 && string(it.Reason) != "null" {
			continue // a repost (or pin) of someone else's post
		}
		if did != "" && it.Post.Author != nil && it.Post.Author.DID != did {
			continue
		}
		if did != "" && it.Post.Record != nil && it.Post.Record.Reply != nil &&
			!strings.HasPrefix(it.Post.Record.Reply.Parent.URI, "at://"+did+"/") {
			continue // a reply to another account
		}
		p, err := postFromView(it.Post)
		if errors.Is(err, errNoCounts) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("decoding feed[%d]: %w", i, err)
		}
		posts = append(posts, p)
	}
	return posts, r.Cursor, nil
}

// parseFollowers decodes an app.bsky.graph.getFollowers response into
// Accounts (without counts: getFollowers does not give them) and the next
// cursor. Accounts labelled !no-unauthenticated are left out.
func parseFollowers(body []byte) (accounts []creator.Account, cursor string, err error) {
	var r followersResponse
	if err := decode(body, &r); err != nil {
		return nil, "", err
	}
	views, cursor, err := followersFromResponse(&r)
	if err != nil {
		return nil, "", err
	}
	for i := range views {
		accounts = append(accounts, accountFromView(&views[i], false))
	}
	return accounts, cursor, nil
}

func followersFromResponse(r *followersResponse) ([]profileView, string, error) {
	if err := checkXRPC(r.xrpcError); err != nil {
		return nil, "", err
	}
	if r.Followers == nil {
		return nil, "", fmt.Errorf("decoding followers: %w: %w: followers", creator.ErrMalformed, errMissing)
	}
	var out []profileView
	for i, f := range *r.Followers {
		if f.DID == "" || f.Handle == "" {
			return nil, "", fmt.Errorf("decoding followers[%d]: %w: %w: did or handle", i, creator.ErrMalformed, errMissing)
		}
		if optedOut(f.Labels) {
			continue
		}
		out = append(out, f)
	}
	return out, r.Cursor, nil
}

// parseThread decodes an app.bsky.feed.getPostThread response into the
// direct replies to the thread's post, with their authors. Replies by
// excludeDID (the creator answering), replies that are not found or blocked,
// and replies by accounts labelled !no-unauthenticated are left out.
func parseThread(body []byte, excludeDID string) ([]creator.Comment, error) {
	var r threadResponse
	if err := decode(body, &r); err != nil {
		return nil, err
	}
	return commentsFromThread(&r, excludeDID)
}

func commentsFromThread(r *threadResponse, excludeDID string) ([]creator.Comment, error) {
	if err := checkXRPC(r.xrpcError); err != nil {
		return nil, err
	}
	if r.Thread == nil {
		return nil, fmt.Errorf("decoding thread: %w: %w: thread", creator.ErrMalformed, errMissing)
	}
	if r.Thread.NotFound || r.Thread.Blocked || r.Thread.Post == nil {
		return []creator.Comment{}, nil // deleted or blocked since it was listed
	}
	parent := r.Thread.Post.URI
	out := []creator.Comment{}
	for i, n := range r.Thread.Replies {
		if n == nil || n.NotFound || n.Blocked || n.Post == nil {
			continue
		}
		pv := n.Post
		if pv.Author == nil || pv.Author.DID == "" || pv.URI == "" || pv.Record == nil {
			return nil, fmt.Errorf("decoding thread reply %d: %w: %w: uri, author or record", i, creator.ErrMalformed, errMissing)
		}
		if pv.Author.DID == excludeDID || optedOut(pv.Author.Labels) {
			continue
		}
		c := creator.Comment{
			ID:     pv.URI,
			PostID: parent,
			Author: accountFromView(pv.Author, false),
			Text:   pv.Record.Text,
			Likes:  deref(pv.LikeCount),
		}
		if t, ok := crawler.ParseTime(pv.Record.CreatedAt); ok {
			c.CreatedAt = t
		}
		out = append(out, c)
	}
	return out, nil
}

// optedOut reports whether labels include an active !no-unauthenticated
// label.
func optedOut(labels []label) bool {
	opted := false
	for _, l := range labels {
		if l.Val == LabelNoUnauthenticated {
			opted = !l.Neg
		}
	}
	return opted
}

// OptedOut reports whether p carries the !no-unauthenticated label.
func OptedOut(p *creator.Profile) bool {
	for _, l := range p.Labels {
		if l == LabelNoUnauthenticated {
			return true
		}
	}
	return false
}

func profileFromView(v *profileView) (*creator.Profile, error) {
	if v.DID == "" || v.Handle == "" {
		return nil, fmt.Errorf("decoding profile: %w: %w: did or handle", creator.ErrMalformed, errMissing)
	}
	handle := handleOf(v)
	p := &creator.Profile{
		Ref:       creator.Ref{Platform: creator.Bluesky, ID: v.DID, Handle: handle},
		AvatarURL: v.Avatar,
		URL:       ProfileURL(v.DID, handle),
	}
	if v.DisplayName != nil {
		p.DisplayName = *v.DisplayName
	}
	if v.Website != "" {
		p.Links = append(p.Links, v.Website)
	}
	if v.Description != nil {
		p.Bio = *v.Description
		for _, l := range linksIn(p.Bio) {
			if !sameLink(l, v.Website) {
				p.Links = append(p.Links, l)
			}
		}
	}
	p.Linked = domainHandleLink(handle, v.Website, p.Links)
	for _, c := range []struct {
		name string
		src  *int64
		dst  *int64
	}{
		{creator.CountFollowers, v.FollowersCount, &p.Followers},
		{creator.CountFollowing, v.FollowsCount, &p.Following},
		{creator.CountPosts, v.PostsCount, &p.PostsCount},
	} {
		if c.src == nil {
			p.UnknownCounts = append(p.UnknownCounts, c.name)
			continue
		}
		*c.dst = *c.src
	}
	if t, ok := crawler.ParseTime(v.CreatedAt); ok {
		p.CreatedAt = t
	}
	p.Verified = v.Verification != nil && v.Verification.VerifiedStatus == "valid"
	seen := map[string]bool{}
	for _, l := range v.Labels {
		if l.Neg || seen[l.Val] || l.Val == "" {
			continue
		}
		seen[l.Val] = true
		p.Labels = append(p.Labels, l.Val)
		if l.Val == "bot" {
			p.Bot = true
		}
	}
	return p, nil
}

// handleOf returns v's handle, or "" for InvalidHandle.
func handleOf(v *profileView) string {
	if strings.EqualFold(v.Handle, InvalidHandle) {
		return ""
	}
	return v.Handle
}

// ProfileURL is the bsky.app address of an account: by handle, or by DID
// when the handle is empty (invalid).
func ProfileURL(did, handle string) string {
	if handle == "" || strings.EqualFold(handle, InvalidHandle) {
		return "https://bsky.app/profile/" + did
	}
	return "https://bsky.app/profile/" + handle
}

// sameLink reports whether a link written in a bio is the profile's
// website, written with or without its scheme and trailing slash.
func sameLink(a, b string) bool {
	norm := func(s string) string {
		s = strings.ToLower(s)
		s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
		return strings.TrimRight(s, "/")
	}
	return b != "" && norm(a) == norm(b)
}

// accountFromView builds an Account. detailed says v came from getProfile(s),
// whose views always carry the counts and omit an empty description; from a
// basic view an absent description or count stays unknown.
func accountFromView(v *profileView, detailed bool) creator.Account {
	a := creator.Account{
		ID:        v.DID,
		Handle:    handleOf(v),
		HasAvatar: creator.Ptr(v.Avatar != ""),
	}
	if v.DisplayName != nil {
		a.DisplayName = creator.Ptr(*v.DisplayName)
	} else {
		a.DisplayName = creator.Ptr("")
	}
	switch {
	case v.Description != nil:
		a.Bio = creator.Ptr(*v.Description)
	case detailed:
		a.Bio = creator.Ptr("")
	}
	switch {
	case v.Website != "":
		a.HasURL = creator.Ptr(true)
	case a.Bio != nil:
		a.HasURL = creator.Ptr(len(linksIn(*a.Bio)) > 0)
	}
	if v.FollowersCount != nil {
		a.Followers = creator.Ptr(*v.FollowersCount)
	}
	if v.FollowsCount != nil {
		a.Following = creator.Ptr(*v.FollowsCount)
	}
	if v.PostsCount != nil {
		a.Posts = creator.Ptr(*v.PostsCount)
	}
	if t, ok := crawler.ParseTime(v.CreatedAt); ok {
		a.CreatedAt = &t
	}
	if v.Verification != nil {
		a.Verified = creator.Ptr(v.Verification.VerifiedStatus == "valid")
	}
	return a
}

// errNoCounts reports a post view without any of its counts: its
// engagement is unknown, not zero, so it is left out of the sample.
var errNoCounts = errors.New("post without counts")

func postFromView(v *postView) (creator.Post, error) {
	if v.URI == "" || v.Record == nil {
		return creator.Post{}, fmt.Errorf("decoding post: %w: %w: uri or record", creator.ErrMalformed, errMissing)
	}
	if v.LikeCount == nil && v.ReplyCount == nil && v.RepostCount == nil && v.QuoteCount == nil {
		return creator.Post{}, errNoCounts
	}
	p := creator.Post{
		ID:       v.URI,
		URL:      postURL(v),
		Text:     v.Record.Text,
		Langs:    v.Record.Langs,
		Hashtags: hashtags(v.Record),
		Likes:    deref(v.LikeCount),
		Replies:  deref(v.ReplyCount),
		Reposts:  deref(v.RepostCount),
		Quotes:   deref(v.QuoteCount),
		Views:    -1,
	}
	t, ok := crawler.ParseTime(v.Record.CreatedAt)
	if !ok {
		t, _ = crawler.ParseTime(v.IndexedAt)
	}
	p.CreatedAt = t
	return p, nil
}

func deref(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

// postURL is the bsky.app address of a post: at://<did>/app.bsky.feed.post/<rkey>
// becomes https://bsky.app/profile/<handle or did>/post/<rkey>.
func postURL(v *postView) string {
	rest, ok := strings.CutPrefix(v.URI, "at://")
	if !ok {
		return ""
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[1] != "app.bsky.feed.post" {
		return ""
	}
	who := parts[0]
	if v.Author != nil && handleOf(v.Author) != "" {
		who = v.Author.Handle
	}
	return "https://bsky.app/profile/" + who + "/post/" + parts[2]
}

// textTags calls add with each #word written in text: a '#' that does not
// follow a letter, digit, '_' or '&' (so "a#b" and "&#38;" are not tags),
// then the whole run of letters, digits and '_' after it, if the run holds
// a letter ("#2024" is not a tag). This is the regexp
// (?:^|[^\p{L}\p{N}_&])#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*) written out,
// about 40 times faster on a post with three tags (BenchmarkTextTags;
// TestTextTagsMatchRegexp checks they agree).
func textTags(text string, add func(string)) {
	for i := 0; i < len(text); {
		j := strings.IndexByte(text[i:], '#')
		if j < 0 {
			return
		}
		at := i + j
		i = at + 1
		if at > 0 {
			if p, _ := utf8.DecodeLastRuneInString(text[:at]); tagRune(p) || p == '&' {
				continue
			}
		}
		end, letter := i, false
		for end < len(text) {
			c, n := utf8.DecodeRuneInString(text[end:])
			if !tagRune(c) {
				break
			}
			letter = letter || unicode.IsLetter(c)
			end += n
		}
		if letter {
			add(text[i:end])
		}
		i = end
	}
}

// tagRune reports whether c may be part of a hashtag.
func tagRune(c rune) bool {
	if c < utf8.RuneSelf {
		return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	}
	return c != utf8.RuneError && (unicode.IsLetter(c) || unicode.IsNumber(c))
}

var (
	// linkRE finds links in bios: with a scheme; a bare domain followed by
	// a path; or a bare domain under a common top-level domain.
	linkRE = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"')\]]+` +
		`|\b(?:[a-z0-9-]+\.)+[a-z]{2,24}/[^\s<>"')\]]*` +
		`|\b(?:[a-z0-9-]+\.)+(?:com|net|org|io|dev|app|co|me|tv|gg|ly|fm|ee|to|xyz|art|bio|info|shop|store|link|page|blog|social|studio|de|fr|es|it|nl|uk|eu|ca|au|jp|br)\b`)
)

// hashtags returns the post's hashtags, lower-cased and de-duplicated, in
// order of first appearance: tag facets first, then #words in the text, then
// the record's outline tags.
func hashtags(r *postRecord) []string {
	var out []string
	seen := map[string]bool{}
	add := func(t string) {
		t = strings.ToLower(strings.TrimPrefix(t, "#"))
		if t == "" || seen[t] {
			return
		}
		seen[t] = true
		out = append(out, t)
	}
	for _, f := range r.Facets {
		for _, ft := range f.Features {
			if ft.Type == "app.bsky.richtext.facet#tag" {
				add(ft.Tag)
			}
		}
	}
	textTags(r.Text, add)
	for _, t := range r.Tags {
		add(t)
	}
	return out
}

// linksIn returns the web links written in a bio, de-duplicated.
func linksIn(s string) []string {
	if !strings.Contains(s, "://") && !dotLetter(s) {
		return nil // every form linkRE finds has one of these: skip the regexp
	}
	var out []string
	seen := map[string]bool{}
	for _, loc := range linkRE.FindAllStringIndex(s, -1) {
		if loc[0] > 0 && (s[loc[0]-1] == '@' || s[loc[0]-1] == '.') {
			continue // a mention (@handle.bsky.social) or an email address
		}
		m := strings.TrimRight(s[loc[0]:loc[1]], ".,;:!?")
		if seen[m] {
			continue
		}
		seen[m] = true
		out = append(out, m)
	}
	return out
}

// dotLetter reports whether s has a '.' followed by an ASCII letter or
// digit, as every domain has and most sentences' full stops do not.
func dotLetter(s string) bool {
	for i := strings.IndexByte(s, '.'); i >= 0 && i+1 < len(s); {
		c := s[i+1] | 0x20
		if 'a' <= c && c <= 'z' || '0' <= s[i+1] && s[i+1] <= '9' {
			return true
		}
		j := strings.IndexByte(s[i+1:], '.')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// domainHandleLink links an account whose handle is a domain to that
// domain's site when the profile names the site (as its website, else a
// link in its bio): AT Protocol handle resolution proves the account
// controls the domain (DNS TXT or /.well-known/atproto-did), and the
// account points at the site. A link on any other host is no evidence.
func domainHandleLink(handle, website string, links []string) []creator.LinkedAccount {
	if handle == "" {
		return nil
	}
	for i, l := range links {
		raw := l
		if !strings.Contains(raw, "://") {
			raw = "https://" + raw
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			continue
		}
		host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
		if host != strings.ToLower(handle) {
			continue
		}
		forward := "profile links to " + l + " in its bio"
		if i == 0 && website != "" && l == website {
			forward = "profile website is " + l
		}
		site := u.Scheme + "://" + u.Host + "/"
		return []creator.LinkedAccount{{
			Platform: creator.Web, ID: site, URL: site,
			Evidence: []creator.LinkEvidence{{
				Kind:    creator.EvidenceDomainHandle,
				Forward: forward,
				Back:    "handle " + handle + " is proved by the domain itself (AT Protocol handle resolution)",
			}},
		}}
	}
	return nil
}
