package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

func TestWelcomeWhenNothingIsConnected(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	h.open(nil)
	m := h.markup()
	mustContain(t, m, "Welcome to Referral Desk", "Connect a referral platform")
	assertGolden(t, "welcome", m)
}

func TestConnectShowsWhereTheLinkLeadsBeforeSignIn(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: 3})
	w := h.open(nil)
	w.showConnect("")
	test.Type(w.connect.link, h.server.FHIRBase())
	before := len(h.server.Requests())
	test.Tap(w.connect.check)
	if n := len(h.server.Requests()) - before; n != 0 {
		t.Fatalf("tapping Check link made %d requests on the UI goroutine; the lookup must be queued as background work", n)
	}
	h.settle()
	for _, r := range h.server.Requests() {
		if r.Path == "/auth/authorize" || r.Path == "/auth/token" || r.Path == "/auth/register" {
			t.Fatalf("the sign-in service was contacted before Continue: %s", r.Path)
		}
	}
	m := h.markup()
	mustContain(t, m, fhirtest.PlatformName, "Not encrypted (http)")
	assertGolden(t, "connect-found", m)

	test.Tap(w.connect.cont)
	m = h.markup()
	mustContain(t, m, "Waiting for you to sign in to "+fhirtest.PlatformName, "Cancel")
	assertGolden(t, "connect-waiting", m)

	h.settle() // the scripted browser signs in; the first sync runs
	if w.content() != w.main {
		t.Fatalf("after sign-in the window should show the inbox")
	}
	if w.inbox.count == 0 {
		t.Fatal("the inbox is empty after connecting and syncing")
	}
}

func TestConnectErrorsSayWhatToDo(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	w := h.open(nil)
	w.showConnect("http://referrals.example.org/fhir")
	m := h.markup()
	mustContain(t, m, "This link is not secure (http). Ask the platform for its https link.")
	if !w.connect.cont.Disabled() {
		t.Error("Continue must stay disabled for a refused link")
	}
	assertGolden(t, "connect-error", m)
}

func TestConnectCancelStopsTheWait(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	w := h.open(nil)
	w.showConnect(h.server.FHIRBase())
	test.Tap(w.connect.check)
	h.settle()
	test.Tap(w.connect.cont)
	w.connect.cancel() // what the Cancel button does, before the browser is opened
	h.settle()
	mustContain(t, h.markup(), "Sign-in cancelled. Nothing was saved")
	if srcs, _ := h.app.Sources(h.ctx); len(srcs) != 0 {
		t.Fatalf("a cancelled sign-in stored %d sources", len(srcs))
	}
}

func TestInboxListsEveryPlatformWithViewsAndCounts(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: 25})
	h.connect()
	h.sync()
	w := h.open(nil)
	want, _ := h.app.CountInbox(h.ctx, app.InboxFilter{Statuses: app.ViewNew})
	if w.inbox.count != want || want == 0 {
		t.Fatalf("New shows %d rows, want %d", w.inbox.count, want)
	}
	assertGolden(t, "inbox", h.markup())

	w.inbox.setView(viewAll)
	h.settle()
	all, _ := h.app.CountInbox(h.ctx, app.InboxFilter{})
	if w.inbox.count != all {
		t.Fatalf("All shows %d rows, want %d", w.inbox.count, all)
	}
	if w.prefs.view() != viewAll {
		t.Error("the selected view is not remembered")
	}
}

func TestEmptyViewsSayWhy(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	h.connect()
	h.sync()
	w := h.open(nil)
	mustContain(t, h.markup(), "No new referrals. New ones appear here after each sync.")
	assertGolden(t, "empty-new", h.markup())

	h.addReferral(specRoutine())
	h.sync()
	w.inbox.reload()
	h.settle()
	test.Type(w.inbox.search, "nobody")
	h.settle()
	mustContain(t, h.markup(), "No referrals match “nobody”.")
	assertGolden(t, "empty-search", h.markup())
}

func TestSearchDropsStaleResultsAndKeyboardOpens(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: 25})
	h.connect()
	h.sync()
	w := h.open(nil)
	w.inbox.setView(viewAll)
	h.settle()
	first, _ := h.app.Inbox(h.ctx, app.InboxFilter{Limit: 1})
	name := first[0].Person
	for i := 1; i <= len(name); i++ { // one query per keystroke; only the last one's answer counts
		w.inbox.search.SetText(name[:i])
	}
	h.settle()
	want, _ := h.app.CountInbox(h.ctx, app.InboxFilter{Search: name})
	if w.inbox.count != want {
		t.Fatalf("search %q shows %d rows, want %d", name, w.inbox.count, want)
	}

	w.inbox.search.SetText("")
	h.settle()
	c := w.win.Canvas()
	c.Focus(w.inbox.list)
	w.inbox.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	w.inbox.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	second, _ := h.app.Inbox(h.ctx, app.InboxFilter{Limit: 1, Offset: 1})
	if w.detail.task != second[0].TaskID {
		t.Fatalf("Down then Enter opened %q, want the second row %q", w.detail.task, second[0].TaskID)
	}
	w.typedShortcut(findShortcut)
	if c.Focused() != w.inbox.search {
		t.Error("Ctrl+F does not focus the search")
	}
}

func TestANewLinkDuringTheWaitEndsThatSignIn(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	w := h.open(nil)
	w.showConnect(h.server.FHIRBase())
	test.Tap(w.connect.check)
	h.settle()
	test.Tap(w.connect.cont)                                     // waiting for the browser now
	w.connect.link.SetText("https://referrals.example.org/fhir") // e.g. a scanned or pasted link
	if w.connect.cancel != nil || !w.connect.waiting.Hidden || w.connect.link.Disabled() || w.connect.back.Disabled() {
		t.Error("the screen stayed in the waiting state after another link replaced the one being signed in to")
	}
	h.settle()
	if srcs, _ := h.app.Sources(h.ctx); len(srcs) != 0 {
		t.Fatalf("the replaced sign-in stored %d sources", len(srcs))
	}
}
