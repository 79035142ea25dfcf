package fetch

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/creatorscout/scout/creator"
)

// fakeResolver resolves names from a map and fails for anything else.
type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

func TestSSRFRefusals(t *testing.T) {
	var hits atomic.Int32
	var redirectTo atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		hits.Add(1)
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, redirectTo.Load().(string), http.StatusFound)
			return
		}
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	res := fakeResolver{
		"internal.example": addrs("10.0.0.7"),
		"metadata.example": addrs("169.254.169.254"),
		"mixed.example":    addrs("192.168.1.1", "fd00::1"),
		"public.example":   addrs("127.0.0.1"), // stands in for a public host; 127/8 is allowed below
	}
	tests := []struct {
		name     string
		url      string
		redirect string // where public.example's /redirect points
		allow    bool   // allow 127.0.0.0/8, as tests and the demo do
		wantWhy  string
	}{
		{name: "127.0.0.1 with the guard on", url: srv.URL + "/x", wantWhy: "loopback"},
		{name: "10.x", url: "http://10.1.2.3/x", wantWhy: "private"},
		{name: "cloud metadata 169.254.169.254", url: "http://169.254.169.254/latest/meta-data/", wantWhy: "link-local"},
		{name: "[::1]", url: "http://[::1]:" + itoa(port) + "/x", wantWhy: "loopback"},
		{name: "IPv4-mapped loopback", url: "http://[::ffff:127.0.0.1]:" + itoa(port) + "/x", wantWhy: "IPv4-mapped"},
		{name: "CGNAT", url: "http://100.64.0.1/x", wantWhy: "carrier-grade NAT"},
		{name: "IPv6 unique local", url: "http://[fd12::1]/x", wantWhy: "unique local"},
		{name: "unspecified", url: "http://0.0.0.0:" + itoa(port) + "/x", wantWhy: "unspecified"},
		{name: "multicast", url: "http://224.0.0.1/x", wantWhy: "multicast"},
		{name: "hostname resolving to a private address", url: "http://internal.example/x", wantWhy: "private"},
		{name: "hostname with only blocked addresses", url: "http://mixed.example/x", wantWhy: "private"},
		{name: "public host redirecting to metadata", url: "http://public.example:" + itoa(port) + "/redirect", redirect: "http://169.254.169.254/latest/meta-data/", allow: true, wantWhy: "link-local"},
		{name: "public host redirecting to a private name", url: "http://public.example:" + itoa(port) + "/redirect", redirect: "http://internal.example/admin", allow: true, wantWhy: "private"},
		{name: "allowed loopback stays reachable only where allowed", url: "http://[::1]:" + itoa(port) + "/x", allow: true, wantWhy: "loopback"},
	}
	for _, tt := range tests {
		for _, robots := range []bool{false, true} {
			name := tt.name + "/GetJSON"
			if robots {
				name = tt.name + "/Get with robots"
			}
			t.Run(name, func(t *testing.T) {
				redirectTo.Store(tt.redirect)
				opts := []Option{WithResolver(res), WithRetries(0, 0), WithDefaultHostPolicy(HostPolicy{})}
				if tt.allow {
					opts = append(opts, WithAllowNets(loopback))
				}
				c := mustNew(t, opts...)
				before := hits.Load()
				var err error
				if robots {
					_, err = c.Get(context.Background(), mustURL(t, tt.url))
				} else {
					err = c.GetJSON(context.Background(), mustURL(t, tt.url), new(any))
				}
				if !errors.Is(err, creator.ErrForbidden) {
					t.Fatalf("error %v, want one wrapping creator.ErrForbidden", err)
				}
				if !strings.Contains(err.Error(), tt.wantWhy) {
					t.Errorf("error %q does not say %q", err, tt.wantWhy)
				}
				wantHits := int32(0)
				if tt.redirect != "" {
					wantHits = 1 // the public hop only
				}
				if got := hits.Load() - before; got != wantHits {
					t.Errorf("server saw %d requests, want %d", got, wantHits)
				}
			})
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestCheckURL(t *testing.T) {
	g := &Guard{Resolver: fakeResolver{
		"example.org":      addrs("93.184.215.14"),
		"internal.example": addrs("10.0.0.7"),
		"localhost":        addrs("127.0.0.1", "::1"),
		"v6.example":       addrs("2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
		"sneaky.example":   addrs("::ffff:10.0.0.1"),
	}}
	tests := []struct {
		name    string
		raw     string
		wantErr error
	}{
		{"public name", "https://example.org/hook", nil},
		{"public IPv6 name", "https://v6.example/hook", nil},
		{"public literal", "http://93.184.215.14:8080/hook", nil},
		{"private name", "https://internal.example/hook", creator.ErrForbidden},
		{"IPv4-mapped private name", "https://sneaky.example/hook", creator.ErrForbidden},
		{"loopback literal", "http://127.0.0.1:8080/hook", creator.ErrForbidden},
		{"localhost", "http://localhost/hook", creator.ErrForbidden},
		{"metadata", "http://169.254.169.254/", creator.ErrForbidden},
		{"NAT64 of a private address", "http://[64:ff9b::a00:1]/", creator.ErrForbidden},
		{"6to4 of loopback", "http://[2002:7f00:1::1]/", creator.ErrForbidden},
		{"not http", "ftp://example.org/x", creator.ErrInvalid},
		{"relative", "/hook", creator.ErrInvalid},
		{"unparsable", "http://[::1", creator.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := g.CheckURL(context.Background(), tt.raw)
			if tt.wantErr == nil {
				if err != nil {
					t.Errorf("CheckURL(%q): %v", tt.raw, err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("CheckURL(%q) error %v, want one wrapping %v", tt.raw, err, tt.wantErr)
			}
		})
	}
}

func TestCheckURLAllow(t *testing.T) {
	if _, err := CheckURL(context.Background(), "http://127.0.0.1:9/hook"); !errors.Is(err, creator.ErrForbidden) {
		t.Errorf("CheckURL without allowed networks: %v, want creator.ErrForbidden", err)
	}
	if _, err := CheckURL(context.Background(), "http://127.0.0.1:9/hook", loopback); err != nil {
		t.Errorf("CheckURL with 127.0.0.0/8 allowed: %v", err)
	}
}

func TestParseNets(t *testing.T) {
	got, err := ParseNets("127.0.0.0/8, ::1 10.1.2.3/16")
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("10.1.0.0/16")}
	if len(got) != len(want) {
		t.Fatalf("ParseNets = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("ParseNets[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	if _, err := ParseNets("localhost"); !errors.Is(err, creator.ErrInvalid) {
		t.Errorf("ParseNets(localhost) error %v, want creator.ErrInvalid", err)
	}
}
