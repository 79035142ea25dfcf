package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/sim"
	"github.com/creatorscout/scout/watch"
)

// demoWatchHandles are the simulator's named creators the demo watches:
// one steady, one rising, one that goes quiet, one that buys followers,
// one that goes viral, and one with long-bought followers.
var demoWatchHandles = []string{sim.HandleSteady, sim.HandleRising, sim.HandleQuiet, sim.HandleBuyer, sim.HandleViral, sim.HandleFake}

// demoAlert is one alert as the demo reports it.
type demoAlert struct {
	Day     int    `json:"day"`
	Handle  string `json:"handle"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// demoWatchResult is what the watchlist part of the demo saw.
type demoWatchResult struct {
	WatchlistID string         `json:"watchlist_id"`
	Days        int            `json:"days"`
	Alerts      []demoAlert    `json:"alerts"`
	ByKind      map[string]int `json:"alerts_by_kind"`
	Webhook     int            `json:"webhook_deliveries_verified"`
}

// runWatchDemo keeps a daily watchlist of the named creators, moves the
// simulator's clock a day at a time for days days, lets the scheduler
// enqueue each day's rescans, waits for them, and collects the alerts, which
// a signed webhook on loopback also receives.
func runWatchDemo(ctx context.Context, a *app, world *sim.World, days int, stderr io.Writer) (*demoWatchResult, error) {
	// A webhook receiver that checks every signature.
	secret := "whsec_demo_secret"
	var verified atomic.Int32
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hook := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err := watch.Verify(secret, r.Header, body, a.now(), 5*time.Minute); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		verified.Add(1)
	})}
	go hook.Serve(ln)
	defer hook.Close()

	var members []string
	handleOf := map[string]string{}
	for _, h := range demoWatchHandles {
		c, ok := world.Creator(h)
		if !ok {
			continue
		}
		key := creator.Key(creator.Ref{Platform: creator.Bluesky, ID: c.DID})
		if _, err := a.store.Get(ctx, key); err != nil {
			continue // not discovered in this run
		}
		members = append(members, key)
		handleOf[key] = h
	}
	if len(members) == 0 {
		return nil, fmt.Errorf("no watchable creator was stored")
	}
	wl, err := a.watch.Create(ctx, watch.Spec{
		Name:     "Demo shortlist",
		Members:  members,
		Cadence:  "daily",
		Webhooks: []index.Webhook{{URL: "http://" + ln.Addr().String() + "/hook", Secret: secret}},
	})
	if err != nil {
		return nil, fmt.Errorf("creating the demo watchlist: %w", err)
	}
	fmt.Fprintf(stderr, "demo: watchlist %q with %d creators, rescanned daily; moving the simulator %d days ahead\n", wl.Name, len(members), days)

	sched, err := watch.NewScheduler(watch.SchedulerConfig{Service: a.watch, Enqueuer: a.pipe, Redis: a.rdb, Logger: a.log})
	if err != nil {
		return nil, err
	}
	defer sched.Release(context.WithoutCancel(ctx))
	insp := asynq.NewInspectorFromRedisClient(a.rdb)
	start := world.Now()
	for d := 1; d <= days; d++ {
		world.Advance(24 * time.Hour)
		if _, err := sched.Tick(ctx); err != nil {
			return nil, fmt.Errorf("day %d: %w", d, err)
		}
		if err := waitQueues(ctx, insp, crawler.QueueRescan, crawler.QueueWebhooks); err != nil {
			return nil, fmt.Errorf("day %d: %w", d, err)
		}
		if d%5 == 0 {
			fmt.Fprintf(stderr, "demo: day %d\n", d)
		}
	}
	events, err := a.watch.Alerts(ctx, wl.ID, index.AlertFilter{Limit: 1000})
	if err != nil {
		return nil, err
	}
	res := &demoWatchResult{WatchlistID: wl.ID, Days: days, ByKind: map[string]int{}, Alerts: []demoAlert{}, Webhook: int(verified.Load())}
	for _, e := range events {
		day := int(e.At.Sub(start).Hours()/24 + 0.5)
		res.Alerts = append(res.Alerts, demoAlert{Day: day, Handle: handleOf[e.CreatorKey], Kind: e.Kind, Message: e.Message})
		res.ByKind[e.Kind]++
	}
	sort.Slice(res.Alerts, func(i, j int) bool {
		if res.Alerts[i].Day != res.Alerts[j].Day {
			return res.Alerts[i].Day < res.Alerts[j].Day
		}
		return res.Alerts[i].Handle+res.Alerts[i].Kind < res.Alerts[j].Handle+res.Alerts[j].Kind
	})
	return res, nil
}

// waitQueues waits until the named queues have nothing pending, running,
// scheduled or waiting to retry.
func waitQueues(ctx context.Context, insp *asynq.Inspector, queues ...string) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		busy := false
		known, err := insp.Queues()
		if err != nil {
			return err
		}
		for _, q := range queues {
			if !slices.Contains(known, q) {
				continue // nothing was ever queued there
			}
			info, err := insp.GetQueueInfo(q)
			if err != nil {
				return err
			}
			if info.Pending+info.Active+info.Scheduled+info.Retry > 0 {
				busy = true
			}
		}
		if !busy {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("queues %v did not drain", queues)
}

// printAlerts writes the demo's alerts as a small table.
func printAlerts(w io.Writer, r *demoWatchResult) {
	fmt.Fprintf(w, "watchlist alerts over %d simulated days (%d webhook deliveries, signatures verified):\n", r.Days, r.Webhook)
	if len(r.Alerts) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, a := range r.Alerts {
		fmt.Fprintf(w, "  day %2d  %-26s %-22s %s\n", a.Day, a.Handle, a.Kind, a.Message)
	}
}
