package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// people are the names of everyone with a referral in the data: what a
// locked window must not show.
func (h *harness) people() []string {
	h.t.Helper()
	refs, err := h.app.Inbox(h.ctx, app.InboxFilter{})
	if err != nil || len(refs) == 0 {
		h.t.Fatalf("the test needs referrals to hide: %d, %v", len(refs), err)
	}
	var names []string
	for _, r := range refs {
		names = append(names, r.Person)
	}
	return names
}

// mustShowNothingOfTheData fails when the window (dialogs included) shows a
// person's name or a platform's name, or keeps the inbox's rows in memory.
func mustShowNothingOfTheData(t *testing.T, h *harness, people []string) {
	t.Helper()
	m := h.markup()
	mustNotContain(t, m, append(people, fhirtest.PlatformName)...)
	if n := len(h.w.win.Canvas().Overlays().List()); n != 0 {
		t.Errorf("%d dialogs stayed open over the locked window", n)
	}
	if in := h.w.inbox; in.count != 0 || len(in.pages) != 0 || len(h.w.sources) != 0 || h.w.detail.d != nil {
		t.Error("the locked window still holds referrals or platforms in its widgets")
	}
}

func (h *harness) menuItem(path ...string) *fyne.MenuItem {
	h.t.Helper()
	items := h.w.win.MainMenu().Items[0].Items
	for k, label := range path {
		for _, it := range items {
			if it.Label == label {
				if k == len(path)-1 {
					return it
				}
				items = it.ChildMenu.Items
				break
			}
		}
	}
	h.t.Fatalf("no menu item %q", strings.Join(path, " › "))
	return nil
}

func TestProtectScreenComesFirstAndRefusesWeakOrMismatchedPassphrases(t *testing.T) {
	// A folder from a release before encryption, with referrals in it.
	h := newUnprotectedHarness(t, fhirtest.Options{Referrals: 3})
	h.connect()
	h.sync()
	people := h.people()
	w := h.open(nil)
	p := w.protect
	if p == nil || w.content() != p.content {
		t.Fatal("an unprotected data folder must open on the protect screen")
	}
	m := h.markup()
	mustContain(t, m, "Protect your referrals", "encrypt them", "asks for it each time it opens", app.Explain(app.CheckPassphrase("")),
		"Remember on this computer", "keyring", "Protect")
	mustNotContain(t, m, append(people, fhirtest.PlatformName)...)
	if p.remember.Checked {
		t.Error("Remember on this computer must be off until the case worker ticks it")
	}
	assertGolden(t, "protect", m)

	refused := func(first, again, say string) {
		t.Helper()
		p.pass.first.SetText(first)
		p.pass.again.SetText(again)
		test.Tap(p.button)
		if len(h.work) != 0 {
			t.Errorf("%q / %q: protecting started; it must be refused on screen", first, again)
		}
		h.settle()
		mustContain(t, h.markup(), say)
		if got := h.app.Protection(h.ctx); got != app.Unprotected {
			t.Errorf("%q / %q: the folder is protected (%v) after a refusal", first, again, got)
		}
	}
	refused("password1234", "password1234", app.Explain(app.CheckPassphrase("password1234")))
	refused("short", "short", app.Explain(app.CheckPassphrase("short")))
	refused("four plain words protect", "four plain words protects", "The two passphrases are not the same.")
	assertGolden(t, "protect-mismatch", h.markup())

	pass := "a new passphrase for this laptop"
	p.pass.first.SetText(pass)
	mustContain(t, h.markup(), "Strength: "+app.PassphraseStrength(pass))
	p.pass.again.SetText(pass)
	p.pass.again.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter protects too
	h.settle()
	if got := h.app.Protection(h.ctx); got != app.Unlocked {
		t.Fatalf("after Protect the folder is %v, want protected and open", got)
	}
	if h.keyring.remembers() {
		t.Error("the keyring remembers the key although Remember was off")
	}
	r := w.recovery
	if r == nil || w.content() != r.content {
		t.Fatal("after Protect the recovery key must show")
	}
	mustContain(t, h.markup(), "Save your recovery key", keyLines(r.key))

	// The key shown is the one that opens the data.
	h.app.Lock()
	if err := h.app.Unlock(h.ctx, r.key, false); err != nil {
		t.Fatalf("the recovery key shown does not open the data: %s", app.Explain(err))
	}
	test.Tap(r.saved)
	test.Tap(r.cont)
	h.settle()
	if w.content() != w.main || w.inbox.count == 0 {
		t.Error("after the recovery key the window must show the inbox with the referrals kept before")
	}
}

// sampleKey is a recovery key's shape, for the screen's golden.
const sampleKey = "7K3Q-M0ZD-4F9T-X2WB-8NRC-6VHJ-1PAE-5GYS"

