package index

import (
	"context"
	"time"
)

// APIKey is a named key of the HTTP API. The store keeps the SHA-256 of
// its secret (Hash, hex), never the secret.
type APIKey struct {
	Name string `json:"name"`
	// Hash is the hex SHA-256 of the secret; keys are stored by it.
	Hash string `json:"hash"`
	// Scope is "read", "write" or "admin".
	Scope string `json:"scope"`
	// RatePerMinute is the key's rate limit; 0 means the server's default.
	RatePerMinute int       `json:"rate_per_minute,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	// RevokedAt is when the key was revoked; a revoked key is kept, for
	// the record, but authenticates nothing.
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// APIKeys stores API keys. It is optional: a backend that has it
// implements it beside Store.
type APIKeys interface {
	// PutAPIKey creates or replaces k, keyed by k.Hash.
	PutAPIKey(ctx context.Context, k *APIKey) error
	// APIKeyByHash returns the key whose secret hashes to hash (revoked or
	// not), or an error wrapping creator.ErrNotFound.
	APIKeyByHash(ctx context.Context, hash string) (*APIKey, error)
	// ListAPIKeys returns every key, revoked ones too, by name and then
	// creation time.
	ListAPIKeys(ctx context.Context) ([]APIKey, error)
}
