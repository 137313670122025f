package app

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/referraldesk/referraldesk/fhir"
)

// How a Schedule paces a platform whose sync failed for a while only (it
// could not be reached, was busy or slow, or asked to slow down): tried
// again after FirstRetry, then twice as long each time it fails again, up
// to the cadence, each wait drawn at random from its second half (equal
// jitter) so that many desks do not come back at the same instant. A 429's
// Retry-After is honoured up to MaxRetryAfter: a platform cannot stop the
// sync for hours by asking.
//
// Retrying sooner than the IG's 15 minutes is not polling more often: a
// failed sync fetched nothing, and the case worker was told it would try
// again.
const (
	FirstRetry    = 30 * time.Second
	MaxRetryAfter = 5 * time.Minute
)

// pace is one platform's place in a Schedule.
type pace struct {
	due      time.Time // its next automatic sync
	failures int       // temporary failures in a row
}

// Next is when the schedule will next sync the platform by itself; zero
// until its first sync under the schedule.
func (s *Schedule) Next(source int64) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.pace[source]; p != nil {
		return p.due
	}
	return time.Time{}
}

// retryIn is how long a platform waits after its failures-th temporary
// failure in a row, err.
func (s *Schedule) retryIn(failures int, err error) time.Duration {
	d := min(FirstRetry<<min(failures-1, 16), s.every)
	d = d/2 + rand.N(d/2+1)
	return min(max(d, min(retryAfterOf(err), MaxRetryAfter)), s.every)
}

// retryAfterOf is the wait a 429 asked for (Retry-After), or 0.
func retryAfterOf(err error) time.Duration {
	var fe *fhir.Error
	if errors.As(err, &fe) && fe.Kind == fhir.KindRateLimited {
		return fe.RetryAfter
	}
	return 0
}

// after is how long after run the next run comes: when the first platform
// run saw is due, at most Every. Platforms run did not see (removed, or
// waiting for a sign-in) are forgotten.
func (s *Schedule) after(run *scheduledRun) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	wait := s.every
	for id, p := range s.pace {
		if !run.seen[id] {
			delete(s.pace, id)
			continue
		}
		wait = min(wait, time.Until(p.due))
	}
	return max(wait, 0)
}

// scheduledRun is one run of a Schedule, as SyncEach sees it.
type scheduledRun struct {
	s     *Schedule
	asked bool // by SyncNow: every platform, whatever its pace
	start time.Time
	seen  map[int64]bool // the platforms SyncEach looked at
}

type runKey struct{}

// runOf is the run of a Schedule ctx belongs to, or nil.
func runOf(ctx context.Context) *scheduledRun {
	r, _ := ctx.Value(runKey{}).(*scheduledRun)
	return r
}

// due reports whether the run syncs the platform: always outside a
// Schedule and in a run SyncNow asked for.
func (r *scheduledRun) due(source int64) bool {
	if r == nil {
		return true
	}
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	r.seen[source] = true
	p := r.s.pace[source]
	return r.asked || p == nil || !p.due.After(r.start)
}

// done records how the platform's sync ended, err, and so when its next
// one is due.
func (r *scheduledRun) done(source int64, err error) {
	if r == nil {
		return
	}
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pace[source]
	if p == nil {
		p = &pace{}
		s.pace[source] = p
	}
	switch KindOf(err) {
	case KindOffline, KindTemporary:
		p.failures++
		p.due = time.Now().Add(s.retryIn(p.failures, err))
	default: // synced, stopped, or failed in a way waiting will not mend: the cadence
		p.failures, p.due = 0, r.start.Add(s.every)
	}
}
