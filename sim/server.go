package sim

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// Server is a running simulator on a loopback port. It is safe for
// concurrent use.
type Server struct {
	// URL is the base URL to give the Bluesky source ("http://127.0.0.1:PORT").
	URL string
	srv *http.Server
	ln  net.Listener
}

// Serve serves w.Handler() on addr ("127.0.0.1:0" when empty, for a free
// loopback port) until Close is called or ctx ends.
func (w *World) Serve(ctx context.Context, addr string) (*Server, error) {
	return ServeHandler(ctx, addr, w.Handler())
}

// ServeHandler is Serve with h in front of the world's handler (h wraps
// w.Handler(), as a benchmark's request counter does).
func ServeHandler(ctx context.Context, addr string, h http.Handler) (*Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), ln: ln,
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener failed; requests will fail visibly
		}
	}()
	go func() {
		<-ctx.Done()
		s.Close()
	}()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Resolver resolves the world's simulated site hosts (SiteHosts) to
// loopback and no other name, so that a client wired with it (the SSRF
// guard's resolver) reaches the simulated sites and nothing outside the
// machine.
func (w *World) Resolver() Resolver { return Resolver(w.SiteHosts()) }

// Resolver maps host names to 127.0.0.1; any other name is not found. Its
// LookupNetIP has net.Resolver's signature. It is safe for concurrent use.
type Resolver []string

// LookupNetIP returns 127.0.0.1 for the hosts of r.
func (r Resolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	for _, h := range r {
		if strings.EqualFold(h, host) {
			return []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})}, nil
		}
	}
	return nil, &net.DNSError{Err: "not a simulated site", Name: host, IsNotFound: true}
}
