package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// typeClientID types id into the client id dialog and presses Sign in.
func typeClientID(t *testing.T, h *harness, id string) {
	t.Helper()
	var entry *widget.Entry
	for _, o := range test.LaidOutObjects(h.w.win.Canvas().Overlays().Top()) {
		if e, ok := o.(*widget.Entry); ok {
			entry = e
		}
	}
	if entry == nil {
		t.Fatal("the client id dialog has no field")
	}
	entry.SetText(id)
	test.Tap(findButton(t, h.w, "Sign in"))
	h.settle()
}

// forgetAndQueue has the platform forget Referral Desk (as a restart does),
// syncs, and checks the sidebar says so; then a change waits to be sent.
func forgetAndQueue(t *testing.T, h *harness) string {
	t.Helper()
	h.server.ForgetClients()
	h.w.syncNow()
	h.settle()
	mustContain(t, panelMarkup(h), "Needs sign-in", fhirtest.PlatformName+" no longer recognises Referral Desk")
	return queueUnsent(h)
}

// After the platform forgot Referral Desk, Sign in again registers anew,
// and the change queued meanwhile goes out.
func TestSignInAgainRegistersAnew(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: 2})
	h.connect()
	h.sync()
	w := h.open(nil)
	id := forgetAndQueue(t, h)

	w.syncs.signInAgain(w.sources[0])
	h.settle()
	if m := panelMarkup(h); !strings.Contains(m, "Synced just now") {
		t.Fatalf("after signing in again the platform is not synced:\n%s", m)
	}
	if task := string(mustResource(t, h, id)); !strings.Contains(task, `"status":"accepted"`) {
		t.Errorf("the change queued while the platform did not know Referral Desk was not sent: %s", task)
	}
}

// A platform that forgot Referral Desk and lets no app register: Sign in
// again asks for a client id, checks it, and signs in with it.
func TestSignInAgainAsksForAClientID(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: 2, NoRegistration: true, AnyLoopbackPort: true})
	src, err := h.app.Connect(h.ctx, app.ConnectOptions{Link: h.server.FHIRBase(), ClientID: h.server.RegisterClient("http://127.0.0.1:1/callback")})
	if err != nil {
		t.Fatalf("connect: %s", app.Explain(err))
	}
	h.source = src
	h.sync()
	w := h.open(nil)
	id := forgetAndQueue(t, h)

	w.syncs.signInAgain(w.sources[0])
	h.settle()
	mustContain(t, dialogMarkup(t, w), "Client id for "+fhirtest.PlatformName, "does not let it register itself", "Not now")
	typeClientID(t, h, "two words")
	mustContain(t, dialogMarkup(t, w), "cannot be a client id")

	typeClientID(t, h, h.server.RegisterClient("http://127.0.0.1:1/callback"))
	if m := panelMarkup(h); !strings.Contains(m, "Synced just now") {
		t.Fatalf("after signing in with the new client id the platform is not synced:\n%s", m)
	}
	if task := string(mustResource(t, h, id)); !strings.Contains(task, `"status":"accepted"`) {
		t.Errorf("the change queued while the platform did not know Referral Desk was not sent: %s", task)
	}
}
