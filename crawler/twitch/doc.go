// Package twitch is the Twitch source of CreatorScout. It reads Helix
// (https://api.twitch.tv/helix) with an app access token obtained by the
// client credentials grant from the operator's client id and secret
// (options "client_id" and "client_secret": SCOUT_TWITCH_CLIENT_ID,
// SCOUT_TWITCH_CLIENT_SECRET). The token is kept in the process and
// fetched again before it expires (when less than a tenth of its life, and
// at least a minute, is left) or when Helix answers 401.
//
//   - the profile through /users (login or id);
//   - the follower total through /channels/followers (first=1: only the
//     total is read; without it the count is unknown, not 0);
//   - recent videos with their view counts through /videos, paged by
//     cursor;
//   - discovery through /search/channels, paged by cursor.
//
// Twitch lists no followers to an app token and videos carry no likes or
// comments, so a profile has no audience sample (LabelNoAudience) and its
// posts' engagement is their views only.
//
// Rate limits: Helix gives each client id a bucket of 800 points a minute
// and announces it in Ratelimit-Limit, Ratelimit-Remaining and
// Ratelimit-Reset, which the fetch client follows for every worker
// (requests are keyed by a hash of the client id).
//
// Retention: Twitch's developer agreement lets data be kept no longer than
// 24 hours without authorisation, so Policy declares a 24-hour retention
// (purged hourly by the scheduler) unless the operator sets option
// "data_authorised" (SCOUT_TWITCH_DATA_AUTHORISED=true) to say it has that
// authorisation.
package twitch
