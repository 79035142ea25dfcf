package watch

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/creatorscout/scout/creator"
)

// FuzzParseCadence parses arbitrary cadences: either an error wrapping
// creator.ErrInvalid, or a schedule whose runs are at least MinInterval
// apart, whatever the form ("@every 1s" was once accepted).
func FuzzParseCadence(f *testing.F) {
	for _, s := range []string{"", "daily", "hourly", "weekly", "6h", "1s", "-1h", "@every 1s", "@every 59s", "@every 1m",
		"CRON_TZ=Europe/Paris @every 30s", "* * * * *", "0 6 * * *", "@weekly", "0 0 30 2 *", "TZ=Nope 1 * * * *", "1e9h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCadence(s)
		if err != nil {
			if !errors.Is(err, creator.ErrInvalid) {
				t.Fatalf("ParseCadence(%q): %v, want ErrInvalid", s, err)
			}
			return
		}
		at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
		n1 := c.Next(at, at)
		if n1.IsZero() {
			return // a cron date that never comes (30 February)
		}
		if !n1.After(at) {
			t.Fatalf("ParseCadence(%q): next run %v not after %v", s, n1, at)
		}
		if n2 := c.Next(n1, n1); !n2.IsZero() && n2.Sub(n1) < MinInterval {
			t.Fatalf("ParseCadence(%q): runs %v and %v are less than %s apart", s, n1, n2, MinInterval)
		}
	})
}

// FuzzWatchlistSpec creates watchlists from arbitrary JSON specs (as POST
// /v1/watchlists decodes them) on the in-memory store: nothing panics, a
// refusal wraps one of the caller's sentinels (so the API answers 4xx), and
// what is created has a valid cadence and at most MaxWebhooks targets.
func FuzzWatchlistSpec(f *testing.F) {
	for _, s := range []string{
		`{"name":"a"}`,
		`{"name":"a","cadence":"@every 1s"}`,
		`{"name":"a","members":["https://bsky.app/profile/did:plc:abc","bluesky-did_3Aplc_3Aabc","https://bsky.app/profile/x.example/post/1"]}`,
		`{"name":"a","webhooks":[{"url":"http://127.0.0.1/x"},{"url":"https://hooks.example/a","secret":"s"}]}`,
		`{"name":"a","saved_search":{"text":"yoga","filter":{"op":"eq","field":"tier","values":["micro"]},"sort":[{"field":"bio"}]}}`,
		`{"id":"../x","name":"a","rules":{"quiet_days":-1,"authenticity_below":1e309}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var spec Spec
		if json.Unmarshal(body, &spec) != nil {
			return
		}
		st := newMemStore()
		svc := New(st, WithProfileURLs(parseProfileURL), WithClock(newClock(day(0)).Now))
		w, err := svc.Create(context.Background(), spec)
		if err != nil {
			for _, s := range []error{creator.ErrInvalid, creator.ErrNotFound, creator.ErrForbidden, creator.ErrOptedOut} {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("Create(%s): %v, not a caller's error", body, err)
		}
		if _, err := ParseCadence(w.Cadence); err != nil {
			t.Fatalf("created with cadence %q: %v", w.Cadence, err)
		}
		if len(w.Webhooks) > MaxWebhooks || len(w.Members) > MaxMembers {
			t.Fatalf("created with %d webhooks and %d members", len(w.Webhooks), len(w.Members))
		}
	})
}
