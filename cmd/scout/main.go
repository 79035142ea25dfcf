// Command scout is CreatorScout's one binary: API, worker, scheduler and
// command-line tools. It is the only place that reads flags and the
// environment.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:]))
}

func run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		usage()
		return 2
	}
	switch args[0] {
	case "all":
		return cmdAll(ctx, args[1:], os.Stdout, os.Stderr)
	case "serve":
		return cmdServe(ctx, args[1:], os.Stdout, os.Stderr)
	case "worker":
		return cmdWorker(ctx, args[1:], os.Stdout, os.Stderr)
	case "scheduler":
		return cmdScheduler(ctx, args[1:], os.Stdout, os.Stderr)
	case "discover":
		return cmdDiscover(ctx, args[1:], os.Stdout, os.Stderr)
	case "crawl":
		return cmdCrawl(ctx, args[1:], os.Stdout, os.Stderr)
	case "search":
		return cmdSearch(ctx, args[1:], os.Stdout, os.Stderr)
	case "demo":
		return cmdDemo(ctx, args[1:], os.Stdout, os.Stderr)
	case "watch":
		return cmdWatch(ctx, args[1:], os.Stdout, os.Stderr)
	case "optout":
		return cmdOptOut(ctx, args[1:], os.Stdout, os.Stderr)
	case "score":
		return runScore(ctx, args[1:], os.Stdin, os.Stdout, os.Stderr)
	case "reindex":
		return runReindex(ctx, args[1:], os.Stdout, os.Stderr)
	case "eval":
		return runEval(ctx, args[1:], os.Stdout, os.Stderr)
	case "help", "-h", "--help":
		usage()
		return 0
	}
	fmt.Fprintf(os.Stderr, "scout: unknown command %q\n", args[0])
	usage()
	return 2
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage: scout <command> [flags]

commands:
  all        API + worker + scheduler in one process (embedded by default)
  serve      the HTTP API
  worker     a queue worker
  scheduler  the watchlist rescan scheduler
  discover   discover creators on a source
  crawl      crawl one creator and print its record
  search     search stored creators
  watch      watchlists: create, list, get, add, remove, alerts, delete
  optout     record a creator's opt-out and erase its data; --list exports
  demo       run the whole pipeline against the built-in simulator
  score      score accounts, text or a profile from JSON on stdin
  eval       evaluate the scoring models on labeled data`)
}
