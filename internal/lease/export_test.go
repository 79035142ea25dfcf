package lease

import "github.com/redis/go-redis/v9"

// ReleasesByScript reports whether c's server was found without DELEX.
func ReleasesByScript(c redis.UniversalClient) bool {
	_, ok := noDelex.Load(c)
	return ok
}
