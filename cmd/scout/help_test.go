package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestHelp runs `scout <command> --help` (and -h, and `scout help
// <command>`) for every command and subcommand: status 0, the help on
// stdout with usage, arguments where the command takes any, flags and
// examples.
func TestHelp(t *testing.T) {
	ctx := context.Background()
	type tc struct{ name, sub string }
	var cases []tc
	for _, c := range commands {
		cases = append(cases, tc{c.name, ""})
		for sub := range helps[c.name].subs {
			cases = append(cases, tc{c.name, sub})
		}
	}
	for _, c := range cases {
		for _, form := range [][]string{{"--help"}, {"-h"}, {"help"}} {
			args := []string{c.name}
			if c.sub != "" {
				args = append(args, c.sub)
			}
			if form[0] == "help" {
				args = append([]string{"help"}, args...)
			} else {
				args = append(args, form...)
			}
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				var out, errb bytes.Buffer
				code := runCommand(ctx, args, &out, &errb)
				if code != 0 {
					t.Fatalf("exit %d, stderr %q", code, errb.String())
				}
				h, ok := helps[c.name]
				if !ok {
					t.Fatalf("no help for %s", c.name)
				}
				if c.sub != "" {
					h = h.subs[c.sub]
				}
				for _, want := range []string{"Usage:\n  scout " + h.usage, "Examples:\n  ", "scout " + c.name} {
					if !strings.Contains(out.String(), want) {
						t.Errorf("help lacks %q:\n%s", want, out.String())
					}
				}
				if len(h.args) > 0 && !strings.Contains(out.String(), "Arguments:") {
					t.Errorf("help lacks the arguments:\n%s", out.String())
				}
				if strings.Contains(out.String(), "Usage of") {
					t.Errorf("help shows the flag package's own usage:\n%s", out.String())
				}
			})
		}
	}
	// Flags are listed from the command itself.
	var out bytes.Buffer
	runCommand(ctx, []string{"discover", "--help"}, &out, &out)
	for _, f := range []string{"-query", "-limit", "-source", "-wait"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("discover --help does not list %s:\n%s", f, out.String())
		}
	}
}

func TestParseArgsInterspersed(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantPos  []string
		wantKind string
		wantN    int
	}{
		{"flags first", []string{"--kind", "quiet", "ID"}, []string{"ID"}, "quiet", 100},
		{"flags after", []string{"ID", "--kind", "quiet"}, []string{"ID"}, "quiet", 100},
		{"between", []string{"A", "-limit=5", "B", "--kind=spike"}, []string{"A", "B"}, "spike", 5},
		{"after --", []string{"A", "--", "--kind", "x"}, []string{"A", "--kind", "x"}, "", 100},
		{"none", nil, nil, "", 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			kind := fs.String("kind", "", "")
			n := fs.Int("limit", 100, "")
			pos, err := parseArgs(fs, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantPos, pos); diff != "" || *kind != tt.wantKind || *n != tt.wantN {
				t.Errorf("positional (-want +got):\n%s kind %q limit %d", diff, *kind, *n)
			}
		})
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(&bytes.Buffer{})
	if _, err := parseArgs(fs, []string{"A", "--nope"}); err == nil {
		t.Error("an unknown flag after an argument was accepted")
	}
}

func TestHumanCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1k", 12345: "12.3k", 99_950: "100k", 123_456: "123k",
		999_499: "999k", 999_949: "1M", 4_500_000: "4.5M", 2_000_000_000: "2B", -1500: "-1.5k"} {
		if got := humanCount(n); got != want {
			t.Errorf("humanCount(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if code := runCommand(context.Background(), []string{"version"}, &out, &out); code != 0 || !strings.HasPrefix(out.String(), "scout ") || !strings.Contains(out.String(), "go1.") {
		t.Errorf("scout version = %d %q", code, out.String())
	}
}

func TestDemoFallback(t *testing.T) {
	dir := t.TempDir()
	if got, demo := demoFallback(dir, false); got != dir || demo {
		t.Errorf("empty dir: %s %v", got, demo)
	}
	os.MkdirAll(filepath.Join(dir, "demo"), 0o755)
	os.WriteFile(filepath.Join(dir, "demo", "scout.db"), nil, 0o644)
	if got, demo := demoFallback(dir, false); got != filepath.Join(dir, "demo") || !demo {
		t.Errorf("demo data only: %s %v, want the demo's dir", got, demo)
	}
	if got, _ := demoFallback(dir, true); got != dir {
		t.Errorf("SCOUT_DATA_DIR set: %s, want it kept", got)
	}
	os.WriteFile(filepath.Join(dir, "scout.db"), nil, 0o644)
	if got, demo := demoFallback(dir, false); got != dir || demo {
		t.Errorf("own store: %s %v, want it kept", got, demo)
	}
}

// TestAPIKeyCommand creates, lists and revokes keys in a real store, and
// checks the API takes the key and then refuses it.
func TestAPIKeyCommand(t *testing.T) {
	t.Setenv("SCOUT_DATA_DIR", t.TempDir())
	t.Setenv("SCOUT_REDIS_URL", "")
	ctx := context.Background()
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := runCommand(ctx, append([]string{"apikey"}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	code, secret, errs := run("create", "dash", "--scope", "write", "--rate", "30")
	secret = strings.TrimSpace(secret)
	if code != 0 || !strings.HasPrefix(secret, "sk_") || len(secret) < 40 || !strings.Contains(errs, "shown once") {
		t.Fatalf("apikey create = %d %q %q", code, secret, errs)
	}
	if code, _, errs := run("create", "dash"); code != 1 || !strings.Contains(errs, "exists") {
		t.Errorf("creating a second key of the same name = %d %q", code, errs)
	}
	if code, _, errs := run("create", "x", "--scope", "root"); code != 2 || !strings.Contains(errs, "read, write, admin") {
		t.Errorf("bad scope = %d %q", code, errs)
	}
	_, out, _ := run("list")
	if !strings.Contains(out, "dash") || !strings.Contains(out, "write") || !strings.Contains(out, "30") || strings.Contains(out, secret) {
		t.Errorf("apikey list:\n%s", out)
	}
	if code, out, _ := run("revoke", "dash"); code != 0 || !strings.Contains(out, "revoked") {
		t.Errorf("apikey revoke = %d %q", code, out)
	}
	if code, _, errs := run("revoke", "dash"); code != 1 || !strings.Contains(errs, "no active key") {
		t.Errorf("revoking twice = %d %q", code, errs)
	}
	_, out, _ = run("list")
	if strings.Count(out, "dash") != 1 || strings.Contains(out, "\t-\n") {
		t.Errorf("apikey list after revoking:\n%s", out)
	}
}
