package watch

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// TypeDeliver is the asynq task type of a webhook delivery. Register
// (*Service).HandleDeliver under it on the worker's mux.
const TypeDeliver = "webhook:deliver"

// Webhook delivery defaults.
const (
	// DefaultDeliveryQueue is the asynq queue webhook tasks go to.
	DefaultDeliveryQueue = "webhooks"
	// DefaultMaxAttempts is how many times a delivery is tried (the first
	// attempt and its retries) before the event is marked failed.
	DefaultMaxAttempts = 8
	// SignatureTolerance is how old a signed timestamp Verify accepts.
	SignatureTolerance = 5 * time.Minute
)

// Webhook request headers.
const (
	// HeaderTimestamp carries the Unix time in seconds the request was
	// signed at.
	HeaderTimestamp = "X-Scout-Timestamp"
	// HeaderSignature carries "sha256=" and the lower-case hex
	// HMAC-SHA256, keyed with the webhook's secret, of the timestamp, a
	// full stop and the raw request body.
	HeaderSignature = "X-Scout-Signature"
	// HeaderEvent carries the alert kind ("follower_spike", ...).
	HeaderEvent = "X-Scout-Event"
	// HeaderDelivery carries the alert event id, the same on every attempt,
	// so a receiver can drop repeats.
	HeaderDelivery = "X-Scout-Delivery"
)

// DeliverPayload is the payload of a TypeDeliver task.
type DeliverPayload struct {
	AlertID string `json:"alert_id"`
	// Hook is the index of the target in the watchlist's Webhooks; URL is
	// its URL when enqueued, checked so a reordered list is not misdelivered.
	Hook int    `json:"hook"`
	URL  string `json:"url"`
}

// NewDeliverTask returns the task that delivers alert event alertID to the
// watchlist's webhook number hook (whose URL is url). Its task id is derived
// from both, so enqueueing it twice while it is kept by asynq gives
// asynq.ErrTaskIDConflict; it retries up to DefaultMaxAttempts-1 times
// unless the enqueuer overrides asynq.MaxRetry.
func NewDeliverTask(alertID string, hook int, url string) (*asynq.Task, error) {
	if alertID == "" || hook < 0 || url == "" {
		return nil, fmt.Errorf("building webhook task: %w: alert id, hook and url required", creator.ErrInvalid)
	}
	b, err := json.Marshal(DeliverPayload{AlertID: alertID, Hook: hook, URL: url})
	if err != nil {
		return nil, fmt.Errorf("building webhook task: %w", err)
	}
	return asynq.NewTask(TypeDeliver, b,
		asynq.TaskID(DeliverTaskID(alertID, hook)),
		asynq.MaxRetry(DefaultMaxAttempts-1)), nil
}

// DeliverTaskID is the asynq task id of the delivery of alertID to webhook
// number hook.
func DeliverTaskID(alertID string, hook int) string {
	return "webhook-" + alertID + "-" + strconv.Itoa(hook)
}

// WebhookBody is the JSON body POSTed to a webhook. It is the same on every
// attempt.
type WebhookBody struct {
	// ID is the alert event id (also in HeaderDelivery).
	ID        string       `json:"id"`
	Type      string       `json:"type"` // always "alert"
	Watchlist WatchlistRef `json:"watchlist"`
	// Event is the alert event without its delivery state and history.
	Event index.AlertEvent `json:"event"`
}

// WatchlistRef names the watchlist an alert belongs to.
type WatchlistRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Sign returns the value of HeaderSignature for body signed at ts (Unix
// seconds) with secret: "sha256=" + hex(HMAC-SHA256(secret, ts + "." +
// body)). It is safe for concurrent use.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a received webhook: the signature in h must match body
// and the timestamp in h, which must be within tolerance of now (0 means
// SignatureTolerance). Errors wrap creator.ErrForbidden. It is what a
// receiver written in Go calls, and safe for concurrent use.
func Verify(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = SignatureTolerance
	}
	ts, err := strconv.ParseInt(h.Get(HeaderTimestamp), 10, 64)
	if err != nil {
		return fmt.Errorf("verifying webhook: %w: bad %s", creator.ErrForbidden, HeaderTimestamp)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("verifying webhook: %w: timestamp outside tolerance", creator.ErrForbidden)
	}
	if !hmac.Equal([]byte(h.Get(HeaderSignature)), []byte(Sign(secret, ts, body))) {
		return fmt.Errorf("verifying webhook: %w: signature mismatch", creator.ErrForbidden)
	}
	return nil
}

