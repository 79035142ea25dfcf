package sim

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
)

// meanEngagement is the mean likes+reposts+replies+quotes of the newest 30
// own posts, as a crawl samples them.
func meanEngagement(t *testing.T, c *client, handle string) float64 {
	t.Helper()
	var f feedResp
	c.get("app.bsky.feed.getAuthorFeed", url.Values{"actor": {handle}, "limit": {"40"}}, &f)
	var sum, n float64
	for _, it := range f.Feed {
		if len(it.Reason) > 0 || n == 30 {
			continue
		}
		sum += float64(it.Post.LikeCount + it.Post.RepostCount + it.Post.ReplyCount + it.Post.QuoteCount)
		n++
	}
	return sum / n
}

// TestDailySnapshots checks what a daily rescan at noon sees on the day of
// an event compared with the day before: the bought spike comes without
// engagement, the viral one with it.
func TestDailySnapshots(t *testing.T) {
	tests := []struct {
		name                 string
		handle               string
		minFollow, maxFollow float64
		minEng, maxEng       float64
	}{
		{name: "buyer", handle: HandleBuyer, minFollow: 1.28, maxFollow: 1.32, minEng: 0.75, maxEng: 1.3},
		{name: "viral", handle: HandleViral, minFollow: 1.01, maxFollow: 1.1, minEng: 1.7, maxEng: 5},
		{name: "steady", handle: HandleSteady, minFollow: 1.0, maxFollow: 1.01, minEng: 0.75, maxEng: 1.3},
	}
	for _, seed := range []int64{0, 1, 2, 3} {
		w := New(Config{Seed: seed})
		c := serve(t, w)
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				w.SetNow(w.Day(11).Add(12 * time.Hour))
				f0, _ := w.Followers(tc.handle, w.Now())
				e0 := meanEngagement(t, c, tc.handle)
				w.SetNow(w.Day(12).Add(12 * time.Hour))
				f1, _ := w.Followers(tc.handle, w.Now())
				e1 := meanEngagement(t, c, tc.handle)
				if g := float64(f1) / float64(f0); g < tc.minFollow || g > tc.maxFollow {
					t.Errorf("seed %d: followers x%.3f in a day, want x%.2f-%.2f", seed, g, tc.minFollow, tc.maxFollow)
				}
				if g := e1 / e0; g < tc.minEng || g > tc.maxEng {
					t.Errorf("seed %d: mean engagement of the sample x%.2f in a day, want x%.2f-%.2f", seed, g, tc.minEng, tc.maxEng)
				}
			})
		}
	}
}

// disclosureRE finds the disclosures the simulator writes ("#adoptdontshop"
// is not one: a trap for naive detectors that real posts set too).
var disclosureRE = regexp.MustCompile(`#(ad|sponsored)\b|paid partnership|\[ad\]|sponsoring`)

func TestPostTruth(t *testing.T) {
	w := New(Config{Seed: 4})
	c := serve(t, w)
	var sponsored, disclosed, offTopic, secondary int
	for _, cr := range w.Creators()[:150] {
		var f feedResp
		c.get("app.bsky.feed.getAuthorFeed", url.Values{"actor": {cr.Handle}, "limit": {"30"}}, &f)
		for _, it := range f.Feed {
			if len(it.Reason) > 0 {
				if _, ok := w.Post(it.Post.URI); !ok {
					t.Errorf("reposted post %s has no truth", it.Post.URI)
				}
				continue
			}
			pt, ok := w.Post(it.Post.URI)
			if !ok {
				t.Fatalf("no truth for %s", it.Post.URI)
			}
			text := strings.ToLower(it.Post.Record.Text)
			marked := disclosureRE.MatchString(text)
			if strings.ContainsAny(text, "{}") {
				t.Errorf("unfilled template: %q", text)
			}
			switch {
			case pt.Sponsored && pt.Disclosed:
				disclosed++
				if !marked {
					t.Errorf("disclosed sponsored post without a disclosure: %q", text)
				}
			case marked:
				t.Errorf("post marked as an ad but not a disclosed sponsored post: %q", text)
			}
			if pt.Sponsored {
				sponsored++
			}
			switch pt.Niche {
			case "":
				offTopic++
			case cr.Secondary:
				secondary++
			case cr.Niche:
			default:
				t.Errorf("post of a %s/%s creator about %s", cr.Niche, cr.Secondary, pt.Niche)
			}
		}
	}
	if sponsored == 0 || disclosed == 0 || sponsored == disclosed || offTopic == 0 || secondary == 0 {
		t.Errorf("sponsored %d, disclosed %d, off-topic %d, secondary-niche %d; want some of each and some undisclosed",
			sponsored, disclosed, offTopic, secondary)
	}
	if _, ok := w.Post("at://" + HandleSteady + "/app.bsky.feed.post/3lof7sovfok2h"); ok {
		t.Errorf("truth for a post that does not exist")
	}
}

