package mastodon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/html"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
)

// Labels the source puts on a profile.
const (
	// LabelLimited marks an account its instance's moderators limited.
	LabelLimited = "limited"
	// LabelNotIndexable marks an account that said indexable: false: it
	// is crawled when asked for by name, never found by discovery.
	LabelNotIndexable = "not-indexable"
)

// missingAvatar is the file name of Mastodon's default avatar: an account
// whose avatar URL ends with it has not set one.
const missingAvatar = "missing.png"

func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decoding mastodon response: %w: %v", creator.ErrMalformed, err)
	}
	return nil
}

// parseAccount decodes an Account entity (from /api/v1/accounts/lookup or
// /api/v1/accounts/:id of instance) into a Profile without posts. An account
// that opted out (noindex: true, #nobot or #noindex in its bio) gives an
// error wrapping creator.ErrOptedOut; a suspended one creator.ErrNotFound.
func parseAccount(body []byte, instance string) (*creator.Profile, error) {
	var a account
	if err := decode(body, &a); err != nil {
		return nil, err
	}
	return profileFromAccount(&a, instance)
}

// parseStatuses decodes a list of Status entities (an account's statuses)
// into original posts of the account accountID, newest first as listed:
// reblogs and replies to other accounts are left out.
func parseStatuses(body []byte, accountID string) ([]creator.Post, error) {
	var sts []status
	if err := decode(body, &sts); err != nil {
		return nil, err
	}
	return postsFromStatuses(sts, accountID), nil
}

// parseContext decodes a Context entity (/api/v1/statuses/:id/context) into
// the replies to post postID by accounts other than accountID. Replies by
// accounts that opted out are left out. instance is the instance that
// answered, which local accts are completed with.
func parseContext(body []byte, postID, accountID, instance string) ([]creator.Comment, error) {
	var c statusContext
	if err := decode(body, &c); err != nil {
		return nil, err
	}
	return commentsFromContext(&c, postID, accountID, instance), nil
}

// parseAccounts decodes a list of Account entities (followers, favourited
// by, ...) into audience Accounts. Accounts that opted out are left out.
func parseAccounts(body []byte, instance string) ([]creator.Account, error) {
	var as []account
	if err := decode(body, &as); err != nil {
		return nil, err
	}
	return accountsFrom(as, instance), nil
}

// parseDirectory decodes a profile directory response (a list of Account
// entities) into the refs discovery may return: discoverable accounts that
// did not opt out.
func parseDirectory(body []byte, instance string) ([]creator.Ref, error) {
	var as []account
	if err := decode(body, &as); err != nil {
		return nil, err
	}
	return refsFrom(as, instance), nil
}

// ParseSearch decodes a /api/v2/search response into the refs discovery may
// return, as parseDirectory does.
func ParseSearch(body []byte, instance string) ([]creator.Ref, error) {
	var r searchResults
	if err := decode(body, &r); err != nil {
		return nil, err
	}
	return refsFrom(r.Accounts, instance), nil
}

// acctOf returns a's full "user@instance", lower-cased; local accounts
// (acct without a domain) are completed with instance, the instance that
// answered.
func acctOf(a *account, instance string) string {
	acct := a.Acct
	if acct == "" {
		acct = a.Username
	}
	if acct == "" {
		return ""
	}
	if !strings.Contains(acct, "@") {
		acct += "@" + instance
	}
	return strings.ToLower(acct)
}

func profileFromAccount(a *account, instance string) (*creator.Profile, error) {
	acct := acctOf(a, instance)
	if a.ID == "" || acct == "" {
		return nil, fmt.Errorf("%w: account without id or acct", creator.ErrMalformed)
	}
	if why := inactive(a); why != "" {
		return nil, fmt.Errorf("%w: account %s is %s", creator.ErrNotFound, acct, why)
	}
	bio := htmlText(a.Note)
	if why := optOutReason(a, bio); why != "" {
		return nil, fmt.Errorf("%w: account %s: %s", creator.ErrOptedOut, acct, why)
	}
	p := &creator.Profile{
		Ref:         creator.Ref{Platform: creator.Mastodon, ID: acct, Handle: acct},
		DisplayName: a.DisplayName,
		Bio:         bio,
		URL:         a.URL,
		Bot:         a.Bot,
		Private:     a.Locked,
		Links:       accountLinks(a),
	}
	if hasAvatar(a.Avatar) {
		p.AvatarURL = a.Avatar
	}
	if a.FollowersCount != nil {
		p.Followers = *a.FollowersCount
	}
	if a.FollowingCount != nil {
		p.Following = *a.FollowingCount
	}
	if a.StatusesCount != nil {
		p.PostsCount = *a.StatusesCount
	}
	if t, ok := crawler.ParseTime(a.CreatedAt); ok {
		p.CreatedAt = t
	}
	if a.Bot {
		p.Labels = append(p.Labels, "bot")
	}
	if a.Group {
		p.Labels = append(p.Labels, "group")
	}
	if a.Limited {
		p.Labels = append(p.Labels, LabelLimited)
	}
	p.Linked = verifiedLinks(a, acct, instance)
	if a.Indexable != nil && !*a.Indexable {
		p.Labels = append(p.Labels, LabelNotIndexable)
	}
	return p, nil
}

