package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/sim"
)

// webWorld is a small simulated world crawled into a real app (SQLite
// store, Redis or miniredis queue, real worker), served on loopback twice:
// open, and behind an API key. Its slowQuery searches answer late, for
// the stale-answer case.
type webWorld struct {
	a             *app
	base, keyBase string
	key           string
	watchlist     string   // the watched creators' watchlist
	watched       []string // its members' keys
}

const (
	webSlowQuery = "fitness"
	webSlowDelay = 800 * time.Millisecond
)

func startWebWorld(t *testing.T) *webWorld {
	t.Helper()
	world := sim.New(sim.Config{Seed: 3, Creators: 60})
	// The follower buyer buys on day 3 instead of 12, so that a short run
	// has a spike to mark and alerts to filter.
	if err := world.Script(sim.HandleBuyer, sim.Trajectory{Kind: sim.BuyFollowers, At: 3, Size: 0.3}); err != nil {
		t.Fatal(err)
	}
	simSrv := httptest.NewServer(world.Handler())
	t.Cleanup(simSrv.Close)
	a := startApp(t, testConfig(t, simSrv.URL, t.TempDir()), withNow(world.Now))
	t.Cleanup(func() { a.Close() })
	runWorker(t, a)
	ctx := context.Background()
	var ids []string
	for _, q := range []string{"fitness", "gaming", "travel", "music", "books"} {
		job, err := a.pipe.SubmitDiscover(ctx, creator.Bluesky, q, 12)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, job.ID)
	}
	for _, h := range demoWatchHandles {
		c, ok := world.Creator(h)
		if !ok {
			t.Fatalf("the simulator has no %s", h)
		}
		job, err := a.pipe.SubmitCrawl(ctx, creator.Ref{Platform: creator.Bluesky, ID: c.DID, Handle: h})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, job.ID)
	}
	if _, err := waitJobs(ctx, a, ids, io.Discard); err != nil {
		t.Fatal(err)
	}
	// A few simulated days of daily rescans give the watched creators a
	// history to chart and alerts to mark.
	res, err := runWatchDemo(ctx, a, world, 4, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	w := &webWorld{a: a, watchlist: res.WatchlistID, key: "web-test-key"}
	wl, err := a.watch.Get(ctx, res.WatchlistID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range wl.Members {
		w.watched = append(w.watched, m.Key)
	}
	open := a.apiHandler()
	slow := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/creators" && r.URL.Query().Get("q") == webSlowQuery {
			time.Sleep(webSlowDelay)
		}
		open.ServeHTTP(rw, r)
	})
	srv := httptest.NewServer(slow)
	t.Cleanup(srv.Close)
	w.base = srv.URL
	a.cfg.APIKey = w.key
	keyed := httptest.NewServer(a.apiHandler())
	t.Cleanup(keyed.Close)
	a.cfg.APIKey = ""
	w.keyBase = keyed.URL
	return w
}

