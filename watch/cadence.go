package watch

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/creatorscout/scout/creator"
)

// Cadence is a parsed rescan cadence: a fixed interval or a cron schedule
// (evaluated in UTC unless the expression starts with CRON_TZ=). It is
// immutable and safe for concurrent use.
type Cadence struct {
	every time.Duration
	cron  cron.Schedule
}

// ParseCadence parses a watchlist's cadence: "" (daily), "hourly", "daily",
// "weekly", a Go duration of at least MinInterval ("6h"), or a standard
// five-field cron expression or descriptor ("0 6 * * *", "@daily",
// "@every 2h", which too must be at least MinInterval). It is the one
// parser of cadences: the service, the scheduler and the API all use it.
// Errors wrap creator.ErrInvalid and name the field "cadence".
func ParseCadence(s string) (Cadence, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "daily":
		return Cadence{every: 24 * time.Hour}, nil
	case "hourly":
		return Cadence{every: time.Hour}, nil
	case "weekly":
		return Cadence{every: 7 * 24 * time.Hour}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < MinInterval {
			return Cadence{}, fmt.Errorf("%w: cadence: interval %s is shorter than %s", creator.ErrInvalid, d, MinInterval)
		}
		return Cadence{every: d}, nil
	}
	sched, err := parseCron(s)
	if err != nil {
		return Cadence{}, fmt.Errorf("%w: cadence: %q is neither a duration nor a cron expression: %v", creator.ErrInvalid, s, err)
	}
	// "@every <duration>" is the one cron form that can repeat faster than
	// its minute field allows; the same minimum holds for it.
	if every, ok := sched.(cron.ConstantDelaySchedule); ok && every.Delay < MinInterval {
		return Cadence{}, fmt.Errorf("%w: cadence: interval %s is shorter than %s", creator.ErrInvalid, every.Delay, MinInterval)
	}
	return Cadence{cron: sched}, nil
}

// Next returns the first run time after a run that was due at due, given
// that it is now now: for an interval, due plus the smallest whole number
// of intervals that lands after now (missed runs are not repeated); for a
// cron schedule, its next time after now.
func (c Cadence) Next(due, now time.Time) time.Time {
	if c.cron != nil {
		return c.cron.Next(now.UTC())
	}
	next := due.Add(c.every)
	if !next.After(now) {
		k := now.Sub(due)/c.every + 1
		next = due.Add(k * c.every)
	}
	return next.UTC()
}

// parseCron is cron.ParseStandard with its panics (robfig/cron v3.0.1
// slices out of range on "TZ=" and "CRON_TZ=" with nothing after; found
// by FuzzParseCadence) turned into errors.
func parseCron(s string) (sched cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fmt.Errorf("unreadable time zone prefix")
		}
	}()
	return cron.ParseStandard(s)
}
