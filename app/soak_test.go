package app_test

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

// soakEnv runs the soak for that long (a Go duration, "10m" in make chaos);
// unset, the soak is skipped: it is too long for make test.
const soakEnv = "REFERRALDESK_SOAK"

// TestSoak syncs and accepts, once a second, against a platform that
// fails about 2 % of requests and gets a new referral every few seconds.
// After the first minute no goroutine may be added and the heap may not
// keep growing; in the end, with the faults off, every accept made is
// confirmed on the platform. It prints the figures every minute and at the
// end. The platform runs in the same process: its referrals and their
// versions are part of the heap, and grow.
func TestSoak(t *testing.T) {
	length, err := time.ParseDuration(os.Getenv(soakEnv))
	if err != nil || length < 2*time.Minute {
		t.Skipf("set %s to a duration of 2m or more (make chaos: 10m)", soakEnv)
	}
	w := newWorld(t, fhirtest.Options{Referrals: 200})
	src := w.connect(app.ConnectOptions{})
	w.server.SetFaults(fhirtest.Faults{Seed: 11, ServerErrorRate: 0.01, ResetRate: 0.005, ThrottleRate: 0.005})
	accepted := map[string]bool{}
	var base soakFigures
	logged := 0 // the last minute whose figures were printed
	start := time.Now()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for round := 0; time.Since(start) < length; round++ {
		<-tick.C // the soak's pace, one round a second
		if round%5 == 0 {
			w.server.AddReferral(referralgen.Spec{Status: "requested", Owner: referralgen.OwnerOrganization})
		}
		w.app.SyncAll(w.ctx) // a fault fails a sync now and then; the next one makes up for it
		w.server.ResetRequests()
		if fresh, err := w.app.Inbox(w.ctx, app.InboxFilter{Statuses: app.ViewNew, Limit: 1}); err == nil && len(fresh) > 0 && fresh[0].Projected == "" {
			if _, err := w.app.SetStatus(w.ctx, src.ID, fresh[0].TaskID, "accepted", ""); err == nil {
				accepted[fresh[0].TaskID] = true
			}
		}
		if minute := int(time.Since(start) / time.Minute); minute > logged {
			logged = minute
			f := measureSoak(time.Since(start))
			if minute == 1 {
				base = f
			}
			t.Logf("minute %d: %s, %d referrals on the platform", minute, f, len(w.server.Resources("Task")))
		}
	}
	end := measureSoak(time.Since(start))
	t.Logf("end: %s", end)
	if end.goroutines > base.goroutines+2 {
		t.Errorf("goroutines grew from %d at minute 1 to %d at the end", base.goroutines, end.goroutines)
	}
	if grew := int64(end.heap) - int64(base.heap); grew > 16<<20 {
		t.Errorf("the heap grew by %d MB after the first minute", grew>>20)
	}
	w.server.SetFaults(fhirtest.Faults{})
	w.app.SyncAll(w.ctx)
	w.app.SyncAll(w.ctx)
	soakConfirmed(t, w, src, accepted)
}

// soakConfirmed checks that every accept made during the soak is on the
// platform, and none waits here.
func soakConfirmed(t *testing.T, w *world, src app.Source, accepted map[string]bool) {
	t.Helper()
	if waiting, err := w.app.Unsettled(w.ctx, src.ID); err != nil || len(waiting) > 0 {
		t.Errorf("%d changes still wait after the faults stopped (%v)", len(waiting), err)
	}
	for id := range accepted {
		raw, _ := w.server.Resource("Task", id)
		var task struct{ Status string }
		if json.Unmarshal(raw, &task) != nil || task.Status != "accepted" {
			t.Errorf("Task/%s was accepted here; the platform has it %q", id, task.Status)
		}
	}
	t.Logf("%d accepts, every one confirmed", len(accepted))
}

type soakFigures struct {
	at         time.Duration
	goroutines int
	heap       uint64 // in use after a collection
}

func (f soakFigures) String() string {
	return fmt.Sprintf("%s: %d goroutines, heap %d MB", f.at.Round(time.Second), f.goroutines, f.heap>>20)
}

func measureSoak(at time.Duration) soakFigures {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return soakFigures{at: at, goroutines: runtime.NumGoroutine(), heap: m.HeapInuse}
}
