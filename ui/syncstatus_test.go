package ui

import (
	"net/http"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

func panelMarkup(h *harness) string { return test.RenderObjectToMarkup(h.w.syncs.box) }

func TestSyncStates(t *testing.T) {
	t.Run("not synced yet", func(t *testing.T) {
		h := newHarness(t, fhirtest.Options{Referrals: 2})
		h.connect()
		h.open(nil)
		mustContain(t, panelMarkup(h), "Not synced yet")
		assertGolden(t, "sync-never", panelMarkup(h))
	})
	t.Run("syncing now, then synced, with a notification", func(t *testing.T) {
		h := newHarness(t, fhirtest.Options{Referrals: 3})
		h.connect()
		w := h.open(nil)
		w.syncNow()
		h.runWork()
		h.runUI(1) // "syncing" shown, the result not yet
		mustContain(t, panelMarkup(h), "Syncing now…")
		assertGolden(t, "sync-running", panelMarkup(h))
		test.AssertNotificationSent(t, fyne.NewNotification("Referral Desk", "3 new referrals arrived."), func() { h.settle() })
		mustContain(t, panelMarkup(h), "Synced just now")
		assertGolden(t, "sync-ok", panelMarkup(h))
	})
	t.Run("offline", func(t *testing.T) {
		h := newHarness(t, fhirtest.Options{Referrals: 1})
		h.connect()
		h.sync()
		w := h.open(nil)
		h.server.Close()
		w.syncNow()
		h.settle()
		mustContain(t, panelMarkup(h), "Cannot be reached", "could not be reached")
		assertGolden(t, "sync-offline", panelMarkup(h))
	})
	t.Run("needs sign-in, then signed in again", func(t *testing.T) {
		h := newHarness(t, fhirtest.Options{Referrals: 1})
		h.connect()
		h.sync()
		w := h.open(nil)
		h.server.RevokeGrants()
		h.server.ExpireAccessTokens()
		w.syncNow()
		h.settle()
		mustContain(t, panelMarkup(h), "Needs sign-in", "Sign in again")
		assertGolden(t, "sync-needs-sign-in", panelMarkup(h))
		w.syncs.signInAgain(w.sources[0])
		mustContain(t, panelMarkup(h), "Finish signing in in your browser…")
		h.settle()
		if m := panelMarkup(h); !strings.Contains(m, "Synced just now") {
			t.Fatalf("after signing in again the platform is not synced:\n%s", m)
		}
	})
	t.Run("error", func(t *testing.T) {
		h := newHarness(t, fhirtest.Options{Referrals: 1})
		h.connect()
		h.sync()
		w := h.open(nil)
		h.server.SetFault(func(rw http.ResponseWriter, r *http.Request) bool {
			if !strings.HasSuffix(r.URL.Path, "/Task") {
				return false
			}
			rw.Header().Set("Content-Type", "application/fhir+json")
			rw.WriteHeader(http.StatusForbidden)
			rw.Write([]byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden","diagnostics":"Your organization's access is suspended."}]}`))
			return true
		})
		w.syncNow()
		h.settle()
		mustContain(t, panelMarkup(h), "Sync failed", "does not allow this")
		assertGolden(t, "sync-error", panelMarkup(h))
	})
}

// A change made while the platform cannot be reached waits: its row says
// what it will be and that it waits, and the platform how many wait.
func TestWaitingChangesShowInTheRowAndThePlatform(t *testing.T) {
	h, id := referralWorld(t, specRoutine())
	h.server.Close()
	tapButton(t, h, "Accept")
	h.settle()
	r, ok := h.w.inbox.pages[0], len(h.w.inbox.pages[0]) > 0
	if !ok || r[0].TaskID != id || r[0].Projected != "accepted" {
		t.Fatalf("the row does not carry the accepted status waiting to send: %+v", r)
	}
	row := newRowView()
	row.Resize(fyne.NewSize(600, 80))
	row.show(r[0], true, h.w)
	mustContain(t, test.RenderObjectToMarkup(row), "Accepted · waiting to send")
	mustContain(t, panelMarkup(h), "1 change waiting to send", "Cannot be reached")
	mustNotContain(t, panelMarkup(h), "Synced just now") // the change found the platform out of reach
	assertGolden(t, "sync-waiting", panelMarkup(h))

	damaged := r[0]
	damaged.Damaged, damaged.Person = true, ""
	row.show(damaged, true, h.w)
	mustContain(t, test.RenderObjectToMarkup(row), "(could not be read — sync again)")
}
