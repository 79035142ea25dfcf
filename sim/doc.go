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
// and point the Bluesky source's BaseURL at it. Searching each name in
// Niches through searchActors reaches more than 500 creators of the default
// 600.
//
// Ground truth: World.Creators (and World.Creator) gives each creator's
// true niche (and secondary niche), tier, language, fake follower share,
// bot commenters, opt-out label, sponsorship habits and trajectory;
// World.Post gives a post's true niche and whether it is sponsored and
// disclosed; World.Followers gives the follower count at any time.
//
// Time: the world's clock starts at Config.Start (day 0); World.Advance and
// World.SetNow move it, World.Day(n) is midnight of day n. The Handle*
// constants name creators with fixed, documented trajectories, created
// besides Config.Creators: HandleSteady, HandleRising, HandleQuiet (stops
// posting on day 10), HandleBuyer (+30% bought followers on day 12, no
// engagement), HandleViral (a viral post early on day 12, then +30%
// followers over two days with the engagement to match), HandleFake (55%
// bought followers and bot commenters) and HandleOptedOut (labelled
// !no-unauthenticated). HandleSite ("mara-sings.test") has a domain
// handle and a web site the handler serves by host name (a ProfilePage
// linking back with rel="me", robots.txt, an Atom feed); its profile names
// the site as its website, on the port the request came in on, and
// World.SiteHosts lists the host names to resolve to the simulator
// (World.Resolver resolves exactly those to loopback). It is
// generated after every other creator, so it changes nothing else.
// World.Script gives any creator a trajectory.
// Named creators post once a day (twice while viral), so posting counts do
// not blur their events; their texts and replies come from the package's
// first, smaller template sets (replies to them repeat more than those to
// generated creators), which other packages' tests are calibrated on.
//
// Distributions: followers are heavy-tailed from about 200 to 4 million (a
// tier is drawn, then a log-uniform count within it); engagement per post
// over genuine followers falls with tier (about 6% emerging, 5% nano, 3%
// micro, 2% mid, 1.5% macro, 1% mega, with log-normal noise per creator and
// per post); about 8% of creators bought 30-65% of their followers (fake
// accounts: mostly no avatar, empty bio, digits in the handle, no posts,
// following thousands, created shortly before), about 12% have a fixed
// group of 6-12 bot commenters ("Nice post!", "🔥🔥🔥") on most posts, 2% carry the
// !no-unauthenticated label, about a third post sponsored content, not
// always disclosed. Text comes from the package's own per-niche templates
// and vocabulary; about 12% of posts are off-topic, multi-niche creators
// post about their second niche a third of the time, and about one creator
// in eight writes in Spanish, German or Portuguese (whole posts from native
// templates, or a native phrase before an English post; the post's langs
// say which).
package sim
