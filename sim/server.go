package sim

import (
	"context"
	"errors"
	"net"
	"net/http"
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
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), ln: ln,
		srv: &http.Server{Handler: w.Handler(), ReadHeaderTimeout: 10 * time.Second}}
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
