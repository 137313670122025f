package app

import (
	"context"
	"sync"
	"time"
)

// The IG's polling cadence ("Checking Task Status"): at least once per
// business day, hourly in working hours, and not more often than every 15
// minutes unless the case worker asks (Sync now).
const (
	DefaultSyncEvery = 15 * time.Minute
	MinSyncEvery     = 15 * time.Minute
)

// Schedule runs automatic syncs: one at start, then one every Every. SyncNow
// runs one at once, whatever the cadence, and restarts the wait.
//
// A platform whose sync failed for a while only (it could not be reached,
// was busy, slow, or asked to slow down) is tried again sooner, alone, with
// back-off (pace.go); a run made by SyncNow tries every platform at once.
// The run reaches SyncEach through its context, which tells it which
// platforms are due and hears how each sync ended.
type Schedule struct {
	every time.Duration
	run   func(ctx context.Context)
	now   chan struct{}

	mu   sync.Mutex
	pace map[int64]*pace // by platform: when its next automatic sync is due
}

// NewSchedule returns a schedule that calls run at start and every every
// (raised to MinSyncEvery: automatic runs never poll a platform more often).
func NewSchedule(every time.Duration, run func(ctx context.Context)) *Schedule {
	if every <= 0 {
		every = DefaultSyncEvery
	}
	return &Schedule{every: max(every, MinSyncEvery), run: run, now: make(chan struct{}, 1), pace: map[int64]*pace{}}
}

// Every is the cadence in use.
func (s *Schedule) Every() time.Duration { return s.every }

// SyncNow asks for a run now. Asks that arrive during a run make one more run after it.
func (s *Schedule) SyncNow() {
	select {
	case s.now <- struct{}{}:
	default:
	}
}

// Run runs syncs until ctx ends; runs never overlap. The next run comes
// when the first platform is due, at most Every after the last.
func (s *Schedule) Run(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		run := &scheduledRun{s: s, seen: map[int64]bool{}}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.now:
			t.Stop()
			run.asked = true
		}
		run.start = time.Now()
		s.run(context.WithValue(ctx, runKey{}, run))
		if ctx.Err() != nil {
			return
		}
		t.Reset(s.after(run))
	}
}

// SyncEach syncs every source that can be synced without the case worker
// (not those waiting for a sign-in), one after another, telling onStart and
// onDone about each so a window can show "syncing now" per platform. Run by
// a Schedule, it syncs only the platforms due, and tells the schedule how
// each sync ended.
func (a *App) SyncEach(ctx context.Context, onStart func(Source), onDone func(SyncReport)) error {
	srcs, err := a.Sources(ctx)
	if err != nil {
		return err
	}
	run := runOf(ctx) // nil outside a Schedule: every platform
	for _, s := range srcs {
		if s.State == SourceNeedsSignIn || !run.due(s.ID) {
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if onStart != nil {
			onStart(s)
		}
		rep, err := a.Sync(ctx, s.ID)
		run.done(s.ID, err)
		rep.Err = err
		if rep.Source.ID == 0 {
			rep.Source = s
		}
		if onDone != nil {
			onDone(rep)
		}
	}
	return nil
}