// HandleDeliver is the asynq handler of TypeDeliver: it POSTs the alert
// event to the webhook, signed, and appends the attempt to the event's
// Deliveries. A 2xx answer delivers it (DeliveryState "delivered" once every
// target has it); another answer or a transport error returns an error so
// asynq retries with backoff, until the last attempt (or a 4xx answer other
// than 408 and 429, or a URL the URL check or the client's guard refuses)
// marks the event "failed". An undecodable payload, or an alert, watchlist or target that no
// longer exists, is not retried. A target that already has the event is not
// sent it again.
func (s *Service) HandleDeliver(ctx context.Context, t *asynq.Task) error {
	var p DeliverPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.AlertID == "" {
		return fmt.Errorf("decoding webhook payload: %w: %v", asynq.SkipRetry, err)
	}
	ev, err := s.store.GetAlert(ctx, p.AlertID)
	if errors.Is(err, creator.ErrNotFound) {
		return fmt.Errorf("delivering %s: %w: %w", p.AlertID, err, asynq.SkipRetry)
	}
	if err != nil {
		return fmt.Errorf("delivering %s: %w", p.AlertID, err)
	}
	w, err := s.store.GetWatchlist(ctx, ev.WatchlistID)
	if errors.Is(err, creator.ErrNotFound) {
		return fmt.Errorf("delivering %s: %w: %w", p.AlertID, err, asynq.SkipRetry)
	}
	if err != nil {
		return fmt.Errorf("delivering %s: %w", p.AlertID, err)
	}
	if p.Hook >= len(w.Webhooks) || w.Webhooks[p.Hook].URL != p.URL {
		return fmt.Errorf("delivering %s: webhook %d (%s) %w: %w", p.AlertID, p.Hook, p.URL, creator.ErrNotFound, asynq.SkipRetry)
	}
	hook := w.Webhooks[p.Hook]
	if delivered(ev, hook.URL) {
		return nil
	}

	body, err := json.Marshal(WebhookBody{
		ID:        ev.ID,
		Type:      "alert",
		Watchlist: WatchlistRef{ID: w.ID, Name: w.Name},
		Event:     stripDelivery(*ev),
	})
	if err != nil {
		return fmt.Errorf("delivering %s: encoding body: %w: %w", p.AlertID, err, asynq.SkipRetry)
	}
	now := s.now()
	d := index.Delivery{URL: hook.URL, At: now.UTC()}
	permanent := false
	if err := s.checkURL(ctx, hook.URL); err != nil {
		d.Error = err.Error()
		permanent = true
	} else {
		d.StatusCode, err = s.post(ctx, hook, ev, body, now)
		if err != nil {
			d.Error = err.Error()
			// Refused by the client's SSRF guard at dial time.
			permanent = errors.Is(err, creator.ErrForbidden)
		} else if d.StatusCode < 200 || d.StatusCode > 299 {
			d.Error = fmt.Sprintf("status %d", d.StatusCode)
			permanent = d.StatusCode >= 400 && d.StatusCode < 500 && d.StatusCode != 408 && d.StatusCode != 429
		}
	}
	ok := d.Error == ""
	final := permanent
	if !ok && !final {
		retried, ok1 := asynq.GetRetryCount(ctx)
		max, ok2 := asynq.GetMaxRetry(ctx)
		if ok1 && ok2 {
			final = retried >= max
		} else {
			final = attempts(ev, hook.URL)+1 >= s.attempts
		}
	}
	if err := s.recordDelivery(ctx, p.AlertID, d, len(w.Webhooks), final); err != nil {
		return fmt.Errorf("delivering %s: %w", p.AlertID, err)
	}
	if ok {
		return nil
	}
	err = fmt.Errorf("delivering %s to %s: %s", p.AlertID, hook.URL, d.Error)
	if permanent {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	return err
}

// post sends one signed attempt and returns the status code.
func (s *Service) post(ctx context.Context, hook index.Webhook, ev *index.AlertEvent, body []byte, now time.Time) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	ts := now.Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "CreatorScout-Webhook/1")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(hook.Secret, ts, body))
	req.Header.Set(HeaderEvent, ev.Kind)
	req.Header.Set(HeaderDelivery, ev.ID)
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

// recordDelivery appends d to the event's history and updates its state.
func (s *Service) recordDelivery(ctx context.Context, alertID string, d index.Delivery, targets int, final bool) error {
	defer s.lockAlert(alertID)()
	ev, err := s.store.GetAlert(ctx, alertID)
	if err != nil {
		return err
	}
	d.Attempt = attempts(ev, d.URL) + 1
	ev.Deliveries = append(ev.Deliveries, d)
	switch {
	case d.Error != "" && final:
		ev.DeliveryState = "failed"
	case ev.DeliveryState == "failed":
	case deliveredCount(ev) >= targets:
		ev.DeliveryState = "delivered"
	default:
		ev.DeliveryState = "pending"
	}
	return s.store.PutAlert(ctx, ev)
}

