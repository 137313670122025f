package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// openSettings opens Settings as the menu does, and checks Ctrl+Comma does too.
func openSettings(t *testing.T, h *harness) *settingsDialog {
	t.Helper()
	item := h.menuItem("Settings…")
	if item.Shortcut == nil || item.Shortcut.ShortcutName() != settingsShortcut.ShortcutName() {
		t.Errorf("the Settings menu item does not show Ctrl+Comma")
	}
	h.w.typedShortcut(settingsShortcut)
	if h.w.settings == nil {
		t.Fatal("Ctrl+Comma did not open Settings")
	}
	h.w.settings.d.Hide()
	item.Action()
	if h.w.settings == nil {
		t.Fatal("the Settings menu item did not open Settings")
	}
	return h.w.settings
}

// overdueMarks counts the rows the list shows with the Overdue mark, and
// the rows that app.Overdue says should have it at days.
func overdueMarks(h *harness, days int) (shown, want int) {
	rows := 0
	for _, o := range test.LaidOutObjects(h.w.inbox.list) {
		if r, ok := o.(*rowView); ok && r.Visible() && r.person.Text != "" {
			rows++
			if r.overdue.Visible() {
				shown++
			}
		}
	}
	for i := 0; i < rows; i++ {
		if r, ok := h.w.inbox.row(i); ok && app.Overdue(r, now, days) {
			want++
		}
	}
	return shown, want
}

func TestSettingsApplyAtOnceAndAreKept(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: 25})
	h.connect()
	h.sync()
	w := h.open(nil)
	s := openSettings(t, h)
	m := test.RenderObjectToMarkup(w.win.Canvas().Overlays().Top()) // the dialog, not the inbox behind
	mustContain(t, m, "Settings", "Every 15 minutes", "2 business days", "After 10 minutes",
		"Tell me when new referrals arrive", "Follow the system")
	assertGolden(t, "settings", m)

	before, want := overdueMarks(h, 2)
	if before == 0 || before != want {
		t.Fatalf("at 2 business days the list marks %d rows overdue, want %d (and some)", before, want)
	}
	s.overdue.SetSelected("10 business days")
	h.settle()
	after, want := overdueMarks(h, 10)
	if after != want || after >= before {
		t.Errorf("at 10 business days the list marks %d rows overdue, want %d (fewer than %d)", after, want, before)
	}
	if w.prefs.overdueDays() != 10 {
		t.Errorf("the overdue threshold kept is %d, want 10", w.prefs.overdueDays())
	}

	s.lock.SetSelected("After 30 minutes")
	if tm := h.idleTimer(); tm == nil || tm.d != 30*time.Minute {
		t.Errorf("after choosing 30 minutes the idle lock is %+v", tm)
	}
	if !h.menuItem("Lock when idle", "After 30 minutes").Checked {
		t.Error("the Lock when idle menu does not tick the time chosen in Settings")
	}
	h.menuItem("Lock when idle", "After 5 minutes").Action()
	if s.lock.Selected != "After 5 minutes" {
		t.Errorf("Settings shows %q after choosing 5 minutes in the menu", s.lock.Selected)
	}
	s.lock.SetSelected("After 30 minutes")

	s.notify.SetChecked(false)
	h.addReferral(specRoutine())
	w.syncNow()
	test.AssertNotificationSent(t, nil, h.settle) // notifications off: none, though one arrived

	s.every.SetSelected("Every 2 hours")
	if w.prefs.syncEvery() != 2*time.Hour {
		t.Errorf("the cadence kept is %v, want 2h", w.prefs.syncEvery())
	}
	if w.sched != nil {
		t.Error("a window built without automatic sync started it when the cadence changed")
	}

	s.theme.SetSelected("Light")
	if th, ok := h.fa.Settings().Theme().(*appTheme); !ok || th.forced.Load() == nil || *th.forced.Load() != theme.VariantLight {
		t.Errorf("choosing Light did not force the light variant (theme %T)", h.fa.Settings().Theme())
	}

	// The next start (a new window on the same preferences) finds them all.
	s.d.Hide()
	w.win.Close()
	w = h.open(nil)
	if w.o.OverdueDays != 10 {
		t.Errorf("the next start marks overdue after %d business days, want 10", w.o.OverdueDays)
	}
	if tm := h.idleTimer(); tm == nil || tm.d != 30*time.Minute {
		t.Errorf("the next start arms the idle lock as %+v, want 30 minutes", tm)
	}
	s = openSettings(t, h)
	mustContain(t, h.markup(), "Every 2 hours", "10 business days", "After 30 minutes")
	if s.notify.Checked || s.theme.Selected != "Light" {
		t.Errorf("the next start shows notifications %v and theme %q, want off and Light", s.notify.Checked, s.theme.Selected)
	}
	// Notifications on again: the next new referral is told.
	s.notify.SetChecked(true)
	h.addReferral(specRoutine())
	w.syncNow()
	test.AssertNotificationSent(t, fyne.NewNotification("Referral Desk", "1 new referral arrived."), h.settle)
}

