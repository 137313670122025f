package ui

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// access is what the window may show: the data only once it is unlocked.
type access int

const (
	accessStarting  access = iota // reading how the data folder is protected: nothing shows
	accessSettingUp               // no passphrase yet: the protect screen, then the recovery key
	accessLocked                  // the unlock screen
	accessOpen                    // unlocked: the welcome, the inbox and the rest
)

// start reads how the data folder is protected and shows what comes first:
// the protect screen for a folder without a passphrase (new, or from a
// release before encryption), the data when the keyring remembers its key,
// and otherwise the unlock screen.
func (w *Window) start() {
	w.background(func(ctx context.Context) func() {
		switch w.a.Protection(ctx) {
		case app.Unprotected:
			return w.showProtect
		case app.Locked:
			if ok, err := w.a.UnlockFromKeyring(ctx); !ok || err != nil {
				return w.showUnlock
			}
			return func() { w.remembered = true; w.opened() }
		}
		return w.opened
	})
}

// lock locks the data now: the Lock command, Ctrl+L, or the idle lock. The
// key leaves memory, automatic sync pauses, and the window keeps nothing of
// the data — not on screen, not in a dialog, not in a widget out of sight —
// until it is unlocked. The window's title never names anything.
func (w *Window) lock() {
	if w.access != accessOpen {
		return
	}
	w.access = accessLocked
	w.epoch.Add(1) // what work under way read stays off the screen
	w.disarmIdle()
	w.pauseSync()
	w.stopScan()
	if w.connect.cancel != nil {
		w.connect.cancel()
	}
	for _, cancel := range w.syncs.signIn {
		cancel()
	}
	w.reopen.source, w.reopen.task = w.detail.source, w.detail.task
	w.inbox.qcancel()
	closeOverlays(w.win.Canvas())
	w.settings = nil
	w.main, w.sources, w.names = nil, nil, map[int64]string{}
	w.makeViews()
	done := make(chan struct{})
	w.locking = done
	// Off the UI goroutine: dropping the search index waits for a query
	// that holds it. Unlocking waits for this.
	w.background(func(context.Context) func() {
		w.a.Lock()
		close(done)
		return nil
	})
	w.showUnlock()
}

// closeOverlays closes every dialog and pop-up, which may show a referral.
func closeOverlays(c fyne.Canvas) {
	for o := c.Overlays().Top(); o != nil; o = c.Overlays().Top() {
		o.Hide()
		if c.Overlays().Top() == o { // hiding did not remove it
			c.Overlays().Remove(o)
		}
	}
}

// idleLock locks the window after a while without activity.
type idleLock struct {
	timer Timer // while the data is open; nil otherwise
	after time.Duration
	gen   atomic.Int64 // bumped by each sign of activity and each (dis)arming
	arm   int64        // which arming the timer belongs to
}

// armIdle starts the idle lock with the time the case worker chose, if any.
func (w *Window) armIdle() {
	w.disarmIdle()
	d := w.prefs.lockIdle()
	if d <= 0 || w.access != accessOpen {
		return
	}
	w.idle.arm++
	arm := w.idle.arm
	w.idle.after = d
	w.idle.timer = w.o.AfterFunc(d, func() { w.idleFired(arm) })
}

func (w *Window) disarmIdle() {
	if w.idle.timer != nil {
		w.idle.timer.Stop()
		w.idle.timer = nil
	}
	w.idle.gen.Add(1)
}

// idleFired runs on the timer's goroutine when the idle time passed
// without activity. Activity after it fired, before the UI goroutine runs
// the lock, changes gen (and restarted the timer): then it does not lock.
func (w *Window) idleFired(arm int64) {
	gen := w.idle.gen.Load()
	w.ui(func() {
		if w.idle.timer != nil && w.idle.arm == arm && w.idle.gen.Load() == gen {
			w.lock()
		}
	})
}