// findBrowser returns a Chromium or Chrome binary, or "".
func findBrowser() string {
	if p := os.Getenv("SCOUT_TEST_BROWSER"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// screenshotDir is where the browser tests save screenshots: the
// directory SCOUT_SCREENSHOTS names, else the test's temporary one.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("SCOUT_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// TestBrowser drives the web app in a real headless Chromium against a real
// server on the simulator, as a marketer would: one browser, one tab per
// subtest.
func TestBrowser(t *testing.T) {
	bin := findBrowser()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Chromium found in CI (.ci/run installs Debian's chromium)")
		}
		t.Skip("no Chromium or Chrome found: apt-get install -y chromium, or set SCOUT_TEST_BROWSER")
	}
	start := time.Now()
	w := startWebWorld(t)
	t.Logf("the simulated world was crawled in %v", time.Since(start).Round(time.Millisecond))
	shots := screenshotDir(t)
	downloads := t.TempDir()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 1000),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	// chromedp logs CDP events it does not know (newer Chromium sends
	// some); they are not failures.
	quiet := chromedp.WithErrorf(func(format string, args ...any) {
		if !strings.Contains(format, "unhandled") {
			t.Logf("chromedp: "+format, args...)
		}
	})
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx, quiet)
	defer cancelBrowser()
	if err := chromedp.Run(browserCtx); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}

	// tab opens a new tab of the shared browser for one subtest.
	tab := func(t *testing.T, width, height int64) context.Context {
		t.Helper()
		ctx, cancel := chromedp.NewContext(browserCtx)
		t.Cleanup(cancel)
		ctx, cancelT := context.WithTimeout(ctx, 30*time.Second)
		t.Cleanup(cancelT)
		if err := chromedp.Run(ctx, emulation.SetDeviceMetricsOverride(width, height, 1, width < 600),
			browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(downloads)); err != nil {
			t.Fatal(err)
		}
		return ctx
	}
	run := func(t *testing.T, ctx context.Context, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			var page string
			_ = chromedp.Run(ctx, chromedp.Text("main", &page, chromedp.ByQuery))
			t.Fatalf("%v\npage text: %.800s", err, page)
		}
	}
	// shot saves a screenshot: every page's, whole, when SCOUT_SCREENSHOTS
	// names a directory to keep them in; else only the small screen's
	// first screenful (the larger ones cost seconds to encode).
	keepShots := os.Getenv("SCOUT_SCREENSHOTS") != ""
	shot := func(t *testing.T, ctx context.Context, name string) {
		t.Helper()
		var b []byte
		switch {
		case keepShots:
			run(t, ctx, chromedp.FullScreenshot(&b, 100))
		case strings.HasSuffix(name, "-375"):
			run(t, ctx, chromedp.CaptureScreenshot(&b))
		default:
			return
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// eval runs JavaScript in the page.
	eval := func(t *testing.T, ctx context.Context, js string, out any) {
		t.Helper()
		run(t, ctx, chromedp.Evaluate(js, out))
	}
	// waitJS waits until the expression is true in the page.
	waitJS := func(t *testing.T, ctx context.Context, expr string) {
		t.Helper()
		run(t, ctx, chromedp.Poll(expr, nil, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))
	}
	rowKeys := func(t *testing.T, ctx context.Context) []string {
		var keys []string
		eval(t, ctx, `[...document.querySelectorAll("#hits tbody tr")].map(r => r.dataset.key)`, &keys)
		return keys
	}

	t.Run("SearchFiltersPagingReload", func(t *testing.T) {
		ctx := tab(t, 1440, 1000)
		// A shared link with five results a page, to have several pages.
		run(t, ctx, chromedp.Navigate(w.base+"/?per_page=5"), chromedp.WaitVisible("#hits tbody tr", chromedp.ByQuery))
		// Every search filter of the API has a labelled control.
		var unlabelled []string
		eval(t, ctx, `[...document.querySelectorAll("#search-form input, #search-form select")].filter(i =>
			i.type !== "checkbox" ? !(i.labels.length || i.getAttribute("aria-label")) : !i.closest("label")).map(i => i.id || i.name)`, &unlabelled)
		if len(unlabelled) > 0 {
			t.Errorf("controls without a label: %v", unlabelled)
		}
		for _, id := range []string{"fieldset[data-kw=platform]", "fieldset[data-kw=niche]", "fieldset[data-kw=tier]", "#f-country", "#f-language",
			"#f-followers_min", "#f-engagement_rate_max", "#f-authenticity_min", "#f-growth_min", "#f-growth_30d_min", "#f-price_min_usd_max", "#f-price_max_usd_max"} {
			var n int
			eval(t, ctx, fmt.Sprintf(`document.querySelectorAll(%q).length`, id), &n)
			if n != 1 {
				t.Errorf("no control %s", id)
			}
		}
		// Facets: several values of a field, each with its count.
		var counts map[string]string
		eval(t, ctx, `Object.fromEntries([...document.querySelectorAll("[data-count^='tier:']")].filter(e => e.textContent.trim()).map(e => [e.dataset.count, e.textContent.trim()]))`, &counts)
		if len(counts) < 3 {
			t.Errorf("tier facet shows %d values with counts, want several: %v", len(counts), counts)
		}
		// Tick a niche (searches at once), type a follower minimum, press Enter.
		run(t, ctx,
			chromedp.Click(`input[data-kw-value=tier][value=micro]`, chromedp.ByQuery),
			chromedp.SendKeys("#f-followers_min", "2000\r", chromedp.ByQuery),
		)
		waitJS(t, ctx, `location.search.includes("followers_min=2000") && document.querySelector("#results").dataset.state === "done"`)
		var want struct {
			Total int `json:"total"`
			Hits  []struct {
				Key string `json:"key"`
			} `json:"hits"`
		}
		getJSON(t, w.base, "/v1/creators?tier=micro&followers_min=2000&per_page=5", &want)
		if want.Total < 6 {
			t.Fatalf("the test world has %d micro creators over 2000 followers; want more than a page of 5", want.Total)
		}
		waitJS(t, ctx, `location.search.includes("per_page=5") && document.querySelectorAll("#hits tbody tr").length === 5`)
		if got := rowKeys(t, ctx); len(got) != 5 || got[0] != want.Hits[0].Key {
			t.Errorf("rows %v, want the API's first page %v", got, want.Hits)
		}
		// Page to the end.
		pages := (want.Total + 4) / 5
		run(t, ctx, chromedp.Click("#page-last", chromedp.ByQuery))
		waitJS(t, ctx, fmt.Sprintf(`document.querySelector("#page-of") && document.querySelector("#page-of").textContent === "Page %d of %d"`, pages, pages))
		last := rowKeys(t, ctx)
		if wantN := want.Total - (pages-1)*5; len(last) != wantN {
			t.Errorf("last page has %d rows, want %d", len(last), wantN)
		}
		var nextDisabled bool
		eval(t, ctx, `document.querySelector("#page-next").getAttribute("aria-disabled") === "true"`, &nextDisabled)
		if !nextDisabled {
			t.Error("Next is not disabled on the last page")
		}
		// Reload: the same filters, page and rows.
		var before string
		eval(t, ctx, `location.search`, &before)
		run(t, ctx, chromedp.Reload(), chromedp.WaitVisible("#hits tbody tr", chromedp.ByQuery))
		waitJS(t, ctx, `document.querySelector("#results").dataset.state === "done"`)
		var after string
		var micro bool
		var minVal string
		eval(t, ctx, `location.search`, &after)
		eval(t, ctx, `document.querySelector("input[data-kw-value=tier][value=micro]").checked`, &micro)
		eval(t, ctx, `document.querySelector("#f-followers_min").value`, &minVal)
		if after != before || !micro || minVal != "2000" {
			t.Errorf("after reload: URL %q (was %q), micro ticked %v, followers min %q", after, before, micro, minVal)
		}
		if got := rowKeys(t, ctx); strings.Join(got, ",") != strings.Join(last, ",") {
			t.Errorf("after reload rows %v, want %v", got, last)
		}
		shot(t, ctx, "search-1440")
	})

	t.Run("SortColumn", func(t *testing.T) {
		ctx := tab(t, 1440, 1000)
		run(t, ctx, chromedp.Navigate(w.base+"/?per_page=50"), chromedp.WaitVisible("#hits tbody tr", chromedp.ByQuery))
		run(t, ctx, chromedp.Click(`button[data-sort=authenticity]`, chromedp.ByQuery))
		waitJS(t, ctx, `location.search.includes("sort=-authenticity") && document.querySelector("#results").dataset.state === "done"`)
		var vals []float64
		eval(t, ctx, `[...document.querySelectorAll("#hits tbody td[data-label=Authenticity]")].map(td => +td.textContent)`, &vals)
		for i := 1; i < len(vals); i++ {
			if vals[i] > vals[i-1] {
				t.Fatalf("authenticity not descending: %v", vals)
			}
		}
		run(t, ctx, chromedp.Click(`button[data-sort=authenticity]`, chromedp.ByQuery))
		waitJS(t, ctx, `location.search.includes("sort=authenticity") && !location.search.includes("sort=-") && document.querySelector("#results").dataset.state === "done"`)
		eval(t, ctx, `[...document.querySelectorAll("#hits tbody td[data-label=Authenticity]")].map(td => +td.textContent)`, &vals)
		for i := 1; i < len(vals); i++ {
			if vals[i] < vals[i-1] {
				t.Fatalf("authenticity not ascending after a second click: %v", vals)
			}
		}
	})

	t.Run("StaleAnswer", func(t *testing.T) {
		ctx := tab(t, 1440, 1000)
		run(t, ctx, chromedp.Navigate(w.base+"/"), chromedp.WaitVisible("#hits tbody tr", chromedp.ByQuery))
		// The first search answers late; the second is typed meanwhile.
		const search = `(v => { const i = document.querySelector("#f-q"); i.value = v; i.form.requestSubmit(); return true })`
		eval(t, ctx, search+`("`+webSlowQuery+`")`, nil)
		time.Sleep(100 * time.Millisecond)
		eval(t, ctx, search+`("gaming")`, nil)
		waitJS(t, ctx, `location.search === "?q=gaming" && document.querySelector("#results").dataset.state === "done"`)
		time.Sleep(webSlowDelay + 300*time.Millisecond) // the slow answer has come back by now
		var want struct {
			Hits []struct {
				Key string `json:"key"`
			} `json:"hits"`
		}
		getJSON(t, w.base, "/v1/creators?q=gaming", &want)
		var wantKeys []string
		for _, h := range want.Hits {
			wantKeys = append(wantKeys, h.Key)
		}
		var box string
		eval(t, ctx, `document.querySelector("#f-q").value`, &box)
		if got := rowKeys(t, ctx); box != "gaming" || strings.Join(got, ",") != strings.Join(wantKeys, ",") {
			t.Errorf("box %q shows rows %v, want gaming's %v", box, got, wantKeys)
		}
	})

	t.Run("PlainErrors", func(t *testing.T) {
		ctx := tab(t, 1440, 1000)
		// A value the API refuses: its message, in words, not a JS error.
		run(t, ctx, chromedp.Navigate(w.base+"/?followers_min=lots"), chromedp.WaitVisible(".state.error", chromedp.ByQuery))
		var msg string
		eval(t, ctx, `document.querySelector(".state.error").textContent`, &msg)
		if !strings.Contains(msg, "followers_min") || strings.Contains(msg, "TypeError") || strings.Contains(msg, "Unexpected token") {
			t.Errorf("error shown: %q", msg)
		}
		// An empty result says so.
		run(t, ctx, chromedp.Navigate(w.base+"/?q=zzzzqqqxxnothing"), chromedp.WaitVisible(".state.empty", chromedp.ByQuery))
	})

	t.Run("KeyPrompt", func(t *testing.T) {
		ctx := tab(t, 1440, 1000)
		run(t, ctx, chromedp.Navigate(w.keyBase+"/"), chromedp.WaitVisible("#key-input", chromedp.ByQuery))
		shot(t, ctx, "key-prompt")
		run(t, ctx, chromedp.SendKeys("#key-input", "not-the-key\r", chromedp.ByQuery))
		waitJS(t, ctx, `document.querySelector("#key-dialog").open && !document.querySelector("#key-error").hidden`)
		var msg string
		eval(t, ctx, `document.querySelector("#key-error").textContent`, &msg)
		if !strings.Contains(msg, "not accepted") {
			t.Errorf("a wrong key says %q", msg)
		}
		run(t, ctx, chromedp.SendKeys("#key-input", w.key+"\r", chromedp.ByQuery), chromedp.WaitVisible("#hits tbody tr", chromedp.ByQuery))
		var kept string
		eval(t, ctx, `sessionStorage.getItem("scout.apiKey")`, &kept)
		if kept != w.key {
			t.Errorf("sessionStorage keeps %q", kept)
		}
		// Kept while the tab is open: a reload asks no more.
		run(t, ctx, chromedp.Reload(), chromedp.WaitVisible("#hits tbody tr", chromedp.ByQuery))
		var open bool
		eval(t, ctx, `document.querySelector("#key-dialog").open`, &open)
		if open {
			t.Error("the key is asked for again after a reload")
		}
	})

	t.Run("ExportCSV", func(t *testing.T) {
		ctx := tab(t, 1440, 1000)
		run(t, ctx, chromedp.Navigate(w.base+"/?tier=micro,nano&sort=-followers"), chromedp.WaitVisible("#hits tbody tr", chromedp.ByQuery))
		run(t, ctx, chromedp.Click("#export-csv", chromedp.ByQuery))
		rows := waitCSV(t, downloads, "creators-")
		var want struct {
			Total int `json:"total"`
		}
		getJSON(t, w.base, "/v1/creators?tier=micro,nano&per_page=1", &want)
		if len(rows) != want.Total+1 {
			t.Errorf("CSV has %d rows, want a header and %d creators", len(rows), want.Total)
		}
		if len(rows) > 0 && !strings.Contains(strings.ToLower(strings.Join(rows[0], ",")), "followers") {
			t.Errorf("CSV header %v", rows[0])
		}
	})

	webPagesTests(t, w, &webHelpers{tab: tab, run: run, shot: shot, eval: eval, waitJS: waitJS, rowKeys: rowKeys, downloads: downloads})
}

// waitCSV waits for a finished download whose name starts with prefix and
// parses it.
func waitCSV(t *testing.T, dir, prefix string) [][]string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if !strings.HasPrefix(e.Name(), prefix) || strings.HasSuffix(e.Name(), ".crdownload") {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil || len(b) == 0 {
				continue
			}
			os.Remove(filepath.Join(dir, e.Name()))
			rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			if err != nil {
				t.Fatalf("parsing %s: %v", e.Name(), err)
			}
			return rows
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no download %s* in %s", prefix, dir)
	return nil
}

// webHelpers are TestBrowser's helpers, for the subtests in other files.
type webHelpers struct {
	tab       func(t *testing.T, width, height int64) context.Context
	run       func(t *testing.T, ctx context.Context, actions ...chromedp.Action)
	shot      func(t *testing.T, ctx context.Context, name string)
	eval      func(t *testing.T, ctx context.Context, js string, out any)
	waitJS    func(t *testing.T, ctx context.Context, expr string)
	rowKeys   func(t *testing.T, ctx context.Context) []string
	downloads string
}
