//go:build screenshots

// The screenshot driver is built only into the binary make screenshots runs
// (-tags screenshots): the release binary does not carry it.

package ui

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/ui/scan"
)

// HeldBrowser is the demo platform's scripted browser, held at the sign-in
// page for the screenshots: the app's request to open the browser waits
// until the waiting screen has been captured and the screenshots release
// it, so the capture does not race the sign-in.
type HeldBrowser struct {
	signIn        func(url string) error
	opened        chan struct{} // closed when the app asks for the browser
	release       chan struct{} // closed to let the sign-in go on
	once, onceRel sync.Once
}

// NewHeldBrowser holds signIn (app.DemoPlatform.ScriptedBrowser) until Release.
func NewHeldBrowser(signIn func(url string) error) *HeldBrowser {
	return &HeldBrowser{signIn: signIn, opened: make(chan struct{}), release: make(chan struct{})}
}

// Open is app.Options.OpenBrowser: it signs in once released.
func (b *HeldBrowser) Open(url string) error {
	b.once.Do(func() { close(b.opened) })
	<-b.release
	return b.signIn(url)
}

// Release lets the sign-in go on (now and for any later one).
func (b *HeldBrowser) Release() { b.onceRel.Do(func() { close(b.release) }) }

// Screenshots drives the real window through the screens against the
// demo platform, signing in through browser, and writes a PNG of each into
// dir, named by scale and what it shows ("100-01-welcome.png"). The window
// is sized so every PNG is 1366×768 pixels whatever FYNE_SCALE is. A
// referral is opened as a click on its row would, so the list highlights
// the referral the detail shows. It runs on its own goroutine and waits for
// background work to finish, not for fixed times, except to let the window
// paint.
func (w *Window) Screenshots(dir string, browser *HeldBrowser) error {
	if w.o.Demo == nil || browser == nil {
		return fmt.Errorf("screenshots need the demo platform and its held browser")
	}
	defer browser.Release() // never leave a sign-in hanging
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var scale float32
	fyne.DoAndWait(func() { scale = w.win.Canvas().Scale() })
	fyne.DoAndWait(func() { w.win.Resize(fyne.NewSize(1366/scale, 768/scale)) })
	prefix := fmt.Sprintf("%03.0f-", scale*100)
	n := 0
	capture := func(name string) error { return w.capture(dir, prefix, &n, name) }
	shot := func(name string) error {
		w.settle()
		w.painted()
		return capture(name)
	}
	do := func(f func()) { fyne.DoAndWait(f) }
	// expect checks, on the UI goroutine, that the window shows what the next
	// screenshot's name says, so a run never writes a misleading picture.
	expect := func(what string, ok func() bool) error {
		var yes bool
		do(func() { yes = ok() })
		if !yes {
			return fmt.Errorf("before %q: the window does not show it", what)
		}
		return nil
	}
	demo := w.o.Demo.FHIRBase()
	c := w.connect
	// A screenshot of the demo link's QR code, read through Open image's real path.
	qr, err := scan.QRPNG(demo, 480)
	if err != nil {
		return err
	}
	qrFile := filepath.Join(os.TempDir(), fmt.Sprintf("referraldesk-demo-qr-%d.png", os.Getpid()))
	if err := os.WriteFile(qrFile, qr, 0o600); err != nil {
		return err
	}
	defer os.Remove(qrFile)

	steps := []struct {
		name string
		act  func()
	}{
		{"welcome", func() {}},
		{"connect-error", func() { do(func() { w.showConnect("http://referrals.example.org/fhir") }) }},
		{"scan-no-camera", func() { do(w.showScan) }}, // Xvfb has no camera
		{"connect-from-image", func() { do(func() { w.openImageFile(qrFile) }) }},
		{"connect-found", func() { do(func() { w.showConnect(demo); c.lookUp() }) }},
	}
	for _, s := range steps {
		s.act()
		if err := shot(s.name); err != nil {
			return err
		}
	}

	// The sign-in waits in the held browser while the waiting screen is
	// captured (background work is running, so no settle here), scrolled so
	// the wait is in view at any scale.
	do(c.signIn)
	select {
	case <-browser.opened:
	case <-time.After(time.Minute):
		return fmt.Errorf("the sign-in never opened the browser")
	}
	w.painted() // laid out, so the wait has its place
	do(func() { scrollInView(c.content.(*container.Scroll), c.waiting, false) })
	if err := expect("connect-waiting", func() bool { return c.waiting.Visible() && c.cancel != nil }); err != nil {
		return err
	}
	w.painted()
	if err := capture("connect-waiting"); err != nil {
		return err
	}
	browser.Release()
	// The inbox opens and the first sync runs on the schedule's goroutine:
	// wait until the platform shows it synced.
	if err := w.waitFor(func() bool { return len(w.sources) > 0 && !w.sources[0].LastSyncAt.IsZero() }); err != nil {
		return fmt.Errorf("the first sync: %w", err)
	}
	w.settle()
	do(func() { w.inbox.list.Select(0) }) // a click on the first row
	if err := shot("inbox"); err != nil {
		return err
	}
	do(func() { w.showQR(w.sources[0]) })
	if err := shot("show-qr"); err != nil {
		return err
	}
	do(func() { w.win.Canvas().Overlays().Top().Hide() })

	// pick finds a referral in a view of the inbox, shown in the list.
	pick := func(view string, ok func(app.Referral) bool) (app.Referral, bool) {
		do(func() { w.inbox.setView(view) })
		w.settle()
		var rows []app.Referral
		do(func() { rows = append(rows, w.inbox.pages[0]...) })
		for _, r := range rows {
			if ok(r) {
				return r, true
			}
		}
		return app.Referral{}, false
	}
	open := func(r app.Referral) {
		do(func() { w.inbox.show(r.SourceID, r.TaskID) })
		w.settle()
	}
	// inView scrolls the open referral to the part the next screenshot is
	// about, once it is laid out; at 100 % it is in view already.
	inView := func(ok func(fyne.CanvasObject) bool) {
		w.settle()
		w.painted()
		do(func() {
			if p := w.detail.part(ok); p != nil {
				scrollInView(w.detail.scroll, p, false)
			}
		})
	}
	titled := func(title string) func(fyne.CanvasObject) bool {
		return func(o fyne.CanvasObject) bool { l, ok := o.(*widget.Label); return ok && l.Text == title }
	}
	reasonForm := func(o fyne.CanvasObject) bool { _, ok := o.(*widget.Card); return ok }
	if r, ok := pick(viewNew, func(r app.Referral) bool { return r.DoNotContact }); ok {
		open(r)
		if err := shot("do-not-contact-hidden"); err != nil {
			return err
		}
		do(func() { w.detail.revealed = true; w.detail.render() })
		inView(titled("Person"))
		if err := shot("do-not-contact-revealed"); err != nil {
			return err
		}
	}
	noConsent := func(r app.Referral) bool { return r.Consent == "none" && !r.DoNotContact }
	r, ok := pick(viewNew, noConsent)
	if !ok {
		r, ok = pick(viewAll, noConsent)
	}
	if ok {
		open(r)
		inView(titled("Consent"))
		if err := shot("no-consent"); err != nil {
			return err
		}
	}
	isNew := func(r app.Referral) bool { return r.Status == "requested" && !r.DoNotContact && r.Consent == "active" }
	if r, ok := pick(viewNew, isNew); ok {
		open(r)
		inView(titled("Consent"))
		if err := shot("referral-with-consent"); err != nil {
			return err
		}
		do(func() { w.detail.choose("rejected") })
		do(func() { w.detail.act.choice = reasons["rejected"][0]; w.detail.render() })
		inView(reasonForm)
		if err := shot("decline-with-reason"); err != nil {
			return err
		}
		do(func() { w.detail.act = acting{}; w.detail.send("rejected", reasons["rejected"][0]) })
		w.settle()
		// A declined referral leaves New: the Closed view shows it, highlighted.
		do(func() { w.inbox.setView(viewClosed); w.detail.scroll.ScrollToTop() })
		if err := expect("declined", func() bool { return w.detail.d != nil && w.detail.d.Status == "rejected" }); err != nil {
			return err
		}
		if err := shot("declined"); err != nil {
			return err
		}
	}
	if r, ok := pick(viewNew, isNew); ok {
		open(r)
		do(func() { w.detail.act = acting{sending: "accepted"}; w.detail.render() })
		if err := shot("pending"); err != nil {
			return err
		}
		if err := w.o.Demo.NoteAsRequester(r.TaskID, "Please call the clinic before the first visit."); err != nil {
			return err
		}
		do(func() { w.detail.act = acting{}; w.detail.send("accepted", "") })
		w.settle()
		conflict := func() bool {
			n := w.detail.act.notice
			return w.detail.task == r.TaskID && n != nil && strings.HasPrefix(n.title, "Not sent: someone changed")
		}
		if err := expect("conflict", conflict); err != nil {
			return err
		}
		if err := shot("conflict"); err != nil {
			return err
		}
	}
	do(func() { w.inbox.search.SetText("no such person") })
	if err := shot("empty-search"); err != nil {
		return err
	}
	do(func() { w.inbox.search.SetText("") })
	do(func() { w.syncs.override = sampleStatuses(w.sources, w.now()); w.syncs.render() })
	return w.syncStateShots(capture)
}

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
	return []app.SourceStatus{
		{Source: named(s.Name), State: app.SyncOK, LastSync: now.Add(-3 * time.Minute)},
		{Source: named("County Health Connect"), State: app.SyncRunning, LastSync: last},
		{Source: named("Riverside Hospital"), State: app.SyncOffline, LastSync: last,
			Say: "The platform could not be reached. Check the internet connection; Referral Desk will try again."},
		{Source: named("Unite Referrals"), State: app.SyncNeedsSignIn, LastSync: last,
			Say: "The platform has ended this sign-in. Sign in again; nothing you had here is lost."},
		{Source: named("Northside Care Network"), State: app.SyncError, LastSync: last,
			Say: "The platform had a problem of its own; Referral Desk will try again."},
		{Source: named("Valley Food Bank Hub"), State: app.SyncNever},
	}
}
