package main

import (
	"log/slog"
	"os"
)

// quietLogger logs warnings and errors only, to stderr.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// serviceLogs makes the default logger write JSON lines to stderr (level
// info), the form log collectors read; SCOUT_LOG_FORMAT=text keeps text.
// The long-running commands (all, serve, worker, scheduler) call it.
func serviceLogs() {
	if os.Getenv("SCOUT_LOG_FORMAT") == "text" {
		return
	}
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, nil)))
}
