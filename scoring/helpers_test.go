package scoring

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/creatorscout/scout/creator"
)

var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

var postTexts = []string{
	"Easy weeknight pasta with roasted garlic and lemon, recipe below #recipe #dinner",
	"Sourdough loaf number 40, the crumb is finally open #sourdough #baking",
	"Meal prep Sunday: five lunches for the week under 20 dollars #mealprep",
	"Tried the new ramen spot downtown, broth was rich and the noodles chewy",
	"Thanks to @panco for the new skillet! use code COOK15 for 15% off",
	"Chocolate chip cookies, brown butter version, crispy edges #dessert",
	"Homemade pizza night with the kids, everyone made their own",
	"#ad Paid partnership with @spiceco: their smoked paprika is in everything now",
}

var commentTexts = []string{
	"Nice post", "🔥🔥🔥", "I made this last night and my partner loved it, thanks!",
	"How long do you proof the dough in the fridge?", "love this", "Can I use gluten free flour?",
	"Great pic", "This looks amazing, saving it for the weekend", "wow", "What brand is the skillet?",
}

// testProfile builds a realistic profile: nPosts posts over the last weeks,
// nComments comments, nFollowers sampled followers.
func testProfile(r *rand.Rand, nPosts, nComments, nFollowers int) *creator.Profile {
	p := &creator.Profile{
		Ref:          creator.Ref{Platform: creator.Bluesky, ID: "did:plc:creator", Handle: "cook.bsky.social"},
		DisplayName:  "Sam Cooks",
		Bio:          "Home cook sharing weeknight recipes, bread and the odd dessert 🍞",
		Followers:    24_000,
		Following:    310,
		PostsCount:   1_250,
		CreatedAt:    testNow.AddDate(-3, 0, 0),
		AudienceKind: "followers",
	}
	for i := 0; i < nPosts; i++ {
		likes := int64(600 + r.IntN(500))
		p.Posts = append(p.Posts, creator.Post{
			ID:        fmt.Sprintf("p%d", i),
			Text:      postTexts[i%len(postTexts)],
			CreatedAt: testNow.Add(-time.Duration(i)*44*time.Hour - time.Duration(r.IntN(6))*time.Hour),
			Likes:     likes,
			Replies:   likes / 12,
			Reposts:   likes / 20,
			Quotes:    likes / 100,
			Views:     -1,
		})
	}
	for i := 0; i < nComments; i++ {
		post := 0
		if nPosts > 0 {
			post = r.IntN(nPosts)
		}
		p.Comments = append(p.Comments, creator.Comment{
			ID:     fmt.Sprintf("c%d", i),
			PostID: fmt.Sprintf("p%d", post),
			Author: creator.Account{ID: fmt.Sprintf("u%d", r.IntN(150)), Handle: fmt.Sprintf("user%d", i)},
			Text:   commentTexts[r.IntN(len(commentTexts))],
		})
	}
	for i := 0; i < nFollowers; i++ {
		a := creator.Account{ID: fmt.Sprintf("f%d", i), Handle: fmt.Sprintf("reader%d.bsky.social", i)}
		if i%7 == 0 { // a fake-looking follower
			a.Handle = fmt.Sprintf("user%08d.bsky.social", r.IntN(1e8))
			a.HasAvatar = creator.Ptr(false)
			a.Followers, a.Following, a.Posts = creator.Ptr[int64](2), creator.Ptr[int64](3000), creator.Ptr[int64](0)
			a.Bio = creator.Ptr("")
		} else {
			a.HasAvatar = creator.Ptr(true)
			a.Followers = creator.Ptr(int64(50 + r.IntN(800)))
			a.Following = creator.Ptr(int64(80 + r.IntN(600)))
			a.Posts = creator.Ptr(int64(10 + r.IntN(2000)))
			a.Bio = creator.Ptr("Reader, walker, tea drinker")
			a.DisplayName = creator.Ptr("Alex R")
		}
		p.Audience = append(p.Audience, a)
	}
	return p
}

// testHistory is n daily snapshots ending a day before testNow, growing
// steadily from start followers.
func testHistory(n int, start int64, perDay int64) []creator.Snapshot {
	var h []creator.Snapshot
	for i := 0; i < n; i++ {
		h = append(h, creator.Snapshot{
			At:            testNow.AddDate(0, 0, -n+i),
			Followers:     start + int64(i)*perDay,
			PostsCount:    1000 + int64(i)/2,
			AvgEngagement: 800,
		})
	}
	return h
}

// assertFinite fails if any float64 reachable from v is NaN or Inf.
func assertFinite(t *testing.T, v any) {
	t.Helper()
	var walk func(path string, x reflect.Value)
	walk = func(path string, x reflect.Value) {
		switch x.Kind() {
		case reflect.Float64, reflect.Float32:
			if f := x.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
				t.Errorf("%s = %v, want finite", path, f)
			}
		case reflect.Struct:
			for i := 0; i < x.NumField(); i++ {
				if x.Type().Field(i).IsExported() {
					walk(path+"."+x.Type().Field(i).Name, x.Field(i))
				}
			}
		case reflect.Slice, reflect.Array:
			for i := 0; i < x.Len(); i++ {
				walk(fmt.Sprintf("%s[%d]", path, i), x.Index(i))
			}
		case reflect.Pointer, reflect.Interface:
			if !x.IsNil() {
				walk(path, x.Elem())
			}
		}
	}
	walk("", reflect.ValueOf(v))
}

func nil2() *rand.Rand { return rand.New(rand.NewPCG(3, 4)) }

func commentOf(id, post, author, text string) creator.Comment {
	return creator.Comment{ID: id, PostID: post, Author: creator.Account{ID: author}, Text: text}
}
