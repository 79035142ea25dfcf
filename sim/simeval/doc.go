// Package simeval measures the scoring stage on the simulator: it crawls
// simulated creators through the real Bluesky source (the same requests the
// pipeline makes) and compares their scores with the simulator's truth:
// niches, bought followers, bot commenters, sponsored posts and growth
// trajectories. `scout eval` prints it. The simulator is ours, so a model
// that does well here proves little; the figures on real labeled data are
// in scoring/fakefit and scoring/nichefit.
package simeval