// enqueueDeliveries enqueues a delivery task per target of w that does not
// yet have ev. Tasks already kept by asynq are not enqueued again.
func (s *Service) enqueueDeliveries(ctx context.Context, w *index.Watchlist, ev *index.AlertEvent) error {
	if s.tasks == nil {
		return nil
	}
	for i, h := range w.Webhooks {
		if delivered(ev, h.URL) {
			continue
		}
		t, err := NewDeliverTask(ev.ID, i, h.URL)
		if err != nil {
			return err
		}
		_, err = s.tasks.EnqueueContext(ctx, t, asynq.Queue(s.queue), asynq.MaxRetry(s.attempts-1))
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) && !errors.Is(err, asynq.ErrDuplicateTask) {
			return fmt.Errorf("enqueueing webhook %d of %s: %w", i, ev.ID, err)
		}
	}
	return nil
}

func delivered(ev *index.AlertEvent, url string) bool {
	for _, d := range ev.Deliveries {
		if d.URL == url && d.Error == "" {
			return true
		}
	}
	return false
}

func deliveredCount(ev *index.AlertEvent) int {
	seen := map[string]bool{}
	for _, d := range ev.Deliveries {
		if d.Error == "" {
			seen[d.URL] = true
		}
	}
	return len(seen)
}

func attempts(ev *index.AlertEvent, url string) int {
	n := 0
	for _, d := range ev.Deliveries {
		if d.URL == url {
			n++
		}
	}
	return n
}

func stripDelivery(ev index.AlertEvent) index.AlertEvent {
	ev.DeliveryState = ""
	ev.Deliveries = nil
	return ev
}

// Errors of Redeliver.
var (
	// ErrNotRedeliverable reports a redelivery of an alert event whose
	// delivery has not failed.
	ErrNotRedeliverable = errors.New("not redeliverable")
	// ErrNoQueue reports a redelivery asked of a Service without a task
	// queue (WithTaskEnqueuer).
	ErrNoQueue = errors.New("no delivery queue")
)

// Redeliver sends a failed alert event again to every webhook of its
// watchlist that has not had it, as new delivery tasks with their full
// number of attempts. Only an event whose DeliveryState is "failed" can be
// redelivered (others give an error wrapping ErrNotRedeliverable); the
// event is returned "pending". Without a task queue (WithTaskEnqueuer) it
// gives an error wrapping ErrNoQueue. It is safe for concurrent use.
func (s *Service) Redeliver(ctx context.Context, alertID string) (*index.AlertEvent, error) {
	unlock := s.lockAlert(alertID)
	ev, err := s.store.GetAlert(ctx, alertID)
	if err != nil {
		unlock()
		return nil, fmt.Errorf("redelivering alert %s: %w", alertID, err)
	}
	if s.tasks == nil {
		unlock()
		return nil, fmt.Errorf("redelivering alert %s: %w", alertID, ErrNoQueue)
	}
	if ev.DeliveryState != "failed" {
		unlock()
		state := ev.DeliveryState
		if state == "" {
			state = "not sent (its watchlist has no webhooks)"
		}
		return nil, fmt.Errorf("%w: only a failed delivery can be redelivered; this alert's delivery is %s", ErrNotRedeliverable, state)
	}
	w, err := s.store.GetWatchlist(ctx, ev.WatchlistID)
	if err != nil {
		unlock()
		return nil, fmt.Errorf("redelivering alert %s: watchlist %s: %w", alertID, ev.WatchlistID, err)
	}
	ev.DeliveryState = "pending"
	if err := s.store.PutAlert(ctx, ev); err != nil {
		unlock()
		return nil, fmt.Errorf("redelivering alert %s: %w", alertID, err)
	}
	unlock()
	// New task ids: asynq keeps the failed tasks' ids in its archive.
	round := strconv.Itoa(len(ev.Deliveries))
	for i, h := range w.Webhooks {
		if delivered(ev, h.URL) {
			continue
		}
		t, err := NewDeliverTask(ev.ID, i, h.URL)
		if err != nil {
			return nil, err
		}
		_, err = s.tasks.EnqueueContext(ctx, t, asynq.Queue(s.queue), asynq.MaxRetry(s.attempts-1),
			asynq.TaskID(DeliverTaskID(ev.ID, i)+"-r"+round))
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) && !errors.Is(err, asynq.ErrDuplicateTask) {
			return nil, fmt.Errorf("redelivering alert %s: enqueueing webhook %d: %w", alertID, i, err)
		}
	}
	return ev, nil
}
