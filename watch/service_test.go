package watch

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"github.com/creatorscout/scout/crawler/fetch"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// clock is an injected clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// ssrfGuard is crawler/fetch's URL validator as cmd wires it.
func ssrfGuard(ctx context.Context, raw string) error {
	_, err := fetch.CheckURL(ctx, raw)
	return err
}

func allowAll(context.Context, string) error { return nil }

// storeCreator stores a record for a Bluesky DID with one snapshot.
func storeCreator(t *testing.T, st index.Store, did, handle string, at time.Time) *creator.Record {
	t.Helper()
	ref := creator.Ref{Platform: creator.Bluesky, ID: did, Handle: handle}
	r := &creator.Record{Key: creator.Key(ref), Profile: creator.Profile{Ref: ref, Followers: 1000}, FirstSeen: at, UpdatedAt: at}
	if err := st.Upsert(context.Background(), r, creator.Snapshot{At: at, Followers: 1000}); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCreateValidates(t *testing.T) {
	tests := []struct {
		name     string
		check    URLCheck
		spec     Spec
		wantErr  error
		wantText string
	}{
		{name: "empty name", spec: Spec{Name: "  "}, wantErr: creator.ErrInvalid, wantText: "name"},
		{name: "bad cadence", spec: Spec{Name: "a", Cadence: "every tuesday"}, wantErr: creator.ErrInvalid, wantText: "cadence"},
		{name: "interval too short", spec: Spec{Name: "a", Cadence: "10s"}, wantErr: creator.ErrInvalid, wantText: "cadence"},
		{name: "negative rule", spec: Spec{Name: "a", Rules: index.AlertRules{QuietDays: -1}}, wantErr: creator.ErrInvalid, wantText: "rules.quiet_days"},
		{name: "percent over 100", spec: Spec{Name: "a", Rules: index.AlertRules{EngagementDropPct: 150}}, wantErr: creator.ErrInvalid, wantText: "rules.engagement_drop_pct"},
		{name: "bad saved search", spec: Spec{Name: "a", SavedSearch: &index.Query{Sort: []index.Sort{{Field: "bio"}}}}, wantErr: creator.ErrInvalid, wantText: "saved_search"},
		{name: "bad id", spec: Spec{ID: "a b", Name: "a"}, wantErr: creator.ErrInvalid, wantText: "id"},
		{name: "webhook scheme", spec: Spec{Name: "a", Webhooks: []index.Webhook{{URL: "ftp://example.com/x"}}}, wantErr: creator.ErrInvalid, wantText: "webhooks[0].url"},
		{name: "webhook with credentials", spec: Spec{Name: "a", Webhooks: []index.Webhook{{URL: "https://u:p@example.com/x"}}}, wantErr: creator.ErrInvalid, wantText: "webhooks[0].url"},
		{name: "webhook at a private address, SSRF guard", check: ssrfGuard,
			spec:    Spec{Name: "a", Webhooks: []index.Webhook{{URL: "https://93.184.216.34/ok"}, {URL: "http://10.1.2.3/hook"}}},
			wantErr: creator.ErrForbidden, wantText: "webhooks[1].url"},
		{name: "webhook at loopback, SSRF guard", check: ssrfGuard,
			spec:    Spec{Name: "a", Webhooks: []index.Webhook{{URL: "http://127.0.0.1:9000/hook"}}},
			wantErr: creator.ErrForbidden, wantText: "webhooks[0].url"},
		{name: "webhook at metadata address, default check",
			spec:    Spec{Name: "a", Webhooks: []index.Webhook{{URL: "http://169.254.169.254/latest"}}},
			wantErr: creator.ErrForbidden, wantText: "webhooks[0].url"},
		{name: "webhook at localhost, default check",
			spec:    Spec{Name: "a", Webhooks: []index.Webhook{{URL: "http://localhost:8080/"}}},
			wantErr: creator.ErrForbidden, wantText: "webhooks[0].url"},
		{name: "unknown member key", spec: Spec{Name: "a", Members: []string{"bluesky-nope"}}, wantErr: creator.ErrNotFound, wantText: "members[0]"},
		{name: "member neither key nor url", spec: Spec{Name: "a", Members: []string{"not a key"}}, wantErr: creator.ErrInvalid, wantText: "members[0]"},
		{name: "unknown profile url", spec: Spec{Name: "a", Members: []string{"https://example.com/u/x"}}, wantErr: creator.ErrInvalid, wantText: "members[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newMemStore()
			opts := []Option{WithProfileURLs(parseProfileURL)}
			if tc.check != nil {
				opts = append(opts, WithURLCheck(tc.check))
			}
			svc := New(st, opts...)
			_, err := svc.Create(context.Background(), tc.spec)
			if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantText) {
				t.Fatalf("Create: got %v, want %v naming %q", err, tc.wantErr, tc.wantText)
			}
			if ws, _ := st.ListWatchlists(context.Background()); len(ws) != 0 {
				t.Errorf("refused watchlist was stored: %+v", ws)
			}
		})
	}
}

