package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
)

// help is what `scout <command> --help` shows besides the flags.
type help struct {
	// usage is the synopsis after "scout ".
	usage string
	// args explains the positional arguments, one "name  meaning" a line.
	args []string
	// long says more than the summary.
	long     string
	examples []string
	// subs are the subcommands (watch, score), shown as their own usage.
	subs map[string]help
}

// helps holds the help of every command, by name.
var helps = map[string]help{
	"all": {usage: "all", long: "Runs the API, a worker and the scheduler in one process. Without SCOUT_REDIS_URL the queue is an\n" +
		"in-process Redis and the store a SQLite file under SCOUT_DATA_DIR (default ./data).",
		examples: []string{"scout all", "SCOUT_ADDR=127.0.0.1:9090 SCOUT_API_KEY=s3cret scout all"}},
	"serve": {usage: "serve", long: "Serves the HTTP API (reference at /docs, OpenAPI at /v1/openapi.json, metrics at /metrics).",
		examples: []string{"SCOUT_REDIS_URL=redis://127.0.0.1:6379/0 scout serve"}},
	"worker": {usage: "worker", long: "Runs a queue worker: crawls, discoveries and webhook deliveries. Needs SCOUT_REDIS_URL.",
		examples: []string{"SCOUT_REDIS_URL=redis://127.0.0.1:6379/0 scout worker"}},
	"scheduler": {usage: "scheduler", long: "Runs watchlist rescans and retention purges. Needs SCOUT_REDIS_URL; several may run (one acts at a time).",
		examples: []string{"SCOUT_REDIS_URL=redis://127.0.0.1:6379/0 scout scheduler"}},
	"track": {usage: "track", long: "Reads Bluesky's Jetstream (SCOUT_JETSTREAM_URL: /subscribe URLs, comma-separated, tried in order) and\n" +
		"tracks every account at or above SCOUT_JETSTREAM_FOLLOWER_FLOOR followers (default 1000) or posting in one of\n" +
		"SCOUT_JETSTREAM_NICHES: one full crawl each, then a count-only snapshot a day. Needs SCOUT_REDIS_URL; one process of\n" +
		"the cluster reads at a time (`scout worker` and `scout all` also read when SCOUT_JETSTREAM_URL is set). Progress: /jetstream.",
		examples: []string{"SCOUT_REDIS_URL=redis://127.0.0.1:6379/0 SCOUT_JETSTREAM_URL=wss://jetstream1.us-east.bsky.network/subscribe,wss://jetstream2.us-east.bsky.network/subscribe scout track"}},
	"discover": {usage: "discover --query <text> [flags]", long: "Discovers creators on a source and crawls them, following the job until it ends.",
		examples: []string{"scout discover --query 'vegan recipes' --limit 20", "scout discover --source mastodon --query fitness --wait=false"}},
	"crawl": {usage: "crawl [flags] <handle-or-id>", args: []string{"<handle-or-id>  a handle (thestrongtheo.bsky.social) or a platform id (did:plc:...)"},
		long:     "Crawls one creator, scores it, stores it and prints its record as JSON.",
		examples: []string{"scout crawl thestrongtheo.bsky.social", "scout crawl ann@mastodon.social --platform mastodon"}},
	"search": {usage: "search [flags] [words...] [param=value...]",
		args: []string{"words         full-text search words (q=)", "param=value   any search parameter of GET /v1/creators: tier=micro, niche=food, followers_min=1000, sort=-followers, page=2"},
		long: "Searches the stored creators. Prints display name, handle, followers (12.3k) and scores; --json prints\n" +
			"the API's answer, --csv every match (up to 10000) as the API's CSV export. Reads SCOUT_DATA_DIR, or the\n" +
			"demo's data (./data/demo) when ./data holds none.",
		examples: []string{"scout search vegan", "scout search tier=micro niche=fitness sort=-followers", "scout search --csv tier=micro > micro.csv", "scout search rising --json"}},
	"watch": {usage: "watch <subcommand> [flags] [arguments]", long: "Watchlists from the command line, through the same service the API uses.",
		subs: map[string]help{
			"create": {usage: "watch create --name <name> [flags]", examples: []string{"scout watch create --name clients --member https://bsky.app/profile/thestrongtheo.bsky.social --cadence daily",
				"scout watch create --name micro-food --search 'tier=micro&niche=food' --webhook https://hooks.example.com/scout"}},
			"list":   {usage: "watch list", examples: []string{"scout watch list"}},
			"get":    {usage: "watch get <id>", args: []string{"<id>  the watchlist's id"}, examples: []string{"scout watch get wl-0123"}},
			"add":    {usage: "watch add <id> <key-or-profile-url>...", args: []string{"<id>                   the watchlist's id", "<key-or-profile-url>   store keys or profile URLs to add"}, examples: []string{"scout watch add wl-0123 https://bsky.app/profile/ann.example.com"}},
			"remove": {usage: "watch remove <id> <key>", args: []string{"<id>   the watchlist's id", "<key>  the member's store key"}, examples: []string{"scout watch remove wl-0123 bluesky-did_3Aplc_3Aabc"}},
			"alerts": {usage: "watch alerts <id> [flags]", args: []string{"<id>  the watchlist's id"}, examples: []string{"scout watch alerts wl-0123 --kind quiet --limit 20"}},
			"delete": {usage: "watch delete <id>", args: []string{"<id>  the watchlist's id"}, examples: []string{"scout watch delete wl-0123"}},
		}},
	"optout": {usage: "optout (--handle <h> | --id <id> | --url <profile-url>) [--platform <p>] [--reason <text>] | optout --list [--csv]",
		long:     "Records a creator's opt-out, erases what is stored about them (found by exact id, handle and URL) and stops\ncollection; --list exports the opt-out list.",
		examples: []string{"scout optout --url https://bsky.app/profile/thestrongtheo.bsky.social --reason 'asked by email'", "scout optout --platform mastodon --handle ann@mastodon.social", "scout optout --list --csv > optouts.csv"}},
	"apikey": {usage: "apikey <create|list|revoke> [flags] [name]", long: "Named API keys with a scope (read < write < admin), stored hashed in the store.",
		subs: map[string]help{
			"create": {usage: "apikey create <name> [--scope read|write|admin] [--rate N]", args: []string{"<name>  a name for the key, recorded with the writes it makes"},
				long: "Prints the key's secret once; only its hash is stored.", examples: []string{"scout apikey create dashboard --scope read", "scout apikey create ingest --scope write --rate 120"}},
			"list":   {usage: "apikey list", examples: []string{"scout apikey list"}},
			"revoke": {usage: "apikey revoke <name>", args: []string{"<name>  the key to revoke"}, examples: []string{"scout apikey revoke dashboard"}},
		}},
	"demo": {usage: "demo [flags]", long: "Runs the whole pipeline against the built-in simulator, writing ./data/demo, then serves the API and a\nresults page until interrupted.",
		examples: []string{"scout demo", "scout demo --once --creators 200"}},
	"score": {usage: "score <accounts|text|profile> [flags] < input", args: []string{"accounts  JSON Lines of accounts in, fake probabilities out", "text      JSON Lines of {id,text} in, niche relevance out", "profile   one creator record (JSON) in, its scores with evidence out"},
		examples: []string{"scout score profile < record.json", "scout score text --niches niches.txt < posts.jsonl"}},
	"eval":    {usage: "eval [flags]", long: "Evaluates the scoring models on the labeled data sets.", examples: []string{"scout eval", "scout eval --datasets ../shared/datasets"}},
	"reindex": {usage: "reindex --from <store> --to <store> [flags]", examples: []string{"scout reindex --from sqlite:./data/scout.db --to meili:http://127.0.0.1:7700"}},
	"openapi": {usage: "openapi [--server URL]", long: "Prints the API's OpenAPI 3.1 document (as GET /v1/openapi.json serves it).", examples: []string{"scout openapi > openapi.json"}},
	"version": {usage: "version", long: "Prints the version, the commit it was built from and the Go version.", examples: []string{"scout version"}},
}

