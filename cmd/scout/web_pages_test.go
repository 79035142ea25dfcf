package main

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// webPagesTests are TestBrowser's subtests of the creator, watchlist,
// compare and discover pages, and of the small screen.
func webPagesTests(t *testing.T, w *webWorld, b *webHelpers) {
	t.Run("CreatorPage", func(t *testing.T) {
		ctx := b.tab(t, 1440, 1000)
		key := w.watched[0]
		var rec struct {
			Profile struct {
				URL   string `json:"url"`
				Posts []any  `json:"posts"`
			} `json:"profile"`
			Scores struct {
				Details []any `json:"details"`
			} `json:"scores"`
		}
		getJSON(t, w.base, "/v1/creators/"+url.PathEscape(key), &rec)
		var hist struct {
			Snapshots []any `json:"snapshots"`
		}
		getJSON(t, w.base, "/v1/creators/"+url.PathEscape(key)+"/history", &hist)
		if len(hist.Snapshots) < 2 {
			t.Fatalf("the watched creator has %d snapshots; the world should give several", len(hist.Snapshots))
		}
		b.run(t, ctx, chromedp.Navigate(w.base+"/creator/"+url.PathEscape(key)), chromedp.WaitVisible("#chart-followers", chromedp.ByQuery))
		var got struct {
			Points, Posts, PostLinks, Subs int
			ProfileLink, AsOf, Line        string
			Suspicious                     []string
		}
		b.eval(t, ctx, `({
			Points: document.querySelectorAll("#chart-followers circle.pt").length,
			Line: document.querySelector("#chart-followers path.line") ? document.querySelector("#chart-followers path.line").getAttribute("d") : "",
			Posts: document.querySelectorAll("#posts .post").length,
			PostLinks: document.querySelectorAll("#posts .post a[href^='https://bsky.app/profile/']").length,
			Subs: document.querySelectorAll("#subscores details.sub").length,
			ProfileLink: document.querySelector("#profile-link").href,
			AsOf: document.querySelector("#as-of").textContent,
			Suspicious: [...document.querySelectorAll("#suspicious li")].map(li => li.textContent),
		})`, &got)
		if got.Points != len(hist.Snapshots) || !strings.HasPrefix(got.Line, "M") {
			t.Errorf("followers chart has %d points (line %q), want one per snapshot: %d", got.Points, got.Line, len(hist.Snapshots))
		}
		if got.Posts == 0 || got.PostLinks != got.Posts {
			t.Errorf("%d posts shown, %d with a link to the post", got.Posts, got.PostLinks)
		}
		if got.Subs != len(rec.Scores.Details) {
			t.Errorf("%d sub-scores shown, the record has %d", got.Subs, len(rec.Scores.Details))
		}
		if got.ProfileLink != rec.Profile.URL || !strings.Contains(got.AsOf, "as of 20") {
			t.Errorf("profile link %q (want %q), as of %q", got.ProfileLink, rec.Profile.URL, got.AsOf)
		}
		for _, s := range got.Suspicious {
			if !strings.Contains(s, "@") || !strings.Contains(s, "strongest sign") {
				t.Errorf("suspicious account shown as %q: want its handle and strongest signal", s)
			}
		}
		b.shot(t, ctx, "creator-1440")
	})
	_ = fmt.Sprint
}