func TestCreateAndGet(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	clk := newClock(day(0))
	a := storeCreator(t, st, "did:plc:aaa", "alice.bsky.social", day(0))
	svc := New(st, WithProfileURLs(parseProfileURL), WithClock(clk.Now), WithURLCheck(allowAll))

	w, err := svc.Create(ctx, Spec{
		ID:       "fitness",
		Name:     " Fitness ",
		Members:  []string{a.Key, "https://bsky.app/profile/did:plc:bbb", a.Key},
		Webhooks: []index.Webhook{{URL: "https://hooks.example.com/a"}, {URL: "https://hooks.example.com/b", Secret: "s3"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(w.Webhooks[0].Secret, "whsec_") || len(w.Webhooks[0].Secret) < 30 || w.Webhooks[1].Secret != "s3" {
		t.Errorf("secrets: got %q and %q, want a generated one and s3", w.Webhooks[0].Secret, w.Webhooks[1].Secret)
	}
	want := &index.Watchlist{
		ID:   "fitness",
		Name: "Fitness",
		Members: []index.WatchMember{
			{Key: a.Key, Ref: a.Profile.Ref, AddedAt: day(0), Source: "key"},
			{Key: "bluesky-did_3Aplc_3Abbb", Ref: creator.Ref{Platform: creator.Bluesky, ID: "did:plc:bbb"}, AddedAt: day(0), Source: "url"},
		},
		Webhooks:  []index.Webhook{{URL: "https://hooks.example.com/a", Secret: w.Webhooks[0].Secret}, {URL: "https://hooks.example.com/b", Secret: "s3"}},
		NextRunAt: day(0),
		CreatedAt: day(0),
		UpdatedAt: day(0),
	}
	got, err := svc.Get(ctx, "fitness")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}
	if _, err := svc.Create(ctx, Spec{ID: "fitness", Name: "again"}); !errors.Is(err, creator.ErrInvalid) {
		t.Errorf("Create with a taken id: got %v, want ErrInvalid", err)
	}
	if _, err := svc.Get(ctx, "nope"); !errors.Is(err, creator.ErrNotFound) {
		t.Errorf("Get unknown: got %v, want ErrNotFound", err)
	}
	list, err := svc.List(ctx)
	if err != nil || len(list) != 1 || list[0].ID != "fitness" {
		t.Errorf("List: got %v, %v", list, err)
	}
}

func TestMembers(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	clk := newClock(day(0))
	a := storeCreator(t, st, "did:plc:aaa", "alice.bsky.social", day(0))
	b := storeCreator(t, st, "did:plc:bbb", "bob.example.com", day(0))
	lookups := 0
	svc := New(st, WithProfileURLs(parseProfileURL), WithClock(clk.Now), WithHandleLookup(func(ctx context.Context, ref creator.Ref) (creator.Ref, error) {
		lookups++
		if ref.Handle == "carol.bsky.social" {
			return creator.Ref{Platform: creator.Bluesky, ID: "did:plc:ccc", Handle: ref.Handle}, nil
		}
		return storeHandleLookup(st)(ctx, ref)
	}))
	w, err := svc.Create(ctx, Spec{Name: "l", Members: []string{a.Key}})
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Hour)
	w, err = svc.AddMembers(ctx, w.ID, "https://bsky.app/profile/Bob.Example.com", "https://bsky.app/profile/carol.bsky.social/post/3k", a.Key)
	if err != nil {
		t.Fatal(err)
	}
	want := []index.WatchMember{
		{Key: a.Key, Ref: a.Profile.Ref, AddedAt: day(0), Source: "key"},
		{Key: b.Key, Ref: b.Profile.Ref, AddedAt: day(0).Add(time.Hour), Source: "url"},
		{Key: "bluesky-did_3Aplc_3Accc", Ref: creator.Ref{Platform: creator.Bluesky, ID: "did:plc:ccc", Handle: "carol.bsky.social"}, AddedAt: day(0).Add(time.Hour), Source: "url"},
	}
	if diff := cmp.Diff(want, w.Members); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	// Bob is stored: found by the exact handle lookup, not the HandleLookup.
	if lookups != 1 {
		t.Errorf("handle lookups: got %d, want 1 (carol only)", lookups)
	}

	// All or nothing.
	if _, err := svc.AddMembers(ctx, w.ID, "https://bsky.app/profile/did:plc:ddd", "https://bsky.app/profile/nobody.example.org"); !errors.Is(err, creator.ErrNotFound) || !strings.Contains(err.Error(), "members[1]") {
		t.Errorf("AddMembers with an unknown handle: got %v, want ErrNotFound naming members[1]", err)
	}
	if got, _ := svc.Get(ctx, w.ID); len(got.Members) != 3 {
		t.Errorf("after a refused AddMembers: %d members, want 3", len(got.Members))
	}

	w, err = svc.RemoveMember(ctx, w.ID, b.Key)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Members) != 2 || w.Members[1].Key != "bluesky-did_3Aplc_3Accc" {
		t.Errorf("after RemoveMember: %+v", w.Members)
	}
	if _, err := svc.RemoveMember(ctx, w.ID, b.Key); !errors.Is(err, creator.ErrNotFound) {
		t.Errorf("RemoveMember of a non-member: got %v, want ErrNotFound", err)
	}
	if _, err := svc.AddMembers(ctx, "nope", a.Key); !errors.Is(err, creator.ErrNotFound) {
		t.Errorf("AddMembers to an unknown list: got %v, want ErrNotFound", err)
	}
}

func TestUpdateAndDelete(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	clk := newClock(day(0))
	check := func(ctx context.Context, raw string) error {
		if strings.Contains(raw, "internal") {
			return creator.ErrForbidden
		}
		return nil
	}
	svc := New(st, WithProfileURLs(parseProfileURL), WithClock(clk.Now), WithURLCheck(check))
	w, err := svc.Create(ctx, Spec{Name: "l", Webhooks: []index.Webhook{{URL: "https://a.example.com/"}}})
	if err != nil {
		t.Fatal(err)
	}
	secret := w.Webhooks[0].Secret
	clk.Set(day(2))
	name, cadence := "renamed", "6h"
	rules := index.AlertRules{QuietDays: 7}
	hooks := []index.Webhook{{URL: "https://a.example.com/"}, {URL: "https://b.example.com/", Secret: "bs"}}
	got, err := svc.Update(ctx, w.ID, Patch{Name: &name, Cadence: &cadence, Rules: &rules, Webhooks: &hooks})
	if err != nil {
		t.Fatal(err)
	}
	want := &index.Watchlist{
		ID: w.ID, Name: "renamed", Cadence: "6h", Rules: rules,
		Webhooks:  []index.Webhook{{URL: "https://a.example.com/", Secret: secret}, {URL: "https://b.example.com/", Secret: "bs"}},
		NextRunAt: day(0).Add(6 * time.Hour), CreatedAt: day(0), UpdatedAt: day(2),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Update (-want +got):\n%s", diff)
	}
	bad := []index.Webhook{{URL: "https://internal.example.com/"}}
	if _, err := svc.Update(ctx, w.ID, Patch{Webhooks: &bad}); !errors.Is(err, creator.ErrForbidden) {
		t.Errorf("Update with a refused webhook: got %v, want ErrForbidden", err)
	}
	empty := ""
	if _, err := svc.Update(ctx, w.ID, Patch{Name: &empty}); !errors.Is(err, creator.ErrInvalid) {
		t.Errorf("Update with an empty name: got %v, want ErrInvalid", err)
	}
	if got2, _ := svc.Get(ctx, w.ID); got2.Name != "renamed" || len(got2.Webhooks) != 2 {
		t.Errorf("refused updates changed the list: %+v", got2)
	}
	if err := svc.Delete(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Delete(ctx, w.ID); !errors.Is(err, creator.ErrNotFound) {
		t.Errorf("Delete twice: got %v, want ErrNotFound", err)
	}
	if _, err := svc.Alerts(ctx, w.ID, index.AlertFilter{}); !errors.Is(err, creator.ErrNotFound) {
		t.Errorf("Alerts of a deleted list: got %v, want ErrNotFound", err)
	}
}

func TestParseCadence(t *testing.T) {
	tests := []struct {
		name    string
		cadence string
		due     time.Time
		now     time.Time
		want    time.Time
		wantErr bool
	}{
		{name: "empty is daily", due: day(0), now: day(0), want: day(1)},
		{name: "daily word", cadence: "daily", due: day(0), now: day(0), want: day(1)},
		{name: "interval", cadence: "6h", due: day(0), now: day(0).Add(time.Minute), want: day(0).Add(6 * time.Hour)},
		{name: "missed runs are not repeated", cadence: "24h", due: day(0), now: day(3).Add(time.Hour), want: day(4)},
		{name: "now exactly on the next slot", cadence: "24h", due: day(0), now: day(1), want: day(2)},
		{name: "cron", cadence: "30 7 * * *", due: day(0), now: day(0), want: day(0).Add(90 * time.Minute)},
		{name: "cron descriptor", cadence: "@weekly", due: day(0), now: day(0), want: time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)},
		{name: "garbage", cadence: "soon", wantErr: true},
		{name: "negative", cadence: "-1h", wantErr: true},
		{name: "duration under a minute", cadence: "1s", wantErr: true},
		{name: "@every under a minute", cadence: "@every 1s", wantErr: true},
		{name: "@every 59s", cadence: "@every 59s", wantErr: true},
		{name: "@every with a zone", cadence: "CRON_TZ=Europe/Paris @every 30s", wantErr: true},
		{name: "@every a minute", cadence: "@every 1m", due: day(0), now: day(0), want: day(0).Add(time.Minute)},
		{name: "empty zone (cron's parser panicked)", cadence: "TZ=", wantErr: true},
		{name: "empty cron zone", cadence: "CRON_TZ=", wantErr: true},
		{name: "@every two hours", cadence: "@every 2h", due: day(0), now: day(0), want: day(0).Add(2 * time.Hour)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCadence(tc.cadence)
			if tc.wantErr {
				if !errors.Is(err, creator.ErrInvalid) {
					t.Fatalf("got %v, want ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Next(tc.due, tc.now); !got.Equal(tc.want) {
				t.Errorf("Next: got %s, want %s", got, tc.want)
			}
		})
	}
}

// taskRecorder is a TaskEnqueuer that records tasks and, like asynq with a
// task id, refuses an id it holds.
type taskRecorder struct {
	mu    sync.Mutex
	ids   map[string]bool
	tasks []*asynq.Task
}

func (r *taskRecorder) EnqueueContext(ctx context.Context, t *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ids == nil {
		r.ids = map[string]bool{}
	}
	var p DeliverPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return nil, err
	}
	id := DeliverTaskID(p.AlertID, p.Hook)
	if r.ids[id] {
		return nil, asynq.ErrTaskIDConflict
	}
	r.ids[id] = true
	r.tasks = append(r.tasks, t)
	return &asynq.TaskInfo{ID: id}, nil
}

func TestAfterWrite(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	clk := newClock(day(1))
	a := storeCreator(t, st, "did:plc:aaa", "alice.bsky.social", day(0))
	b := storeCreator(t, st, "did:plc:bbb", "bob.bsky.social", day(0))
	tasks := &taskRecorder{}
	svc := New(st, WithProfileURLs(parseProfileURL), WithClock(clk.Now), WithURLCheck(allowAll), WithTaskEnqueuer(tasks))
	_, err := svc.Create(ctx, Spec{ID: "hooked", Name: "h", Members: []string{a.Key},
		Webhooks: []index.Webhook{{URL: "https://a.example.com/"}, {URL: "https://b.example.com/"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, Spec{ID: "strict", Name: "s", Members: []string{a.Key, b.Key}, Rules: index.AlertRules{AuthenticityBelow: 65}}); err != nil {
		t.Fatal(err)
	}

	h := []creator.Snapshot{snap(0, nil), snap(1, func(s *creator.Snapshot) { s.Authenticity = 60; s.PrimaryNiche = "gaming" })}
	cur := *a
	cur.UpdatedAt = day(1)
	for range 2 { // a retried hook stores nothing twice
		if err := svc.AfterWrite(ctx, a, &cur, h, "rescan"); err != nil {
			t.Fatal(err)
		}
	}
	type row struct{ List, Kind, State string }
	var got []row
	for _, id := range []string{"hooked", "strict"} {
		evs, err := svc.Alerts(ctx, id, index.AlertFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.ID != EventID(id, a.Key, e.Kind, day(1)) || e.CreatorKey != a.Key {
				t.Errorf("event %s: unexpected id or creator %s", e.ID, e.CreatorKey)
			}
			got = append(got, row{e.WatchlistID, e.Kind, e.DeliveryState})
		}
	}
	want := []row{
		{"hooked", KindAuthenticityDrop, "pending"}, {"hooked", KindNicheChange, "pending"},
		{"strict", KindAuthenticityBelow, ""}, {"strict", KindAuthenticityDrop, ""}, {"strict", KindNicheChange, ""},
	}
	sort.Slice(got, func(i, j int) bool { return got[i].List+got[i].Kind < got[j].List+got[j].Kind })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alerts (-want +got):\n%s", diff)
	}
	// Two events x two targets, each enqueued once.
	if len(tasks.tasks) != 4 {
		t.Errorf("delivery tasks: got %d, want 4", len(tasks.tasks))
	}
	for _, tk := range tasks.tasks {
		if tk.Type() != TypeDeliver {
			t.Errorf("task type %q", tk.Type())
		}
	}
}

func TestRedacted(t *testing.T) {
	w := index.Watchlist{ID: "l", Webhooks: []index.Webhook{{URL: "https://a/", Secret: "whsec_0123456789abcdef"}, {URL: "https://b/", Secret: "short"}, {URL: "https://c/"}}}
	got := Redacted(w)
	want := []index.Webhook{{URL: "https://a/", Secret: "…cdef"}, {URL: "https://b/", Secret: "…"}, {URL: "https://c/"}}
	if diff := cmp.Diff(want, got.Webhooks); diff != "" {
		t.Errorf("Redacted (-want +got):\n%s", diff)
	}
	if w.Webhooks[0].Secret != "whsec_0123456789abcdef" {
		t.Error("Redacted changed its argument")
	}
}
