package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkGetJSON measures the client's overhead per request on loopback:
// robots.txt off (the API path), rate limit high, state in the process or
// in Redis.
func BenchmarkGetJSON(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"handle":"ada.example","followersCount":12840}`)
	}))
	defer srv.Close()
	u := mustURL(b, srv.URL+"/xrpc/app.bsky.actor.getProfile")
	pol := HostPolicy{Rate: 1e6, Burst: 1e6}
	for _, shared := range []bool{false, true} {
		name := "in-process"
		opts := []Option{WithAllowNets(loopback), WithDefaultHostPolicy(pol)}
		if shared {
			name = "redis"
			rdb, prefix := newTestRedis(b)
			opts = append(opts, WithRedis(rdb), WithKeyPrefix(prefix))
		}
		b.Run(name, func(b *testing.B) {
			c, err := New(opts...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			var v struct {
				Handle string `json:"handle"`
			}
			for b.Loop() {
				if err := c.GetJSON(ctx, u, &v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
