// Package bluesky is the Bluesky source of CreatorScout. It reads the public
// AT Protocol AppView (https://public.api.bsky.app by default) without
// credentials:
//
//   - the profile through app.bsky.actor.getProfile;
//   - recent original posts through app.bsky.feed.getAuthorFeed
//     (filter=posts_no_replies, reposts skipped, paged by cursor);
//   - replies with their authors on the most-engaged posts through
//     app.bsky.feed.getPostThread;
//   - a follower sample through app.bsky.graph.getFollowers, completed with
//     counts through app.bsky.actor.getProfiles in batches of 25;
//   - discovery through app.bsky.actor.searchActors, paged by cursor.
//
// Accounts labelled "!no-unauthenticated" have asked not to be shown to
// logged-out users: discovery leaves them out, Fetch refuses them with an
// error wrapping creator.ErrOptedOut, and they are dropped from follower and
// reply samples.
//
// The AppView's XRPC errors (a 400 whose body names the error) are read
// from the client's *fetch.StatusError: a post deleted since the feed listed
// it ("NotFound") only loses that thread's replies; "Profile not found",
// "Actor not found", AccountTakedown, AccountDeactivated, BlockedActor and
// BlockedByActor give creator.ErrNotFound. An account whose handle is
// "handle.invalid" is kept by its DID with no handle, and its profile URL
// names the DID. The profile's website is its first link. A count the
// AppView leaves out is unknown (creator.Profile.UnknownCounts), not 0; a
// post without any counts is left out of the sample.
//
// The source registers itself under creator.Bluesky; its options
// (crawler.Config.Options) are "posts" (default 30), "reply_posts" (default
// 5) and "followers" (default 100). The parsers (Parse*) turn AppView JSON
// into creator types and are usable on their own.
package bluesky
