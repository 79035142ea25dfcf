// Package web reads creators' own web pages: personal sites and link
// pages. It wires gocolly/colly to the one outbound client (crawler/fetch),
// so every colly request passes the SSRF guard, robots.txt, the cluster-wide
// rate limits, the page budget and the body limit, and it parses what a
// page says about its owner: a schema.org ProfilePage (JSON-LD), OpenGraph
// tags, rel="me" links (identity evidence, linked only when they link back)
// and RSS/Atom feeds.
//
// colly's own robots.txt handling stays off (IgnoreRobotsTxt): the client
// gates robots.txt itself, shared through Redis and retried per RFC 9309.
// A page that asks not to be indexed (meta robots or X-Robots-Tag noindex)
// is treated as an opt-out.
//
// The package registers the "web" source: a creator ref's ID (or Handle)
// is the page URL. It does not discover creators; users submit URLs. Fetch
// reads the page, its first feed (RSS 2.0, RSS 1.0, Atom or JSON Feed,
// parsed here with encoding/xml: the feed library on offer was not an
// approved release) into posts for posting cadence, and links the
// accounts the page claims (rel="me", then sameAs; at most MaxLinkChecks)
// whose own page links back to it with rel="me" (VerifyLinks). A claimed
// page that robots.txt forbids, that fails or that does not link back is
// not linked; names are never compared.
package web