func TestRecoveryKeyBlocksContinueUntilSaved(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	w := h.open(nil)
	continued := false
	w.showRecoveryKey(sampleKey, func() { continued = true })
	r := w.recovery
	m := h.markup()
	mustContain(t, m, "7K3Q-M0ZD-4F9T-X2WB", "8NRC-6VHJ-1PAE-5GYS", "nobody can read the data", "Copy", "Save to file…", "I have saved my recovery key")
	assertGolden(t, "recovery-key", m)

	test.Tap(r.cont)
	if continued || !r.cont.Disabled() {
		t.Fatal("Continue worked before I have saved my recovery key was ticked")
	}
	test.Tap(findButton(t, w, "Copy"))
	if got := h.fa.Clipboard().Content(); got != sampleKey {
		t.Errorf("Copy put %q on the clipboard, want the key %q", got, sampleKey)
	}
	test.Tap(r.saved)
	test.Tap(r.cont)
	if !continued {
		t.Error("Continue did nothing once the box was ticked")
	}
}

func TestUnlockScreenShowsNothingOfTheData(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: 5})
	h.connect()
	h.sync()
	people := h.people()
	h.lockAway()
	w := h.open(nil)
	u := w.unlock
	if u == nil || w.access != accessLocked {
		t.Fatal("a locked folder whose key the keyring does not remember must open on the unlock screen")
	}
	mustContain(t, h.markup(), "Referral Desk is locked", "Unlock", "Forgot your passphrase?")
	mustShowNothingOfTheData(t, h, people)
	assertGolden(t, "unlock", h.markup())
	if w.win.Canvas().Focused() != u.secret {
		t.Error("the passphrase field must have the focus")
	}

	test.Type(u.secret, "not the passphrase")
	u.secret.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	mustContain(t, h.markup(), "does not open this data")
	mustShowNothingOfTheData(t, h, people)
	if w.unlock != u || w.win.Canvas().Focused() != u.secret {
		t.Error("after a wrong passphrase the screen must stay, with the focus in the field")
	}
	if h.app.Protection(h.ctx) != app.Locked {
		t.Error("a wrong passphrase unlocked the data")
	}
	assertGolden(t, "unlock-wrong", h.markup())

	u.secret.SetText(testPassphrase)
	test.Tap(u.button)
	h.settle()
	if w.content() != w.main || w.inbox.count == 0 {
		t.Fatal("the right passphrase must open the inbox")
	}
	if h.keyring.remembers() {
		t.Error("the key was remembered although Remember on this computer was off")
	}
}

func TestIdleLockAfterTheChosenTime(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: 5})
	h.connect()
	h.sync()
	people := h.people()
	w := h.open(nil)
	if tm := h.idleTimer(); tm == nil || tm.d != 10*time.Minute {
		t.Fatalf("the idle lock is %+v, want armed at the default 10 minutes", tm)
	}
	h.menuItem("Lock when idle", "After 5 minutes").Action()
	tm := h.idleTimer()
	if tm == nil || tm.d != 5*time.Minute {
		t.Fatalf("after choosing 5 minutes the idle lock is %+v", tm)
	}
	if !h.menuItem("Lock when idle", "After 5 minutes").Checked || w.prefs.lockIdle() != 5*time.Minute {
		t.Error("the choice is neither ticked in the menu nor remembered")
	}

	// The mouse over the window after the time ran out, before the lock
	// reached the UI goroutine: the case worker is back, no lock.
	tm.fire()
	test.MoveMouse(w.win.Canvas(), fyne.NewPos(1000, 400)) // over the open referral's placeholder text
	h.settle()
	if w.access != accessOpen {
		t.Fatal("the window locked although the mouse moved over it")
	}
	if !tm.armed {
		t.Fatal("the mouse over the window did not restart the idle lock's wait")
	}

	tm.fire()
	h.settle()
	if w.access != accessLocked || w.unlock == nil || h.app.Protection(h.ctx) != app.Locked {
		t.Fatal("the idle time passed without activity, and the window did not lock")
	}
	mustShowNothingOfTheData(t, h, people)
	if h.idleTimer() != nil {
		t.Error("the idle lock stays armed while locked")
	}
}

func TestNeverLockWhenIdle(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	h.open(nil)
	h.menuItem("Lock when idle", "Never").Action()
	if tm := h.idleTimer(); tm != nil {
		t.Errorf("Never chosen, but the idle lock is armed for %v", tm.d)
	}
}

