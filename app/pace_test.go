package app

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/referraldesk/referraldesk/fhir"
)

// platforms stands in for SyncEach: each run syncs the platforms due, each
// ending with the next of its outcomes (nil once they run out), and keeps
// when each was synced.
type platforms struct {
	outcomes map[int64][]error
	synced   map[int64][]time.Duration
	start    time.Time
}

func newPlatforms(outcomes map[int64][]error) *platforms {
	return &platforms{outcomes: outcomes, synced: map[int64][]time.Duration{}, start: time.Now()}
}

func (p *platforms) run(ctx context.Context) {
	r := runOf(ctx)
	for id := int64(1); id <= int64(len(p.outcomes)); id++ {
		if !r.due(id) {
			continue
		}
		p.synced[id] = append(p.synced[id], time.Since(p.start))
		var err error
		if left := p.outcomes[id]; len(left) > 0 {
			err, p.outcomes[id] = left[0], left[1:]
		}
		r.done(id, err)
	}
}

// schedule runs a Schedule of every over p for d, with SyncNow asked at
// the times given, in a bubble whose clock the Schedule's timers follow.
func (p *platforms) schedule(t *testing.T, every, d time.Duration, syncNow ...time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	s := NewSchedule(every, p.run)
	go s.Run(ctx)
	for _, at := range syncNow {
		time.Sleep(at - time.Since(p.start))
		s.SyncNow()
		synctest.Wait()
	}
	time.Sleep(d - time.Since(p.start))
	cancel()
	synctest.Wait()
}

var (
	busy      = &fhir.Error{Op: "search Task", Kind: fhir.KindServer, Status: 503}
	throttled = func(after time.Duration) error {
		return &fhir.Error{Op: "search Task", Kind: fhir.KindRateLimited, Status: 429, RetryAfter: after}
	}
	signedOut = &Error{Op: "sync", Kind: KindSignInNeeded, Reason: reasonSignInAgain}
)

// within reports whether d lies in [lo, hi].
func within(d, lo, hi time.Duration) bool { return d >= lo && d <= hi }

func TestTemporaryFailuresAreTriedAgainWithBackOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPlatforms(map[int64][]error{1: {busy, busy, busy, busy, busy, busy, nil}})
		p.schedule(t, 15*time.Minute, 2*time.Hour)
		runs := p.synced[1]
		if len(runs) < 9 {
			t.Fatalf("synced at %v; want a start, six retries, then the cadence", runs)
		}
		// The n-th retry waits from half of FirstRetry·2^(n-1) up to it, never past the cadence.
		for n := 1; n <= 6; n++ {
			full := min(FirstRetry<<(n-1), 15*time.Minute)
			if gap := runs[n] - runs[n-1]; !within(gap, full/2, full) {
				t.Errorf("retry %d came %v after the failure, want %v to %v (synced at %v)", n, gap, full/2, full, runs)
			}
		}
		if gap := runs[8] - runs[7]; gap != 15*time.Minute {
			t.Errorf("after a sync that worked the next came %v later, want the cadence (synced at %v)", gap, runs)
		}
	})
}

func TestRetryAfterIsHonouredUpToItsCap(t *testing.T) {
	for _, c := range []struct {
		asked, want time.Duration
	}{
		{2 * time.Minute, 2 * time.Minute},
		{time.Hour, MaxRetryAfter},
		{0, 0}, // none said: the back-off alone
	} {
		t.Run(fmt.Sprint(c.asked), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := newPlatforms(map[int64][]error{1: {throttled(c.asked)}})
				p.schedule(t, 15*time.Minute, 16*time.Minute)
				runs := p.synced[1]
				if len(runs) < 2 {
					t.Fatalf("synced at %v after a 429; want it tried again", runs)
				}
				lo, hi := c.want, c.want
				if c.want == 0 {
					lo, hi = FirstRetry/2, FirstRetry
				}
				if !within(runs[1], lo, hi) {
					t.Errorf("after a 429 asking for %v the retry came at %v, want %v to %v", c.asked, runs[1], lo, hi)
				}
			})
		})
	}
}

// The retry of one platform does not sync the others early, and a failure
// waiting will not mend keeps the cadence.
func TestARetrySyncsOnlyThePlatformThatFailed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPlatforms(map[int64][]error{1: {throttled(time.Minute)}, 2: {nil}, 3: {signedOut}})
		p.schedule(t, 15*time.Minute, 32*time.Minute)
		want := map[int64][]time.Duration{
			1: {0, time.Minute, 16 * time.Minute, 31 * time.Minute},
			2: {0, 15 * time.Minute, 30 * time.Minute},
			3: {0, 15 * time.Minute, 30 * time.Minute},
		}
		if fmt.Sprint(p.synced) != fmt.Sprint(want) {
			t.Errorf("synced at %v, want %v", p.synced, want)
		}
	})
}

// Sync now tries every platform at once, whatever its back-off.
func TestSyncNowTriesAtOnceDuringBackOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPlatforms(map[int64][]error{1: {throttled(MaxRetryAfter), nil}, 2: {nil}})
		p.schedule(t, 15*time.Minute, 2*time.Minute, 10*time.Second)
		want := map[int64][]time.Duration{1: {0, 10 * time.Second}, 2: {0, 10 * time.Second}}
		if fmt.Sprint(p.synced) != fmt.Sprint(want) {
			t.Errorf("synced at %v, want %v", p.synced, want)
		}
	})
}
