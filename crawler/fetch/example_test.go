package fetch_test

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/fetch"
)

// A worker's client: shared state in Redis, a source's declared policy for
// its API host, and a crawl task bounded in pages and time.
func Example() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	allow, _ := fetch.ParseNets("") // SCOUT_ALLOW_PRIVATE_NETS, empty in production
	c, err := fetch.New(
		fetch.WithRedis(rdb),
		fetch.WithAllowNets(allow...),
		fetch.WithUserAgent(fetch.DefaultUserAgent),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	policy := crawler.Policy{RatePerSecond: 10, Burst: 10} // from Source.Policy()
	c.SetHost("public.api.bsky.app", policy.Host())

	ctx, cancel := fetch.NewTask(context.Background(), fetch.Limits{Pages: 50, Timeout: 2 * time.Minute})
	defer cancel()
	u, _ := url.Parse("https://public.api.bsky.app/xrpc/app.bsky.actor.getProfile?actor=bsky.app")
	var profile struct {
		Handle string `json:"handle"`
	}
	if err := c.GetJSON(ctx, u, &profile); err != nil {
		fmt.Println(err)
	}
}

// Checking a webhook URL that a user submits.
func ExampleCheckURL() {
	_, err := fetch.CheckURL(context.Background(), "http://169.254.169.254/latest/meta-data/")
	fmt.Println(err)
	// Output: checking url "http://169.254.169.254/latest/meta-data/": checking address 169.254.169.254: forbidden by policy: 169.254.169.254 is a link-local address
}
