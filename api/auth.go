package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/creatorscout/scout/creator"
)

// Key is the API key a request was made with: its name (recorded with the
// writes it makes), its scope and its rate limit.
type Key struct {
	Name  string `json:"name"`
	Scope string `json:"scope"`
	// RatePerMinute is how many requests a minute the key may make; 0
	// means the server's default.
	RatePerMinute int `json:"rate_per_minute,omitempty"`
}

// EnvKeyName is the name of the admin key given by Config.APIKey
// (SCOUT_API_KEY).
const EnvKeyName = "SCOUT_API_KEY"

// localKey is the key of requests to a server that requires none.
var localKey = &Key{Name: "local", Scope: ScopeAdmin}

// KeyLookup finds a named API key by the SHA-256 of its secret (hex), or
// returns an error wrapping creator.ErrNotFound (also for a revoked key).
type KeyLookup func(ctx context.Context, hash string) (*Key, error)

// HashSecret returns the form in which a key's secret is stored and looked
// up: the hex SHA-256 of the secret. Secrets are random (see
// cmd/scout apikey), so a fast hash is enough.
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

type keyCtx struct{}

func withKey(ctx context.Context, k *Key) context.Context { return context.WithValue(ctx, keyCtx{}, k) }

// KeyFrom returns the API key a request's context was authenticated with,
// or nil for a public route.
func KeyFrom(ctx context.Context) *Key {
	k, _ := ctx.Value(keyCtx{}).(*Key)
	return k
}

// authenticate returns the key of r: the admin key when the bearer token is
// Config.APIKey, a named key from Config.Keys, or the local admin key when
// the server requires no key. It writes a 401 and returns false otherwise.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (*Key, bool) {
	if s.cfg.APIKey == "" && s.cfg.Keys == nil {
		return localKey, true
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	token = strings.TrimSpace(token)
	if ok && token != "" {
		if s.cfg.APIKey != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.APIKey)) == 1 {
			return &Key{Name: EnvKeyName, Scope: ScopeAdmin}, true
		}
		if s.cfg.Keys != nil {
			k, err := s.cfg.Keys(r.Context(), HashSecret(token))
			switch {
			case err == nil:
				return k, true
			case !errors.Is(err, creator.ErrNotFound):
				s.fail(w, err)
				return nil, false
			}
		}
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="scout"`)
	WriteError(w, http.StatusUnauthorized, "unauthorized", "a valid API key is required (Authorization: Bearer <key>)")
	return nil, false
}
