package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"

	"github.com/creatorscout/scout/api"
)

// cmdOpenAPI prints the API's OpenAPI document, as the server serves it,
// for linters and client generators.
func cmdOpenAPI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("openapi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", "http://127.0.0.1:8080", "the base URL to list under servers")
	if _, code, ok := parseOrExit(fs, args, stderr); !ok {
		return code
	}
	a := &app{}
	doc := api.New(api.Config{Enums: a.enums()}).OpenAPI([]string{*server})
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return 1
	}
	return 0
}
