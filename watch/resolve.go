package watch

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// Resolver turns a profile URL of one platform into a creator.Ref. Add one
// per platform with WithResolvers. Implementations are pure (no I/O) and
// safe for concurrent use.
type Resolver interface {
	// ResolveURL returns the creator u points at; ok is false when u is not
	// a profile URL this resolver knows. The Ref may hold only a Handle;
	// the Service then completes it with its HandleLookup.
	ResolveURL(u *url.URL) (ref creator.Ref, ok bool)
}

// ResolverFunc adapts a function to Resolver.
type ResolverFunc func(u *url.URL) (creator.Ref, bool)

// ResolveURL calls f.
func (f ResolverFunc) ResolveURL(u *url.URL) (creator.Ref, bool) { return f(u) }

// HandleLookup completes a Ref that has a Platform and a Handle but no ID,
// returning the full Ref or an error wrapping creator.ErrNotFound. The
// command wires it to the platform's source (for Bluesky, resolving the
// handle to a DID).
type HandleLookup func(ctx context.Context, ref creator.Ref) (creator.Ref, error)

// Bluesky resolves Bluesky profile URLs:
// https://bsky.app/profile/<handle-or-did>, optionally followed by a path
// (/post/...). A DID gives a full Ref; a handle gives a Ref with only the
// Handle, lower-cased.
var Bluesky Resolver = ResolverFunc(resolveBluesky)

func resolveBluesky(u *url.URL) (creator.Ref, bool) {
	host := strings.ToLower(u.Hostname())
	if host != "bsky.app" && host != "www.bsky.app" || (u.Scheme != "https" && u.Scheme != "http") {
		return creator.Ref{}, false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 || parts[0] != "profile" || parts[1] == "" {
		return creator.Ref{}, false
	}
	id, err := url.PathUnescape(parts[1])
	if err != nil {
		return creator.Ref{}, false
	}
	if strings.HasPrefix(id, "did:") {
		if !validDID(id) {
			return creator.Ref{}, false
		}
		return creator.Ref{Platform: creator.Bluesky, ID: id}, true
	}
	h := strings.ToLower(strings.TrimPrefix(id, "@"))
	if !validHandle(h) {
		return creator.Ref{}, false
	}
	return creator.Ref{Platform: creator.Bluesky, Handle: h}, true
}

// validDID checks the did:method:identifier form loosely.
func validDID(s string) bool {
	p := strings.SplitN(s, ":", 3)
	if len(p) != 3 || p[1] == "" || p[2] == "" || len(s) > 2048 {
		return false
	}
	for _, c := range p[1] {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	for _, c := range p[2] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._:%-", c)) {
			return false
		}
	}
	return true
}

// validHandle checks the domain-name form of a Bluesky handle.
func validHandle(h string) bool {
	if len(h) > 253 || !strings.Contains(h, ".") {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// storeHandleLookup finds a handle among the creators already stored
// by the exact handle field (index.ByHandle), keeping one whose id is
// known.
func storeHandleLookup(st index.Creators) HandleLookup {
	return func(ctx context.Context, ref creator.Ref) (creator.Ref, error) {
		hits, err := index.ByHandle(ctx, st, ref.Platform, ref.Handle)
		if err != nil {
			return creator.Ref{}, fmt.Errorf("looking up handle %s: %w", ref.Handle, err)
		}
		for _, h := range hits {
			if h.Profile.Ref.ID != "" {
				return h.Profile.Ref, nil
			}
		}
		return creator.Ref{}, fmt.Errorf("looking up handle %s: %w", ref.Handle, creator.ErrNotFound)
	}
}
