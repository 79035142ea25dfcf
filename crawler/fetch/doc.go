// Package fetch is CreatorScout's one outbound HTTP client. Every request the
// crawler makes goes through a *Client, so politeness, compliance and safety
// hold for every source and cannot be forgotten by one:
//
//   - An honest User-Agent naming the project and a contact URL on every
//     request (see WithUserAgent).
//   - Connect, read (response header and idle body) and total timeouts, and a
//     response body limit counted on decompressed bytes that fails with an
//     error wrapping creator.ErrTooLarge; bodies are never silently truncated.
//   - An SSRF guard: every dial, including those of redirects, resolves the
//     host itself and refuses loopback, private, link-local, CGNAT,
//     multicast, unspecified and IPv6 unique-local addresses, also in their
//     IPv4-mapped forms, unless a network is allowed explicitly
//     (WithAllowNets). CheckURL applies the same rules to URLs that users or
//     webhooks submit.
//   - robots.txt per RFC 9309 for web fetching (Get, Do and the Transport
//     that colly uses): per scheme, host and port; 4xx means allowed; 5xx,
//     429 or unreachable means disallowed for now and fetched again after a
//     short retry interval; cached at most 24 hours; every redirect target is
//     checked again. GetJSON, the API path sources use through crawler.Doer,
//     is not robots-gated: documented APIs (the Bluesky AppView, Mastodon's
//     REST API, ...) are governed by their terms and rate limits, which the
//     per-host policy encodes. WithRobotsCheck overrides the choice per
//     request. Files are matched by github.com/jimsmart/grobotstxt, a port
//     of Google's parser (the reference for RFC 9309), which passes the
//     cases of Google's robots_test.cc (TestRobotsGoogleSuite). It reads
//     any bytes, so no file blocks a site for being odd; Crawl-delay, not
//     part of RFC 9309, only ever slows the client down. A file is parsed
//     once per origin into the client's agent's rules and the "*" rules,
//     which decide exactly as grobotstxt's matcher does
//     (TestRobotsCompiledMatchesReference) without parsing it again.
//   - Rate limits per host, and per credential when a request carries one
//     (WithCredential), enforced with GCRA in Redis so that any number of
//     workers sharing the Redis stay under the limit together: a client
//     reserves send times in batches, one round trip for every goroutine
//     waiting (tokens.go), and reads a host's pause and adapted rate at
//     most every 250 ms; limits adapt
//     down when responses announce lower ones (RateLimit-*, X-RateLimit-*,
//     and Meta's X-App-Usage / X-Business-Use-Case-Usage percentages: slowed
//     from 75%, paused at 100% until the announced time to regain access);
//     a 429 or a 503 with Retry-After pauses the host for every worker until
//     the announced time; daily quotas refuse work before they are spent.
//   - Retries of 429, 5xx and transient network errors with the one
//     jittered backoff every retry in CreatorScout uses (Backoff, built on
//     github.com/cenkalti/backoff) that honours Retry-After and
//     RateLimit-Reset; when the client gives up the
//     error wraps a *creator.RetryAfter saying when to try again.
//   - Per-task caps carried by the context: a page (request) budget
//     (WithBudget) and a deadline (NewTask with Limits).
//
// The package owns its host policy type (HostPolicy) and imports nothing
// of crawler; crawler.Policy.Host converts a source's declared policy.
//
// Without a Redis client (WithRedis) the coordination state lives in the
// process, which is right for tests and one-off tools only; its rate limit
// is golang.org/x/time/rate on the client's clock instead of the GCRA in
// Redis.
package fetch
