package creator

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors used for control flow across packages. Wrap them with %w
// and an -ing verb ("fetching profile %s: %w") and test with errors.Is.
var (
	// ErrNotFound reports that a creator, job or other record does not exist,
	// at the source or in the store.
	ErrNotFound = errors.New("not found")
	// ErrOptedOut reports that a creator has opted out (by a platform signal
	// such as a !no-unauthenticated label or #nobot, or through the opt-out
	// list) and must be neither fetched nor stored.
	ErrOptedOut = errors.New("opted out")
	// ErrRateLimited reports that a source refused a request for being over a
	// rate limit or quota. Errors wrapping it may carry a *RetryAfter.
	ErrRateLimited = errors.New("rate limited")
	// ErrMalformed reports a response or payload that could not be decoded.
	ErrMalformed = errors.New("malformed response")
	// ErrTooLarge reports a response body over the configured size limit.
	ErrTooLarge = errors.New("response too large")
	// ErrForbidden reports a request refused by policy before it was sent:
	// robots.txt, the SSRF guard, a source's terms or the operator's deny list.
	ErrForbidden = errors.New("forbidden by policy")
	// ErrInvalid reports invalid input from a caller (a query, a request).
	ErrInvalid = errors.New("invalid input")
	// ErrUnavailable reports that something the request needs (the store,
	// the queue, a name server) failed for now: nothing was recorded, and
	// the same request may be retried. The API answers 503 with
	// Retry-After.
	ErrUnavailable = errors.New("temporarily unavailable")
)

// RetryAfter is an error that says when a refused request may be tried
// again. It wraps ErrRateLimited unless Err says otherwise.
type RetryAfter struct {
	// Until is when the source allows requests again.
	Until time.Time
	// Err is the underlying error; nil means ErrRateLimited.
	Err error
}

// Error implements error.
func (e *RetryAfter) Error() string {
	return fmt.Sprintf("%v: retry after %s", e.Unwrap(), e.Until.UTC().Format(time.RFC3339))
}

// Unwrap returns the underlying error, ErrRateLimited by default.
func (e *RetryAfter) Unwrap() error {
	if e.Err == nil {
		return ErrRateLimited
	}
	return e.Err
}

// Unavailable marks err, a failure of something a request needs (the
// store, the queue), as ErrUnavailable, so that the caller answers "retry
// later" rather than "internal error". Errors that are the caller's
// (ErrInvalid, ErrNotFound, ErrOptedOut, ErrForbidden) or already marked
// are returned as they are, as is nil.
func Unavailable(err error) error {
	switch {
	case err == nil, errors.Is(err, ErrInvalid), errors.Is(err, ErrNotFound), errors.Is(err, ErrOptedOut),
		errors.Is(err, ErrForbidden), errors.Is(err, ErrUnavailable):
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}