func TestServe(t *testing.T) {
	w := New(Config{Seed: 1, Creators: 10})
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := w.Serve(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.URL + "/xrpc/app.bsky.actor.getProfile?actor=" + HandleSteady)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := http.Get(srv.URL + "/xrpc/app.bsky.actor.getProfile?actor=" + HandleSteady); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server still answering after its context ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDailyRhythm(t *testing.T) {
	w := New(Config{Seed: 6})
	var night, evening, total float64
	for _, m := range w.list {
		if m.regular {
			continue
		}
		tr := m.trajectory()
		for d := -30; d < 0; d++ {
			for _, s := range w.dayPosts(m, tr, d, false) {
				h := (s.at.Hour() + m.tz + 24) % 24
				switch {
				case h >= 1 && h < 6:
					night++
				case h >= 17 && h < 22:
					evening++
				}
				total++
			}
		}
	}
	if night/total > 0.06 || evening/total < 0.3 {
		t.Errorf("%.3f of posts at 1-6h local time and %.3f at 17-22h; want a daily rhythm (< 0.06 and > 0.3)", night/total, evening/total)
	}
}

// TestCommentVariety checks that genuine comments rarely repeat word for
// word across posts while bot commenters do, as a comment scorer expects.
func TestCommentVariety(t *testing.T) {
	w := New(Config{Seed: 1})
	c := serve(t, w)
	norm := func(s string) string {
		return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}), " ")
	}
	var organicDup, botDup []float64
	for _, cr := range w.Creators() {
		if m := w.lookup(cr.Handle); m.regular || cr.OptedOut || len(organicDup) >= 15 && len(botDup) >= 8 {
			continue
		}
		var f feedResp
		c.get("app.bsky.feed.getAuthorFeed", url.Values{"actor": {cr.Handle}, "limit": {"30"}}, &f)
		onPosts := map[string]map[string]bool{}
		var texts []string
		threads := 0
		for _, it := range f.Feed {
			if len(it.Reason) > 0 || it.Post.ReplyCount == 0 || threads == 5 {
				continue
			}
			threads++
			var th struct{ Thread struct{ Replies []jThread } }
			c.get("app.bsky.feed.getPostThread", url.Values{"uri": {it.Post.URI}}, &th)
			for _, r := range th.Thread.Replies {
				k := norm(r.Post.Record.Text)
				if onPosts[k] == nil {
					onPosts[k] = map[string]bool{}
				}
				onPosts[k][it.Post.URI] = true
				texts = append(texts, k)
			}
		}
		if len(texts) < 100 {
			continue
		}
		dups := 0
		for _, k := range texts {
			if len(onPosts[k]) > 1 {
				dups++
			}
		}
		share := float64(dups) / float64(len(texts))
		if cr.BotComments {
			botDup = append(botDup, share)
		} else {
			organicDup = append(organicDup, share)
		}
	}
	mean := func(xs []float64) float64 {
		s := 0.0
		for _, x := range xs {
			s += x
		}
		return s / float64(len(xs))
	}
	if len(organicDup) < 5 || len(botDup) < 3 {
		t.Fatalf("too few creators sampled: %d organic, %d with bots", len(organicDup), len(botDup))
	}
	t.Logf("organic %.3f (%d), bots %.3f (%d)", mean(organicDup), len(organicDup), mean(botDup), len(botDup))
	if o, b := mean(organicDup), mean(botDup); o > 0.15 || b < o+0.08 {
		t.Errorf("repeated comments: %.2f of genuine creators' comments, %.2f with bots; want < 0.15 and clearly more with bots", o, b)
	}
}

func TestNonEnglishCreators(t *testing.T) {
	w := New(Config{Seed: 2})
	c := serve(t, w)
	english := regexp.MustCompile(`(?i)\b(the|and|my|you|is|of|for)\b`)
	checked := 0
	for _, cr := range w.Creators() {
		if cr.Language == "en" || cr.OptedOut || checked == 8 {
			continue
		}
		checked++
		var f feedResp
		c.get("app.bsky.feed.getAuthorFeed", url.Values{"actor": {cr.Handle}, "limit": {"40"}}, &f)
		var own, declared, native int
		for _, it := range f.Feed {
			if len(it.Reason) > 0 {
				continue
			}
			own++
			if len(it.Post.Record.Langs) > 0 && it.Post.Record.Langs[0] == cr.Language {
				declared++
			}
			if !english.MatchString(it.Post.Record.Text) {
				native++
			}
		}
		if own < 5 {
			continue
		}
		if float64(declared) < 0.85*float64(own) || float64(native) < 0.3*float64(own) {
			t.Errorf("%s (%s): %d of %d posts declare the language, %d read without English words; want most and a third",
				cr.Handle, cr.Language, declared, own, native)
		}
	}
	if checked == 0 {
		t.Fatal("no non-English creators")
	}
}
