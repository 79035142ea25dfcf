package fetch

import "time"

// Observer learns of the client's outbound requests, for metrics. Its
// methods must be fast and safe for concurrent use.
type Observer interface {
	// Waited reports how long a request to host waited for its rate limit
	// (zero when it did not wait).
	Waited(host string, d time.Duration)
	// Fetched reports a request sent to host: the response's status, or 0
	// and the error when none came.
	Fetched(host string, status int, err error)
}

// WithObserver reports every request the client sends, and its rate-limit
// wait, to o.
func WithObserver(o Observer) Option { return func(c *Client) { c.obs = o } }
