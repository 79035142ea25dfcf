package meili

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

var _ index.APIKeys = (*Store)(nil)

// PutAPIKey implements index.APIKeys: one document per key, whose id is
// derived from the hash (hex digits are id characters).
func (s *Store) PutAPIKey(ctx context.Context, k *index.APIKey) error {
	if k == nil || k.Name == "" || len(k.Hash) != 64 || strings.Trim(k.Hash, "0123456789abcdef") != "" {
		return fmt.Errorf("putting api key: %w: needs a name and a 64-digit lower-case hex hash", creator.ErrInvalid)
	}
	data, err := jsonText(k)
	if err != nil {
		return fmt.Errorf("putting api key %s: %w", k.Name, err)
	}
	if err := s.put(ctx, s.names.apiKeys, map[string]any{attrID: "k" + k.Hash, attrData: data}); err != nil {
		return fmt.Errorf("putting api key %s: %w", k.Name, err)
	}
	return nil
}

// APIKeyByHash implements index.APIKeys.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (*index.APIKey, error) {
	if len(hash) != 64 || strings.Trim(hash, "0123456789abcdef") != "" {
		return nil, fmt.Errorf("getting api key: %w", creator.ErrNotFound)
	}
	k := new(index.APIKey)
	if err := s.getData(ctx, s.names.apiKeys, "k"+hash, k); err != nil {
		return nil, fmt.Errorf("getting api key: %w", err)
	}
	return k, nil
}

// ListAPIKeys implements index.APIKeys.
func (s *Store) ListAPIKeys(ctx context.Context) ([]index.APIKey, error) {
	ks, err := fetchData[index.APIKey](ctx, s, s.names.apiKeys, "")
	if err != nil {
		return nil, fmt.Errorf("listing api keys: %w", err)
	}
	slices.SortFunc(ks, func(a, b index.APIKey) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return a.CreatedAt.Compare(b.CreatedAt)
	})
	return ks, nil
}
