package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/creatorscout/scout/api"
	"github.com/creatorscout/scout/index"
)

// cmdAPIKey runs `scout apikey create|list|revoke`: named API keys with a
// scope, kept hashed in the store.
func cmdAPIKey(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	usage := "usage: scout apikey create <name> [--scope read|write|admin] [--rate N] | scout apikey list | scout apikey revoke <name>"
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("apikey "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var scope string
	var rate int
	switch sub {
	case "create":
		fs.StringVar(&scope, "scope", api.ScopeRead, "what the key may do: read (searches, reads, exports), write (also jobs and watchlists) or admin (also opt-outs)")
		fs.IntVar(&rate, "rate", 0, "requests a minute the key may make (default the server's, 600)")
	case "list", "revoke":
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
	pos, code, ok := parseOrExit(fs, args, stderr)
	if !ok {
		return code
	}
	if want := map[string]int{"create": 1, "list": 0, "revoke": 1}[sub]; len(pos) != want {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	if sub == "create" {
		if !slices.Contains(api.Scopes, scope) {
			fmt.Fprintf(stderr, "scout apikey create: --scope: %q is not a scope; valid scopes: %s\n", scope, strings.Join(api.Scopes, ", "))
			return 2
		}
		if rate < 0 || rate > 1_000_000 {
			fmt.Fprintln(stderr, "scout apikey create: --rate: must be from 0 (the default) to 1000000")
			return 2
		}
		if n := pos[0]; n == "" || len(n) > 64 || strings.ContainsFunc(n, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			fmt.Fprintln(stderr, "scout apikey create: the name must be 1 to 64 printable characters without spaces")
			return 2
		}
	}
	cfg, err := configFromEnv()
	if err != nil {
		fmt.Fprintln(stderr, "scout:", err)
		return 1
	}
	a := &app{cfg: cfg}
	if err := a.openStore(ctx); err != nil {
		fmt.Fprintln(stderr, "scout:", err)
		return 1
	}
	defer a.store.Close()
	ks, ok := a.store.(index.APIKeys)
	if !ok {
		fmt.Fprintln(stderr, "scout apikey: this store does not keep API keys")
		return 1
	}
	keys, err := ks.ListAPIKeys(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "scout apikey:", err)
		return 1
	}
	active := func(name string) []index.APIKey {
		var out []index.APIKey
		for _, k := range keys {
			if k.Name == name && k.RevokedAt.IsZero() {
				out = append(out, k)
			}
		}
		return out
	}
	switch sub {
	case "create":
		if len(active(pos[0])) > 0 {
			fmt.Fprintf(stderr, "scout apikey create: a key named %q exists; revoke it first or choose another name\n", pos[0])
			return 1
		}
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			fmt.Fprintln(stderr, "scout apikey create:", err)
			return 1
		}
		secret := "sk_" + base64.RawURLEncoding.EncodeToString(b[:])
		k := &index.APIKey{Name: pos[0], Hash: api.HashSecret(secret), Scope: scope, RatePerMinute: rate, CreatedAt: time.Now().UTC()}
		if err := ks.PutAPIKey(ctx, k); err != nil {
			fmt.Fprintln(stderr, "scout apikey create:", err)
			return 1
		}
		fmt.Fprintln(stdout, secret)
		fmt.Fprintf(stderr, "created key %q (scope %s); the secret above is shown once: send it as Authorization: Bearer <secret>\n", k.Name, k.Scope)
		if len(keys) == 0 {
			fmt.Fprintln(stderr, "note: this is the first named key; from now on the API requires a key on every /v1 route")
		}
	case "list":
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tSCOPE\tRATE/MIN\tCREATED\tREVOKED")
		for _, k := range keys {
			rate, revoked := "default", "-"
			if k.RatePerMinute > 0 {
				rate = fmt.Sprint(k.RatePerMinute)
			}
			if !k.RevokedAt.IsZero() {
				revoked = k.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.Name, k.Scope, rate, k.CreatedAt.Format(time.RFC3339), revoked)
		}
		tw.Flush()
	case "revoke":
		act := active(pos[0])
		if len(act) == 0 {
			fmt.Fprintf(stderr, "scout apikey revoke: no active key named %q\n", pos[0])
			return 1
		}
		for _, k := range act {
			k.RevokedAt = time.Now().UTC()
			if err := ks.PutAPIKey(ctx, &k); err != nil {
				fmt.Fprintln(stderr, "scout apikey revoke:", err)
				return 1
			}
		}
		fmt.Fprintf(stdout, "revoked %q\n", pos[0])
	}
	return 0
}
