package ui

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/ui/scan"
)

// Screenshots drives the real window through the screens against the
// demo platform and writes a PNG of each into dir, named by scale
// ("100-01-welcome.png"). The window is sized so every PNG is 1366×768
// pixels whatever FYNE_SCALE is. It runs on its own goroutine; it waits for
// background work to finish rather than for fixed times, then gives the
// window a moment to paint.
func (w *Window) Screenshots(dir string) error {
	if w.o.Demo == nil {
		return fmt.Errorf("screenshots need the demo platform")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var scale float32
	fyne.DoAndWait(func() { scale = w.win.Canvas().Scale() })
	fyne.DoAndWait(func() { w.win.Resize(fyne.NewSize(1366/scale, 768/scale)) })
	prefix := fmt.Sprintf("%03.0f-", scale*100)
	n := 0
	shot := func(name string) error {
		w.settle()
		time.Sleep(400 * time.Millisecond) // let the window paint the last change
		return w.capture(dir, prefix, &n, name)
	}
	do := func(f func()) { fyne.DoAndWait(f) }
	ctx := context.Background()
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
		{"connect-waiting", func() { do(c.signIn) }},
		{"inbox", func() {
			w.settle()
			do(func() { w.inbox.list.Select(0) })
		}},
		{"show-qr", func() { do(func() { w.showQR(w.sources[0]) }) }},
	}
	for _, s := range steps {
		s.act()
		if s.name == "connect-waiting" {
			// The sign-in finishes by itself: capture while it waits.
			time.Sleep(500 * time.Millisecond)
			if err := w.capture(dir, prefix, &n, s.name); err != nil {
				return err
			}
			continue
		}
		if err := shot(s.name); err != nil {
			return err
		}
		if s.name == "show-qr" {
			do(func() { w.win.Canvas().Overlays().Top().Hide() })
		}
	}

	all, err := w.a.Inbox(ctx, app.InboxFilter{})
	if err != nil {
		return err
	}
	find := func(ok func(app.Referral) bool) (app.Referral, bool) {
		for _, r := range all {
			if ok(r) {
				return r, true
			}
		}
		return app.Referral{}, false
	}
	open := func(r app.Referral) { do(func() { w.detail.open(r.SourceID, r.TaskID) }) }
	if r, ok := find(func(r app.Referral) bool { return r.DoNotContact }); ok {
		open(r)
		if err := shot("do-not-contact-hidden"); err != nil {
			return err
		}
		do(func() { w.detail.revealed = true; w.detail.render() })
		if err := shot("do-not-contact-revealed"); err != nil {
			return err
		}
	}
	if r, ok := find(func(r app.Referral) bool { return r.Consent == "none" && !r.DoNotContact }); ok {
		open(r)
		if err := shot("no-consent"); err != nil {
			return err
		}
	}
	isNew := func(r app.Referral) bool { return r.Status == "requested" && !r.DoNotContact && r.Consent == "active" }
	if r, ok := find(isNew); ok {
		open(r)
		if err := shot("referral-with-consent"); err != nil {
			return err
		}
		do(func() { w.detail.choose("rejected") })
		do(func() { w.detail.act.choice = reasons["rejected"][0]; w.detail.render() })
		if err := shot("decline-with-reason"); err != nil {
			return err
		}
		do(func() { w.detail.act = acting{}; w.detail.send("rejected", reasons["rejected"][0]) })
		if err := shot("declined"); err != nil {
			return err
		}
	}
	rest := func(r app.Referral) bool { return isNew(r) && r.TaskID != "" }
	all, _ = w.a.Inbox(ctx, app.InboxFilter{Statuses: app.ViewNew})
	if r, ok := find(rest); ok {
		open(r)
		w.settle()
		do(func() { w.detail.act = acting{sending: "accepted"}; w.detail.render() })
		if err := shot("pending"); err != nil {
			return err
		}
		if err := w.o.Demo.NoteAsRequester(r.TaskID, "Please call the clinic before the first visit."); err != nil {
			return err
		}
		do(func() { w.detail.act = acting{}; w.detail.send("accepted", "") })
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
	return shot("sync-states")
}

// settle waits until no background work is in flight (twice in a row, so
// work that starts more work is waited for too).
func (w *Window) settle() {
	for idle := 0; idle < 2; {
		time.Sleep(100 * time.Millisecond)
		if w.busy.Load() == 0 {
			idle++
		} else {
			idle = 0
		}
	}
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