func TestSettingsWaitForTheUnlock(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: 1})
	h.connect()
	w := h.open(nil)
	openSettings(t, h)
	w.lock()
	h.settle()
	if w.settings != nil || w.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Settings stayed open when the window locked")
	}
	w.typedShortcut(settingsShortcut)
	if w.settings != nil {
		t.Fatal("Settings opened over the unlock screen")
	}
	if !h.menuItem("Settings…").Disabled {
		t.Error("the Settings menu item is enabled while locked")
	}
}

// TestOptionsWinOverSettings: what main or a test gives stays; what it
// leaves is the case worker's setting; a damaged setting is the default.
func TestOptionsWinOverSettings(t *testing.T) {
	for _, c := range []struct {
		name        string
		given       Options
		every, over int // the preferences, in minutes and business days; 0 = none
		idleMinutes int
		wantEvery   time.Duration
		wantOverdue int
		wantIdle    time.Duration
	}{
		{name: "nothing chosen", wantEvery: app.DefaultSyncEvery, wantOverdue: app.DefaultOverdueDays, wantIdle: 10 * time.Minute},
		{name: "chosen", every: 120, over: 5, idleMinutes: 30, wantEvery: 2 * time.Hour, wantOverdue: 5, wantIdle: 30 * time.Minute},
		{name: "given wins", given: Options{SyncEvery: -1, OverdueDays: 3}, every: 120, over: 5,
			wantEvery: -1, wantOverdue: 3, wantIdle: 10 * time.Minute},
		{name: "damaged", every: 5, over: 99, idleMinutes: 7,
			wantEvery: app.DefaultSyncEvery, wantOverdue: app.DefaultOverdueDays, wantIdle: 10 * time.Minute},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := prefs{test.NewTempApp(t).Preferences()}
			if c.every != 0 {
				p.p.SetInt(prefSyncEvery, c.every)
				p.p.SetInt(prefOverdue, c.over)
			}
			if c.idleMinutes != 0 {
				p.p.SetInt(prefLockIdle, c.idleMinutes)
			}
			o := withSettings(c.given, p)
			if o.SyncEvery != c.wantEvery || o.OverdueDays != c.wantOverdue {
				t.Errorf("sync every %v, overdue after %d; want %v and %d", o.SyncEvery, o.OverdueDays, c.wantEvery, c.wantOverdue)
			}
			if got := p.lockIdle(); got != c.wantIdle {
				t.Errorf("the idle lock is %v, want %v", got, c.wantIdle)
			}
		})
	}
}

// TestSyncCadenceChosenRestartsTheSchedule: in a window that syncs by
// itself, a cadence chosen in Settings is the schedule's at once.
func TestSyncCadenceChosenRestartsTheSchedule(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	h.connect()
	w := h.open(nil)
	// This window syncs by itself, every hour, on the schedule's own goroutine.
	w.o.SyncEvery = time.Hour
	w.startSync()
	t.Cleanup(func() { stopSchedule(t, h) })
	first := w.sched
	if first == nil || first.Every() != time.Hour {
		t.Fatalf("the window's schedule is %+v, want every hour", first)
	}
	s := openSettings(t, h)
	if s.every.Selected != "Every hour" {
		t.Errorf("Settings shows the cadence %q, want Every hour", s.every.Selected)
	}
	s.every.SetSelected("Every 4 hours")
	if w.sched == nil || w.sched == first || w.sched.Every() != 4*time.Hour {
		t.Fatalf("after choosing every 4 hours the schedule is %+v (was %p)", w.sched, first)
	}
	if w.prefs.syncEvery() != 4*time.Hour {
		t.Errorf("the cadence kept is %v, want 4h", w.prefs.syncEvery())
	}
	again := w.sched
	s.every.SetSelected("Every 4 hours")
	if w.sched != again {
		t.Error("choosing the cadence in use started the schedule again")
	}
}

// stopSchedule ends the window's work, the schedule's goroutine included,
// before the store closes: queued work runs first, so that nothing is left
// counted that would never run.
func stopSchedule(t *testing.T, h *harness) {
	h.settle()
	h.w.cancel()
	done := make(chan struct{})
	go func() { h.w.work.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Error("the sync schedule's goroutine did not end within a minute of closing the window")
	}
}
