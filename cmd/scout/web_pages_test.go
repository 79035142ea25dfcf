package main

import "testing"

// webPagesTests are TestBrowser's subtests of the creator, watchlist,
// compare and discover pages, and of the small screen.
func webPagesTests(t *testing.T, w *webWorld, b *webHelpers) {}
