package main

import (
	"context"
	"fmt"
	"io"
)

// runEval implements `scout eval`. Placeholder until the scoring engine
// lands: it refuses to run rather than pretend.
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "scout eval: not built yet")
	return 2
}
