package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// Keyboard: Ctrl+F search, Ctrl+R sync now, Ctrl+L lock, Ctrl+U mark the
// open referral unread, Ctrl+Comma settings (Cmd on macOS),
// arrows move through the list and Enter opens the highlighted referral.
var (
	findShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
	syncShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}
	lockShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault}
	// settingsShortcut is the usual one for an app's settings (Cmd+, on macOS).
	settingsShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyComma, Modifier: fyne.KeyModifierShortcutDefault}
)

func (w *Window) keys() {
	c := w.win.Canvas()
	run := func(s fyne.Shortcut) { w.typedShortcut(s) }
	c.AddShortcut(findShortcut, run)
	c.AddShortcut(syncShortcut, run)
	c.AddShortcut(lockShortcut, run) // the Lock menu item has it too; this is for windows without the menu bar
	c.AddShortcut(unreadShortcut, run)
	c.AddShortcut(settingsShortcut, run)
	// A key pressed with nothing focused is the case worker at the computer.
	if dc, ok := c.(desktop.Canvas); ok {
		dc.SetOnKeyDown(func(*fyne.KeyEvent) { w.active() })
	}
	// Arrows with nothing focused go to the list, so the inbox is usable
	// without the mouse from the first key press.
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		w.active()
		switch ev.Name {
		case fyne.KeyDown, fyne.KeyUp:
			if w.main != nil && w.content() == w.main {
				c.Focus(w.inbox.list)
			}
		}
	})
}

// typedShortcut runs the window's own shortcuts; it reports whether s was one.
func (w *Window) typedShortcut(s fyne.Shortcut) bool {
	switch s.ShortcutName() {
	case findShortcut.ShortcutName():
		w.focusSearch()
	case syncShortcut.ShortcutName():
		w.syncNow()
	case lockShortcut.ShortcutName():
		w.lock()
	case unreadShortcut.ShortcutName():
		w.markUnread()
	case settingsShortcut.ShortcutName():
		w.showSettings()
	default:
		return false
	}
	return true
}

func (w *Window) focusSearch() {
	if w.main != nil && w.content() == w.main {
		w.win.Canvas().Focus(w.inbox.search)
	}
}

// referralList is the inbox list: widget.List plus Enter to open the highlighted row.
type referralList struct {
	widget.List
	highlighted widget.ListItemID
	onKey       func() // a key pressed in the list (the idle lock's sign of activity)
}

func (l *referralList) TypedKey(ev *fyne.KeyEvent) {
	if l.onKey != nil {
		l.onKey()
	}
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if l.Length != nil && l.highlighted < l.Length() {
			l.Select(l.highlighted)
		}
		return
	}
	l.List.TypedKey(ev)
}

// searchEntry is the search box; it passes the window's own shortcuts on
// (a focused Entry would otherwise swallow Ctrl+R) and Down moves to the list.
type searchEntry struct {
	widget.Entry
	onShortcut func(fyne.Shortcut) bool
	onDown     func()
}

func newSearchEntry() *searchEntry {
	e := &searchEntry{}
	e.ExtendBaseWidget(e)
	return e
}

func (e *searchEntry) TypedShortcut(s fyne.Shortcut) {
	if e.onShortcut != nil && e.onShortcut(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}

func (e *searchEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyDown && e.onDown != nil {
		e.onDown()
		return
	}
	e.Entry.TypedKey(ev)
}