func hasAvatar(u string) bool {
	if u == "" {
		return false
	}
	if pu, err := url.Parse(u); err == nil {
		u = pu.Path
	}
	return !strings.HasSuffix(u, "/"+missingAvatar) && u != missingAvatar
}

// accountLinks returns the web links of a's profile fields and bio,
// de-duplicated, fields first.
func accountLinks(a *account) []string {
	var out []string
	seen := map[string]bool{}
	add := func(ls []string) {
		for _, l := range ls {
			if !seen[l] {
				seen[l] = true
				out = append(out, l)
			}
		}
	}
	for _, f := range a.Fields {
		add(htmlLinks(f.Value))
	}
	add(htmlLinks(a.Note))
	return out
}

func accountFrom(a *account, instance string) (creator.Account, bool) {
	acct := acctOf(a, instance)
	if acct == "" || optedOutAccount(a) || a.Suspended || a.Moved != nil {
		return creator.Account{}, false
	}
	out := creator.Account{
		ID:          acct,
		Handle:      acct,
		DisplayName: creator.Ptr(a.DisplayName),
		Bio:         creator.Ptr(htmlText(a.Note)),
		HasAvatar:   creator.Ptr(hasAvatar(a.Avatar)),
		Private:     creator.Ptr(a.Locked),
		HasURL:      creator.Ptr(len(accountLinks(a)) > 0),
	}
	if a.FollowersCount != nil {
		out.Followers = creator.Ptr(*a.FollowersCount)
	}
	if a.FollowingCount != nil {
		out.Following = creator.Ptr(*a.FollowingCount)
	}
	if a.StatusesCount != nil {
		out.Posts = creator.Ptr(*a.StatusesCount)
	}
	if t, ok := crawler.ParseTime(a.CreatedAt); ok {
		out.CreatedAt = &t
	}
	return out, true
}

func accountsFrom(as []account, instance string) []creator.Account {
	out := make([]creator.Account, 0, len(as))
	for i := range as {
		if acc, ok := accountFrom(&as[i], instance); ok {
			out = append(out, acc)
		}
	}
	return out
}

func refsFrom(as []account, instance string) []creator.Ref {
	out := []creator.Ref{}
	for i := range as {
		acct := acctOf(&as[i], instance)
		if acct == "" || !discoverable(&as[i]) {
			continue
		}
		out = append(out, creator.Ref{Platform: creator.Mastodon, ID: acct, Handle: acct})
	}
	return out
}

// original reports whether st is an original post of accountID: not a
// reblog, and not a reply to another account (a thread continuing the
// account's own post counts).
func original(st *status, accountID string) bool {
	if st.Reblog != nil || st.ID == "" {
		return false
	}
	if st.InReplyToID != nil && *st.InReplyToID != "" {
		return st.InReplyToAccountID != nil && *st.InReplyToAccountID == accountID
	}
	return true
}

func postsFromStatuses(sts []status, accountID string) []creator.Post {
	out := []creator.Post{}
	for i := range sts {
		if original(&sts[i], accountID) {
			out = append(out, postFromStatus(&sts[i]))
		}
	}
	return out
}

func statusText(st *status) string {
	text := htmlText(st.Content)
	if cw := strings.TrimSpace(st.SpoilerText); cw != "" {
		if text == "" {
			return cw
		}
		return cw + "\n\n" + text
	}
	return text
}

func postFromStatus(st *status) creator.Post {
	p := creator.Post{
		ID:      st.ID,
		URL:     st.URI,
		Text:    statusText(st),
		Likes:   st.FavouritesCount,
		Replies: st.RepliesCount,
		Reposts: st.ReblogsCount,
		Quotes:  st.QuotesCount,
		Views:   -1,
	}
	if st.URL != nil && *st.URL != "" {
		p.URL = *st.URL
	}
	if t, ok := crawler.ParseTime(st.CreatedAt); ok {
		p.CreatedAt = t
	}
	if st.Language != nil && *st.Language != "" {
		p.Langs = []string{*st.Language}
	}
	seen := map[string]bool{}
	for _, t := range st.Tags {
		n := strings.ToLower(strings.TrimPrefix(t.Name, "#"))
		if n != "" && !seen[n] {
			seen[n] = true
			p.Hashtags = append(p.Hashtags, n)
		}
	}
	return p
}

