package bluesky

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
)

// ProfileHosts are the hosts of Bluesky's web app whose /profile/ URLs name
// an account: bsky.app, www.bsky.app (which redirects there) and
// staging.bsky.app (Bluesky's staging build of the same app, over the same
// accounts).
var ProfileHosts = []string{"bsky.app", "www.bsky.app", "staging.bsky.app"}

func init() {
	crawler.RegisterNaming(creator.Bluesky, crawler.Naming{
		Hint:  "a domain-style handle (alice.bsky.social) or a DID (did:plc:...)",
		Valid: validRef,
		URLs:  appURLs,
		Hosts: ProfileHosts,
		Parse: ParseProfileURL,
	})
}

// Forms of a Bluesky account's names: a DID, or a domain-style handle.
var (
	didRE    = regexp.MustCompile(`^did:[a-z]+:[A-Za-z0-9._:%-]+$`)
	domainRE = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
)

// validRef: an id is a DID; a handle is a domain or, as people paste
// them, a DID.
func validRef(field, v string) bool {
	if len(v) > 2048 {
		return false
	}
	if field == "id" {
		return didRE.MatchString(v)
	}
	return len(v) <= 253 && domainRE.MatchString(v) || didRE.MatchString(v)
}

// appURLs are the Bluesky app's addresses of an account: bsky.app names it
// by handle or by DID.
func appURLs(ref creator.Ref) []string {
	var out []string
	if ref.Handle != "" && !strings.EqualFold(ref.Handle, InvalidHandle) {
		out = append(out, "https://bsky.app/profile/"+ref.Handle)
	}
	if ref.ID != "" {
		out = append(out, "https://bsky.app/profile/"+ref.ID)
	}
	return out
}

// ParseProfileURL reads https://bsky.app/profile/<handle-or-did>, optionally
// followed by a path (/post/...), on any of ProfileHosts: a DID gives a Ref
// with the ID, a handle one with the Handle, lower-cased. A handle or DID
// of the wrong form is not a profile URL.
func ParseProfileURL(u *url.URL) (creator.Ref, bool) {
	if u.Scheme != "https" && u.Scheme != "http" {
		return creator.Ref{}, false
	}
	host := strings.ToLower(u.Hostname())
	known := false
	for _, h := range ProfileHosts {
		known = known || h == host
	}
	if !known {
		return creator.Ref{}, false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 || parts[0] != "profile" || parts[1] == "" {
		return creator.Ref{}, false
	}
	// A DID is an id, with or without a pasted "@", so that an opt-out made
	// by the URL is matched by id.
	actor := strings.TrimPrefix(parts[1], "@")
	if strings.HasPrefix(actor, "did:") {
		return creator.Ref{Platform: creator.Bluesky, ID: actor}, validRef("id", actor)
	}
	ref := creator.Ref{Platform: creator.Bluesky, Handle: strings.ToLower(actor)}
	return ref, actor != "" && validRef("handle", ref.Handle)
}
