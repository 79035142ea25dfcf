package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/creatorscout/scout/sim"
)

// The simulator as a process of its own, for fault tests that run
// `scout serve`, workers and schedulers as separate processes (make chaos).
func init() {
	commands = append(commands, command{"sim", "serve the Bluesky simulator on its own (tests, make chaos)", cmdSim})
	helps["sim"] = help{usage: "sim [--addr host:port] [flags]",
		long: "Serves the simulated Bluesky AppView of `scout demo` until interrupted and prints its URL on the\n" +
			"first line of stdout. Point SCOUT_BLUESKY_URL at it (with SCOUT_ALLOW_PRIVATE_NETS=127.0.0.0/8).\n" +
			"--fault-admin adds a switch at " + sim.FaultPath + " that makes it answer 429s and 5xx for a period:\n" +
			"POST {\"statuses\":[429,503],\"for\":\"1m\",\"retry_after\":1}, DELETE to stop, GET for counts.",
		examples: []string{"scout sim --addr 127.0.0.1:8090", "scout sim --addr 127.0.0.1:0 --creators 300 --fault-admin"}}
}

// cmdSim runs `scout sim`.
func cmdSim(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "listen address (port 0: a free one)")
	seed := fs.Int64("seed", 1, "the world's seed: the same seed, the same creators")
	n := fs.Int("creators", 600, "how many creators to generate")
	faults := fs.Bool("fault-admin", false, "serve the fault switch at "+sim.FaultPath+" (tests only)")
	latency := fs.Duration("latency", 0, "delay every answer by this long")
	if _, code, ok := parseOrExit(fs, args, stderr); !ok {
		return code
	}
	if *n < 1 || *n > 1_000_000 {
		fmt.Fprintf(stderr, "scout sim: --creators: want 1 to 1000000, got %d\n", *n)
		return 2
	}
	if *latency < 0 || *latency > time.Minute {
		fmt.Fprintf(stderr, "scout sim: --latency: want 0 to 1m, got %s\n", *latency)
		return 2
	}
	var h http.Handler = sim.New(sim.Config{Seed: *seed, Creators: *n}).Handler()
	if *faults {
		h = sim.NewFaults(h)
	}
	if d := *latency; d > 0 {
		inner := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
			inner.ServeHTTP(w, r)
		})
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "scout sim:", err)
		return 1
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		return 0
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(stderr, "scout sim:", err)
			return 1
		}
		return 0
	}
}
