package instagram

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
)

// recorded reads a recorded Graph API response from ../shared/fixtures,
// skipping the test when the folder is absent.
func recorded(t *testing.T, name string) []byte {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "fixtures", "api", "instagram", name)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("recorded responses not found at %s (they live beside the repository, in shared/fixtures)", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// knownMediaKeys and knownUserKeys are the fields of the recorded answers
// the parser reads (or knowingly leaves: media_url is a short-lived CDN
// link). A recorded field outside them fails TestRecordedWithoutLoss.
var (
	knownMediaKeys = map[string]bool{"id": true, "caption": true, "comments_count": true, "like_count": true,
		"media_type": true, "media_product_type": true, "media_url": true, "permalink": true, "timestamp": true}
	knownUserKeys = map[string]bool{"id": true, "username": true, "name": true, "biography": true, "website": true,
		"profile_picture_url": true, "followers_count": true, "follows_count": true, "media_count": true, "media": true}
)

func TestRecordedUserFields(t *testing.T) {
	body := recorded(t, "apidata_discovery_user_fields.json")
	p, _, err := parseDiscovery(body)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		BD map[string]any `json:"business_discovery"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	for k := range raw.BD {
		if !knownUserKeys[k] {
			t.Errorf("recorded user field %q is not read", k)
		}
	}
	username := raw.BD["username"].(string)
	want := &creator.Profile{
		Ref:         creator.Ref{Platform: creator.Instagram, ID: raw.BD["id"].(string), Handle: username},
		DisplayName: raw.BD["name"].(string),
		Bio:         raw.BD["biography"].(string),
		AvatarURL:   raw.BD["profile_picture_url"].(string),
		URL:         "https://www.instagram.com/" + username + "/",
		Followers:   int64(raw.BD["followers_count"].(float64)),
		PostsCount:  int64(raw.BD["media_count"].(float64)),
		// The recording asked for no follows_count.
		UnknownCounts: []string{creator.CountFollowing},
		Labels:        []string{LabelNoAudience},
		Posts:         []creator.Post{},
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("ParseDiscovery (-want +got):\n%s", diff)
	}
}

// TestRecordedWithoutLoss reads both recorded media pages: every media
// object becomes a post carrying all of its counts, caption, permalink and
// time, and the first page's cursor leads to the second.
func TestRecordedWithoutLoss(t *testing.T) {
	for i, name := range []string{"apidata_discovery_medias_p1.json", "apidata_discovery_medias_p2.json"} {
		t.Run(name, func(t *testing.T) {
			body := recorded(t, name)
			posts, cursor, err := parseMediaPage(body)
			if err != nil {
				t.Fatal(err)
			}
			var raw struct {
				BD struct {
					Media struct {
						Data   []map[string]any `json:"data"`
						Paging struct {
							Cursors struct{ After string } `json:"cursors"`
						} `json:"paging"`
					} `json:"media"`
				} `json:"business_discovery"`
			}
			if err := json.Unmarshal(body, &raw); err != nil {
				t.Fatal(err)
			}
			var want []creator.Post
			for _, m := range raw.BD.Media.Data {
				var keys []string
				for k := range m {
					if !knownMediaKeys[k] {
						keys = append(keys, k)
					}
				}
				sort.Strings(keys)
				if len(keys) > 0 {
					t.Errorf("recorded media fields %v are not read", keys)
				}
				ts, err := time.Parse("2006-01-02T15:04:05-0700", m["timestamp"].(string))
				if err != nil {
					t.Fatal(err)
				}
				caption, _ := m["caption"].(string)
				want = append(want, creator.Post{
					ID: m["id"].(string), URL: m["permalink"].(string), Text: caption, Hashtags: hashtags(caption),
					CreatedAt: ts.UTC(), Likes: int64(m["like_count"].(float64)), Replies: int64(m["comments_count"].(float64)), Views: -1,
				})
			}
			if len(want) == 0 {
				t.Fatal("recording has no media")
			}
			if diff := cmp.Diff(want, posts); diff != "" {
				t.Errorf("posts (-want +got):\n%s", diff)
			}
			if i == 0 && (cursor == "" || cursor != raw.BD.Media.Paging.Cursors.After) {
				t.Errorf("next cursor %q, want the recorded %q", cursor, raw.BD.Media.Paging.Cursors.After)
			}
		})
	}
}

func TestParseDiscoveryErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr error
		wantRA  bool
	}{
		{"unknown or personal account", `{"error":{"message":"Invalid user id","type":"OAuthException","code":110,"error_subcode":2207013,"fbtrace_id":"A"}}`, creator.ErrNotFound, false},
		{"expired token", `{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"B"}}`, creator.ErrForbidden, false},
		{"app throttled", `{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","code":4,"fbtrace_id":"C"}}`, creator.ErrRateLimited, true},
		{"instagram use case throttled", `{"error":{"message":"(#80002) There have been too many calls to this Instagram account.","type":"OAuthException","code":80002,"fbtrace_id":"D"}}`, creator.ErrRateLimited, true},
		{"no business_discovery", `{"id":"1"}`, creator.ErrMalformed, false},
		{"truncated", `{"business_discovery":{"id":"1",`, creator.ErrMalformed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parseDiscovery([]byte(tt.body))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			var ra *creator.RetryAfter
			if errors.As(err, &ra) != tt.wantRA {
				t.Errorf("error %v: *creator.RetryAfter %v, want %v", err, !tt.wantRA, tt.wantRA)
			}
			if strings.Contains(err.Error(), "*") {
				t.Errorf("error %q shows a Go type", err)
			}
		})
	}
}
