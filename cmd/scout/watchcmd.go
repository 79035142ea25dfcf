package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/creatorscout/scout/api"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/watch"
)

// multiFlag collects a repeated string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

const watchUsage = `usage:
  scout watch create --name NAME [--member KEY_OR_PROFILE_URL ...] [--search 'tier=micro&niche=food']
                     [--cadence daily|hourly|weekly|24h|"0 6 * * *"] [--webhook URL ...]
                     [--authenticity-below N] [--authenticity-drop N] [--engagement-drop-pct N] [--quiet-days N]
  scout watch list
  scout watch get ID
  scout watch add ID KEY_OR_PROFILE_URL...
  scout watch remove ID KEY
  scout watch alerts ID [--kind KIND] [--limit N]
  scout watch delete ID`

// cmdWatch runs `scout watch ...`: watchlists from the command line,
// through the same service the API uses.
func cmdWatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, watchUsage)
		return 2
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("watch "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var spec watch.Spec
	var members, hooks multiFlag
	var search, kind string
	limit := 0
	switch sub {
	case "create":
		fs.StringVar(&spec.Name, "name", "", "watchlist name (required)")
		fs.StringVar(&spec.Cadence, "cadence", "", "rescan cadence; default daily")
		fs.Var(&members, "member", "a store key or profile URL (repeatable)")
		fs.Var(&hooks, "webhook", "a webhook URL (repeatable); its secret is printed once")
		fs.StringVar(&search, "search", "", "a saved search in the API's parameters, re-run on each rescan")
		fs.Float64Var(&spec.Rules.AuthenticityBelow, "authenticity-below", 0, "alert when authenticity falls below this (default 50)")
		fs.Float64Var(&spec.Rules.AuthenticityDrop, "authenticity-drop", 0, "alert when authenticity drops by more points than this (default 15)")
		fs.Float64Var(&spec.Rules.EngagementDropPct, "engagement-drop-pct", 0, "alert when engagement rate drops by more than this % (default 30)")
		fs.Float64Var(&spec.Rules.QuietDays, "quiet-days", 0, "alert after this many days without posts (default 14)")
	case "alerts":
		fs.StringVar(&kind, "kind", "", "only this alert kind")
		fs.IntVar(&limit, "limit", 100, "at most this many")
	case "list", "get", "add", "remove", "delete":
	default:
		fmt.Fprintln(stderr, watchUsage)
		return 2
	}
	pos, code, ok := parseOrExit(fs, args, stderr)
	if !ok {
		return code
	}
	need := map[string]int{"get": 1, "delete": 1, "alerts": 1, "remove": 2, "list": 0, "create": 0}
	if n, ok := need[sub]; ok && len(pos) != n {
		fmt.Fprintln(stderr, watchUsage)
		return 2
	}
	if sub == "add" && len(pos) < 2 {
		fmt.Fprintln(stderr, watchUsage)
		return 2
	}
	if kind != "" && !slices.Contains(watch.Kinds, kind) {
		fmt.Fprintf(stderr, "scout watch alerts: --kind: %q is not an alert kind; valid kinds: %s\n", kind, strings.Join(watch.Kinds, ", "))
		return 2
	}
	a, ok := setup(ctx, stderr)
	if !ok {
		return 1
	}
	defer a.Close()
	svc := a.watch
	var out any
	var err error
	switch sub {
	case "create":
		spec.Members = members
		for _, h := range hooks {
			spec.Webhooks = append(spec.Webhooks, index.Webhook{URL: h})
		}
		if search != "" {
			v, perr := url.ParseQuery(search)
			if perr != nil {
				fmt.Fprintln(stderr, "scout watch: --search:", perr)
				return 2
			}
			q, perr := api.ParseSearch(v)
			if perr != nil {
				fmt.Fprintln(stderr, "scout watch: --search:", perr)
				return 2
			}
			spec.SavedSearch = &q
		}
		out, err = svc.Create(ctx, spec)
	case "list":
		var list []index.Watchlist
		if list, err = svc.List(ctx); err == nil {
			for i := range list {
				list[i] = watch.Redacted(list[i])
			}
			out = list
		}
	case "get":
		var wl *index.Watchlist
		if wl, err = svc.Get(ctx, pos[0]); err == nil {
			out = watch.Redacted(*wl)
		}
	case "add", "remove":
		var wl *index.Watchlist
		if sub == "add" {
			wl, err = svc.AddMembers(ctx, pos[0], pos[1:]...)
		} else {
			wl, err = svc.RemoveMember(ctx, pos[0], pos[1])
		}
		if err == nil {
			out = watch.Redacted(*wl)
		}
	case "alerts":
		out, err = svc.Alerts(ctx, pos[0], index.AlertFilter{Kind: kind, Limit: limit})
	case "delete":
		if err = svc.Delete(ctx, pos[0]); err == nil {
			out = map[string]string{"deleted": pos[0]}
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "scout watch:", err)
		return 1
	}
	printJSON(stdout, out)
	return 0
}
