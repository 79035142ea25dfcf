package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/creatorscout/scout/sim"
)

// demoStreamRate is the simulated Jetstream's pace in the demo: events a
// second of every kind (about a quarter are posts, follows and reposts).
const demoStreamRate = 40

// startDemoStream points a at the simulator's Jetstream and reads it in
// the background while the demo serves, so creators the searches did not
// find appear live (the page /jetstream shows the progress). It prints a
// line to w when the tally of stored creators changes, every few seconds.
// The returned function stops it.
func startDemoStream(ctx context.Context, a *app, world *sim.World, simURL string, w io.Writer) func() {
	world.Jetstream().Configure(sim.JetstreamConfig{Rate: demoStreamRate})
	a.cfg.Jetstream.Endpoints = []string{simURL + "/subscribe"}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	go func() {
		if err := a.track(ctx); err != nil && ctx.Err() == nil {
			fmt.Fprintln(w, "demo: stream:", err)
		}
		done <- struct{}{}
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		var last int64
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			p := a.jetstreamStats().Snapshot()
			if p.Discovered != last {
				last = p.Discovered
				fmt.Fprintf(w, "demo: stream: %d events (%.0f/s, %.1fs behind), %d new creators discovered, %d tracked\n",
					p.Events, p.EventsPerSecond, p.LagSeconds, p.Discovered, p.Tracked)
			}
		}
	}()
	return func() { cancel(); <-done; <-done }
}
