package main

import (
	"context"
	"fmt"
	"io"
)

// runReindex implements `scout reindex`. Placeholder until the Meilisearch
// backend lands: it refuses to run rather than pretend.
func runReindex(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "scout reindex: not built yet")
	return 2
}
