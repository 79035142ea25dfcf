// Command scout is CreatorScout's one binary: API, worker, scheduler and
// command-line tools. It is the only place that reads flags and the
// environment; it builds config structs, wires the packages together
// (sources, fetch, the store, crawler, compliance, watch, api) and prints
// what they return. Behaviour lives in those packages.
package main