// active is a sign that the case worker is at the computer: the mouse over
// the window, a key, typing. It restarts the idle lock's wait; it runs for
// every mouse move, so it only resets a timer.
func (w *Window) active() {
	if w.idle.timer == nil {
		return
	}
	w.idle.gen.Add(1)
	w.idle.timer.Reset(w.idle.after)
}

// activity is a layer under the window's content that hears the mouse
// wherever no control takes it (text, the space between controls), as a
// sign of activity for the idle lock. It is under everything, so the
// controls above it keep their hover and cursor.
type activity struct {
	widget.BaseWidget
	seen func()
}

func newActivity(seen func()) *activity {
	a := &activity{seen: seen}
	a.ExtendBaseWidget(a)
	return a
}

func (a *activity) CreateRenderer() fyne.WidgetRenderer { return emptyRenderer{} }
func (a *activity) MouseIn(*desktop.MouseEvent)         { a.seen() }
func (a *activity) MouseMoved(*desktop.MouseEvent)      { a.seen() }
func (a *activity) MouseOut()                           { a.seen() }

type emptyRenderer struct{}

func (emptyRenderer) Destroy()                     {}
func (emptyRenderer) Layout(fyne.Size)             {}
func (emptyRenderer) MinSize() fyne.Size           { return fyne.Size{} }
func (emptyRenderer) Objects() []fyne.CanvasObject { return nil }
func (emptyRenderer) Refresh()                     {}

// makeMenu is the window's menu: Mark as unread (Ctrl+U), Lock (Ctrl+L),
// when to lock by itself, the passphrase and recovery key, and Settings
// (Ctrl+Comma). Fyne adds Quit to it.
func (w *Window) makeMenu() {
	lockItem := fyne.NewMenuItem("Lock", w.lock)
	lockItem.Shortcut = lockShortcut
	w.idleMenu = fyne.NewMenu("")
	for _, m := range lockChoices {
		w.idleMenu.Items = append(w.idleMenu.Items, fyne.NewMenuItem(lockChoiceLabel(m), func() { w.setLockIdle(m) }))
	}
	idle := fyne.NewMenuItem("Lock when idle", nil)
	idle.ChildMenu = w.idleMenu
	change := fyne.NewMenuItem("Change passphrase…", w.showChangePassphrase)
	recovery := fyne.NewMenuItem("New recovery key…", w.showNewRecoveryKey)
	unread := fyne.NewMenuItem("Mark as unread", w.markUnread)
	unread.Shortcut = unreadShortcut
	settings := fyne.NewMenuItem("Settings…", w.showSettings)
	settings.Shortcut = settingsShortcut
	w.menuOpen = []*fyne.MenuItem{lockItem, change, recovery, unread, settings}
	w.menu = fyne.NewMainMenu(fyne.NewMenu("Referral Desk", unread, fyne.NewMenuItemSeparator(), lockItem, idle,
		fyne.NewMenuItemSeparator(), change, recovery, fyne.NewMenuItemSeparator(), settings))
	w.refreshMenu()
	w.win.SetMainMenu(w.menu)
}

func lockChoiceLabel(minutes int) string {
	if minutes == 0 {
		return "Never"
	}
	return fmt.Sprintf("After %d minutes", minutes)
}

// refreshMenu enables what needs the data open, and ticks the idle choice.
func (w *Window) refreshMenu() {
	if w.menu == nil {
		return
	}
	for _, item := range w.menuOpen {
		item.Disabled = w.access != accessOpen
	}
	chosen := int(w.prefs.lockIdle() / time.Minute)
	for k, item := range w.idleMenu.Items {
		item.Checked = lockChoices[k] == chosen
	}
	w.menu.Refresh()
}

// setLockIdle is a choice of the Lock when idle menu, or of Settings.
func (w *Window) setLockIdle(minutes int) {
	w.prefs.setLockIdle(minutes)
	w.refreshMenu()
	if w.settings != nil {
		w.settings.show(w)
	}
	if w.access == accessOpen {
		w.armIdle()
	}
}
