package bluesky

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"net/url"
	"testing"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/sim"
)

// simAnswers returns the simulator's answers to a crawl's larger requests:
// the thread of a creator's most replied post, its feed and 25 followers'
// profiles.
func simAnswers(b *testing.B) (thread, feed, profiles []byte) {
	h := sim.New(sim.Config{Seed: 1, Creators: 50}).Handler()
	get := func(path string) []byte {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		body, _ := io.ReadAll(rec.Result().Body)
		if rec.Code != 200 {
			b.Fatalf("%s: %d %s", path, rec.Code, body)
		}
		return body
	}
	feed = get("/xrpc/app.bsky.feed.getAuthorFeed?limit=30&actor=" + sim.HandleSteady)
	var fr authorFeedResponse
	if err := json.Unmarshal(feed, &fr); err != nil {
		b.Fatal(err)
	}
	best, uri := int64(-1), ""
	for _, it := range *fr.Feed {
		if it.Post.ReplyCount != nil && *it.Post.ReplyCount > best {
			best, uri = *it.Post.ReplyCount, it.Post.URI
		}
	}
	thread = get("/xrpc/app.bsky.feed.getPostThread?uri=" + url.QueryEscape(uri))
	var fo followersResponse
	if err := json.Unmarshal(get("/xrpc/app.bsky.graph.getFollowers?limit=25&actor="+sim.HandleSteady), &fo); err != nil {
		b.Fatal(err)
	}
	q := url.Values{}
	for _, f := range *fo.Followers {
		q.Add("actors", f.DID)
	}
	profiles = get("/xrpc/app.bsky.actor.getProfiles?" + q.Encode())
	return thread, feed, profiles
}

func benchDecode[T any](b *testing.B, body []byte, unmarshal func([]byte, any) error) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var r T
		if err := unmarshal(body, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode compares encoding/json, go-json-experiment's v1
// (encoding/json's semantics on Go's json/v2) and fetch.DecodeJSON (those
// semantics but for the error reporting, what fetch.GetJSON uses) on the
// source's typed answers.
func BenchmarkDecode(b *testing.B) {
	thread, feed, profiles := simAnswers(b)
	for _, c := range []struct {
		name      string
		unmarshal func([]byte, any) error
	}{{"encoding-json", json.Unmarshal}, {"json-v1-on-v2", jsonv1.Unmarshal}, {"fetch", fetch.DecodeJSON}} {
		b.Run("thread/"+c.name, func(b *testing.B) { benchDecode[threadResponse](b, thread, c.unmarshal) })
		b.Run("feed/"+c.name, func(b *testing.B) { benchDecode[authorFeedResponse](b, feed, c.unmarshal) })
		b.Run("profiles/"+c.name, func(b *testing.B) { benchDecode[profilesResponse](b, profiles, c.unmarshal) })
	}
}
