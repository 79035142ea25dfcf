package index

import (
	"context"
	"time"

	"github.com/creatorscout/scout/creator"
)

// Watchlist is a marketer's list of creators rescanned on a cadence. The
// store keeps it whole (as one JSON document), so fields added here need no
// backend change.
type Watchlist struct {
	ID      string        `json:"id"`
	Name    string        `json:"name"`
	Members []WatchMember `json:"members,omitempty"`
	// SavedSearch, when set, is re-run on each rescan and its matches added.
	SavedSearch *Query `json:"saved_search,omitempty"`
	// Cadence is a cron expression ("0 6 * * *") or a Go duration ("24h");
	// empty means daily.
	Cadence   string     `json:"cadence,omitempty"`
	Rules     AlertRules `json:"rules"`
	Webhooks  []Webhook  `json:"webhooks,omitempty"`
	LastRunAt time.Time  `json:"last_run_at,omitzero"`
	NextRunAt time.Time  `json:"next_run_at,omitzero"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	// CreatedBy and UpdatedBy name who made the watchlist and who last
	// changed it (index.ActorFrom).
	CreatedBy string `json:"created_by,omitempty"`
	UpdatedBy string `json:"updated_by,omitempty"`
}

// WatchMember is one creator on a watchlist.
type WatchMember struct {
	Key     string      `json:"key"`
	Ref     creator.Ref `json:"ref"`
	AddedAt time.Time   `json:"added_at"`
	// Source says how it was added: "key", "url" or "search".
	Source string `json:"source,omitempty"`
	// Pending says the member was given by a handle that is still being
	// resolved to the creator's id (its Key is then derived from the
	// handle); Error says why a handle could not be resolved.
	Pending bool   `json:"pending,omitempty"`
	Error   string `json:"error,omitempty"`
}

// AlertRules are a watchlist's thresholds. Zero values take the defaults
// documented in package watch.
type AlertRules struct {
	AuthenticityBelow  float64 `json:"authenticity_below,omitempty"`
	AuthenticityDrop   float64 `json:"authenticity_drop,omitempty"`
	EngagementDropPct  float64 `json:"engagement_drop_pct,omitempty"`
	QuietDays          float64 `json:"quiet_days,omitempty"`
	DisableSpike       bool    `json:"disable_spike,omitempty"`
	DisableUndisclosed bool    `json:"disable_undisclosed,omitempty"`
	DisableNicheChange bool    `json:"disable_niche_change,omitempty"`
}

// Webhook is a target that receives a watchlist's alert events.
type Webhook struct {
	URL    string `json:"url"`
	Secret string `json:"secret,omitempty"`
}

// AlertEvent is a change detected on a watched creator.
type AlertEvent struct {
	ID          string             `json:"id"`
	WatchlistID string             `json:"watchlist_id"`
	CreatorKey  string             `json:"creator_key"`
	Kind        string             `json:"kind"`
	At          time.Time          `json:"at"`
	Message     string             `json:"message"`
	Before      map[string]any     `json:"before,omitempty"`
	After       map[string]any     `json:"after,omitempty"`
	Evidence    []creator.Evidence `json:"evidence,omitempty"`
	// DeliveryState is "", "pending", "delivered" or "failed".
	DeliveryState string     `json:"delivery_state,omitempty"`
	Deliveries    []Delivery `json:"deliveries,omitempty"`
}

// Delivery is one attempt to deliver an alert event to a webhook.
type Delivery struct {
	URL        string    `json:"url"`
	Attempt    int       `json:"attempt"`
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code,omitempty"`
	Error      string    `json:"error,omitempty"`
}

// Watchlists stores watchlists and their alert events.
type Watchlists interface {
	// PutWatchlist creates or replaces w.
	PutWatchlist(ctx context.Context, w *Watchlist) error
	// GetWatchlist returns one watchlist or creator.ErrNotFound.
	GetWatchlist(ctx context.Context, id string) (*Watchlist, error)
	// ListWatchlists returns all watchlists ordered by id.
	ListWatchlists(ctx context.Context) ([]Watchlist, error)
	// DeleteWatchlist removes w and its alert events; unknown ids are not
	// an error.
	DeleteWatchlist(ctx context.Context, id string) error
	// PutAlert creates or replaces an alert event (keyed by ID).
	PutAlert(ctx context.Context, e *AlertEvent) error
	// GetAlert returns one alert event or creator.ErrNotFound.
	GetAlert(ctx context.Context, id string) (*AlertEvent, error)
	// ListAlerts returns events matching the non-empty fields of f, newest
	// first, at most f.Limit (0 means 100).
	ListAlerts(ctx context.Context, f AlertFilter) ([]AlertEvent, error)
}

// AlertFilter selects alert events.
type AlertFilter struct {
	WatchlistID string `json:"watchlist_id,omitempty"`
	CreatorKey  string `json:"creator_key,omitempty"`
	Kind        string `json:"kind,omitempty"`
	Limit       int    `json:"limit,omitempty"`
}
