package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// apiKeys checks the optional index.APIKeys: keys are found by hash,
// replaced in place (a revocation), listed by name, and a hash that was
// never stored is not found.
func (s *suite) apiKeys(t *testing.T) {
	st := s.open(t)
	ks, ok := st.(index.APIKeys)
	if !ok {
		t.Skip("the backend does not implement index.APIKeys")
	}
	ctx := ctxFor(t)
	h := func(c byte) string { return strings.Repeat(string(c), 64) }
	a := &index.APIKey{Name: "dashboard", Hash: h('a'), Scope: "read", CreatedAt: at(0)}
	b := &index.APIKey{Name: "ingest", Hash: h('b'), Scope: "write", RatePerMinute: 120, CreatedAt: at(time.Hour)}
	a2 := &index.APIKey{Name: "dashboard", Hash: h('c'), Scope: "admin", CreatedAt: at(2 * time.Hour)}
	for _, k := range []*index.APIKey{b, a, a2} {
		if err := ks.PutAPIKey(ctx, k); err != nil {
			t.Fatalf("PutAPIKey(%s): %v", k.Name, err)
		}
	}
	got, err := ks.APIKeyByHash(ctx, h('b'))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, got, cmpOpts...); diff != "" {
		t.Errorf("APIKeyByHash (-want +got):\n%s", diff)
	}
	_, err = ks.APIKeyByHash(ctx, h('d'))
	wantErrIs(t, err, creator.ErrNotFound, "APIKeyByHash(unknown)")

	revoked := *a
	revoked.RevokedAt = at(3 * time.Hour)
	if err := ks.PutAPIKey(ctx, &revoked); err != nil {
		t.Fatal(err)
	}
	list, err := ks.ListAPIKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]index.APIKey{revoked, *a2, *b}, list, cmpOpts...); diff != "" {
		t.Errorf("ListAPIKeys after a revocation (-want +got):\n%s", diff)
	}
	if err := ks.PutAPIKey(ctx, &index.APIKey{Name: "x", Hash: "short"}); err == nil {
		t.Error("PutAPIKey accepted a hash that is not 64 hex digits")
	}
}
