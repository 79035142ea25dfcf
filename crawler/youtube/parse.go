package youtube

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
)

// LabelHiddenSubscriberCount marks a channel that hides its subscriber
// count; its Followers is 0 then, which means unknown.
const LabelHiddenSubscriberCount = "hidden_subscriber_count"

func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decoding youtube response: %w: %v", creator.ErrMalformed, err)
	}
	return nil
}

// parseChannels decodes a channels.list response into the Profile of its
// first channel (without posts) and the id of the channel's uploads
// playlist ("" when the response has no contentDetails). No channel gives
// an error wrapping creator.ErrNotFound.
func parseChannels(body []byte) (p *creator.Profile, uploads string, err error) {
	var r channelListResponse
	if err := decode(body, &r); err != nil {
		return nil, "", err
	}
	return profileFromChannels(&r)
}

// parsePlaylistItems decodes a playlistItems.list response into its video
// ids, in playlist order, and the next page token.
func parsePlaylistItems(body []byte) (videoIDs []string, next string, err error) {
	var r playlistItemListResponse
	if err := decode(body, &r); err != nil {
		return nil, "", err
	}
	return videoIDsFrom(&r), r.NextPageToken, nil
}

// parseVideos decodes a videos.list response into posts, in response
// order, with their view, like and comment counts.
func parseVideos(body []byte) ([]creator.Post, error) {
	var r videoListResponse
	if err := decode(body, &r); err != nil {
		return nil, err
	}
	return postsFromVideos(&r), nil
}

// parseCommentThreads decodes a commentThreads.list response into the
// top-level comments, leaving out those written by the channel
// excludeChannelID (the creator answering), and the next page token.
func parseCommentThreads(body []byte, excludeChannelID string) (comments []creator.Comment, next string, err error) {
	var r commentThreadListResponse
	if err := decode(body, &r); err != nil {
		return nil, "", err
	}
	return commentsFromThreads(&r, excludeChannelID), r.NextPageToken, nil
}

// ParseSearch decodes a search.list response into channel refs (results of
// other kinds are skipped) and the next page token.
func ParseSearch(body []byte) (refs []creator.Ref, next string, err error) {
	var r searchListResponse
	if err := decode(body, &r); err != nil {
		return nil, "", err
	}
	return refsFromSearch(&r), r.NextPageToken, nil
}

// Commenters returns the distinct authors of comments, in order of first
// appearance: the audience sample of a YouTube channel.
func Commenters(comments []creator.Comment) []creator.Account {
	out := []creator.Account{}
	seen := map[string]bool{}
	for _, c := range comments {
		if c.Author.ID == "" || seen[c.Author.ID] {
			continue
		}
		seen[c.Author.ID] = true
		out = append(out, c.Author)
	}
	return out
}

func profileFromChannels(r *channelListResponse) (*creator.Profile, string, error) {
	if len(r.Items) == 0 {
		return nil, "", fmt.Errorf("%w: no such channel", creator.ErrNotFound)
	}
	c := &r.Items[0]
	if c.ID == "" || c.Snippet == nil {
		return nil, "", fmt.Errorf("%w: channel without id or snippet", creator.ErrMalformed)
	}
	p := &creator.Profile{
		Ref:         creator.Ref{Platform: creator.YouTube, ID: c.ID, Handle: handleOf(c.Snippet.CustomURL)},
		DisplayName: c.Snippet.Title,
		Bio:         c.Snippet.Description,
		AvatarURL:   bestThumbnail(c.Snippet.Thumbnails),
		URL:         "https://www.youtube.com/channel/" + url.PathEscape(c.ID),
		Links:       linksIn(c.Snippet.Description),
		Country:     strings.ToUpper(c.Snippet.Country),
	}
	if p.Ref.Handle != "" {
		p.URL = "https://www.youtube.com/" + p.Ref.Handle
	}
	if t, ok := crawler.ParseTime(c.Snippet.PublishedAt); ok {
		p.CreatedAt = t
	}
	if st := c.Statistics; st != nil {
		if st.HiddenSubscriberCount {
			p.Labels = append(p.Labels, LabelHiddenSubscriberCount)
		} else if n, ok := parseCount(st.SubscriberCount); ok {
			p.Followers = n
		}
		if n, ok := parseCount(st.VideoCount); ok {
			p.PostsCount = n
		}
	}
	uploads := ""
	if c.ContentDetails != nil {
		uploads = c.ContentDetails.RelatedPlaylists.Uploads
	}
	return p, uploads, nil
}

// handleOf returns the channel's handle from its customUrl when it is one
// ("@name"), lower-cased; legacy custom URLs are not handles.
func handleOf(customURL string) string {
	if !strings.HasPrefix(customURL, "@") || len(customURL) < 2 {
		return ""
	}
	return strings.ToLower(customURL)
}

func bestThumbnail(t thumbnails) string {
	for _, th := range []*thumbnail{t.High, t.Medium, t.Default} {
		if th != nil && th.URL != "" {
			return th.URL
		}
	}
	return ""
}

