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
// The source registers itself under creator.Bluesky; its options
// (crawler.Config.Options) are "posts" (default 30), "reply_posts" (default
// 5) and "followers" (default 100). The parsers (Parse*) turn AppView JSON
// into creator types and are usable on their own.
package bluesky
