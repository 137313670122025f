package app_test

import (
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// forgotten has the platform forget Referral Desk's client, as a restart
// does, and syncs: the platform must be marked as no longer knowing it.
func forgotten(w *world, src app.Source) {
	w.t.Helper()
	w.server.ForgetClients()
	_, err := w.app.Sync(w.ctx, src.ID)
	if app.KindOf(err) != app.KindSignInNeeded {
		w.t.Fatalf("a sync after the platform forgot the client: %v (kind %v), want a sign-in asked for", err, app.KindOf(err))
	}
	got, err := w.app.Source(w.ctx, src.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	if !got.ClientUnknown || got.State != app.SourceNeedsSignIn || got.ClientID != "" {
		w.t.Fatalf("after invalid_client the platform is %+v; want it marked as not knowing the client, which is forgotten", got)
	}
	if say := app.StatusOf(got, false, nil).Say; !strings.Contains(say, src.Name+" no longer recognises Referral Desk") {
		w.t.Errorf("the sync status says %q; want that the platform no longer recognises Referral Desk", say)
	}
}

// queueAccept accepts a new referral while the platform cannot take it, and
// returns its id: the change must wait in the queue.
func queueAccept(w *world, src app.Source) string {
	w.t.Helper()
	r := w.firstWithStatus("requested")
	o, err := w.app.SetStatus(w.ctx, src.ID, r.TaskID, "accepted", "")
	if err != nil || o.Sent || o.Change.State != app.ChangePending {
		w.t.Fatalf("accepting while the platform does not know the client: %+v, %v; want the change queued", o.Change, err)
	}
	if got, _ := w.app.Source(w.ctx, src.ID); got.Waiting != 1 {
		w.t.Fatalf("%d changes wait for the platform, want 1", got.Waiting)
	}
	return r.TaskID
}

// signedInAndSent checks that the platform is known again under a new
// client id and that the first sync sends the queued acceptance.
func signedInAndSent(w *world, src, again app.Source, task string) {
	w.t.Helper()
	if again.ID != src.ID || again.ClientUnknown || again.State != app.SourceOK || again.ClientID == "" || again.ClientID == src.ClientID {
		w.t.Fatalf("signed in again as %+v; want the same platform, ok, under a new client id (was %q)", again, src.ClientID)
	}
	rep := w.sync(src.ID)
	if rep.Sent != 1 {
		w.t.Fatalf("the first sync after signing in again sent %d changes, want the queued one", rep.Sent)
	}
	if got := w.platformTask(task)["status"]; got != "accepted" {
		w.t.Errorf("the platform's Task/%s is %v, want accepted", task, got)
	}
}

// A platform that forgot Referral Desk (restarted, or dropped the
// registration) answers a refresh with invalid_client. Signing in again
// registers anew (RFC 7591), and the change queued meanwhile goes out.
func TestSignInAgainRegistersAnewAfterThePlatformForgotTheClient(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 5})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	forgotten(w, src)
	task := queueAccept(w, src)

	again := w.connect(app.ConnectOptions{})
	signedInAndSent(w, src, again, task)
}

// A platform that forgot Referral Desk and lets no app register itself: Sign
// in again stops before the browser, asking for a client id; with the one
// the platform then issues, the sign-in works and the queued change goes out.
func TestSignInAgainAsksForAClientIDWhereThePlatformCannotRegister(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 5, AnyLoopbackPort: true, NoRegistration: true})
	opened := 0
	browser := w.server.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)
	w.reopen(func(u string) error { opened++; return browser(u) })
	issued := w.server.RegisterClient("http://127.0.0.1:1/callback") // any port: AnyLoopbackPort
	src := w.connect(app.ConnectOptions{ClientID: issued})
	w.sync(src.ID)
	forgotten(w, src)
	task := queueAccept(w, src)

	before := opened
	_, err := w.app.Connect(w.ctx, app.ConnectOptions{Link: w.server.FHIRBase()})
	if !app.NeedsClientID(err) {
		t.Fatalf("signing in again without a client id: %v; want one asked for", err)
	}
	if opened != before {
		t.Fatal("the browser was opened on a sign-in page that would refuse the forgotten client")
	}
	if got, _ := w.app.Source(w.ctx, src.ID); !got.ClientUnknown || got.Waiting != 1 {
		t.Fatalf("after asking for a client id the platform is %+v; want it still waiting for one, the change kept", got)
	}

	reissued := w.server.RegisterClient("http://127.0.0.1:1/callback")
	again := w.connect(app.ConnectOptions{ClientID: reissued})
	signedInAndSent(w, src, again, task)
}