func videoIDsFrom(r *playlistItemListResponse) []string {
	out := []string{}
	for _, it := range r.Items {
		switch {
		case it.ContentDetails != nil && it.ContentDetails.VideoID != "":
			out = append(out, it.ContentDetails.VideoID)
		case it.Snippet != nil && it.Snippet.ResourceID.VideoID != "" &&
			(it.Snippet.ResourceID.Kind == "" || it.Snippet.ResourceID.Kind == "youtube#video"):
			out = append(out, it.Snippet.ResourceID.VideoID)
		}
	}
	return out
}

func postsFromVideos(r *videoListResponse) []creator.Post {
	out := []creator.Post{}
	for i := range r.Items {
		v := &r.Items[i]
		if v.ID == "" || v.Snippet == nil {
			continue
		}
		p := creator.Post{
			ID:    v.ID,
			URL:   "https://www.youtube.com/watch?v=" + url.QueryEscape(v.ID),
			Text:  strings.TrimSpace(v.Snippet.Title + "\n\n" + v.Snippet.Description),
			Views: -1,
		}
		if t, ok := crawler.ParseTime(v.Snippet.PublishedAt); ok {
			p.CreatedAt = t
		}
		lang := v.Snippet.DefaultLanguage
		if lang == "" {
			lang = v.Snippet.DefaultAudioLanguage
		}
		if lang != "" {
			p.Langs = []string{lang}
		}
		p.Hashtags = hashtagsIn(v.Snippet.Title + "\n" + v.Snippet.Description)
		if st := v.Statistics; st != nil {
			if n, ok := parseCount(st.ViewCount); ok {
				p.Views = n
			}
			p.Likes, _ = parseCount(st.LikeCount)
			p.Replies, _ = parseCount(st.CommentCount)
		}
		out = append(out, p)
	}
	return out
}

func commentsFromThreads(r *commentThreadListResponse, excludeChannelID string) []creator.Comment {
	out := []creator.Comment{}
	for _, th := range r.Items {
		if th.Snippet == nil || th.Snippet.TopLevelComment == nil || th.Snippet.TopLevelComment.Snippet == nil {
			continue
		}
		c := th.Snippet.TopLevelComment
		s := c.Snippet
		if s.AuthorChannelID == nil || s.AuthorChannelID.Value == "" || s.AuthorChannelID.Value == excludeChannelID {
			continue
		}
		id := c.ID
		if id == "" {
			id = th.ID
		}
		videoID := s.VideoID
		if videoID == "" {
			videoID = th.Snippet.VideoID
		}
		cm := creator.Comment{
			ID:     id,
			PostID: videoID,
			Author: creator.Account{
				ID:          s.AuthorChannelID.Value,
				Handle:      handleFromChannelURL(s.AuthorChannelURL),
				DisplayName: creator.Ptr(s.AuthorDisplayName),
			},
			Text:  plainText(s.TextDisplay),
			Likes: s.LikeCount,
		}
		if t, ok := crawler.ParseTime(s.PublishedAt); ok {
			cm.CreatedAt = t
		}
		out = append(out, cm)
	}
	return out
}

// handleFromChannelURL returns "@name" from "http://www.youtube.com/@name",
// lower-cased, or "" for a /channel/<id> URL.
func handleFromChannelURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	seg := strings.Trim(u.Path, "/")
	if !strings.HasPrefix(seg, "@") || strings.Contains(seg, "/") || len(seg) < 2 {
		return ""
	}
	return strings.ToLower(seg)
}

func refsFromSearch(r *searchListResponse) []creator.Ref {
	out := []creator.Ref{}
	for _, it := range r.Items {
		id := it.ID.ChannelID
		if id == "" && it.Snippet != nil && it.ID.Kind == "youtube#channel" {
			id = it.Snippet.ChannelID
		}
		if id == "" || (it.ID.Kind != "" && it.ID.Kind != "youtube#channel") {
			continue
		}
		out = append(out, creator.Ref{Platform: creator.YouTube, ID: id})
	}
	return out
}

// parseCount parses a Data API count (a decimal string).
func parseCount(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// parseTime parses the Data API's datetimes (RFC 3339, with or without a

// plainText strips the HTML the API may put in a comment's textDisplay
// (links, <br>), decoding entities.
func plainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			if name, _ := z.TagName(); string(name) == "br" {
				b.WriteByte('\n')
			}
		}
	}
}

var (
	linkRE    = regexp.MustCompile(`https?://[^\s<>"')\]]+`)
	hashtagRE = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_&/])#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)`)
)

// linksIn returns the web links written in s, de-duplicated.
func linksIn(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range linkRE.FindAllString(s, -1) {
		m = strings.TrimRight(m, ".,;:!?")
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}

// hashtagsIn returns the #hashtags written in s, lower-cased and
// de-duplicated.
func hashtagsIn(s string) []string {
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
