// Command chaos is CreatorScout's fault suite (make chaos): it starts the
// real processes of a distributed deployment (a redis-server on a free
// port, `scout sim` as the platform, `scout serve`, two `scout worker`s
// and two `scout scheduler`s on one SQLite data directory), runs discover
// jobs through the API and, one scenario at a time, breaks something
// mid-crawl: kill -9 of a worker (repeated), of serve, of the scheduler
// holding the lease; Redis restarted empty; the disk full; the platform
// answering 429s and 5xx. For each it counts, against the simulator's own
// answer to the discovery, the creators expected, stored, duplicated
// (more than one record with a handle) and lost, the jobs stuck, and how
// long the work took to be queued again after the fault cleared. The bar:
// nothing lost, duplicated or stuck, and every piece of unfinished work
// queued or running again within two reconciliation intervals. It exits 1
// when a scenario misses the bar.
//
//	go build -o bin/scout ./cmd/scout && go run ./cmd/chaos -scout bin/scout [-short]
//
// -short is the CI run: fewer creators and kills, 10 s faults.
package main