func TestCtrlLLocksAndUnlockResumes(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: 5})
	h.connect()
	h.sync()
	people := h.people()
	w := h.open(nil)
	refs, _ := h.app.Inbox(h.ctx, app.InboxFilter{Limit: 1})
	h.openReferral(refs[0].TaskID)
	tapPlatformMenu(t, h, "Show QR code…") // a dialog open at the lock
	h.settle()

	if item := h.menuItem("Lock"); item.Shortcut == nil || item.Shortcut.ShortcutName() != lockShortcut.ShortcutName() {
		t.Error("the Lock menu item does not show Ctrl+L")
	}
	// Ctrl+L with the focus in the search box, which passes the window's
	// shortcuts on (with none focused, the canvas runs typedShortcut too).
	w.win.Canvas().Focus(w.inbox.search)
	w.inbox.search.TypedShortcut(&fyne.ShortcutSelectAll{}) // the box's own: no lock
	if w.access != accessOpen {
		t.Fatal("a shortcut other than Ctrl+L locked the window")
	}
	w.inbox.search.TypedShortcut(lockShortcut)
	h.settle()
	if w.access != accessLocked || h.app.Protection(h.ctx) != app.Locked {
		t.Fatal("Ctrl+L did not lock")
	}
	mustShowNothingOfTheData(t, h, people)
	if w.sched != nil || w.stopSched != nil {
		t.Error("automatic sync still runs while locked")
	}
	before := len(h.server.Requests())
	w.typedShortcut(syncShortcut) // Sync now, while locked
	h.settle()
	if n := len(h.server.Requests()) - before; n != 0 {
		t.Errorf("Sync now made %d requests while locked", n)
	}
	for _, label := range []string{"Lock", "Change passphrase…", "New recovery key…"} {
		if !h.menuItem(label).Disabled {
			t.Errorf("%s stays enabled while locked", label)
		}
	}

	w.unlock.secret.SetText(testPassphrase)
	w.unlock.submit()
	h.settle()
	if w.access != accessOpen || w.content() != w.main {
		t.Fatal("the passphrase did not open the window again")
	}
	if w.detail.task != refs[0].TaskID || w.detail.d == nil {
		t.Error("the referral open at the lock is not open again after unlocking")
	}
	if h.idleTimer() == nil {
		t.Error("the idle lock is not armed again after unlocking")
	}
	if h.menuItem("Lock").Disabled {
		t.Error("Lock stays disabled after unlocking")
	}
	before = len(h.server.Requests())
	w.typedShortcut(syncShortcut)
	h.settle()
	if len(h.server.Requests()) == before {
		t.Error("Sync now does nothing after unlocking")
	}
}

func TestForgotPassphraseUsesTheRecoveryKeyThenAsksANewOne(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	h.lockAway()
	w := h.open(nil)
	u := w.unlock
	test.Tap(u.forgot)
	mustContain(t, h.markup(), "Type your recovery key in the field above instead")
	assertGolden(t, "unlock-forgot", h.markup())

	u.secret.SetText(strings.ToLower(protected.recovery)) // as typed by hand
	u.submit()
	h.settle()
	p := w.protect
	if p == nil || w.content() != p.content || w.access == accessOpen {
		t.Fatal("after the recovery key the window must ask for a new passphrase before showing the data")
	}
	mustContain(t, h.markup(), "Choose a new passphrase")
	next := "a passphrase I will remember"
	p.pass.first.SetText(next)
	p.pass.again.SetText(next)
	test.Tap(p.button)
	h.settle()
	if w.access != accessOpen {
		t.Fatal("the window did not open after the new passphrase was set")
	}
	h.app.Lock()
	if err := h.app.Unlock(h.ctx, next, false); err != nil {
		t.Errorf("the new passphrase does not open the data: %s", app.Explain(err))
	}
}

func TestChangePassphrase(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	w := h.open(nil)
	h.menuItem("Change passphrase…").Action()
	d := w.passDialog
	next := "another passphrase of four words"
	d.current.SetText("not the passphrase")
	d.next.first.SetText(next)
	d.next.again.SetText(next + " typo")
	d.submit()
	if len(h.work) != 0 {
		t.Fatal("a mismatched new passphrase was sent to be changed")
	}
	mustContain(t, h.markup(), "The two passphrases are not the same.")

	d.next.again.SetText(next)
	d.submit()
	h.settle()
	mustContain(t, h.markup(), "does not open this data")
	if w.win.Canvas().Focused() != d.current {
		t.Error("after a wrong current passphrase the focus must go back to it")
	}

	d.current.SetText(testPassphrase)
	d.submit()
	h.settle()
	mustContain(t, h.markup(), "Passphrase changed")
	h.app.Lock()
	if err := h.app.Unlock(h.ctx, next, false); err != nil {
		t.Errorf("the new passphrase does not open the data: %s", app.Explain(err))
	}
}

func TestNewRecoveryKey(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	w := h.open(nil)
	before := w.content()
	h.menuItem("New recovery key…").Action()
	d := w.passDialog
	d.current.SetText(testPassphrase)
	d.submit()
	h.settle()
	r := w.recovery
	if r == nil || w.content() != r.content || r.key == protected.recovery {
		t.Fatal("New recovery key… did not show a new key")
	}
	test.Tap(r.saved)
	test.Tap(r.cont)
	if w.content() != before {
		t.Error("Continue did not go back to where the case worker was")
	}
	h.app.Lock()
	if err := h.app.Unlock(h.ctx, r.key, false); err != nil {
		t.Errorf("the new recovery key does not open the data: %s", app.Explain(err))
	}
}

func TestDemoUnlockSaysThePassphrase(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	h.lockAway()
	h.demoPassphrase = "demo passphrase for referral desk"
	h.open(nil)
	mustContain(t, h.markup(), "the demo data is protected with the passphrase “demo passphrase for referral desk”")
}
