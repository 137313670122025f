package ui

import (
	"slices"
	"time"

	"fyne.io/fyne/v2"

	"github.com/referraldesk/referraldesk/app"
)

// prefs are what the window remembers between runs. Fyne stores them as
// plain JSON, so never anything secret or about a person.
type prefs struct{ p fyne.Preferences }

const (
	prefWidth    = "window.width"
	prefHeight   = "window.height"
	prefView     = "inbox.view"
	prefSort     = "inbox.sort"
	prefLockIdle = "lock.idleMinutes"
	// The settings (settings.go).
	prefSyncEvery = "sync.everyMinutes"
	prefOverdue   = "inbox.overdueDays"
	prefNotify    = "notify.newReferrals"
	prefTheme     = "window.theme"
)

// defaultSize fits a 1366×768 laptop screen, the smallest common one.
var defaultSize = fyne.NewSize(1280, 720)

func (p prefs) windowSize() fyne.Size {
	w := p.p.FloatWithFallback(prefWidth, float64(defaultSize.Width))
	h := p.p.FloatWithFallback(prefHeight, float64(defaultSize.Height))
	if w < 640 || h < 400 { // a damaged value must not leave an unusable window
		return defaultSize
	}
	return fyne.NewSize(float32(w), float32(h))
}

func (p prefs) setWindowSize(s fyne.Size) {
	if s.Width >= 640 && s.Height >= 400 {
		p.p.SetFloat(prefWidth, float64(s.Width))
		p.p.SetFloat(prefHeight, float64(s.Height))
	}
}

func (p prefs) view() string     { return p.p.StringWithFallback(prefView, viewNew) }
func (p prefs) setView(v string) { p.p.SetString(prefView, v) }
func (p prefs) sort() string     { return p.p.String(prefSort) }
func (p prefs) setSort(s string) { p.p.SetString(prefSort, s) }

// lockChoices are the idle times after which the window may lock itself, in
// minutes (the Lock when idle menu); 0 is never. 10 minutes is the default.
var lockChoices = []int{5, 10, 15, 30, 0}

const defaultLockIdle = 10

// lockIdle is how long the window waits without activity before it locks;
// 0 = never. A value that is not one of the choices counts as the default.
func (p prefs) lockIdle() time.Duration {
	m := p.p.IntWithFallback(prefLockIdle, defaultLockIdle)
	for _, c := range lockChoices {
		if c == m {
			return time.Duration(m) * time.Minute
		}
	}
	return defaultLockIdle * time.Minute
}

func (p prefs) setLockIdle(minutes int) { p.p.SetInt(prefLockIdle, minutes) }

// syncChoices are the automatic sync cadences the case worker may choose,
// within the IG's bounds ("Checking Task Status"): never more often than
// every 15 minutes by itself, and at least once a day, so every business day.
var syncChoices = []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 24 * time.Hour}

// syncEvery is the automatic sync cadence; a value that is not one of the
// choices counts as app.DefaultSyncEvery.
func (p prefs) syncEvery() time.Duration {
	d := time.Duration(p.p.IntWithFallback(prefSyncEvery, int(app.DefaultSyncEvery/time.Minute))) * time.Minute
	if slices.Contains(syncChoices, d) {
		return d
	}
	return app.DefaultSyncEvery
}

func (p prefs) setSyncEvery(d time.Duration) { p.p.SetInt(prefSyncEvery, int(d/time.Minute)) }

// maxOverdueDays bounds the overdue threshold: 1 to 10 business days.
const maxOverdueDays = 10

// overdueDays is how many business days a new referral may wait before it
// is marked Overdue; a value out of bounds counts as the default.
func (p prefs) overdueDays() int {
	n := p.p.IntWithFallback(prefOverdue, app.DefaultOverdueDays)
	if n < 1 || n > maxOverdueDays {
		return app.DefaultOverdueDays
	}
	return n
}

func (p prefs) setOverdueDays(n int) { p.p.SetInt(prefOverdue, n) }

// notify is whether a desktop notification says that new referrals arrived.
func (p prefs) notify() bool      { return p.p.BoolWithFallback(prefNotify, true) }
func (p prefs) setNotify(on bool) { p.p.SetBool(prefNotify, on) }

// theme is the case worker's theme: light, dark, or the system's (the default).
func (p prefs) theme() string {
	switch t := p.p.String(prefTheme); t {
	case themeLight, themeDark:
		return t
	}
	return themeSystem
}

func (p prefs) setTheme(t string) { p.p.SetString(prefTheme, t) }
