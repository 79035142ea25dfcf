package jetstream

import (
	"context"
	"log/slog"
	"time"

	"github.com/creatorscout/scout/internal/lease"
)

// RunLeased runs run only while l is held, so that one process of many
// consumes the stream: it takes the lease (trying again every third of
// its time to live), runs run with a context that ends when the lease is
// lost or ctx ends, renews the lease meanwhile, and gives it up when run
// returns. A process whose run dies or hangs past the lease's time to live
// loses it, and another takes over. It returns when ctx ends. stats, if
// not nil, shows whether this process leads.
func RunLeased(ctx context.Context, l *lease.Lease, log *slog.Logger, stats *Stats, run func(ctx context.Context) error) error {
	if log == nil {
		log = slog.Default()
	}
	every := l.TTL() / 3
	for {
		held, err := l.Acquire(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("jetstream: taking the consumer lease", "err", err)
		}
		if held {
			log.Info("jetstream: this process consumes the stream", "lease", l.Key())
			setLeader(stats, true)
			lctx, cancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- run(lctx) }()
			lost := false
		renew:
			for {
				select {
				case err := <-done:
					if err != nil && lctx.Err() == nil {
						log.Warn("jetstream: consumer stopped", "err", err)
					}
					break renew
				case <-time.After(every):
					if ok, err := l.Renew(ctx); err != nil || !ok {
						if ctx.Err() == nil {
							log.Warn("jetstream: lost the consumer lease", "err", err)
						}
						lost = true
						cancel()
						<-done
						break renew
					}
				}
			}
			cancel()
			setLeader(stats, false)
			if !lost {
				rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				if err := l.Release(rctx); err != nil {
					log.Warn("jetstream: releasing the consumer lease", "err", err)
				}
				rcancel()
			}
		}
		if !sleep(ctx, every) {
			return ctx.Err()
		}
	}
}

func setLeader(s *Stats, v bool) {
	if s != nil {
		s.update(func(p *Progress) { p.Leader = v })
	}
}
