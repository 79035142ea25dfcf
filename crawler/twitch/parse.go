package twitch

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

// LabelNoAudience marks a profile without an audience sample: Twitch lists
// no followers to an app token.
const LabelNoAudience = creator.LabelNoAudienceSample

var errMissing = errors.New("missing required field")

func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decoding helix response: %w: %v", creator.ErrMalformed, err)
	}
	return nil
}

// parseUsers decodes a /users response into profiles without posts, in
// response order.
func parseUsers(body []byte) ([]*creator.Profile, error) {
	var r usersResponse
	if err := decode(body, &r); err != nil {
		return nil, err
	}
	return profilesFrom(&r)
}

func profilesFrom(r *usersResponse) ([]*creator.Profile, error) {
	if r.Data == nil {
		return nil, fmt.Errorf("decoding users: %w: %w: data", creator.ErrMalformed, errMissing)
	}
	var out []*creator.Profile
	for i, u := range *r.Data {
		if u.ID == "" || u.Login == "" {
			return nil, fmt.Errorf("decoding users[%d]: %w: %w: id or login", i, creator.ErrMalformed, errMissing)
		}
		login := strings.ToLower(u.Login)
		p := &creator.Profile{
			Ref:         creator.Ref{Platform: creator.Twitch, ID: u.ID, Handle: login},
			DisplayName: u.DisplayName,
			Bio:         u.Description,
			AvatarURL:   u.ProfileImageURL,
			URL:         "https://www.twitch.tv/" + login,
			Links:       linksIn(u.Description),
			// Helix gives no following or video totals; the follower
			// total comes from /channels/followers.
			UnknownCounts: []string{creator.CountFollowers, creator.CountFollowing, creator.CountPosts},
			Labels:        []string{LabelNoAudience},
		}
		if u.BroadcasterType != "" {
			p.Labels = append(p.Labels, u.BroadcasterType)
			p.Verified = u.BroadcasterType == "partner"
		}
		if t, ok := crawler.ParseTime(u.CreatedAt); ok {
			p.CreatedAt = t
		}
		out = append(out, p)
	}
	return out, nil
}

// parseVideos decodes a /videos response into posts (views counted, no
// likes or comments on Twitch) and the next cursor. Videos that are not
// public are left out.
func parseVideos(body []byte) ([]creator.Post, string, error) {
	var r videosResponse
	if err := decode(body, &r); err != nil {
		return nil, "", err
	}
	return postsFrom(&r)
}

func postsFrom(r *videosResponse) ([]creator.Post, string, error) {
	if r.Data == nil {
		return nil, "", fmt.Errorf("decoding videos: %w: %w: data", creator.ErrMalformed, errMissing)
	}
	posts := []creator.Post{}
	for i, v := range *r.Data {
		if v.ID == "" {
			return nil, "", fmt.Errorf("decoding videos[%d]: %w: %w: id", i, creator.ErrMalformed, errMissing)
		}
		if v.Viewable != "" && v.Viewable != "public" {
			continue
		}
		p := creator.Post{ID: v.ID, URL: v.URL, Text: strings.TrimSpace(v.Title + "\n\n" + v.Description), Views: -1}
		if v.ViewCount != nil {
			p.Views = *v.ViewCount
		}
		t, ok := crawler.ParseTime(v.PublishedAt)
		if !ok {
			t, _ = crawler.ParseTime(v.CreatedAt)
		}
		p.CreatedAt = t
		if l := strings.ToLower(v.Language); l != "" && l != "other" {
			p.Langs = []string{l}
		}
		posts = append(posts, p)
	}
	return posts, r.Pagination.Cursor, nil
}

// parseSearchChannels decodes a /search/channels response into refs and
// the next cursor.
func parseSearchChannels(body []byte) ([]creator.Ref, string, error) {
	var r channelsResponse
	if err := decode(body, &r); err != nil {
		return nil, "", err
	}
	return refsFrom(&r)
}

func refsFrom(r *channelsResponse) ([]creator.Ref, string, error) {
	if r.Data == nil {
		return nil, "", fmt.Errorf("decoding channels: %w: %w: data", creator.ErrMalformed, errMissing)
	}
	refs := []creator.Ref{}
	for i, c := range *r.Data {
		if c.ID == "" || c.BroadcasterLogin == "" {
			return nil, "", fmt.Errorf("decoding channels[%d]: %w: %w: id or broadcaster_login", i, creator.ErrMalformed, errMissing)
		}
		refs = append(refs, creator.Ref{Platform: creator.Twitch, ID: c.ID, Handle: strings.ToLower(c.BroadcasterLogin)})
	}
	return refs, r.Pagination.Cursor, nil
}

// parseFollowersTotal decodes a /channels/followers response's total.
func parseFollowersTotal(body []byte) (int64, error) {
	var r followersResponse
	if err := decode(body, &r); err != nil {
		return 0, err
	}
	if r.Total == nil {
		return 0, fmt.Errorf("decoding followers: %w: %w: total", creator.ErrMalformed, errMissing)
	}
	return *r.Total, nil
}

// parseToken decodes a client credentials grant answer into the token and
// when it expires.
func parseToken(body []byte, now time.Time) (string, time.Time, error) {
	var r tokenResponse
	if err := decode(body, &r); err != nil {
		return "", time.Time{}, err
	}
	if r.AccessToken == "" || r.ExpiresIn <= 0 {
		return "", time.Time{}, fmt.Errorf("decoding token: %w: %w: access_token or expires_in", creator.ErrMalformed, errMissing)
	}
	return r.AccessToken, now.Add(time.Duration(r.ExpiresIn) * time.Second), nil
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"']+`)

// linksIn returns the http(s) links written in s, de-duplicated.
func linksIn(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range linkRE.FindAllString(s, -1) {
		l = strings.TrimRight(l, ".,;:!?)")
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}
