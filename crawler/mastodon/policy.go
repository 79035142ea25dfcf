package mastodon

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"

	"github.com/creatorscout/scout/creator"
)

// DeniedByDefault lists instances denied unless the operator names them in
// "instances_allow". mastodon.social forbids automated data mining in its
// terms since 2025-07-01.
var DeniedByDefault = []string{"mastodon.social"}

// Opt-out signals the source honours, as reported by Policy.
const (
	SignalNoindex         = "noindex"
	SignalNotDiscoverable = "discoverable:false (discovery)"
	SignalNotIndexable    = "indexable:false (discovery)"
	SignalNobot           = "bio or field:#nobot"
	SignalNoindexTag      = "bio or field:#noindex"
	SignalHideCollections = "hide_collections (no follower sample)"
)

// InstancePolicy decides which instances the source may talk to. It is
// immutable after construction and safe for concurrent use.
type InstancePolicy struct {
	allow map[string]bool // empty: every instance not denied
	deny  map[string]bool
}

// NewInstancePolicy builds an instance policy from the comma-separated
// "instances_allow" and "instances_deny" options. An instance in the deny
// list is denied; with a non-empty allow list only its instances are
// allowed; an instance in DeniedByDefault is denied unless the allow list
// names it.
func NewInstancePolicy(allow, deny string) (*InstancePolicy, error) {
	p := &InstancePolicy{allow: map[string]bool{}, deny: map[string]bool{}}
	for _, l := range []struct {
		name, raw string
		dst       map[string]bool
	}{{"instances_allow", allow, p.allow}, {"instances_deny", deny, p.deny}} {
		for _, item := range strings.Split(l.raw, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			host, err := normalizeInstance(item)
			if err != nil {
				return nil, fmt.Errorf("reading option %s: %w", l.name, err)
			}
			l.dst[host] = true
		}
	}
	for _, h := range DeniedByDefault {
		if !p.allow[h] {
			p.deny[h] = true
		}
	}
	return p, nil
}

// Allowed reports whether the source may send requests to instance, and
// if not, why.
func (p *InstancePolicy) Allowed(instance string) (bool, string) {
	host, err := normalizeInstance(instance)
	if err != nil {
		return false, err.Error()
	}
	if p.deny[host] {
		for _, d := range DeniedByDefault {
			if d == host {
				return false, "denied by default (its terms forbid automated data mining); list it in instances_allow to override"
			}
		}
		return false, "in instances_deny"
	}
	if len(p.allow) > 0 && !p.allow[host] {
		return false, "not in instances_allow"
	}
	return true, ""
}

// check returns an error wrapping creator.ErrForbidden when instance is
// denied.
func (p *InstancePolicy) check(instance string) error {
	if ok, why := p.Allowed(instance); !ok {
		return fmt.Errorf("%w: mastodon instance %s %s", creator.ErrForbidden, instance, why)
	}
	return nil
}

// instanceRE matches a DNS host name.
var instanceRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)

// normalizeInstance lower-cases an instance domain and drops a trailing dot;
// it rejects anything that is not a host name.
func normalizeInstance(s string) (string, error) {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	if h == "" || !instanceRE.MatchString(h) {
		return "", fmt.Errorf("%w: %q is not an instance domain", creator.ErrInvalid, s)
	}
	if ip := net.ParseIP(h); ip != nil {
		return "", fmt.Errorf("%w: %q is an address, not an instance domain", creator.ErrInvalid, s)
	}
	return h, nil
}

// SplitAcct splits "user@instance" (an optional leading '@' and a profile
// URL "https://instance/@user" are accepted too) into its lower-cased user
// name and instance domain.
func SplitAcct(s string) (user, instance string, err error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
		rest := s[strings.Index(s, "//")+2:]
		host, path, _ := strings.Cut(rest, "/")
		path = strings.Trim(path, "/")
		if !strings.HasPrefix(path, "@") || strings.Contains(path, "/") {
			return "", "", fmt.Errorf("%w: %q is not a Mastodon profile URL", creator.ErrInvalid, s)
		}
		s = path + "@" + host
	}
	s = strings.TrimPrefix(s, "@")
	user, instance, ok := strings.Cut(s, "@")
	if !ok || user == "" || strings.Contains(instance, "@") {
		return "", "", fmt.Errorf("%w: %q is not user@instance", creator.ErrInvalid, s)
	}
	for _, r := range user {
		if !(r == '_' || r == '.' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return "", "", fmt.Errorf("%w: %q is not a Mastodon user name", creator.ErrInvalid, user)
		}
	}
	if instance, err = normalizeInstance(instance); err != nil {
		return "", "", err
	}
	return strings.ToLower(user), instance, nil
}

// optOutTagRE finds #nobot or #noindex as a whole hashtag in plain text.
var optOutTagRE = regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}_])#(nobot|noindex)([^\p{L}\p{N}_]|$)`)

// optOutReason returns why an account opted out of being indexed ("" when
// it did not): noindex: true, or #nobot / #noindex in its bio or in the
// name or value of one of its profile fields. bio is the account's note as
// plain text.
func optOutReason(a *account, bio string) string {
	if a.Noindex != nil && *a.Noindex {
		return "noindex"
	}
	if m := optOutTagRE.FindStringSubmatch(bio); m != nil {
		return "#" + strings.ToLower(m[2]) + " in bio"
	}
	for _, f := range a.Fields {
		for _, text := range []string{htmlText(f.Name), htmlText(f.Value)} {
			if m := optOutTagRE.FindStringSubmatch(text); m != nil {
				return "#" + strings.ToLower(m[2]) + " in profile field " + strconv.Quote(htmlText(f.Name))
			}
		}
	}
	return ""
}

// optedOutAccount reports whether a should be skipped wherever it appears.
func optedOutAccount(a *account) bool {
	return optOutReason(a, htmlText(a.Note)) != ""
}

// inactive returns why a is not a live account ("" when it is): suspended,
// moved to another account, or a memorial.
func inactive(a *account) string {
	switch {
	case a.Suspended:
		return "suspended"
	case a.Moved != nil:
		if a.Moved.Acct != "" {
			return "moved to " + strings.ToLower(a.Moved.Acct)
		}
		return "moved to another account"
	case a.Memorial:
		return "a memorial account"
	}
	return ""
}

// discoverable reports whether a may be returned by discovery: it must say
// discoverable: true (null means it never opted in), not say indexable:
// false (it asked not to be searched: an opt-out of discovery), be live,
// not limited by its instance's moderators, and not have opted out.
func discoverable(a *account) bool {
	if a.Discoverable == nil || !*a.Discoverable {
		return false
	}
	if a.Indexable != nil && !*a.Indexable {
		return false
	}
	return inactive(a) == "" && !a.Limited && !optedOutAccount(a)
}
