package index

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/creatorscout/scout/creator"
)

// MaxLookupBytes is the longest handle or profile URL a lookup takes. The
// stored fields hold longer values, but Meilisearch compares no more than
// its first 468 bytes of a filter value, so a longer one could never match
// there.
const MaxLookupBytes = 400

// Searcher is what the lookups need of a store.
type Searcher interface {
	Search(ctx context.Context, q Query) (*Result, error)
}

// NormalizeHandle returns the form of a handle that the handle field holds
// and lookups compare: without surrounding space or a leading "@",
// lower-cased.
func NormalizeHandle(h string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "@"))
}

// NormalizeProfileURL returns the form of a profile URL that the
// profile_url field holds and lookups compare: https, host lower-cased
// without a default port, no user info, query or fragment, and no trailing
// slash. http and https URLs of the same page are the same profile. An
// error wraps creator.ErrInvalid.
func NormalizeProfileURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "", fmt.Errorf("%w: url: not an http(s) URL", creator.ErrInvalid)
	}
	host := strings.ToLower(u.Hostname())
	if p := u.Port(); p != "" && p != "80" && p != "443" {
		host += ":" + p
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	return "https://" + host + path, nil
}

// ByHandle returns the summaries of the stored creators of platform whose
// handle is handle (compared as NormalizeHandle gives them), ordered by
// key. It filters on the handle field and never searches text, so it
// finds every such creator and no other, however many words the handle
// has. It is safe for concurrent use if s is.
func ByHandle(ctx context.Context, s Searcher, platform, handle string) ([]creator.Record, error) {
	h := NormalizeHandle(handle)
	if h == "" || platform == "" {
		return nil, fmt.Errorf("%w: handle: a platform and a handle are required", creator.ErrInvalid)
	}
	if len(h) > MaxLookupBytes {
		return nil, fmt.Errorf("%w: handle: longer than %d bytes", creator.ErrInvalid, MaxLookupBytes)
	}
	return lookup(ctx, s, And(Eq("platform", platform), Eq("handle", h)))
}

// ByProfileURL returns the summaries of the stored creators whose profile
// URL is raw (compared as NormalizeProfileURL gives them), ordered by key.
// Like ByHandle it filters on a field and never searches text. It is safe
// for concurrent use if s is.
func ByProfileURL(ctx context.Context, s Searcher, raw string) ([]creator.Record, error) {
	u, err := NormalizeProfileURL(raw)
	if err != nil {
		return nil, err
	}
	if len(u) > MaxLookupBytes {
		return nil, fmt.Errorf("%w: url: longer than %d bytes", creator.ErrInvalid, MaxLookupBytes)
	}
	return lookup(ctx, s, Eq("profile_url", u))
}

// lookup pages through every creator that f matches.
func lookup(ctx context.Context, s Searcher, f Filter) ([]creator.Record, error) {
	q := Query{Filter: &f, PerPage: MaxPerPage}
	var out []creator.Record
	for q.Page = 1; ; q.Page++ {
		res, err := s.Search(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("looking up %s: %w", describeLookup(f), err)
		}
		out = append(out, res.Hits...)
		if len(res.Hits) < q.PerPage || q.Page*q.PerPage >= min(res.Total, MaxTotalHits) {
			return out, nil
		}
	}
}

func describeLookup(f Filter) string {
	if f.Op == OpAnd {
		f = f.Sub[len(f.Sub)-1]
	}
	return f.Field + " " + strings.Join(f.Values, ",")
}
