// Package memredis runs the embedded queue's Redis: an in-process
// miniredis on loopback whose TTLs a background ticker advances.
//
// miniredis only counts TTLs down when told to. Its ClockTTL(true) does it
// on every command, and each time it sorts every key under the server's
// one lock, so a command's cost grows with the number of keys (50 µs at a
// few hundred keys, 6.8 ms at 20,000): a long embedded crawl slowed down
// quadratically. Here a ticker calls FastForward with the time that passed
// instead, so commands cost the same at any number of keys, and the
// ticker's own pass is spaced so that it holds the lock for a small share
// of the time (Server.MaxBusy). TTLs then expire up to one tick late
// (Config.Tick, more on a very large key set): asynq's leases and
// deadlines are kept in sorted-set scores and task fields, never in TTLs,
// and every TTL of ours is a lifetime for garbage or a lease far longer
// than a tick.
package memredis
