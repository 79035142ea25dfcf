package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
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

// KeyStore is where named API keys are kept (index.APIKeys).
type KeyStore interface {
	APIKeyByHash(ctx context.Context, hash string) (*index.APIKey, error)
	ListAPIKeys(ctx context.Context) ([]index.APIKey, error)
}

// keysInUse reports whether any named key was ever created (revoked ones
// count: revoking every key must not open the API). A yes is kept; a no is
// asked again after a few seconds, so a key created by `scout apikey` in
// another process takes effect at once.
func (s *Server) keysInUse(ctx context.Context) (bool, error) {
	if s.keysSeen.Load() {
		return true, nil
	}
	now := time.Now().UnixNano()
	if now < s.keysAskedUntil.Load() {
		return false, nil
	}
	ks, err := s.cfg.Keys.ListAPIKeys(ctx)
	if err != nil {
		return false, err
	}
	if len(ks) > 0 {
		s.keysSeen.Store(true)
		return true, nil
	}
	s.keysAskedUntil.Store(now + int64(2*time.Second))
	return false, nil
}

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
// the server requires no key (no APIKey and no named key ever created). It
// writes a 401 and returns false otherwise.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (*Key, bool) {
	if s.cfg.APIKey == "" {
		open := s.cfg.Keys == nil
		if !open {
			inUse, err := s.keysInUse(r.Context())
			if err != nil {
				s.keysUnavailable(w, r, err)
				return nil, false
			}
			open = !inUse
		}
		if open {
			return localKey, true
		}
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	token = strings.TrimSpace(token)
	if ok && token != "" {
		if s.cfg.APIKey != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.APIKey)) == 1 {
			return &Key{Name: EnvKeyName, Scope: ScopeAdmin}, true
		}
		if s.cfg.Keys != nil {
			k, err := s.cfg.Keys.APIKeyByHash(r.Context(), HashSecret(token))
			switch {
			case err == nil && k.RevokedAt.IsZero():
				return &Key{Name: k.Name, Scope: k.Scope, RatePerMinute: k.RatePerMinute}, true
			case err != nil && !errors.Is(err, creator.ErrNotFound):
				s.keysUnavailable(w, r, err)
				return nil, false
			}
		}
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="scout"`)
	WriteError(w, http.StatusUnauthorized, "unauthorized", "a valid API key is required (Authorization: Bearer <key>)")
	return nil, false
}

// keysUnavailable answers a request whose key could not be checked
// because the store failed: 503 with Retry-After, the cause in the log.
func (s *Server) keysUnavailable(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "checking api key", "err", err, "request_id", RequestID(r.Context()))
	WriteUnavailable(w, "API keys cannot be checked right now; retry")
}
