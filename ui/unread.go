package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
)

// unreadShortcut marks the open referral unread (Ctrl+U, Cmd+U on macOS).
var unreadShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyU, Modifier: fyne.KeyModifierShortcutDefault}

// markUnread makes the open referral unread again, to come back to it, and
// closes it: opening it is what marks it read.
func (w *Window) markUnread() {
	v := w.detail
	if v.task == "" || w.access != accessOpen {
		return
	}
	source, task := v.source, v.task
	v.gen++ // a reload under way would mark it read again
	v.source, v.task, v.d, v.err = 0, "", nil, nil
	v.showPlaceholder()
	w.inbox.followOpen()
	w.background(func(ctx context.Context) func() {
		err := w.a.MarkUnread(ctx, source, task)
		return func() {
			if err != nil {
				dialog.ShowInformation("Mark as unread", w.a.Explain(err), w.win)
				return
			}
			w.inbox.reload()
		}
	})
}
