// Package sim is an in-process simulator of the Bluesky AppView for demos
// and tests: a World of synthetic creators, each with a true niche, tier,
// authenticity and trajectory, served over HTTP with the JSON shapes of the
// real AppView (app.bsky.actor.getProfile, getProfiles, searchActors,
// app.bsky.feed.getAuthorFeed, getPostThread, app.bsky.graph.getFollowers),
// with cursors, limits and the real AppView's 400 "Profile not found" for
// unknown actors.
//
// Everything a response shows is a pure function of the seed, the scripts
// (World.Script) and the world's clock (World.Now, Advance, SetNow), so
// repeated requests agree and tests can move time forward to watch creators
// grow, go quiet, buy followers or go viral.
//
// Start one with
//
//	w := sim.New(sim.Config{Seed: 1})
//	srv := httptest.NewServer(w.Handler()) // or w.Serve(ctx, "127.0.0.1:0")
//
// and point the Bluesky source's BaseURL at it. World.Creators gives the
// ground truth (true niche, tier, bought followers, bot comments, opt-out,
// trajectory); the Handle* constants name creators with fixed, documented
// trajectories.
//
// Distributions: followers are heavy-tailed from about 200 to 4 million (a
// tier is drawn, then a log-uniform count within it); engagement per post
// over genuine followers falls with tier (about 6% emerging, 5% nano, 3%
// micro, 2% mid, 1.5% macro, 1% mega, with log-normal noise per creator and
// per post); about 8% of creators bought 30-65% of their followers (fake
// accounts: mostly no avatar, empty bio, digits in the handle, no posts,
// following thousands, created shortly before), about 10% have a fixed
// group of bot commenters ("Nice post!", "🔥🔥🔥") on every post, 2% carry the
// !no-unauthenticated label, about a third post sponsored content, not
// always disclosed. Text comes from the package's own per-niche templates.
package sim
