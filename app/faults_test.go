package app_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
	"github.com/referraldesk/referraldesk/storage"
)

// scheduledOnce runs the first sync of a Schedule over w's platforms and
// returns the schedule, the error of src's sync, and when the sync ran.
func scheduledOnce(t *testing.T, w *world, src app.Source) (s *app.Schedule, from, to time.Time, err error) {
	t.Helper()
	ran := make(chan struct{})
	ctx, cancel := context.WithCancel(w.ctx)
	s = app.NewSchedule(0, func(ctx context.Context) {
		from = time.Now()
		w.app.SyncEach(ctx, nil, func(rep app.SyncReport) {
			if rep.Source.ID == src.ID {
				err = rep.Err
			}
		})
		to = time.Now()
		close(ran)
		cancel()
	})
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	<-ran
	<-done
	return s, from, to, err
}

// A 429's Retry-After, in seconds or as a date by the platform's clock,
// sets when the schedule tries that platform again.
func TestAScheduledSyncWaitsWhatThePlatformAsks(t *testing.T) {
	for _, asDate := range []bool{false, true} {
		t.Run(fmt.Sprint("as a date ", asDate), func(t *testing.T) {
			w := newWorld(t, fhirtest.Options{Referrals: 3})
			src := w.connect(app.ConnectOptions{})
			w.server.SetFaults(fhirtest.Faults{ThrottleRate: 1, RetryAfter: 2 * time.Minute, RetryAfterAsDate: asDate})
			s, from, to, err := scheduledOnce(t, w, src)
			if app.KindOf(err) != app.KindTemporary || app.Explain(err) != "The platform asked Referral Desk to slow down; it will try again shortly." {
				t.Fatalf("a throttled sync: %v (%s)", err, app.Explain(err))
			}
			next := s.Next(src.ID)
			if next.Before(from.Add(2*time.Minute)) || next.After(to.Add(2*time.Minute)) {
				t.Errorf("the next sync is due %v after the sync began; the platform asked for 2m0s", next.Sub(from))
			}
		})
	}
}

// A token endpoint down while the access token has expired is a temporary
// fault: tried again with back-off, the sign-in kept.
func TestATokenOutageIsTriedAgainSoon(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 3})
	src := w.connect(app.ConnectOptions{})
	w.server.ExpireAccessTokens()
	w.clock.Add(2 * time.Hour)
	w.server.SetFaults(fhirtest.Faults{TokenOutageRate: 1})
	s, from, to, err := scheduledOnce(t, w, src)
	if app.KindOf(err) != app.KindTemporary {
		t.Fatalf("a sync during a token outage: %v (kind %v); want a temporary fault", err, app.KindOf(err))
	}
	if next := s.Next(src.ID); next.Before(from.Add(app.FirstRetry/2)) || next.After(to.Add(app.FirstRetry)) {
		t.Errorf("the next sync is due %v after the sync began; want the first back-off, %v to %v", next.Sub(from), app.FirstRetry/2, app.FirstRetry)
	}
	if got, _ := w.app.Source(w.ctx, src.ID); got.State == app.SourceNeedsSignIn {
		t.Errorf("a token outage ended the sign-in")
	}
}

// A platform that sends its answer too slowly is said to be slow, not to
// have sent something unreadable.
func TestAPlatformThatTricklesIsSaidToBeSlow(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 3})
	w.http = &http.Client{Timeout: time.Second, Transport: app.NewTransport()}
	w.reopen(w.server.Browser(fhirtest.DemoUser, fhirtest.DemoPassword))
	src := w.connect(app.ConnectOptions{})
	w.server.SetFaults(fhirtest.Faults{TrickleRate: 1, TrickleFor: time.Hour})
	_, err := w.app.Sync(w.ctx, src.ID)
	const slow = "The platform is very slow to answer right now, so Referral Desk stopped waiting. It will try again; nothing was lost."
	if app.KindOf(err) != app.KindTemporary || app.Explain(err) != slow {
		t.Fatalf("a trickled answer: %v\n(kind %v) %q", err, app.KindOf(err), app.Explain(err))
	}
	if st := app.StatusOf(src, false, err); st.State != app.SyncError || st.Say != slow {
		t.Errorf("the platform's status: %v %q", st.State, st.Say)
	}
	if in := w.server.Injected(); len(in) == 0 || in[0].Fault != fhirtest.FaultTrickle {
		t.Errorf("the platform injected %+v, want a trickle", in)
	}
}

// An answer cut halfway never arrived: the platform could not be reached.
func TestAnAnswerCutHalfwayIsNotDamage(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 3})
	src := w.connect(app.ConnectOptions{})
	w.server.SetFaults(fhirtest.Faults{ResetRate: 1})
	_, err := w.app.Sync(w.ctx, src.ID)
	if app.KindOf(err) != app.KindOffline {
		t.Fatalf("an answer cut halfway: %v (kind %v, %q); want the platform out of reach", err, app.KindOf(err), app.Explain(err))
	}
}

// An answer far over the size limit is refused, whether it says its size
// or streams; what was synced before stays.
func TestAnOversizedAnswerIsRefused(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 3})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	w.server.AddReferral(referralgen.Spec{})
	for _, declared := range []bool{true, false} {
		w.server.SetFaults(fhirtest.Faults{OversizeRate: 1, OversizeBytes: 200 << 20, OversizeDeclared: declared})
		_, err := w.app.Sync(w.ctx, src.ID)
		if app.KindOf(err) != app.KindDamaged {
			t.Errorf("declared %v: a 200 MB page: %v (kind %v)", declared, err, app.KindOf(err))
		}
	}
	if refs, err := w.app.Inbox(w.ctx, app.InboxFilter{}); err != nil || len(refs) != 3 {
		t.Errorf("after refused answers the inbox holds %d referrals (%v), want the 3 synced before", len(refs), err)
	}
}

// A full disk is named as such, in the case worker's words.
func TestAFullDiskIsSaidToBeFull(t *testing.T) {
	err := fmt.Errorf("storage: mark referral t1 of source 1 seen: %w", storage.ErrDiskFull)
	if app.KindOf(err) != app.KindLocal {
		t.Errorf("a full disk is of kind %v, want %v", app.KindOf(err), app.KindLocal)
	}
	want := "This computer's disk is full, so Referral Desk cannot save anything new; what is already here can still be read. Free some space, then try again."
	if got := app.Explain(err); got != want {
		t.Errorf("a full disk is explained as %q", got)
	}
}

// A Task the requester edits right after a sync read it is brought by the
// next sync: the watermark does not pass over the edit.
func TestARequesterEditDuringASyncIsFetchedNextTime(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 5})
	src := w.connect(app.ConnectOptions{})
	w.server.SetFaults(fhirtest.Faults{RequesterEditRate: 1})
	w.sync(src.ID)
	w.server.SetFaults(fhirtest.Faults{})
	in := w.server.Injected()
	if len(in) != 1 || in[0].Fault != fhirtest.FaultRequesterEdit {
		t.Fatalf("the platform injected %+v, want one requester edit", in)
	}
	if rep := w.sync(src.ID); rep.Updated != 1 {
		t.Errorf("the next sync updated %d referrals, want the one edited (%s)", rep.Updated, in[0].Ref)
	}
}
