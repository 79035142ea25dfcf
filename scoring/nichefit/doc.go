// Package nichefit fits the niche model of package scoring on the labeled
// texts in ../shared/datasets (instagram-influencers and x-topic) and
// measures it on texts the fit never saw. `scout eval -fit-niche` runs it;
// the same data and settings give the same weights, byte for byte.
package nichefit
