package meili

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

var _ index.Tracking = (*Store)(nil)

// attrChecked is a tracked creator's CheckedAt in unix milliseconds: a
// number Meilisearch filters and sorts exactly (below 2^53).
const attrChecked = "checked"

// Kinds of document in the tracking index (attrKind, as fkey).
const (
	trackCursor  = "cursor"
	trackCreator = "tracked"
)

// StreamCursor implements index.Tracking: one document per cursor name.
func (s *Store) StreamCursor(ctx context.Context, name string) (int64, error) {
	var c int64
	err := s.getData(ctx, s.names.tracking, docID(trackCursor, name), &c)
	if err != nil {
		if errors.Is(err, creator.ErrNotFound) {
			return 0, nil
		}
		return 0, fmt.Errorf("reading stream cursor %s: %w", name, err)
	}
	return c, nil
}

// PutStreamCursor implements index.Tracking.
func (s *Store) PutStreamCursor(ctx context.Context, name string, cursor int64) error {
	if name == "" {
		return fmt.Errorf("saving stream cursor: %w: a name is required", creator.ErrInvalid)
	}
	data, err := jsonText(cursor)
	if err != nil {
		return fmt.Errorf("saving stream cursor %s: %w", name, err)
	}
	doc := map[string]any{attrID: docID(trackCursor, name), attrKind: fkey(trackCursor), attrData: data}
	if err := s.put(ctx, s.names.tracking, doc); err != nil {
		return fmt.Errorf("saving stream cursor %s: %w", name, err)
	}
	return nil
}

// PutTracked implements index.Tracking in one documents request.
func (s *Store) PutTracked(ctx context.Context, ts []index.Tracked) error {
	if len(ts) == 0 {
		return nil
	}
	docs := make([]json.RawMessage, len(ts))
	for i := range ts {
		if ts[i].Key == "" {
			return fmt.Errorf("tracking creators: %w: a key is required", creator.ErrInvalid)
		}
		data, err := jsonText(&ts[i])
		if err != nil {
			return fmt.Errorf("tracking %s: %w", ts[i].Key, err)
		}
		raw, err := json.Marshal(map[string]any{
			attrID: docID(trackCreator, ts[i].Key), attrKind: fkey(trackCreator), attrCKey: fkey(ts[i].Key),
			attrChecked: ts[i].CheckedAt.UnixMilli(), attrData: data,
		})
		if err != nil {
			return fmt.Errorf("tracking %s: encoding: %w", ts[i].Key, err)
		}
		docs[i] = raw
	}
	if err := docsErr(s.addDocs(ctx, s.names.tracking, attrID, docs)); err != nil {
		return fmt.Errorf("tracking %d creators: %w", len(ts), err)
	}
	return nil
}

// GetTracked implements index.Tracking.
func (s *Store) GetTracked(ctx context.Context, keys []string) (map[string]index.Tracked, error) {
	out := make(map[string]index.Tracked, len(keys))
	const chunk = 100
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		f := allOf(eqVal(attrKind, trackCreator), inVals(attrCKey, part...))
		ts, err := fetchData[index.Tracked](ctx, s, s.names.tracking, filterText(f))
		if err != nil {
			return nil, fmt.Errorf("reading tracked creators: %w", err)
		}
		for _, t := range ts {
			out[t.Key] = t
		}
	}
	return out, nil
}

// DueTracked implements index.Tracking with a numeric filter on the
// checked time, sorted by it.
func (s *Store) DueTracked(ctx context.Context, before time.Time, limit int) ([]index.Tracked, error) {
	if limit <= 0 {
		return nil, nil
	}
	n := int64(min(limit, index.MaxTotalHits))
	last := float64(before.UnixMilli() - 1) // checked before: at or before the millisecond before
	f := filterText(allOf(eqVal(attrKind, trackCreator), expr{op: index.OpRange, attr: attrChecked, max: &last}))
	resp, err := s.ms.Index(s.names.tracking).SearchWithContext(ctx, "", &meilisearch.SearchRequest{
		Filter: f, Sort: []string{attrChecked + ":asc", attrID + ":asc"}, HitsPerPage: &n,
		AttributesToRetrieve: []string{attrData},
	})
	if err != nil {
		return nil, fmt.Errorf("listing due tracked creators: %w", mapErr(err))
	}
	out, err := hitData[index.Tracked](resp.Hits, attrData)
	if err != nil {
		return nil, fmt.Errorf("listing due tracked creators: %w", err)
	}
	return out, nil
}

// CountTracked implements index.Tracking.
func (s *Store) CountTracked(ctx context.Context) (index.TrackCounts, error) {
	var zero int64
	resp, err := s.ms.Index(s.names.tracking).SearchWithContext(ctx, "", &meilisearch.SearchRequest{
		Filter: filterText(eqVal(attrKind, trackCreator)), HitsPerPage: &zero,
	})
	if err != nil {
		return index.TrackCounts{}, fmt.Errorf("counting tracked creators: %w", mapErr(err))
	}
	return index.TrackCounts{Tracked: int(resp.TotalHits)}, nil
}
