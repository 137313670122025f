package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// dialogMarkup is the dialog on top, without the window behind it.
func dialogMarkup(t *testing.T, w *Window) string {
	t.Helper()
	top := w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is open")
	}
	return test.RenderObjectToMarkup(top)
}

// queueUnsent accepts a new referral while the platform cannot take it
// (its sign-in ended): the change waits to be sent. It returns its id.
func queueUnsent(h *harness) string {
	h.t.Helper()
	refs, err := h.app.Inbox(h.ctx, app.InboxFilter{Statuses: []string{"requested"}})
	if err != nil || len(refs) == 0 {
		h.t.Fatalf("no new referral to accept (%v)", err)
	}
	// The error, if any, says the sign-in ended; the change is queued all the same.
	if o, err := h.app.SetStatus(h.ctx, h.source.ID, refs[0].TaskID, "accepted", ""); o.Sent || o.Change.State != app.ChangePending {
		h.t.Fatalf("accepting while the platform cannot take it: %+v, %v; want it queued", o.Change, err)
	}
	return refs[0].TaskID
}

// Remove a platform asks first, naming it and the change not sent yet;
// Keep it changes nothing; Remove ends the sign-in on the platform and
// leaves none of its referrals, and with no platform left the welcome.
func TestRemoveAPlatformAsksFirst(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: 3})
	h.connect()
	h.sync()
	h.server.RevokeGrants() // the sign-in ends: the change waits
	h.server.ExpireAccessTokens()
	id := queueUnsent(h)
	w := h.open(nil)
	h.openReferral(id)
	name := fhirtest.PlatformName

	w.askRemove(w.sources[0]) // the platform's ⋮ menu: Remove…
	h.settle()
	m := dialogMarkup(t, w)
	mustContain(t, m, "Remove "+name+"?", "delete its 3 referrals from this computer",
		"1 change you made has not been sent to it yet and will be lost.", "Keep it", "Remove "+name)
	mustNotContain(t, m, "Cancel")
	assertGolden(t, "remove-platform", m)

	test.Tap(findButton(t, w, "Keep it"))
	h.settle()
	if w.win.Canvas().Overlays().Top() != nil || len(w.sources) != 1 || len(h.server.Revocations()) != 0 {
		t.Fatalf("after Keep it: a dialog open %v, %d platforms, revoked %v; want nothing changed",
			w.win.Canvas().Overlays().Top() != nil, len(w.sources), h.server.Revocations())
	}

	w.askRemove(w.sources[0])
	h.settle()
	test.Tap(findButton(t, w, "Remove "+name))
	h.settle()
	if got := h.server.Revocations(); len(got) != 2 {
		t.Errorf("the platform revoked %+v; want the refresh and the access token", got)
	}
	if n, err := h.app.CountInbox(h.ctx, app.InboxFilter{}); err != nil || n != 0 {
		t.Errorf("%d referrals are left after the removal (%v)", n, err)
	}
	if len(w.sources) != 0 || w.detail.task != "" {
		t.Errorf("the window still holds %d platforms, referral %q open", len(w.sources), w.detail.task)
	}
	mustContain(t, h.markup(), "Welcome to Referral Desk")
}