func commentsFromContext(c *statusContext, postID, accountID, instance string) []creator.Comment {
	out := []creator.Comment{}
	for i := range c.Descendants {
		st := &c.Descendants[i]
		if st.ID == "" || st.Account == nil || st.Account.ID == accountID || st.Reblog != nil {
			continue
		}
		author, ok := accountFrom(st.Account, instance)
		if !ok {
			continue
		}
		cm := creator.Comment{ID: st.ID, PostID: postID, Author: author, Text: statusText(st), Likes: st.FavouritesCount}
		if t, ok := crawler.ParseTime(st.CreatedAt); ok {
			cm.CreatedAt = t
		}
		out = append(out, cm)
	}
	return out
}

// htmlText turns Mastodon's HTML (a note, a status's content) into plain
// text: paragraphs are separated by a blank line, <br> becomes a line break,
// entities are decoded and every text node is kept (also the "invisible"
// parts of shortened links, so URLs stay whole).
func htmlText(s string) string {
	if s == "" {
		return ""
	}
	if !strings.ContainsAny(s, "<&") {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken: // io.EOF: a string reader cannot fail
			return strings.TrimSpace(b.String())
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "br":
				b.WriteByte('\n')
			case "p":
				if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n\n") {
					b.WriteString(strings.Repeat("\n", 2-trailingNewlines(b.String())))
				}
			}
		}
	}
}

func trailingNewlines(s string) int {
	n := 0
	for n < len(s) && n < 2 && s[len(s)-1-n] == '\n' {
		n++
	}
	return n
}

// htmlLinks returns the web links (<a href>) in Mastodon HTML, leaving out
// mentions and hashtags.
func htmlLinks(s string) []string {
	if !strings.Contains(s, "<a") {
		return nil
	}
	var out []string
	z := html.NewTokenizer(bytes.NewReader([]byte(s)))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if string(name) != "a" || !hasAttr {
			continue
		}
		var href, class, rel string
		for {
			k, v, more := z.TagAttr()
			switch string(k) {
			case "href":
				href = string(v)
			case "class":
				class = string(v)
			case "rel":
				rel = string(v)
			}
			if !more {
				break
			}
		}
		if href == "" || hasWord(class, "mention") || hasWord(class, "hashtag") || hasWord(rel, "tag") {
			continue
		}
		u, err := url.Parse(href)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		out = append(out, href)
	}
}

func hasWord(list, w string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, w) {
			return true
		}
	}
	return false
}

// verifiedLinks returns the pages a's profile fields link to that the
// instance verified link back with rel="me" (a field's verified_at): the
// two-way evidence Mastodon itself checks. A link to a profile URL of a
// known platform names that account; any other is a web page.
func verifiedLinks(a *account, acct, instance string) []creator.LinkedAccount {
	var out []creator.LinkedAccount
	seen := map[string]bool{}
	for _, f := range a.Fields {
		if f.VerifiedAt == nil || *f.VerifiedAt == "" {
			continue
		}
		links := htmlLinks(f.Value)
		if len(links) == 0 || seen[links[0]] {
			continue
		}
		target := links[0]
		seen[target] = true
		l := creator.LinkedAccount{Platform: creator.Web, ID: target, URL: target}
		if r, err := crawler.ParseProfileURL(target); err == nil && !(r.Platform == creator.Mastodon && r.Handle == acct) {
			l.Platform, l.ID, l.Handle = r.Platform, r.ID, r.Handle
			if l.ID == "" && r.Platform == creator.Mastodon {
				l.ID = r.Handle
			}
		}
		ev := creator.LinkEvidence{
			Kind:    creator.EvidenceMastodonVerified,
			Forward: fmt.Sprintf("profile field %q of %s links to %s", htmlText(f.Name), acct, target),
			Back:    fmt.Sprintf("%s links back with rel=\"me\", verified by %s", target, instance),
		}
		if t, ok := crawler.ParseTime(*f.VerifiedAt); ok {
			ev.At = t
		}
		l.Evidence = []creator.LinkEvidence{ev}
		out = append(out, l)
	}
	return out
}
