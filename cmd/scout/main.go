// Command scout is CreatorScout's one binary: API, worker, scheduler and
// command-line tools. It is the only place that reads flags and the
// environment.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:]))
}

// command is one `scout` subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands lists every subcommand, in the order usage shows them.
var commands = []command{
	{"all", "API + worker + scheduler in one process (embedded by default)", cmdAll},
	{"serve", "the HTTP API", cmdServe},
	{"worker", "a queue worker (needs SCOUT_REDIS_URL)", cmdWorker},
	{"scheduler", "watchlist rescans and retention purges (needs SCOUT_REDIS_URL)", cmdScheduler},
	{"discover", "discover creators on a source", cmdDiscover},
	{"crawl", "crawl one creator and print its record", cmdCrawl},
	{"search", "search stored creators", cmdSearch},
	{"watch", "watchlists: create, list, get, add, remove, alerts, delete", cmdWatch},
	{"optout", "record a creator's opt-out and erase its data; --list exports", cmdOptOut},
	{"demo", "run the whole pipeline against the built-in simulator", cmdDemo},
	{"score", "score accounts, text or a profile from JSON on stdin", func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
		return runScore(ctx, args, os.Stdin, stdout, stderr)
	}},
	{"eval", "evaluate the scoring models on labeled data", runEval},
	{"reindex", "copy one store into another (--from sqlite:DIR --to meili:URL)", runReindex},
}

func run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		usage(os.Stderr)
		return 2
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, args[1:], os.Stdout, os.Stderr)
		}
	}
	switch args[0] {
	case "help", "-h", "--help":
		usage(os.Stdout)
		return 0
	}
	fmt.Fprintf(os.Stderr, "scout: unknown command %q\n", args[0])
	usage(os.Stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: scout <command> [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
}
