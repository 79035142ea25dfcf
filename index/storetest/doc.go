// Package storetest is the conformance suite of index.Store: one set of
// tests that every backend (index/sqlite, index/meili) must pass, so that
// the rest of CreatorScout can rely on the same behaviour from each.
//
// A backend's test calls Run (or RunWith, to declare optional features such
// as typo-tolerant text search) with a function that opens a new, empty
// store and registers its Close with t.Cleanup:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) index.Store {
//			s, err := sqlite.Open(filepath.Join(t.TempDir(), "scout.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// The suite is backend-neutral: it needs only that each Store method
// returns after its write is visible to the other methods. Every subtest
// opens its own store. Keys used by the suite are lower-case letters,
// digits and '-', so that ties broken "by key ascending" order the same way
// in every backend; only the LongValues test uses keys of every allowed
// character, to check that they order by their bytes.
package storetest
