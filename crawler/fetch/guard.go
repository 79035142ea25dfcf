package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/creatorscout/scout/creator"
)

// Resolver looks up the addresses of a host name. *net.Resolver implements
// it; tests inject their own.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// blockedNet is a range the guard refuses, and why.
type blockedNet struct {
	prefix netip.Prefix
	why    string
}

var blockedNets = []blockedNet{
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address"},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "an IETF protocol address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"},
	{netip.MustParsePrefix("::/128"), "an unspecified address"},
	{netip.MustParsePrefix("::1/128"), "a loopback address"},
	{netip.MustParsePrefix("::/96"), "an IPv4-compatible address"},
	{netip.MustParsePrefix("100::/64"), "a discard address"},
	{netip.MustParsePrefix("fc00::/7"), "a unique local address"},
	{netip.MustParsePrefix("fe80::/10"), "a link-local address"},
	{netip.MustParsePrefix("fec0::/10"), "a site-local address"},
	{netip.MustParsePrefix("ff00::/8"), "a multicast address"},
}

// Embedded-IPv4 translation ranges: the IPv4 address inside is checked.
var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
)

// Guard refuses connections to addresses a crawler must not reach: loopback,
// private, link-local, CGNAT, multicast, unspecified, IPv6 unique-local and
// reserved ranges, in IPv4, IPv6 and IPv4-mapped forms, unless an address is
// inside one of Allow. The zero Guard uses net.DefaultResolver and allows
// nothing extra. A Guard is safe for concurrent use once built.
type Guard struct {
	// Allow lists networks reachable despite the rules
	// (SCOUT_ALLOW_PRIVATE_NETS=127.0.0.0/8 for tests and the demo).
	Allow []netip.Prefix
	// Resolver resolves host names; nil means net.DefaultResolver.
	Resolver Resolver
	// Dialer dials the checked addresses; nil means a net.Dialer with a
	// 10-second timeout. Its Control hook is replaced by the guard's.
	Dialer *net.Dialer
}

// CheckAddr returns nil when ip may be dialled, or an error wrapping
// creator.ErrForbidden that says why not.
func (g *Guard) CheckAddr(ip netip.Addr) error {
	ip = ip.WithZone("")
	for _, p := range g.allow() {
		if p.Contains(ip) || p.Contains(ip.Unmap()) {
			return nil
		}
	}
	if why := blockedReason(ip); why != "" {
		return fmt.Errorf("checking address %s: %w: %s is %s", ip, creator.ErrForbidden, ip, why)
	}
	return nil
}

func (g *Guard) allow() []netip.Prefix {
	if g == nil {
		return nil
	}
	return g.Allow
}

// blockedReason says why ip is refused, or "" when it is not.
func blockedReason(ip netip.Addr) string {
	if ip.Is4In6() {
		if why := blockedReason(ip.Unmap()); why != "" {
			return why + " (IPv4-mapped)"
		}
		return ""
	}
	if !ip.IsValid() {
		return "not a valid address"
	}
	if ip.Is6() {
		b := ip.As16()
		if nat64Prefix.Contains(ip) {
			v4 := netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
			if why := blockedReason(v4); why != "" {
				return why + " (NAT64)"
			}
		}
		if sixToFour.Contains(ip) {
			v4 := netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})
			if why := blockedReason(v4); why != "" {
				return why + " (6to4)"
			}
		}
	}
	for _, b := range blockedNets {
		if b.prefix.Contains(ip) {
			return b.why
		}
	}
	return ""
}

func (g *Guard) resolver() Resolver {
	if g != nil && g.Resolver != nil {
		return g.Resolver
	}
	return net.DefaultResolver
}

// resolve returns the addresses of host that may be dialled, or an error
// wrapping creator.ErrForbidden when every address is refused.
func (g *Guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := g.CheckAddr(ip); err != nil {
			return nil, err
		}
		return []netip.Addr{ip.Unmap()}, nil
	}
	if host == "" {
		return nil, fmt.Errorf("resolving host: %w: empty host", creator.ErrForbidden)
	}
	ips, err := g.resolver().LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", host, err)
	}
	var ok []netip.Addr
	var firstErr error
	for _, ip := range ips {
		if err := g.CheckAddr(ip); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		ok = append(ok, ip.Unmap())
	}
	if len(ok) == 0 {
		if firstErr == nil {
			return nil, fmt.Errorf("resolving %s: no addresses", host)
		}
		return nil, fmt.Errorf("resolving %s: %w", host, firstErr)
	}
	return ok, nil
}

// DialContext resolves addr's host with the guard's resolver, refuses it
// when any chosen address is blocked, and dials the first allowed address
// that answers. The dialer's Control hook checks the address once more
// right before connecting. It has the signature of
// http.Transport.DialContext.
func (g *Guard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dialing %s: %w", addr, err)
	}
	ips, err := g.resolve(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("dialing %s: %w", addr, err)
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	if g != nil && g.Dialer != nil {
		d = *g.Dialer
	}
	d.Control = g.control
	var lastErr error
	for _, ip := range ips {
		c, err := d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return c, nil
		}
		lastErr = err
		if errors.Is(err, creator.ErrForbidden) || ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("dialing %s: %w", addr, lastErr)
}

// control is the dialer's Control hook: it sees the address about to be
// connected, after any resolution.
func (g *Guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("checking %s: %w: unparsable address", address, creator.ErrForbidden)
	}
	return g.CheckAddr(ap.Addr())
}

// CheckURL parses raw and checks that it is an absolute http or https URL
// whose host resolves only to addresses the guard allows. Use it for URLs
// that users or webhooks submit, before storing them; the guard checks the
// addresses again when it dials, which catches DNS changes since. Errors
// wrap creator.ErrInvalid for a malformed URL and creator.ErrForbidden for a
// refused one.
func (g *Guard) CheckURL(ctx context.Context, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("checking url: %w: %v", creator.ErrInvalid, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("checking url %q: %w: scheme must be http or https", raw, creator.ErrInvalid)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("checking url %q: %w: no host", raw, creator.ErrInvalid)
	}
	if _, err := g.resolve(ctx, u.Hostname()); err != nil {
		return nil, fmt.Errorf("checking url %q: %w", raw, err)
	}
	return u, nil
}

// CheckURL checks raw with a Guard that allows the networks in allow and
// resolves with net.DefaultResolver. See Guard.CheckURL.
func CheckURL(ctx context.Context, raw string, allow ...netip.Prefix) (*url.URL, error) {
	g := &Guard{Allow: allow}
	return g.CheckURL(ctx, raw)
}

// ParseNets parses a comma- or space-separated list of CIDR prefixes or
// single addresses ("127.0.0.0/8, ::1"), as in SCOUT_ALLOW_PRIVATE_NETS.
func ParseNets(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		ip, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("parsing network %q: %w: not a CIDR prefix or address", f, creator.ErrInvalid)
		}
		out = append(out, netip.PrefixFrom(ip, ip.BitLen()))
	}
	return out, nil
}

// newTransport returns an http.Transport whose every connection goes
// through g. It never uses a proxy: a proxy would make the dial checks
// meaningless.
func newTransport(g *Guard, connect, read time.Duration) *http.Transport {
	gd := *g
	gd.Dialer = &net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                  nil,
		DialContext:            gd.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    8,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    connect,
		ResponseHeaderTimeout:  read,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 1 << 20,
	}
}
