package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/sim"
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
			ProfileLink, AsOf, Line, Share string
			LessLikely                     string
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
			Share: document.querySelector("#fake-share") ? document.querySelector("#fake-share").textContent : "",
			LessLikely: [...document.querySelectorAll("#niches p.muted")].map(p => p.textContent).join(" "),
		})`, &got)
		// Less likely niches: at most three, none under 0.2.
		if m := regexp.MustCompile(`\d\.\d\d`).FindAllString(got.LessLikely, -1); len(m) > 3 {
			t.Errorf("less likely niches %q: want at most three", got.LessLikely)
		} else {
			for _, v := range m {
				if f, _ := strconv.ParseFloat(v, 64); f < 0.2 || f >= 0.5 {
					t.Errorf("less likely niches %q: %s is not in [0.2, 0.5)", got.LessLikely, v)
				}
			}
		}
		// The demo's crawl counts 24 of 100 followers, and the page says so.
		if !strings.Contains(got.Share, "followers sampled, 24 of them with their counts") {
			t.Errorf("fake share reads %q: want the sample and how many were counted", got.Share)
		}
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

		// The follower buyer's spike (scripted on day 3) is marked on its
		// followers chart, and its alerts are listed.
		buyer := w.watched[slices.Index(demoWatchHandles, sim.HandleBuyer)]
		b.run(t, ctx, chromedp.Navigate(w.base+"/creator/"+url.PathEscape(buyer)), chromedp.WaitVisible("#chart-followers", chromedp.ByQuery))
		var marks []string
		b.eval(t, ctx, `[...document.querySelectorAll("#chart-followers g.marker")].map(g => g.getAttribute("class"))`, &marks)
		if !slices.Contains(marks, "marker marker-suspicious") && !slices.Contains(marks, "marker marker-alert") {
			t.Errorf("the buyer's followers chart marks %v, want its spike or alert", marks)
		}
		b.shot(t, ctx, "creator-buyer-1440")
	})

	t.Run("AddTwoToWatchlist", func(t *testing.T) {
		ctx := b.tab(t, 1440, 1000)
		b.run(t, ctx, chromedp.Navigate(w.base+"/?sort=-followers"), chromedp.WaitVisible("#hits tbody tr", chromedp.ByQuery))
		keys := b.rowKeys(t, ctx)[:2]
		b.run(t, ctx,
			chromedp.Click(`#hits tbody tr:nth-child(1) input.row-sel`, chromedp.ByQuery),
			chromedp.Click(`#hits tbody tr:nth-child(2) input.row-sel`, chromedp.ByQuery),
			chromedp.WaitVisible("#add-to-watchlist", chromedp.ByQuery),
		)
		var count string
		b.eval(t, ctx, `document.querySelector("#selected-count").textContent`, &count)
		var bar string
		b.eval(t, ctx, `document.querySelector("#selection-bar").innerText`, &bar)
		if count != "2 selected" || strings.Contains(bar, "null") {
			t.Errorf("selection bar says %q (%q)", count, bar)
		}
		b.run(t, ctx, chromedp.Click("#add-to-watchlist", chromedp.ByQuery), chromedp.WaitVisible("#wl-name", chromedp.ByQuery))
		b.shot(t, ctx, "add-to-watchlist-dialog")
		b.run(t, ctx, chromedp.SendKeys("#wl-name", "Browser shortlist\r", chromedp.ByQuery))
		b.waitJS(t, ctx, `!document.querySelector("#wl-dialog") && document.querySelector("#flash").textContent.includes("Browser shortlist")`)
		var lists struct {
			Watchlists []struct {
				ID      string `json:"id"`
				Name    string `json:"name"`
				Members []struct {
					Key string `json:"key"`
				} `json:"members"`
			} `json:"watchlists"`
		}
		getJSON(t, w.base, "/v1/watchlists", &lists)
		id := ""
		for _, l := range lists.Watchlists {
			if l.Name != "Browser shortlist" {
				continue
			}
			id = l.ID
			var got []string
			for _, m := range l.Members {
				got = append(got, m.Key)
			}
			if strings.Join(got, ",") != strings.Join(keys, ",") {
				t.Errorf("the new watchlist holds %v, want the two ticked %v", got, keys)
			}
		}
		if id == "" {
			t.Fatalf("no watchlist named Browser shortlist: %+v", lists)
		}
		// Its page lists both; one is removed; the members export parses.
		b.run(t, ctx, chromedp.Navigate(w.base+"/watchlists/"+url.PathEscape(id)), chromedp.WaitVisible("#members tbody tr", chromedp.ByQuery))
		var rows int
		b.eval(t, ctx, `document.querySelectorAll("#members tbody tr").length`, &rows)
		if rows != 2 {
			t.Errorf("the watchlist page lists %d members, want 2", rows)
		}
		b.run(t, ctx, chromedp.Click(fmt.Sprintf(`button[data-remove=%q]`, keys[0]), chromedp.ByQuery))
		b.waitJS(t, ctx, `document.querySelectorAll("#members tbody tr").length === 1`)
		b.run(t, ctx, chromedp.Click("#export-members", chromedp.ByQuery))
		csvRows := waitCSV(t, b.downloads, "watchlist-")
		if len(csvRows) != 2 || !strings.Contains(strings.Join(csvRows[1], ","), keys[1]) {
			t.Errorf("members CSV %v, want a header and %s", csvRows, keys[1])
		}
	})

	t.Run("SaveSearchAsWatchlist", func(t *testing.T) {
		ctx := b.tab(t, 1440, 1000)
		b.run(t, ctx, chromedp.Navigate(w.base+"/?tier=micro&followers_min=2000"), chromedp.WaitVisible("#hits tbody tr", chromedp.ByQuery))
		b.run(t, ctx, chromedp.Click("#save-search", chromedp.ByQuery), chromedp.WaitVisible("#wl-name", chromedp.ByQuery),
			chromedp.SendKeys("#wl-name", "Micro over 2k\r", chromedp.ByQuery))
		b.waitJS(t, ctx, `!document.querySelector("#wl-dialog") && document.querySelector("#flash").textContent.includes("Micro over 2k")`)
		var want struct {
			Hits []struct {
				Key string `json:"key"`
			} `json:"hits"`
		}
		getJSON(t, w.base, "/v1/creators?tier=micro&followers_min=2000&per_page=100", &want)
		var lists struct {
			Watchlists []struct {
				Name        string          `json:"name"`
				SavedSearch json.RawMessage `json:"saved_search"`
				Members     []any           `json:"members"`
			} `json:"watchlists"`
		}
		getJSON(t, w.base, "/v1/watchlists", &lists)
		found := false
		for _, l := range lists.Watchlists {
			if l.Name != "Micro over 2k" {
				continue
			}
			found = true
			ss := string(l.SavedSearch)
			if !strings.Contains(ss, `"tier"`) || !strings.Contains(ss, `"micro"`) || !strings.Contains(ss, `"followers"`) || !strings.Contains(ss, "2000") {
				t.Errorf("saved search %s, want tier micro and followers from 2000", ss)
			}
			if len(l.Members) != len(want.Hits) {
				t.Errorf("%d members, want the search's %d results", len(l.Members), len(want.Hits))
			}
		}
		if !found {
			t.Error("no watchlist saved from the search")
		}
	})

	t.Run("WatchlistAlertsByKind", func(t *testing.T) {
		ctx := b.tab(t, 1440, 1000)
		b.run(t, ctx, chromedp.Navigate(w.base+"/watchlists/"+url.PathEscape(w.watchlist)), chromedp.WaitVisible("#alerts-list", chromedp.ByQuery))
		b.waitJS(t, ctx, `!document.querySelector("#alerts-list").textContent.includes("Loading")`)
		b.shot(t, ctx, "watchlist-1440")
		var kinds []string
		b.eval(t, ctx, `[...document.querySelectorAll("#alerts-list tr[data-kind]")].map(r => r.dataset.kind)`, &kinds)
		if len(kinds) == 0 {
			t.Skip("the short simulated run raised no alerts")
		}
		k := kinds[len(kinds)-1]
		b.eval(t, ctx, fmt.Sprintf(`(s => { s.value = %q; s.dispatchEvent(new Event("change")); return true })(document.querySelector("#alert-kind"))`, k), nil)
		b.waitJS(t, ctx, fmt.Sprintf(`location.search.includes("kind=%s") && [...document.querySelectorAll("#alerts-list tr[data-kind]")].length > 0 && [...document.querySelectorAll("#alerts-list tr[data-kind]")].every(r => r.dataset.kind === %q)`, k, k))
	})

	t.Run("CompareTwo", func(t *testing.T) {
		ctx := b.tab(t, 1440, 1000)
		a, c := w.watched[0], w.watched[1]
		b.run(t, ctx, chromedp.Navigate(w.base+"/compare?keys="+url.QueryEscape(a+","+c)), chromedp.WaitVisible("#compare", chromedp.ByQuery))
		var got struct {
			Cols  []string
			Rows  []string
			Cells int
		}
		b.eval(t, ctx, `({
			Cols: [...document.querySelectorAll("#compare thead th[data-key]")].map(th => th.dataset.key),
			Rows: [...document.querySelectorAll("#compare tbody th")].map(th => th.textContent),
			Cells: document.querySelectorAll("#compare tbody td").length,
		})`, &got)
		if strings.Join(got.Cols, ",") != a+","+c {
			t.Errorf("compared %v, want %s and %s", got.Cols, a, c)
		}
		for _, r := range []string{"Tier", "Authenticity", "Growth score", "Price a post", "Overall"} {
			if !slices.Contains(got.Rows, r) {
				t.Errorf("no row %q in %v", r, got.Rows)
			}
		}
		if got.Cells != 2*len(got.Rows) {
			t.Errorf("%d cells for %d rows of 2 creators", got.Cells, len(got.Rows))
		}
		b.shot(t, ctx, "compare-1440")
	})

	t.Run("DiscoverFromPage", func(t *testing.T) {
		ctx := b.tab(t, 1440, 1000)
		b.run(t, ctx, chromedp.Navigate(w.base+"/discover"), chromedp.WaitVisible("#disc-q", chromedp.ByQuery))
		b.run(t, ctx, chromedp.SetValue("#disc-limit", "4", chromedp.ByQuery), chromedp.SendKeys("#disc-q", "pets\r", chromedp.ByQuery))
		b.waitJS(t, ctx, `location.search.startsWith("?job=") && document.querySelector("#job-card") && document.querySelector("#job-card").dataset.state === "done"`)
		var items int
		b.eval(t, ctx, `document.querySelectorAll("#job-items tbody tr").length`, &items)
		if items == 0 {
			t.Error("a finished discover job lists no creators")
		}
		b.shot(t, ctx, "discover-1440")
		// A reload follows the same job.
		b.run(t, ctx, chromedp.Reload())
		b.waitJS(t, ctx, `document.querySelector("#job-card") && document.querySelector("#job-card").dataset.state === "done"`)
	})

	t.Run("StreamNewest", func(t *testing.T) {
		// The stream found two crawled creators, then one whose crawl is
		// queued: the page lists them newest first, the crawled ones
		// linked to their pages, under the app's own header.
		ctx := context.Background()
		ts := w.a.store.(index.Tracking)
		t0 := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
		queued := creator.Ref{Platform: creator.Bluesky, ID: "did:plc:queuedcrawl000000000000", Handle: "queued.bsky.social"}
		var rows []index.Tracked
		for i, k := range []string{w.watched[0], w.watched[1]} {
			rec, err := w.a.store.Get(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, index.Tracked{Key: k, Ref: rec.Profile.Ref, Reason: "floor", Since: t0.Add(time.Duration(i) * time.Minute), CheckedAt: t0})
		}
		rows = append(rows, index.Tracked{Key: creator.Key(queued), Ref: queued, Reason: "floor", Followers: 1234, Since: t0.Add(2 * time.Minute), CheckedAt: t0})
		if err := ts.PutTracked(ctx, rows); err != nil {
			t.Fatal(err)
		}
		w.a.noteFound(ctx, rows)
		tab := b.tab(t, 1440, 1000)
		b.run(t, tab, chromedp.Navigate(w.base+"/jetstream"), chromedp.WaitVisible("#js-recent-table tbody tr", chromedp.ByQuery))
		var got struct {
			Keys, Links []string
			Nav         string
			Queued      string
		}
		b.eval(t, tab, `({Keys: [...document.querySelectorAll("#js-recent-table tbody tr")].map(r => r.dataset.key),
			Links: [...document.querySelectorAll("#js-recent-table tbody tr a")].map(a => a.getAttribute("href")),
			Nav: document.querySelector("nav [aria-current=page]").textContent,
			Queued: document.querySelector("#js-recent-table tbody tr").textContent})`, &got)
		want := []string{rows[2].Key, rows[1].Key, rows[0].Key}
		if strings.Join(got.Keys, " ") != strings.Join(want, " ") {
			t.Errorf("listed %v, want newest first %v", got.Keys, want)
		}
		if len(got.Links) != 2 || got.Links[0] != "/creator/"+url.PathEscape(rows[1].Key) || got.Links[1] != "/creator/"+url.PathEscape(rows[0].Key) {
			t.Errorf("links %v, want the two crawled creators' pages", got.Links)
		}
		if got.Nav != "Stream" || !strings.Contains(got.Queued, "@queued.bsky.social") || !strings.Contains(got.Queued, "crawl queued") {
			t.Errorf("nav %q, first row %q", got.Nav, got.Queued)
		}
		b.shot(t, tab, "jetstream-1440")
		// The list names creators: behind a key, it needs one.
		resp, err := http.Get(w.keyBase + "/jetstream/recent")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("/jetstream/recent without a key: %d, want 401", resp.StatusCode)
		}
	})

	t.Run("SmallScreen", func(t *testing.T) {
		ctx := b.tab(t, 375, 812)
		pages := map[string]string{
			"search":    "/?sort=-followers",
			"creator":   "/creator/" + url.PathEscape(w.watched[0]),
			"watchlist": "/watchlists/" + url.PathEscape(w.watchlist),
			"compare":   "/compare?keys=" + url.QueryEscape(w.watched[0]+","+w.watched[1]),
			"discover":  "/discover",
		}
		for _, name := range []string{"search", "creator", "watchlist", "compare", "discover"} {
			b.run(t, ctx, chromedp.Navigate(w.base+pages[name]), chromedp.WaitReady("#app > *:not(.state)", chromedp.ByQuery))
			b.waitJS(t, ctx, `!document.querySelector("[aria-busy=true]") && ![...document.querySelectorAll(".state")].some(e => e.textContent.startsWith("Loading"))`)
			var junk string
			b.eval(t, ctx, `(document.body.innerText.match(/\b(null|undefined|NaN|\[object Object\])\b|TypeError|Unexpected token/) || [""])[0]`, &junk)
			if junk != "" {
				t.Errorf("%s shows %q to the user", name, junk)
			}
			// Nothing wider than the screen, except inside a box that
			// scrolls sideways on purpose (the compare table).
			var over []string
			b.eval(t, ctx, `(() => {
				const vw = document.documentElement.clientWidth, out = [];
				const scrolls = e => { for (let p = e.parentElement; p; p = p.parentElement) { const s = getComputedStyle(p); if (s.overflowX === "auto" || s.overflowX === "scroll") return true; } return false; };
				for (const e of document.querySelectorAll("body *")) {
					const r = e.getBoundingClientRect();
					if (r.width === 0 || getComputedStyle(e).visibility === "hidden" || e.closest("dialog:not([open])")) continue;
					if ((r.right > vw + 1 || r.left < -1) && !scrolls(e)) out.push(e.tagName + (e.id ? "#" + e.id : "") + "." + e.className + " " + Math.round(r.left) + "-" + Math.round(r.right));
				}
				if (document.documentElement.scrollWidth > vw + 1) out.push("page scrolls sideways: " + document.documentElement.scrollWidth);
				return out.slice(0, 10);
			})()`, &over)
			if len(over) > 0 {
				t.Errorf("%s at 375 px: cut off or overflowing: %v", name, over)
			}
			if name == "compare" { // two creators fit side by side without scrolling
				var fits bool
				b.eval(t, ctx, `(w => w.scrollWidth <= w.clientWidth + 1)(document.querySelector(".compare-wrap"))`, &fits)
				if !fits {
					t.Error("two creators compared at 375 px need sideways scrolling")
				}
			}
			b.shot(t, ctx, name+"-375")
		}
		// The filters fold away on a small screen; opened, they fit too,
		// and Escape folds them again.
		b.run(t, ctx, chromedp.Navigate(w.base+"/?tier=micro"), chromedp.WaitVisible("#hits tbody tr", chromedp.ByQuery))
		var open bool
		b.eval(t, ctx, `document.querySelector("#filters-panel").open`, &open)
		if open {
			t.Error("the filters are open at first on a small screen")
		}
		b.run(t, ctx, chromedp.Click("#filters-panel > summary", chromedp.ByQuery), chromedp.WaitVisible("#f-q", chromedp.ByQuery))
		var widest float64
		b.eval(t, ctx, `Math.max(...[...document.querySelectorAll("#search-form *")].map(e => e.getBoundingClientRect().right))`, &widest)
		if widest > 376 {
			t.Errorf("an open filter reaches %v px on a 375 px screen", widest)
		}
		b.shot(t, ctx, "filters-375")
		b.run(t, ctx, chromedp.KeyEvent(kb.Escape))
		b.waitJS(t, ctx, `!document.querySelector("#filters-panel").open`)
	})
}
