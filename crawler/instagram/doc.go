// Package instagram is the Instagram source of CreatorScout. It reads the
// Instagram Graph API's business_discovery field with the operator's own
// Business or Creator account: options "token" (SCOUT_INSTAGRAM_TOKEN, an
// access token of that account) and "user_id" (SCOUT_INSTAGRAM_USER_ID,
// its Instagram user id) are required, and only Business and Creator
// accounts can be looked up, by username.
//
// One request gives a profile's counts (followers_count, follows_count,
// media_count), name, biography, website and picture with its recent media
// (caption, like_count, comments_count, timestamp, permalink); further
// media pages follow the media edge's cursor (media.after(cursor)).
//
// Instagram lists no followers and business_discovery gives no comments,
// so a profile has no audience sample: authenticity can only be judged
// from engagement and growth, with lower confidence. The profile carries
// the label LabelNoAudience to say so.
//
// Rate limits: Meta counts calls per app and per business use case and
// reports usage in the X-App-Usage and X-Business-Use-Case-Usage headers;
// the fetch client slows every worker from 75% and pauses them at 100%
// until access is regained, keyed by the operator's account (a hashed
// credential) so the limit holds cluster-wide. Throttling errors (codes 4,
// 17, 32, 613, 80002) give errors wrapping *creator.RetryAfter.
//
// The parsers (Parse*) read Graph API JSON and are usable on their own;
// they are tested on the recorded responses in ../shared/fixtures.
package instagram
