// Package creator holds the domain types shared by every other package of
// CreatorScout: references to creators on a platform, the profile and post
// data a source returns, the sampled accounts of an audience, snapshots of a
// creator over time, and the scores computed from them.
//
// It also holds the one function that derives a store key from a Ref (Key)
// and the sentinel errors used for control flow across packages.
//
// The package imports nothing of CreatorScout's and does no I/O.
package creator
