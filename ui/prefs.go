package ui

import (
	"time"

	"fyne.io/fyne/v2"
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
