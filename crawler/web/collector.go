package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
)

// Transporter is the part of *fetch.Client the package needs: the
// RoundTripper through which every request passes the client's guard,
// robots.txt, limits and body limit.
type Transporter interface {
	Transport() http.RoundTripper
}

// NewCollector returns a colly collector that sends every request through
// t, under ctx (so a task's page budget and deadline hold). colly's own
// robots.txt handling and body limit are off: the client enforces both, the
// body limit loudly instead of by truncation. Further options apply after
// these. A collector is as safe for concurrent use as colly makes it.
func NewCollector(ctx context.Context, t Transporter, opts ...colly.CollectorOption) *colly.Collector {
	base := []colly.CollectorOption{
		colly.StdlibContext(ctx),
		colly.IgnoreRobotsTxt(),
		colly.MaxBodySize(0),
		colly.AllowURLRevisit(),
	}
	c := colly.NewCollector(append(base, opts...)...)
	c.WithTransport(t.Transport())
	c.SetRequestTimeout(0) // the client's timeouts apply
	return c
}

// Fetch fetches the page at u through t with colly and parses it. A 404 or
// 410 gives an error wrapping creator.ErrNotFound; a page that asks not to
// be indexed, creator.ErrOptedOut; refusals by the client (robots.txt, the
// SSRF guard) wrap creator.ErrForbidden.
func Fetch(ctx context.Context, t Transporter, u *url.URL) (*Page, error) {
	return fetchPage(ctx, t, u, time.Now)
}

func fetchPage(ctx context.Context, t Transporter, u *url.URL, clock func() time.Time) (*Page, error) {
	final, body, header, err := get(ctx, t, u, clock)
	if err != nil {
		return nil, err
	}
	if noIndexHeader(header.Values("X-Robots-Tag")) {
		return nil, fmt.Errorf("fetching page %s: %w: page asks not to be indexed", redacted(u), creator.ErrOptedOut)
	}
	page, err := Parse(final, body)
	if err != nil {
		return nil, err
	}
	if page.NoIndex {
		return nil, fmt.Errorf("fetching page %s: %w: page asks not to be indexed", redacted(u), creator.ErrOptedOut)
	}
	return page, nil
}

// get fetches u through t with colly and returns the final URL (after
// redirects), the body and the headers. A 404 or 410 gives an error
// wrapping creator.ErrNotFound; a 429 or 5xx a *creator.RetryAfter;
// refusals by the client (robots.txt, the SSRF guard) wrap
// creator.ErrForbidden.
func get(ctx context.Context, t Transporter, u *url.URL, clock func() time.Time) (*url.URL, []byte, http.Header, error) {
	var body []byte
	var got bool
	final := u
	header := http.Header{}
	c := NewCollector(ctx, t)
	c.OnResponse(func(r *colly.Response) {
		final = r.Request.URL
		body = r.Body
		got = true
		if r.Headers != nil {
			header = *r.Headers
		}
	})
	var status int
	c.OnError(func(r *colly.Response, err error) {
		status = r.StatusCode
		if r.Headers != nil {
			header = *r.Headers
		}
	})
	if err := c.Visit(u.String()); err != nil {
		u := redacted(u)
		switch {
		case status == http.StatusNotFound || status == http.StatusGone:
			return nil, nil, nil, fmt.Errorf("fetching page %s: %w", u, creator.ErrNotFound)
		case status == http.StatusTooManyRequests || status >= 500:
			// The client paused the site for every worker; say when to
			// come back.
			now := clock()
			until, ok := fetch.RetryTime(header, now)
			if !ok {
				until = now.Add(time.Minute)
			}
			ra := &creator.RetryAfter{Until: until}
			if status != http.StatusTooManyRequests {
				ra.Err = &fetch.StatusError{StatusCode: status, URL: u.String()}
			}
			return nil, nil, nil, fmt.Errorf("fetching page %s: %w", u.String(), ra)
		case status != 0:
			return nil, nil, nil, fmt.Errorf("fetching page %s: unexpected status %d", u, status)
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, nil, nil, fmt.Errorf("fetching page %s: %w", u, err)
	}
	if !got {
		return nil, nil, nil, fmt.Errorf("fetching page %s: %w: no response", redacted(u), creator.ErrMalformed)
	}
	return final, body, header, nil
}

func noIndexHeader(vals []string) bool {
	for _, v := range vals {
		// "noindex", "CreatorScout: noindex", "otherbot: noindex" (not ours).
		agent, rules, found := strings.Cut(v, ":")
		if found && !strings.Contains(agent, ",") && !strings.EqualFold(strings.TrimSpace(agent), "CreatorScout") {
			continue
		}
		if !found {
			rules = v
		}
		if hasToken(strings.ToLower(rules), "noindex") || hasToken(strings.ToLower(rules), "none") {
			return true
		}
	}
	return false
}

// redacted returns u without user info, for messages.
func redacted(u *url.URL) *url.URL {
	r := *u
	r.User = nil
	return &r
}
