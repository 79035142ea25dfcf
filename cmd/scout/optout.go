package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/creatorscout/scout/api"
	"github.com/creatorscout/scout/compliance"
)

// cmdOptOut runs `scout optout --platform P (--handle H | --id ID | --url U) [--reason R]`
// and `scout optout --list [--csv]`.
func cmdOptOut(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("optout", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var req compliance.OptOutRequest
	fs.StringVar(&req.Platform, "platform", "", "platform (bluesky, mastodon, ...); implied by --url")
	fs.StringVar(&req.Handle, "handle", "", "the creator's handle")
	fs.StringVar(&req.ID, "id", "", "the creator's platform id (a DID, ...)")
	fs.StringVar(&req.URL, "url", "", "the creator's profile URL")
	fs.StringVar(&req.Reason, "reason", "", "why (kept with the opt-out)")
	list := fs.Bool("list", false, "print the opt-out list instead")
	asCSV := fs.Bool("csv", false, "with --list: CSV instead of JSON")
	pos, code, ok := parseOrExit(fs, args, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "scout optout: unexpected argument %q; name the creator with --handle, --id or --url\n", pos[0])
		return 2
	}
	a, ok := setup(ctx, stderr)
	if !ok {
		return 1
	}
	defer a.Close()
	if *list {
		l, err := a.store.ListOptOuts(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "scout optout:", err)
			return 1
		}
		if *asCSV {
			w := csv.NewWriter(stdout)
			w.Write(api.CSVHeader)
			for _, o := range l {
				w.Write(api.CSVRow(o))
			}
			w.Flush()
			return 0
		}
		enc := json.NewEncoder(stdout)
		for _, o := range l {
			enc.Encode(o)
		}
		return 0
	}
	res, err := a.comp.OptOut(ctx, req)
	if err != nil {
		fmt.Fprintln(stderr, "scout optout:", err)
		return 2
	}
	enc := json.NewEncoder(stdout)
	enc.Encode(res)
	return 0
}
