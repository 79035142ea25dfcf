package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

var _ index.APIKeys = (*Store)(nil)

// PutAPIKey creates or replaces k, keyed by its hash. It is safe for
// concurrent use.
func (s *Store) PutAPIKey(ctx context.Context, k *index.APIKey) error {
	if k == nil || k.Name == "" || len(k.Hash) != 64 {
		return fmt.Errorf("putting api key: %w: needs a name and a 64-digit hash", creator.ErrInvalid)
	}
	doc, err := json.Marshal(k)
	if err != nil {
		return fmt.Errorf("putting api key %s: encoding: %w", k.Name, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_keys(hash, name, doc) VALUES (?, ?, ?)
			ON CONFLICT(hash) DO UPDATE SET name = excluded.name, doc = excluded.doc`, k.Hash, k.Name, doc)
		return err
	})
	if err != nil {
		return fmt.Errorf("putting api key %s: %w", k.Name, err)
	}
	return nil
}

// APIKeyByHash returns the key stored under hash. It is safe for
// concurrent use.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (*index.APIKey, error) {
	var doc []byte
	err := s.r.QueryRowContext(ctx, `SELECT doc FROM api_keys WHERE hash = ?`, hash).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("getting api key: %w", creator.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("getting api key: %w", err)
	}
	k := new(index.APIKey)
	if err := json.Unmarshal(doc, k); err != nil {
		return nil, fmt.Errorf("getting api key: decoding: %w", err)
	}
	return k, nil
}

// ListAPIKeys returns every key by name, then creation time. It is safe
// for concurrent use.
func (s *Store) ListAPIKeys(ctx context.Context) ([]index.APIKey, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT doc FROM api_keys`)
	if err != nil {
		return nil, fmt.Errorf("listing api keys: %w", err)
	}
	out, err := decodeAll[index.APIKey](rows)
	if err != nil {
		return nil, fmt.Errorf("listing api keys: %w", err)
	}
	slices.SortFunc(out, func(a, b index.APIKey) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return a.CreatedAt.Compare(b.CreatedAt)
	})
	return out, nil
}
