//go:build screenshots

package ui

// What the screenshot driver (screenshots.go) needs of the window: finding
// and scrolling to a part of it, waiting for work and paint, and capturing.

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// syncStateShots captures every sync state of the sample: the sidebar
// holds only some at a time, so it is scrolled from one shot to the next,
// and each shot is named by the states it shows ("sync-synced-syncing-offline").
func (w *Window) syncStateShots(capture func(name string) error) error {
	w.settle()
	w.painted()
	var side *container.Scroll
	fyne.DoAndWait(func() { side = scrollHolding(w.main, w.syncs.box) })
	if side == nil {
		return fmt.Errorf("sync-states: no scrolling sidebar holds the platforms")
	}
	for top := -1; ; {
		var names []string
		next := -1 // the first platform below the visible part
		fyne.DoAndWait(func() {
			from, to := side.Offset.Y, side.Offset.Y+side.Size().Height
			for i, o := range w.syncs.box.Objects {
				y := offsetIn(side, o)
				switch {
				case y >= from-1 && y+o.Size().Height <= to+1:
					names = append(names, stateWords[w.syncs.override[i].State])
				case y+o.Size().Height > to+1 && next < 0:
					next = i
				}
			}
		})
		if len(names) == 0 {
			return fmt.Errorf("sync-states: the sidebar shows no whole platform")
		}
		if err := capture("sync-" + strings.Join(names, "-")); err != nil {
			return err
		}
		if next < 0 {
			return nil
		}
		if next == top {
			return fmt.Errorf("sync-states: a platform is taller than the sidebar")
		}
		top = next
		fyne.DoAndWait(func() { scrollInView(side, w.syncs.box.Objects[top], true) })
		w.painted()
	}
}

// stateWords name the sync states in the screenshots' file names.
var stateWords = map[app.SyncState]string{
	app.SyncNever: "never-synced", app.SyncOK: "synced", app.SyncRunning: "syncing",
	app.SyncOffline: "offline", app.SyncNeedsSignIn: "needs-sign-in", app.SyncError: "failed",
}

// part is the part of the open referral (its header, an action, a section)
// that holds an object ok accepts.
func (v *referralView) part(ok func(fyne.CanvasObject) bool) fyne.CanvasObject {
	for _, o := range v.box.Objects {
		if holds(o, ok) {
			return o
		}
	}
	return nil
}

// scrollHolding finds the scroll container around inner, walking containers from o.
func scrollHolding(o, inner fyne.CanvasObject) *container.Scroll {
	if s, ok := o.(*container.Scroll); ok && holds(s.Content, func(c fyne.CanvasObject) bool { return c == inner }) {
		return s
	}
	if c, ok := o.(*fyne.Container); ok {
		for _, child := range c.Objects {
			if s := scrollHolding(child, inner); s != nil {
				return s
			}
		}
	}
	return nil
}

// holds reports whether o, or an object inside it (through containers and
// cards), is one that ok accepts.
func holds(o fyne.CanvasObject, ok func(fyne.CanvasObject) bool) bool {
	if ok(o) {
		return true
	}
	var inside []fyne.CanvasObject
	switch c := o.(type) {
	case *fyne.Container:
		inside = c.Objects
	case *widget.Card:
		inside = []fyne.CanvasObject{c.Content}
	}
	for _, child := range inside {
		if child != nil && holds(child, ok) {
			return true
		}
	}
	return false
}

// offsetIn is how far down the content of s the object o starts.
func offsetIn(s *container.Scroll, o fyne.CanvasObject) float32 {
	d := fyne.CurrentApp().Driver()
	return d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(s.Content).Y
}

// scrollInView scrolls s to show o: at the top, or else with its bottom at
// the bottom (its top stays in view when it is taller than s).
func scrollInView(s *container.Scroll, o fyne.CanvasObject, atTop bool) {
	y := offsetIn(s, o)
	off := y
	if !atTop {
		off = min(y, y+o.Size().Height-s.Size().Height+theme.Padding())
	}
	s.ScrollToOffset(fyne.NewPos(s.Offset.X, max(0, off)))
}

