package meili

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// TestFiltersSentKeepValuesQuoted sends a value built to break out of its
// quotes through every Store method that filters on what a caller gives,
// and checks each filter Meilisearch received: it reads as syntax with
// every value quoted, and the value never shows in the syntax.
func TestFiltersSentKeepValuesQuoted(t *testing.T) {
	f := newFake(t)
	s := openFake(t, f, Config{})
	const evil = `a" OR INJECTED = "b`
	ctx := context.Background()
	s.Search(ctx, index.Query{Filter: ptr(index.And(index.Eq("platform", evil), index.In("tier", evil, "nano")))})
	index.ByHandle(ctx, s, creator.Bluesky, evil)
	index.ByProfileURL(ctx, s, "https://example.com/"+evil)
	s.History(ctx, "bluesky-"+evil, 5)
	s.JobItems(ctx, evil, evil)
	s.IsOptedOut(ctx, creator.Bluesky, evil, evil)
	s.ListAlerts(ctx, index.AlertFilter{WatchlistID: evil, CreatorKey: evil})
	var filters []string
	for _, r := range f.requests() {
		if q, err := url.ParseQuery(r.Query); err == nil && q.Get("filter") != "" {
			filters = append(filters, q.Get("filter"))
		}
		if body, ok := r.Body.(map[string]any); ok {
			if fl, ok := body["filter"].(string); ok && fl != "" {
				filters = append(filters, fl)
			}
		}
	}
	if len(filters) < 4 {
		t.Fatalf("%d filters sent (%q), want one per filtering call", len(filters), filters)
	}
	for _, fl := range filters {
		syn, _, err := skeleton(fl)
		if err != nil || strings.Contains(syn, "INJECTED") {
			t.Errorf("filter %q: syntax %q, %v; want every value quoted", fl, syn, err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestFilterText(t *testing.T) {
	tests := []struct {
		name string
		e    expr
		want string
	}{
		{"eq", eqVal(attrJob, "j1"), `job = "` + enc("j1") + `"`},
		{"in", inVals(attrState, "a", "b"), `state IN ["` + enc("a") + `", "` + enc("b") + `"]`},
		{"stored", eqStored(attrCKey, `x"y`), `ckey = "x\"y"`},
		{"and bare", allOf(eqStored("a", "1"), eqStored("b", "2")), `a = "1" AND b = "2"`},
		{"and grouped", anyOf(allOf(eqStored("a", "1"), eqStored("b", "2")), eqStored("c", "3")), `(a = "1" AND b = "2") OR c = "3"`},
		{"or inside and", allOf(eqStored("a", "1"), anyOf(eqStored("b", "2"), eqStored("c", "3"))), `a = "1" AND (b = "2" OR c = "3")`},
		{"one operand", allOf(anyOf(eqStored("a", "1"))), `a = "1"`},
		{"no operand", allOf(), ``},
		{"empty operands dropped", allOf(allOf(), eqStored("a", "1")), `a = "1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := filterText(tt.e); got != tt.want {
				t.Errorf("filterText = %s, want %s", got, tt.want)
			}
		})
	}
}

// facetValue is what Meilisearch keeps of a string in a filterable or
// sortable attribute and compares and sorts by, for ASCII strings: trimmed,
// lower-cased and cut to maxFacetBytes (normalize_facet and truncate_str in
// milli).
func facetValue(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > maxFacetBytes {
		s = s[:maxFacetBytes]
	}
	return s
}

// unchanged reports whether Meilisearch keeps s as it is.
func unchanged(s string) bool { return facetValue(s) == s }

func TestFkey(t *testing.T) {
	at234, at235 := strings.Repeat("x", 234), strings.Repeat("x", 235)
	tests := []struct {
		name, v, want string
	}{
		{"short", "bluesky-a", enc("bluesky-a")},
		{"empty", "", ""},
		{"longest hex", at234, enc(at234)},
		{"hashed", at235, "h" + func() string { s := sha256.Sum256([]byte(at235)); return hex.EncodeToString(s[:]) }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fkey(tt.v); got != tt.want {
				t.Errorf("fkey(%q) = %q, want %q", tt.v, got, tt.want)
			}
		})
	}
	// Distinct values, also long ones that differ only at the end, have
	// distinct stored forms that Meilisearch keeps whole.
	long := strings.Repeat("did:plc:", 64)
	vals := []string{"", "a", "A", at234, at234 + "y", at235, long, long + "a", long + "b", "h" + strings.Repeat("0", 64)}
	seen := map[string]string{}
	for _, v := range vals {
		k := fkey(v)
		if !unchanged(k) {
			t.Errorf("fkey(%.20q...) = %.20q... is changed by Meilisearch (%d bytes)", v, k, len(k))
		}
		if prev, ok := seen[k]; ok {
			t.Errorf("fkey(%.20q...) = fkey(%.20q...)", v, prev)
		}
		seen[k] = v
	}
}

// randomKeys returns valid keys (creator.ValidKey), many of them long and
// sharing long prefixes, so that their order past maxFacetBytes matters.
func randomKeys(rng *rand.Rand, n int) []string {
	base := make([]byte, 511)
	for i := range base {
		base[i] = keyDigits[rng.IntN(len(keyDigits))]
	}
	keys := make([]string, n)
	for i := range keys {
		k := slices.Clone(base[:1+rng.IntN(511)])
		switch rng.IntN(4) {
		case 0: // a key of its own
			for j := range k {
				k[j] = keyDigits[rng.IntN(len(keyDigits))]
			}
		case 1: // the shared prefix with a change near its end
			if len(k) > 0 {
				k[len(k)-1-rng.IntN(min(len(k), 50))] = keyDigits[rng.IntN(len(keyDigits))]
			}
		case 2: // a shared prefix of maxFacetBytes-3 bytes or more, with a change around maxFacetBytes
			k = slices.Clone(base[:maxFacetBytes-3+rng.IntN(len(base)-maxFacetBytes+4)])
			if j := maxFacetBytes - 3 + rng.IntN(6); j < len(k) {
				k[j] = keyDigits[rng.IntN(len(keyDigits))]
			}
		}
		keys[i] = string(k)
	}
	keys = append(keys, string(base[:maxFacetBytes-1]), string(base[:maxFacetBytes]), string(base[:maxFacetBytes+1]), string(base))
	return keys
}

// sortAttrs are a key's two sort attributes (keySort).
type sortAttrs struct{ head, rest string }

// meiliCompare is how Meilisearch orders two creators by the sort
// attributes of their keys: by head, then by rest, a missing rest last,
// each compared as facetValue keeps it.
func meiliCompare(a, b sortAttrs) int {
	if c := strings.Compare(facetValue(a.head), facetValue(b.head)); c != 0 {
		return c
	}
	switch {
	case a.rest == "" && b.rest == "":
		return 0
	case a.rest == "":
		return 1
	case b.rest == "":
		return -1
	}
	return strings.Compare(facetValue(a.rest), facetValue(b.rest))
}

// checkKeySort checks that keySort(key) is kept whole by Meilisearch, has
// a rest exactly when key has maxFacetBytes bytes or more, and holds every
// byte of key: its head the first maxFacetBytes, its rest, after '!', the
// others.
func checkKeySort(t *testing.T, key string) sortAttrs {
	t.Helper()
	head, rest := keySort(key)
	if !unchanged(head) || !unchanged(rest) {
		t.Fatalf("keySort(%q) = %q, %q: changed by Meilisearch", key, head, rest)
	}
	if (len(key) >= maxFacetBytes) != (rest != "") {
		t.Fatalf("keySort of a %d-byte key has rest %q", len(key), rest)
	}
	unmap := func(s string) string {
		b := []byte(s)
		for i := range b {
			if j := strings.IndexByte(sortDigits, b[i]); j >= 0 {
				b[i] = keyDigits[j]
			} else {
				b[i] = '?' // not a key character
			}
		}
		return string(b)
	}
	got := unmap(head)
	if rest != "" {
		if rest[0] != '!' {
			t.Fatalf("keySort(%q) has rest %q, not starting with '!'", key, rest)
		}
		got += unmap(rest[1:])
	}
	if len(head) != min(len(key), maxFacetBytes) || got != key {
		t.Fatalf("keySort of a %d-byte key = %d-byte head and %d-byte rest, which hold %q, not the key %q",
			len(key), len(head), len(rest), got, key)
	}
	return sortAttrs{head, rest}
}

func TestKeySortOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	keys := randomKeys(rng, 400)
	type sorted struct {
		key string
		sortAttrs
	}
	var ss []sorted
	for _, k := range keys {
		ss = append(ss, sorted{k, checkKeySort(t, k)})
	}
	for _, a := range ss {
		for _, b := range ss {
			if got, want := meiliCompare(a.sortAttrs, b.sortAttrs), strings.Compare(a.key, b.key); got != want {
				t.Fatalf("keys %q and %q: Meilisearch compares %d, bytes %d", a.key, b.key, got, want)
			}
		}
	}
}

// TestKeySortBoundary orders pairs of long keys that differ at or around
// byte maxFacetBytes, where keySort splits a key into its head and rest.
func TestKeySortBoundary(t *testing.T) {
	base := strings.Repeat("aZ09_-", 86)[:511] // a valid key of the greatest length
	at := func(k string, i int, c byte) string {
		b := []byte(k)
		b[i] = c
		return string(b)
	}
	tests := []struct {
		name string
		a, b string // a < b by their bytes
	}{
		{"differ at 466", at(base, 466, '-'), at(base, 466, 'z')},
		{"differ at 467", at(base, 467, '-'), at(base, 467, 'z')},
		{"differ at 468", at(base, 468, '-'), at(base, 468, 'z')},
		{"differ at 469", at(base, 469, '-'), at(base, 469, 'z')},
		{"differ at 467 in case", at(base, 467, 'A'), at(base, 467, 'a')},
		{"differ at 467, opposite after", at(at(base, 467, 'A'), 468, 'z'), at(at(base, 467, 'B'), 468, '-')},
		{"468-byte keys", at(base[:468], 467, '0'), at(base[:468], 467, '1')},
		{"468-byte keys differing early", at(base[:468], 0, '-'), at(base[:468], 0, 'z')},
		{"467 and 468 bytes", base[:467], base[:468]},
		{"468 and 469 bytes", base[:468], base[:469]},
		{"511-byte key and its prefix", base[:510], base},
		{"511-byte keys differing last", at(base, 510, '-'), at(base, 510, 'z')},
		{"511-byte key and a shorter greater one", base, at(base[:467], 466, 'z')},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Compare(tt.a, tt.b) >= 0 {
				t.Fatalf("test keys not in order")
			}
			a, b := checkKeySort(t, tt.a), checkKeySort(t, tt.b)
			if got := []int{meiliCompare(a, b), meiliCompare(b, a)}; !slices.Equal(got, []int{-1, 1}) {
				t.Errorf("Meilisearch compares the keys %d and reversed %d, want -1 and 1", got[0], got[1])
			}
		})
	}
}

func TestSortEnc(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var vals []string
	for range 300 {
		b := make([]byte, rng.IntN(352))
		for i := range b {
			b[i] = byte(rng.IntN(4)) * 85 // few distinct bytes: long shared prefixes
		}
		vals = append(vals, string(b))
	}
	vals = append(vals, "", "\x00", "\x00\x00", "a", "al-00", "al-01", "\xff")
	for _, a := range vals {
		ea := sortEnc(a)
		if !unchanged(ea) || len(ea) != (8*len(a)+5)/6 {
			t.Fatalf("sortEnc of %d bytes = %d bytes %q, changed by Meilisearch or of the wrong length", len(a), len(ea), ea)
		}
		for _, b := range vals {
			if got, want := strings.Compare(ea, sortEnc(b)), strings.Compare(a, b); got != want {
				t.Fatalf("sortEnc(%q) vs sortEnc(%q) compares %d, the strings %d", a, b, got, want)
			}
		}
	}
	if got := sortEnc(strings.Repeat("z", 1000)); len(got) != maxFacetBytes {
		t.Errorf("sortEnc of 1000 bytes has %d bytes, want %d", len(got), maxFacetBytes)
	}
}
