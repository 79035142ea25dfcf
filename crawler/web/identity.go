package web

import (
	"context"
	"net/url"
	"time"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
)

// MaxLinkChecks is how many of a page's rel="me" and sameAs links are
// fetched to look for a link back.
const MaxLinkChecks = 8

// linkedRef names the account a URL points at: a profile URL of a known
// platform (crawler.ParseProfileURL), else a web page keyed by the URL.
func linkedRef(raw string) creator.LinkedAccount {
	if r, err := crawler.ParseProfileURL(raw); err == nil {
		id := r.ID
		if id == "" && r.Platform == creator.Mastodon {
			id = r.Handle // a Mastodon creator is keyed by its acct
		}
		return creator.LinkedAccount{Platform: r.Platform, ID: id, Handle: r.Handle, URL: raw}
	}
	return creator.LinkedAccount{Platform: creator.Web, ID: raw, URL: raw}
}

// VerifyLinks fetches the pages that page claims as its owner's (rel="me"
// links, then schema.org sameAs), at most MaxLinkChecks, and returns those
// that link back to page with rel="me", with the evidence both ways. A
// page that cannot be fetched (robots.txt, an error, noindex) is not
// linked; only a cancelled ctx is an error. self lists the addresses page
// is known by (the submitted URL, where it was fetched from, its
// canonical URL).
func VerifyLinks(ctx context.Context, t Transporter, page *Page, self []string, now func() time.Time) ([]creator.LinkedAccount, error) {
	type claim struct{ url, how string }
	var claims []claim
	seen := map[string]bool{}
	add := func(u, how string) {
		if _, err := url.Parse(u); err != nil || isSelf(u, self) {
			return
		}
		for s := range seen {
			if crawler.SameURL(s, u) {
				return
			}
		}
		seen[u] = true
		claims = append(claims, claim{u, how})
	}
	for _, m := range page.Me {
		add(m, `rel="me"`)
	}
	if page.Person != nil {
		for _, s := range page.Person.SameAs {
			add(s, "schema.org sameAs")
		}
	}
	if len(claims) > MaxLinkChecks {
		claims = claims[:MaxLinkChecks]
	}
	var out []creator.LinkedAccount
	for _, c := range claims {
		u, err := url.Parse(c.url)
		if err != nil {
			continue
		}
		other, err := fetchPage(ctx, t, u, now)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		var back string
		for _, m := range other.Me {
			if isSelf(m, self) {
				back = m
				break
			}
		}
		if back == "" {
			continue
		}
		l := linkedRef(c.url)
		l.Evidence = []creator.LinkEvidence{{
			Kind:    creator.EvidenceRelMe,
			Forward: self[0] + " links to " + c.url + " with " + c.how,
			Back:    c.url + " links back to " + back + ` with rel="me"`,
			At:      now().UTC(),
		}}
		out = append(out, l)
	}
	return out, nil
}

func isSelf(u string, self []string) bool {
	for _, s := range self {
		if crawler.SameURL(u, s) {
			return true
		}
	}
	return false
}
