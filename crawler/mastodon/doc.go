// Package mastodon is the Mastodon source of CreatorScout. It reads the
// public REST API of each account's home instance, without credentials:
//
//   - the profile through /api/v1/accounts/lookup;
//   - recent original posts through /api/v1/accounts/:id/statuses
//     (exclude_reblogs=true; replies to other accounts are left out);
//   - replies with their authors on the most-engaged posts through
//     /api/v1/statuses/:id/context (descendants);
//   - a follower sample through /api/v1/accounts/:id/followers, paged only
//     through the Link header;
//   - discovery through an instance's profile directory
//     (/api/v1/directory?order=active&local=true) or its account search
//     (/api/v2/search?type=accounts, never with resolve).
//
// Refs are "user@instance", lower-cased, in both ID and Handle. Posts count
// quotes from quotes_count (Mastodon 4.5 and later; 0 before).
//
// The source enforces the platform's opt-out signals and the operator's
// instance policy in code:
//
//   - an account with noindex: true, or with #nobot or #noindex in its bio
//     or in the name or value of a profile field, is never returned: Fetch
//     refuses it with an error wrapping creator.ErrOptedOut, discovery
//     leaves it out, and it is dropped from follower and reply samples;
//   - discovery returns only accounts with discoverable: true, and never
//     one with indexable: false. Mastodon documents indexable as the
//     account's consent to having its public posts searched; we read
//     false as an opt-out of being found by search-like discovery. Such an
//     account is still crawled when an operator asks for it by name (it
//     is labelled "not-indexable"), since it did not set noindex;
//   - discovery also leaves out accounts that moved (moved is set),
//     memorials, suspended accounts and accounts the instance's moderators
//     limited; Fetch gives creator.ErrNotFound for a moved ("moved to
//     new@instance"), memorial or suspended account, and labels a limited
//     one "limited"; suspended and moved accounts are dropped from
//     follower and reply samples;
//   - an account with hide_collections: true gets no follower sample;
//   - instances are checked against an allow/deny list before any request
//     is sent; a denied instance gives an error wrapping
//     creator.ErrForbidden. mastodon.social is denied by default (its terms
//     forbid automated data mining since 2025-07-01) unless the operator
//     lists it in "instances_allow".
//
// Options (crawler.Config.Options): "instances_allow" and "instances_deny"
// (comma-separated instance domains; a non-empty allow list admits only its
// instances), "discover_instances" (comma-separated instances searched when
// a query names none), "posts" (default 40), "reply_posts" (default 5) and
// "followers" (default 80).
//
// Rate limits: Mastodon allows 300 requests per 5 minutes per IP on each
// instance, so the source declares 1 request per second with bursts of 10
// and, when it talks to real instances (no BaseURL override), sets that
// policy on the outbound client for every instance it contacts, if the
// client accepts per-host policies. 429 responses are handled by
// crawler/fetch.
//
// The parsers (Parse*) turn Mastodon JSON into creator types and are usable
// on their own.
package mastodon
