package main

import (
	"context"
	"fmt"
	"io"
)

// runScore implements `scout score accounts|text|profile`. Placeholder until
// the scoring engine lands: it refuses to run rather than pretend.
func runScore(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "scout score: not built yet")
	return 2
}
