package ui

import (
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// Settings: how often to sync, when a new referral is overdue, when the
// window locks by itself, notifications, and the theme. They show in a
// dialog over the window, so a change shows at once on the inbox behind it,
// and are kept in Fyne's preferences (prefs.go), which hold nothing secret.

// settingsDialog is the Settings dialog while it shows.
type settingsDialog struct {
	d       *dialog.CustomDialog
	every   *widget.Select
	overdue *widget.Select
	lock    *widget.Select
	notify  *widget.Check
	theme   *widget.RadioGroup
}

// themeLabels name the theme choices, in the order offered.
var themeLabels = []struct{ choice, label string }{
	{themeLight, "Light"}, {themeDark, "Dark"}, {themeSystem, "Follow the system"},
}

// withSettings fills what Options leaves to the case worker's settings: a
// value main or a test gives wins, so tests do not depend on preferences.
func withSettings(o Options, p prefs) Options {
	if o.OverdueDays <= 0 {
		o.OverdueDays = p.overdueDays()
	}
	if o.SyncEvery == 0 {
		o.SyncEvery = p.syncEvery()
	}
	return o
}

// showSettings opens the Settings dialog (the menu, Ctrl+Comma).
func (w *Window) showSettings() {
	if w.access != accessOpen {
		return
	}
	s := &settingsDialog{}
	s.every = widget.NewSelect(labels(syncChoices, syncChoiceLabel), func(l string) {
		if i := slices.Index(s.every.Options, l); i >= 0 {
			w.setSyncEvery(syncChoices[i])
		}
	})
	s.overdue = widget.NewSelect(labels(overdueChoices(), overdueLabel), func(l string) {
		w.setOverdueDays(slices.Index(s.overdue.Options, l) + 1)
	})
	s.lock = widget.NewSelect(labels(lockChoices, lockChoiceLabel), func(l string) {
		if i := slices.Index(s.lock.Options, l); i >= 0 {
			w.setLockIdle(lockChoices[i])
		}
	})
	s.notify = widget.NewCheck("Tell me when new referrals arrive", w.setNotify)
	var themes []string
	for _, t := range themeLabels {
		themes = append(themes, t.label)
	}
	s.theme = widget.NewRadioGroup(themes, func(l string) {
		for _, t := range themeLabels {
			if t.label == l {
				w.setTheme(t.choice)
			}
		}
	})
	s.theme.Horizontal = true
	s.theme.Required = true
	s.show(w)
	form := widget.NewForm(
		&widget.FormItem{Text: "Sync", Widget: s.every,
			HintText: "Platforms ask for 15 minutes or more between checks. Ctrl+R syncs at once."},
		&widget.FormItem{Text: "Overdue after", Widget: s.overdue,
			HintText: "A new referral left this long is marked Overdue. Weekends do not count."},
		&widget.FormItem{Text: "Lock when idle", Widget: s.lock,
			HintText: "The window locks after this long without use; Ctrl+L locks it at once."},
		&widget.FormItem{Text: "Notifications", Widget: s.notify,
			HintText: "They say how many referrals arrived, never who."},
		&widget.FormItem{Text: "Theme", Widget: s.theme},
	)
	note := &widget.Label{Text: "Changes apply at once and are kept on this computer.", Importance: widget.LowImportance, Wrapping: fyne.TextWrapWord}
	s.d = dialog.NewCustom("Settings", "Close", container.NewVBox(form, note), w.win)
	s.d.SetOnClosed(func() {
		if w.settings == s {
			w.settings = nil
		}
	})
	s.d.Resize(fyne.NewSize(600, 0))
	s.d.Show()
	w.settings = s
}

// show sets the dialog's controls to the settings in effect, without
// running their callbacks.
func (s *settingsDialog) show(w *Window) {
	every := w.o.SyncEvery
	if every < 0 { // automatic sync is off (tests): what the case worker chose
		every = w.prefs.syncEvery()
	}
	s.every.Selected = syncChoiceLabel(every)
	s.overdue.Selected = overdueLabel(w.o.OverdueDays)
	s.lock.Selected = lockChoiceLabel(int(w.prefs.lockIdle() / time.Minute))
	s.notify.Checked = w.prefs.notify()
	for _, t := range themeLabels {
		if t.choice == w.prefs.theme() {
			s.theme.Selected = t.label
		}
	}
	for _, o := range []fyne.CanvasObject{s.every, s.overdue, s.lock, s.notify, s.theme} {
		o.Refresh()
	}
}

// setSyncEvery is a cadence chosen in Settings. The schedule starts again
// with it, which syncs at once: the case worker's own act, like Sync now.
func (w *Window) setSyncEvery(d time.Duration) {
	w.prefs.setSyncEvery(d)
	if w.o.SyncEvery < 0 || w.o.SyncEvery == d { // automatic sync off (tests), or no change
		return
	}
	w.o.SyncEvery = d
	if w.sched != nil {
		w.pauseSync()
		w.startSync()
	}
}

// setOverdueDays is an overdue threshold chosen in Settings; the rows show it at once.
func (w *Window) setOverdueDays(n int) {
	if n < 1 || n > maxOverdueDays {
		return
	}
	w.prefs.setOverdueDays(n)
	w.o.OverdueDays = n
	w.inbox.list.Refresh()
}

func (w *Window) setNotify(on bool) { w.prefs.setNotify(on) }

// setTheme is a theme chosen in Settings: the whole window redraws in it.
func (w *Window) setTheme(choice string) {
	w.prefs.setTheme(choice)
	useTheme(w.fa, w.prefs.theme())
}

func syncChoiceLabel(d time.Duration) string {
	switch {
	case d == 24*time.Hour:
		return "Once a day"
	case d == time.Hour:
		return "Every hour"
	case d < time.Hour:
		return fmt.Sprintf("Every %d minutes", int(d/time.Minute))
	}
	return fmt.Sprintf("Every %d hours", int(d/time.Hour))
}

func overdueChoices() []int {
	out := make([]int, maxOverdueDays)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func overdueLabel(days int) string {
	if days == 1 {
		return "1 business day"
	}
	return fmt.Sprintf("%d business days", days)
}

// labels are the labels of choices, in order.
func labels[T any](choices []T, label func(T) string) []string {
	out := make([]string, len(choices))
	for i, c := range choices {
		out[i] = label(c)
	}
	return out
}