// wantsHelp reports whether args (before a "--") ask for help.
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// printHelp writes the help of c (or of its subcommand named in args) to w.
// The flags are the command's own: it is run with -h, which every command
// answers by listing its flags before doing anything.
func printHelp(ctx context.Context, c command, args []string, w io.Writer) {
	h := helps[c.name]
	name := c.name
	runArgs := []string{"-h"}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		if sh, ok := h.subs[args[0]]; ok {
			h, name = sh, c.name+" "+args[0]
			runArgs = []string{args[0], "-h"}
		}
	}
	fmt.Fprintf(w, "scout %s: %s\n\nUsage:\n  scout %s\n", name, c.summary, h.usage)
	if h.long != "" {
		fmt.Fprintf(w, "\n%s\n", h.long)
	}
	if len(h.args) > 0 {
		fmt.Fprintln(w, "\nArguments:")
		for _, a := range h.args {
			fmt.Fprintln(w, "  "+a)
		}
	}
	if len(h.subs) > 0 {
		fmt.Fprintln(w, "\nSubcommands:")
		for _, s := range sortedKeys(h.subs) {
			fmt.Fprintf(w, "  scout %s\n", h.subs[s].usage)
		}
		fmt.Fprintf(w, "\nRun scout %s <subcommand> --help for a subcommand's flags.\n", c.name)
	}
	if len(h.subs) > 0 && len(runArgs) == 1 {
		runArgs = nil // the subcommands have the flags
		for _, s := range sortedKeys(h.subs) {
			h.examples = append(h.examples, h.subs[s].examples...)
		}
	}
	if c.name == "score" && len(runArgs) == 1 {
		runArgs = []string{"profile", "-h"} // every subcommand takes the same flags
	}
	if flags := flagDefaults(ctx, c, runArgs); flags != "" {
		fmt.Fprintf(w, "\nFlags (-flag and --flag alike, before or after the arguments):\n%s", flags)
	}
	if len(h.examples) > 0 {
		fmt.Fprintln(w, "\nExamples:")
		for _, e := range h.examples {
			fmt.Fprintln(w, "  "+e)
		}
	}
}