// waitFor waits until ok, asked on the UI goroutine, holds (at most a minute).
func (w *Window) waitFor(ok func() bool) error {
	deadline := time.Now().Add(time.Minute)
	for {
		var yes bool
		fyne.DoAndWait(func() { yes = ok() })
		if yes {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gave up after a minute")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// settle waits until no background work is in flight and the UI updates it
// queued have run. Work ends by queuing its update (fyne.Do) and only then
// leaves the busy count; fyne.Do's queue runs in order, so once a later
// DoAndWait returns, those updates have run, and any work they started is
// counted in busy.
func (w *Window) settle() {
	for {
		for w.busy.Load() != 0 {
			time.Sleep(20 * time.Millisecond)
		}
		fyne.DoAndWait(func() {})
		if w.busy.Load() == 0 {
			return
		}
	}
}

// painted gives the window time to lay out and paint what the UI goroutine
// has done: Fyne does both on its next frames (60 a second) and says
// nothing when they have happened, and the capture reads the X server.
func (w *Window) painted() {
	fyne.DoAndWait(func() {})
	time.Sleep(400 * time.Millisecond)
}

// capture writes the window as it is on screen. Canvas.Capture reads the GL
// front buffer, which Mesa's software renderer under Xvfb leaves black; then
// ImageMagick's import grabs the window from the X server instead.
func (w *Window) capture(dir, prefix string, n *int, name string) error {
	*n++
	path := filepath.Join(dir, fmt.Sprintf("%s%02d-%s.png", prefix, *n, name))
	var img image.Image
	fyne.DoAndWait(func() { img = w.win.Canvas().Capture() })
	if img != nil && !blank(img) {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return png.Encode(f, img)
	}
	out, err := exec.Command("import", "-window", w.win.Title(), path).CombinedOutput()
	if err != nil {
		return fmt.Errorf("import: %v: %s", err, out)
	}
	return nil
}

// blank reports an image of one colour (a capture that read nothing).
func blank(img image.Image) bool {
	b := img.Bounds()
	first := img.At(b.Min.X, b.Min.Y)
	r0, g0, b0, _ := first.RGBA()
	for y := b.Min.Y; y < b.Max.Y; y += 13 {
		for x := b.Min.X; x < b.Max.X; x += 13 {
			r, g, bb, _ := img.At(x, y).RGBA()
			if r != r0 || g != g0 || bb != b0 {
				return false
			}
		}
	}
	return true
}

// sampleStatuses shows every sync state at once, for the screenshot: the
// first connected platform's real status, then the same platform in each
// other state.
func sampleStatuses(srcs []app.Source, now time.Time) []app.SourceStatus {
	if len(srcs) == 0 {
		return nil
	}
	s := srcs[0]
	named := func(name string) app.Source { c := s; c.Name = name; return c }
	last := now.Add(-40 * time.Minute)
	// In the sidebar's order: the ones needing attention first (attentionRank).
	return []app.SourceStatus{
		{Source: named("Unite Referrals"), State: app.SyncNeedsSignIn, LastSync: last,
			Say: "The platform has ended this sign-in. Sign in again; nothing you had here is lost."},
		{Source: named("Northside Care Network"), State: app.SyncError, LastSync: last,
			Say: "The platform had a problem of its own; Referral Desk will try again."},
		{Source: named("Riverside Hospital"), State: app.SyncOffline, LastSync: last,
			Say: "The platform could not be reached. Check the internet connection; Referral Desk will try again."},
		{Source: named("County Health Connect"), State: app.SyncRunning, LastSync: last},
		{Source: named(s.Name), State: app.SyncOK, LastSync: now.Add(-3 * time.Minute)},
		{Source: named("Valley Food Bank Hub"), State: app.SyncNever},
	}
}
