// Package youtube is the YouTube source of CreatorScout. It reads the
// YouTube Data API v3 (https://www.googleapis.com/youtube/v3 by default)
// with the operator's API key:
//
//   - the channel through channels.list (part=snippet,statistics,
//     contentDetails; by id, or by handle with forHandle);
//   - recent uploads through playlistItems.list on the channel's uploads
//     playlist, with their view, like and comment counts from videos.list;
//   - comments with their authors' channel ids on the most-engaged videos
//     through commentThreads.list;
//   - an audience sample of commenters (YouTube does not list
//     subscribers): AudienceKind "commenters", each creator.Account
//     holding only what a comment shows (channel id, display name, handle
//     when given) and nil for everything else;
//   - discovery through search.list?type=channel.
//
// Refs have the channel id ("UC...") as ID and the handle ("@name",
// lower-cased) as Handle. A channel that hides its subscriber count gets
// Followers 0 and the label "hidden_subscriber_count".
//
// Policy, enforced in code:
//
//   - the source cannot be built without an API key: crawler.New returns an
//     error wrapping creator.ErrInvalid that says the key is missing;
//   - every request is charged against the daily quota of 10,000 units per
//     key (search.list costs 100 units, every other call 1) through
//     fetch.WithCost and fetch.WithCredential, and the quota's day starts at
//     midnight America/Los_Angeles;
//   - a 403 quotaExceeded (or dailyLimitExceeded) gives an error wrapping
//     creator.ErrRateLimited with a *creator.RetryAfter until the next
//     midnight in Los Angeles, and the source sends nothing more until then;
//   - data not authorised by the channel owner must be refreshed or deleted
//     within 30 days: Policy().Retention is 30 days;
//   - derived metrics (scores, categorisation) are allowed only for audited
//     API projects that accepted the derived-metrics amendment:
//     Policy().ScoringAllowed is false unless the operator sets
//     "derived_metrics_approved" to "true".
//
// Options (crawler.Config.Options): "api_key" (required),
// "derived_metrics_approved" ("true" to allow scoring), "videos" (default
// 30), "comment_videos" (default 5) and "comments" (per video, default 100).
//
// The parsers (Parse*) turn Data API JSON into creator types and are usable
// on their own.
package youtube