// flagDefaults returns the flag list a command prints for -h.
func flagDefaults(ctx context.Context, c command, args []string) string {
	if c.name == "version" || args == nil {
		return ""
	}
	var out, errb bytes.Buffer
	c.run(ctx, args, &out, &errb)
	var lines []string
	for l := range strings.Lines(errb.String()) {
		if strings.HasPrefix(l, "  -") || strings.HasPrefix(l, "    \t") || strings.HasPrefix(l, "    ") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// parseArgs parses args into fs with flags anywhere among the positional
// arguments (`scout watch alerts ID --kind quiet`), up to a "--", and
// returns the positional ones. -h gives flag.ErrHelp.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// fs.Parse stops at the first positional argument, or after "--".
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// parseOrExit is parseArgs for a command: it returns the positional
// arguments, or the exit status (0 for -h, 2 for a bad flag, whose error
// the flag package has printed) and false.
func parseOrExit(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, int, bool) {
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil, 0, false
	}
	if err != nil {
		fmt.Fprintf(stderr, "run scout %s --help for its usage\n", fs.Name())
		return nil, 2, false
	}
	return pos, 0, true
}

// version is set at build time (-ldflags "-X main.version=v1.2.3"); the
// module version or "dev" otherwise.
var version = ""

// cmdVersion prints the version, commit and Go version.
func cmdVersion(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if _, code, ok := parseOrExit(fs, args, stderr); !ok {
		return code
	}
	v, commit, when, dirty, goV := version, "", "", false, ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		goV = bi.GoVersion
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "dev"
	}
	fmt.Fprintf(stdout, "scout %s", v)
	if commit != "" {
		if len(commit) > 12 {
			commit = commit[:12]
		}
		fmt.Fprintf(stdout, " (commit %s", commit)
		if dirty {
			fmt.Fprint(stdout, ", modified")
		}
		if when != "" {
			fmt.Fprintf(stdout, ", %s", when)
		}
		fmt.Fprint(stdout, ")")
	}
	fmt.Fprintf(stdout, " %s\n", goV)
	return 0
}

// humanCount writes a count as people read it: 950, 12.3k, 4.5M.
func humanCount(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	var s string
	switch {
	case n < 1000:
		s = strconv.FormatInt(n, 10)
	case n < 999_500:
		s = trimZero(float64(n)/1e3) + "k"
	case n < 999_500_000:
		s = trimZero(float64(n)/1e6) + "M"
	default:
		s = trimZero(float64(n)/1e9) + "B"
	}
	if neg {
		s = "-" + s
	}
	return s
}

// trimZero formats x with one decimal below 100 (12.3, 4.0 -> 4) and none
// above (123).
func trimZero(x float64) string {
	if x >= 99.95 {
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	s := strconv.FormatFloat(x, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0")
}

// demoFallback returns the demo's data directory when dir holds no store
// but the demo's does, so that `scout search` after `make demo` finds the
// demo's creators; it returns dir otherwise.
func demoFallback(dir string, explicit bool) (string, bool) {
	if explicit {
		return dir, false
	}
	if _, err := os.Stat(filepath.Join(dir, "scout.db")); err == nil {
		return dir, false
	}
	demo := filepath.Join(dir, "demo")
	if _, err := os.Stat(filepath.Join(demo, "scout.db")); err == nil {
		return demo, true
	}
	return dir, false
}
