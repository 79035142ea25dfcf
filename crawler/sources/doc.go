// Package sources imports every source package, so that a program that
// imports it has every source and every platform's profile-URL parser
// registered, and none can be forgotten: cmd/scout and the tests that need
// the whole set import this package instead of each source.
// TestEverySourceImported fails when a platform of creator.Platforms has
// no registered source once this package is imported.
package sources
