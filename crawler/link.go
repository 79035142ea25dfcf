package crawler

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// maxStoredLinkChecks bounds the store lookups one crawl makes for links.
const maxStoredLinkChecks = 8

// SameURL reports whether a and b name the same page: scheme (http and
// https alike), host case, a default port, a trailing slash and the
// fragment do not matter.
func SameURL(a, b string) bool {
	na, oka := normURL(a)
	nb, okb := normURL(b)
	return oka && okb && na == nb
}

func normURL(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if u, err := url.Parse(s); err == nil && u.Scheme == "" {
		s = "https://" + s // a bare domain written in a bio
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if p := u.Port(); p != "" && p != "80" && p != "443" {
		host += ":" + p
	}
	q := ""
	if u.RawQuery != "" {
		q = "?" + u.RawQuery
	}
	return host + strings.TrimRight(u.EscapedPath(), "/") + q, true
}

// linkStored adds to prof.Linked the stored creators that prof links to
// (its Links: a website, bio links, rel="me" and sameAs links, profile
// fields) and that link back to prof in their own stored profile: each
// account claims the other, in what its owner wrote (never a matching
// name). A store error skips the link; it does not fail the crawl.
func (p *Pipeline) linkStored(ctx context.Context, prof *creator.Profile) {
	self := selfURLs(prof)
	checked := 0
	for _, link := range prof.Links {
		if checked == maxStoredLinkChecks {
			return
		}
		if isSelf(link, self) || alreadyLinked(prof.Linked, link) {
			continue
		}
		checked++
		others, err := p.storedAt(ctx, link)
		if err != nil {
			if !errors.Is(err, creator.ErrNotFound) && !errors.Is(err, creator.ErrInvalid) {
				p.log.Warn("looking up a linked account", "ref", prof.Ref.String(), "link", link, "err", err)
			}
			continue
		}
		for _, o := range others {
			if o.Key == creator.Key(prof.Ref) {
				continue
			}
			back := ""
			for _, l := range o.Profile.Links {
				if isSelf(l, self) {
					back = l
					break
				}
			}
			if back == "" {
				continue
			}
			addr := o.Profile.URL
			if addr == "" {
				addr = link
			}
			prof.Linked = append(prof.Linked, creator.LinkedAccount{
				Platform: o.Profile.Ref.Platform, ID: o.Profile.Ref.ID, Handle: o.Profile.Ref.Handle, URL: addr,
				Evidence: []creator.LinkEvidence{{
					Kind:    creator.EvidenceMutualLinks,
					Forward: self[0] + " links to " + link,
					Back:    addr + " links back to " + back + " (as crawled " + o.UpdatedAt.UTC().Format("2006-01-02") + ")",
					At:      o.UpdatedAt,
				}},
			})
		}
	}
}

// storedAt returns the stored creators a link names: a profile URL of a
// known platform by its handle or id, any other page as a web creator.
func (p *Pipeline) storedAt(ctx context.Context, link string) ([]creator.Record, error) {
	if r, err := ParseProfileURL(link); err == nil {
		if r.ID != "" {
			rec, err := p.cfg.Store.Get(ctx, creator.Key(r))
			if err != nil {
				return nil, err
			}
			return []creator.Record{*rec}, nil
		}
		return index.ByHandle(ctx, p.cfg.Store, r.Platform, r.Handle)
	}
	raw := link
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	if rec, err := p.cfg.Store.Get(ctx, creator.Key(creator.Ref{Platform: creator.Web, ID: raw})); err == nil {
		return []creator.Record{*rec}, nil
	}
	return index.ByProfileURL(ctx, p.cfg.Store, raw)
}

// selfURLs lists the addresses prof is known by: its profile URL, for a
// web creator the page it was crawled at, and those its platform's
// Naming lists (bsky.app by handle and by DID). The first one names it.
func selfURLs(prof *creator.Profile) []string {
	var out []string
	if prof.Ref.Platform == creator.Web && prof.Ref.ID != "" {
		out = append(out, prof.Ref.ID)
	}
	if prof.URL != "" {
		out = append(out, prof.URL)
	}
	if n, ok := namingOf(prof.Ref.Platform); ok && n.URLs != nil {
		out = append(out, n.URLs(prof.Ref)...)
	}
	return out
}

func isSelf(link string, self []string) bool {
	for _, s := range self {
		if SameURL(link, s) {
			return true
		}
	}
	return false
}

func alreadyLinked(linked []creator.LinkedAccount, link string) bool {
	for _, l := range linked {
		if SameURL(l.URL, link) || (l.Platform == creator.Web && SameURL(l.ID, link)) {
			return true
		}
	}
	return false
}
