package instagram

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
)

// LabelNoAudience marks a profile whose platform lists no followers and
// gives no commenters: its authenticity rests on engagement and growth
// only.
const LabelNoAudience = creator.LabelNoAudienceSample

// errMissing reports a required field absent from a response.
var errMissing = errors.New("missing required field")

// Graph API error codes the source tells apart.
var (
	throttleCodes = map[int]bool{4: true, 17: true, 32: true, 613: true, 80002: true}
	tokenCodes    = map[int]bool{102: true, 190: true}
)

// codeError turns a Graph API error into an error wrapping the right
// sentinel: throttling is creator.ErrRateLimited (a *creator.RetryAfter
// until now+wait), a refused token or missing permission
// creator.ErrForbidden (the operator must renew SCOUT_INSTAGRAM_TOKEN), an
// account that business_discovery cannot find (unknown, personal or
// private: code 110, subcode 2207013, or code 100 "does not exist")
// creator.ErrNotFound, anything else creator.ErrMalformed.
func codeError(e *graphError, now time.Time, wait time.Duration) error {
	msg := fmt.Sprintf("graph api error %d", e.Code)
	if e.ErrorSubcode != 0 {
		msg += fmt.Sprintf("/%d", e.ErrorSubcode)
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	lower := strings.ToLower(e.Message)
	switch {
	case throttleCodes[e.Code]:
		return fmt.Errorf("%s: %w", msg, &creator.RetryAfter{Until: now.Add(wait)})
	case tokenCodes[e.Code] || e.Code == 10 || (e.Code >= 200 && e.Code <= 299):
		return fmt.Errorf("%w: %s: the operator's token or its permissions were refused; renew SCOUT_INSTAGRAM_TOKEN", creator.ErrForbidden, msg)
	case e.Code == 110 || e.ErrorSubcode == 2207013 || (e.Code == 100 && (strings.Contains(lower, "does not exist") || strings.Contains(lower, "cannot be found"))):
		return fmt.Errorf("%w: %s (business_discovery finds only Business and Creator accounts)", creator.ErrNotFound, msg)
	}
	return fmt.Errorf("%w: %s", creator.ErrMalformed, msg)
}

// throttleWait is how long a throttling error without usage headers keeps
// the source away: Meta's windows are a rolling hour.
const throttleWait = 10 * time.Minute

// parseDiscovery decodes a business_discovery response (GET
// /<own-ig-user-id>?fields=business_discovery.username(<u>){...}) into a
// Profile with the media on this page as posts, and the cursor of the next
// media page ("" at the end). A Graph API error body gives the error
// codeError says.
func parseDiscovery(body []byte) (*creator.Profile, string, error) {
	var r discoveryResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, "", fmt.Errorf("decoding instagram response: %w: %v", creator.ErrMalformed, err)
	}
	return fromResponse(&r, time.Now())
}

func fromResponse(r *discoveryResponse, now time.Time) (*creator.Profile, string, error) {
	if r.Error != nil {
		return nil, "", codeError(r.Error, now, throttleWait)
	}
	u := r.BusinessDiscovery
	if u == nil || u.ID == "" {
		return nil, "", fmt.Errorf("decoding business_discovery: %w: %w: business_discovery.id", creator.ErrMalformed, errMissing)
	}
	p := &creator.Profile{
		Ref:         creator.Ref{Platform: creator.Instagram, ID: u.ID, Handle: strings.ToLower(u.Username)},
		DisplayName: u.Name,
		Bio:         u.Biography,
		AvatarURL:   u.ProfilePictureURL,
		Labels:      []string{LabelNoAudience},
	}
	if u.Username != "" {
		p.URL = "https://www.instagram.com/" + strings.ToLower(u.Username) + "/"
	}
	if u.Website != "" {
		p.Links = append(p.Links, u.Website)
	}
	for _, l := range linkRE.FindAllString(u.Biography, -1) {
		l = strings.TrimRight(l, ".,;:!?)")
		if l != u.Website {
			p.Links = append(p.Links, l)
		}
	}
	for _, c := range []struct {
		name string
		src  *int64
		dst  *int64
	}{
		{creator.CountFollowers, u.FollowersCount, &p.Followers},
		{creator.CountFollowing, u.FollowsCount, &p.Following},
		{creator.CountPosts, u.MediaCount, &p.PostsCount},
	} {
		if c.src == nil {
			p.UnknownCounts = append(p.UnknownCounts, c.name)
			continue
		}
		*c.dst = *c.src
	}
	posts, next, err := postsFrom(u.Media)
	if err != nil {
		return nil, "", err
	}
	p.Posts = posts
	return p, next, nil
}

// parseMediaPage decodes a further media page (business_discovery with
// media.after(cursor)) into posts and the next cursor.
func parseMediaPage(body []byte) ([]creator.Post, string, error) {
	var r discoveryResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, "", fmt.Errorf("decoding instagram response: %w: %v", creator.ErrMalformed, err)
	}
	if r.Error != nil {
		return nil, "", codeError(r.Error, time.Now(), throttleWait)
	}
	if r.BusinessDiscovery == nil {
		return nil, "", fmt.Errorf("decoding business_discovery: %w: %w: business_discovery", creator.ErrMalformed, errMissing)
	}
	return postsFrom(r.BusinessDiscovery.Media)
}

func postsFrom(e *mediaEdge) ([]creator.Post, string, error) {
	posts := []creator.Post{}
	if e == nil {
		return posts, "", nil
	}
	for i, m := range e.Data {
		if m.ID == "" {
			return nil, "", fmt.Errorf("decoding media[%d]: %w: %w: id", i, creator.ErrMalformed, errMissing)
		}
		p := creator.Post{
			ID:       m.ID,
			URL:      m.Permalink,
			Text:     m.Caption,
			Hashtags: hashtags(m.Caption),
			Views:    -1,
		}
		if m.LikeCount != nil {
			p.Likes = *m.LikeCount
		}
		if m.CommentsCount != nil {
			p.Replies = *m.CommentsCount
		}
		if t, ok := parseTime(m.Timestamp); ok {
			p.CreatedAt = t
		}
		posts = append(posts, p)
	}
	next := ""
	if e.Paging != nil && len(e.Data) > 0 {
		next = e.Paging.Cursors.After
	}
	return posts, next, nil
}

// parseTime reads the Graph API's "2021-08-17T19:00:42+0000".
func parseTime(s string) (time.Time, bool) {
	if t, err := time.Parse("2006-01-02T15:04:05-0700", s); err == nil {
		return t.UTC(), true
	}
	return crawler.ParseTime(s)
}

var (
	hashtagRE = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_&])#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)`)
	linkRE    = regexp.MustCompile(`https?://[^\s<>"']+`)
)

func hashtags(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range hashtagRE.FindAllStringSubmatch(s, -1) {
		t := strings.ToLower(m[1])
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}
