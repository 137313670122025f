//go:build screenshots

// The screenshot driver is built only into the binary make screenshots runs
// (-tags screenshots): the release binary does not carry it.

package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
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
	if w.o.DemoPassphrase == "" {
		return fmt.Errorf("screenshots need the demo's data folder, protected with the demo passphrase")
	}
	var scale float32
	fyne.DoAndWait(func() { scale = w.win.Canvas().Scale() })
	fyne.DoAndWait(func() { w.win.Resize(fyne.NewSize(1366/scale, 768/scale)) })
	// The run may outlast the idle lock; the unlock screens are taken on purpose, last.
	fyne.DoAndWait(func() { w.setLockIdle(0) })
	s := &shooter{w: w, dir: dir, prefix: fmt.Sprintf("%03.0f-", scale*100)}
	for _, step := range []func() error{
		s.protectScreens,
		s.connectScreens,
		s.connectNoBrowserScreen,
		func() error { return s.signIn(browser) },
		s.inboxScreens,
		s.referralScreens,
		s.actionScreens,
		s.closeLoopScreens,
		s.searchScreen,
		s.searchPeopleScreens,
		s.settingsScreens,
		s.removeScreens,
	} {
		if err := step(); err != nil {
			return err
		}
	}
	fyne.DoAndWait(func() {
		w.syncs.override = sampleStatuses(w.sources, w.now())
		// The platform shown syncing, a long first sync part way.
		w.progress.latest[w.sources[0].ID] = app.SyncProgress{Source: w.sources[0].ID, Stored: 31200, Total: 80000}
		w.syncs.render()
	})
	if err := w.syncStateShots(s.capture); err != nil {
		return err
	}
	return s.unlockScreens()
}

// shooter is one run of the screenshots: the window and where the PNGs go,
// numbered in the order taken.
type shooter struct {
	w           *Window
	dir, prefix string
	n           int
}

func (s *shooter) do(f func()) { fyne.DoAndWait(f) }

func (s *shooter) capture(name string) error { return s.w.capture(s.dir, s.prefix, &s.n, name) }

// shot captures the window once background work and painting are done.
func (s *shooter) shot(name string) error {
	s.w.settle()
	s.w.painted()
	return s.capture(name)
}

// expect checks, on the UI goroutine, that the window shows what the next
// screenshot's name says, so a run never writes a misleading picture.
func (s *shooter) expect(what string, ok func() bool) error {
	var yes bool
	s.do(func() { yes = ok() })
	if !yes {
		return fmt.Errorf("before %q: the window does not show it", what)
	}
	return nil
}

// protectScreens: the first run's protect screen, with a passphrase typed,
// and a recovery key (a new one for the demo's folder, which main protected
// already); Continue then opens the welcome, as after a first run.
func (s *shooter) protectScreens() error {
	w := s.w
	w.settle()
	s.do(func() {
		w.showProtect()
		p := w.protect.pass
		p.first.SetText("river lamp orange quietly")
		p.again.SetText("river lamp orange quietly")
	})
	if err := s.shot("protect"); err != nil {
		return err
	}
	key, err := w.a.NewRecoveryKey(context.Background(), w.o.DemoPassphrase)
	if err != nil {
		return fmt.Errorf("a recovery key for the screenshot: %s", app.Explain(err))
	}
	s.do(func() { w.showRecoveryKey(key, w.opened) })
	if err := s.shot("recovery-key"); err != nil {
		return err
	}
	s.do(func() { w.recovery.saved.SetChecked(true); w.recovery.cont.OnTapped() })
	w.settle()
	return s.expect("welcome", func() bool { return w.access == accessOpen && len(w.sources) == 0 })
}

// unlockScreens: the window locked (Ctrl+L), a wrong passphrase, Forgot
// your passphrase?, then unlocked with the demo's passphrase.
func (s *shooter) unlockScreens() error {
	w := s.w
	s.do(w.lock)
	if err := s.expect("unlock", func() bool { return w.access == accessLocked && w.unlock != nil }); err != nil {
		return err
	}
	if err := s.shot("unlock"); err != nil {
		return err
	}
	s.do(func() { w.unlock.secret.SetText("not the passphrase"); w.unlock.submit() })
	w.settle()
	if err := s.expect("unlock-wrong-passphrase", func() bool { return w.unlock != nil && w.unlock.problem.Visible() }); err != nil {
		return err
	}
	if err := s.shot("unlock-wrong-passphrase"); err != nil {
		return err
	}
	s.do(func() { w.showUnlock(); w.unlock.showForgot() })
	if err := s.shot("unlock-forgot"); err != nil {
		return err
	}
	s.do(func() { w.showUnlock(); w.unlock.secret.SetText(w.o.DemoPassphrase); w.unlock.submit() })
	w.settle()
	return s.expect("unlocked", func() bool { return w.access == accessOpen && w.content() == w.main })
}

// connectScreens: the welcome, a refused link, the scanner without a
// camera, a link read from a QR picture and the demo platform found.
func (s *shooter) connectScreens() error {
	w, c := s.w, s.w.connect
	demo := w.o.Demo.FHIRBase()
	// The demo link's QR code, read through Open image's real path.
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
		{"connect-error", func() { w.showConnect("http://referrals.example.org/fhir") }},
		{"scan-no-camera", w.showScan}, // Xvfb has no camera
		{"connect-from-image", func() { w.openImageFile(qrFile) }},
		{"connect-found", func() { w.showConnect(demo); c.lookUp() }},
	}
	for _, step := range steps {
		s.do(step.act)
		if err := s.shot(step.name); err != nil {
			return err
		}
	}
	return nil
}

// signIn captures the waiting screen while the sign-in waits in the held
// browser (background work is running, so no settle), scrolled so the wait
// is in view at any scale; then lets it go on and waits for the first sync.
func (s *shooter) signIn(browser *HeldBrowser) error {
	w, c := s.w, s.w.connect
	s.do(c.signIn)
	select {
	case <-browser.opened:
	case <-time.After(time.Minute):
		return fmt.Errorf("the sign-in never opened the browser")
	}
	w.painted() // laid out, so the wait has its place
	s.do(func() { scrollInView(c.waitScreen.(*container.Scroll), c.waiting, false) })
	if err := s.expect("connect-waiting", func() bool { return c.waiting.Visible() && c.cancel != nil }); err != nil {
		return err
	}
	w.painted()
	if err := s.capture("connect-waiting"); err != nil {
		return err
	}
	browser.Release()
	// The inbox opens and the first sync runs on the schedule's goroutine.
	if err := w.waitFor(func() bool { return len(w.sources) > 0 && !w.sources[0].LastSyncAt.IsZero() }); err != nil {
		return fmt.Errorf("the first sync: %w", err)
	}
	return nil
}

// inboxScreens: the inbox with the day's summary, then with its first row
// open, and the platform's QR code.
func (s *shooter) inboxScreens() error {
	w := s.w
	w.settle()
	if err := s.shot("summary"); err != nil { // nothing opened yet: the day's summary
		return err
	}
	s.do(func() { w.inbox.list.Select(0) }) // a click on the first row
	if err := s.shot("inbox"); err != nil {
		return err
	}
	s.do(func() { w.showQR(w.sources[0]) })
	if err := s.shot("show-qr"); err != nil {
		return err
	}
	s.do(func() { w.win.Canvas().Overlays().Top().Hide() })
	return nil
}

// pick finds a referral in a view of the inbox, shown in the list.
func (s *shooter) pick(view string, ok func(app.Referral) bool) (app.Referral, bool) {
	s.do(func() { s.w.inbox.setView(view) })
	s.w.settle()
	var rows []app.Referral
	s.do(func() { rows = append(rows, s.w.inbox.pages[0]...) })
	for _, r := range rows {
		if ok(r) {
			return r, true
		}
	}
	return app.Referral{}, false
}

// open opens a referral as a click on its row would.
func (s *shooter) open(r app.Referral) {
	s.do(func() { s.w.inbox.show(r.SourceID, r.TaskID) })
	s.w.settle()
}

// inView scrolls the open referral to the part the next screenshot is
// about, once it is laid out; at 100 % it is in view already.
func (s *shooter) inView(ok func(fyne.CanvasObject) bool) {
	s.w.settle()
	s.w.painted()
	s.do(func() {
		if p := s.w.detail.part(ok); p != nil {
			scrollInView(s.w.detail.scroll, p, false)
		}
	})
}

func titled(title string) func(fyne.CanvasObject) bool {
	return func(o fyne.CanvasObject) bool { l, ok := o.(*widget.Label); return ok && l.Text == title }
}

// referralScreens: do-not-contact hidden and revealed, and no consent.
func (s *shooter) referralScreens() error {
	w := s.w
	if r, ok := s.pick(viewNew, func(r app.Referral) bool { return r.DoNotContact }); ok {
		s.open(r)
		if err := s.shot("do-not-contact-hidden"); err != nil {
			return err
		}
		s.do(func() { w.detail.revealed = true; w.detail.render() })
		s.inView(titled("Person"))
		if err := s.shot("do-not-contact-revealed"); err != nil {
			return err
		}
	}
	noConsent := func(r app.Referral) bool { return r.Consent == "none" && !r.DoNotContact }
	r, ok := s.pick(viewNew, noConsent)
	if !ok {
		r, ok = s.pick(viewAll, noConsent)
	}
	if !ok {
		return nil
	}
	s.open(r)
	s.inView(titled("Consent"))
	return s.shot("no-consent")
}

func isNewWithConsent(r app.Referral) bool {
	return r.Status == "requested" && !r.DoNotContact && r.Consent == "active"
}

// actionScreens: a referral with consent, declined with a reason; another
// accepted while the requester changes it first (a conflict).
func (s *shooter) actionScreens() error {
	w := s.w
	if r, ok := s.pick(viewNew, isNewWithConsent); ok {
		s.open(r)
		s.inView(titled("Consent"))
		if err := s.shot("referral-with-consent"); err != nil {
			return err
		}
		s.do(func() { w.detail.choose("rejected") })
		s.do(func() { w.detail.act.choice = reasons["rejected"][0]; w.detail.render() })
		s.inView(func(o fyne.CanvasObject) bool { _, ok := o.(*widget.Card); return ok }) // the reason form
		if err := s.shot("decline-with-reason"); err != nil {
			return err
		}
		s.do(func() { w.detail.sendReasoned("rejected") }) // at capacity, as the form says
		w.settle()
		// A declined referral leaves New: the Closed view shows it, highlighted.
		s.do(func() { w.inbox.setView(viewClosed); w.detail.scroll.ScrollToTop() })
		if err := s.expect("declined", func() bool { return w.detail.d != nil && w.detail.d.Status == "rejected" }); err != nil {
			return err
		}
		if err := s.shot("declined"); err != nil {
			return err
		}
	}
	r, ok := s.pick(viewNew, isNewWithConsent)
	if !ok {
		return nil
	}
	s.open(r)
	s.do(func() { w.detail.act = acting{sending: "accepted"}; w.detail.render() })
	if err := s.shot("pending"); err != nil {
		return err
	}
	if err := w.o.Demo.CancelAsRequester(r.TaskID, "The person moved out of the area."); err != nil {
		return err
	}
	s.do(func() { w.detail.act = acting{}; w.detail.send("accepted", "") })
	w.settle()
	conflict := func() bool {
		n := w.detail.act.notice
		return w.detail.task == r.TaskID && n != nil && strings.HasPrefix(n.title, "Not sent: someone changed")
	}
	if err := s.expect("conflict", conflict); err != nil {
		return err
	}
	return s.shot("conflict")
}

// searchScreen: a search that finds nobody.
func (s *shooter) searchScreen() error {
	s.do(func() { s.w.inbox.search.SetText("no such person") })
	if err := s.shot("empty-search"); err != nil {
		return err
	}
	s.do(func() { s.w.inbox.search.SetText("") })
	return nil
}

// closeLoopScreens (IG 3.0.0): a referral with what the requester sent with
// it; the completion dialog and the outcomes sent; capacity set, and the New
// view at no capacity.
func (s *shooter) closeLoopScreens() error {
	w := s.w
	var withContent, toComplete app.Referral
	s.do(func() { w.inbox.setView(viewNew) })
	w.settle()
	var rows []app.Referral
	s.do(func() { rows = append(rows, w.inbox.pages[0]...) })
	for _, r := range rows {
		if r.DoNotContact || r.Status != "requested" {
			continue
		}
		s.open(r)
		var rich bool
		s.do(func() { rich = w.detail.d != nil && len(w.detail.d.SentWith) > 0 })
		switch {
		case rich && withContent.TaskID == "":
			withContent = r
		case !rich && toComplete.TaskID == "":
			toComplete = r
		}
	}
	if withContent.TaskID != "" {
		s.open(withContent)
		s.inView(titled("Sent with the referral"))
		if err := s.shot("referral-sent-with"); err != nil {
			return err
		}
		if toComplete.TaskID == "" {
			toComplete = withContent
		}
	}
	if toComplete.TaskID == "" {
		return fmt.Errorf("complete-dialog: no new referral to complete")
	}
	s.open(toComplete)
	for _, to := range []string{"accepted", "in-progress"} {
		s.do(func() { w.detail.send(to, "") })
		w.settle()
	}
	s.do(func() { w.detail.scroll.ScrollToTop(); w.detail.openComplete() })
	s.do(func() {
		c := w.detail.completing
		if len(c.services) > 1 {
			c.ticked[c.services[1].Code] = true
			c.showChecks()
		}
		c.enroll.SetSelected(app.Enrollments["enrolled"])
	})
	if err := s.shot("complete-dialog"); err != nil {
		return err
	}
	s.do(func() { w.detail.completing.confirm() })
	if err := s.shot("complete-confirm"); err != nil {
		return err
	}
	s.do(func() { w.detail.completing.send() })
	w.settle()
	// The next sync brings the Procedures posted, which name the services.
	if _, err := w.a.Sync(context.Background(), toComplete.SourceID); err != nil {
		return fmt.Errorf("referral-with-outcomes: %s", app.Explain(err))
	}
	s.do(func() { w.inbox.setView(viewClosed); w.inbox.show(toComplete.SourceID, toComplete.TaskID) })
	s.inView(titled("Outcomes sent"))
	if err := s.expect("referral-with-outcomes", func() bool { return w.detail.d != nil && len(w.detail.d.OutcomesSent) > 0 }); err != nil {
		return err
	}
	if err := s.shot("referral-with-outcomes"); err != nil {
		return err
	}
	src := w.sources[0]
	s.do(func() {
		w.setCapacity(src)
		c := w.syncs.capacity
		c.choice.SetSelected(capacityLabel(app.CapacityFull))
		c.note.SetText("Our pantry is full until 1 December.")
	})
	if err := s.shot("capacity-dialog"); err != nil {
		return err
	}
	s.do(func() { w.saveCapacity(src, w.syncs.capacity) })
	w.settle()
	if err := s.expect("capacity-saved", func() bool { return w.syncs.capacity.said != "" }); err != nil {
		return err
	}
	if err := s.shot("capacity-saved"); err != nil {
		return err
	}
	s.do(func() { w.win.Canvas().Overlays().Top().Hide(); w.inbox.setView(viewNew) })
	w.settle()
	if err := s.expect("capacity-new-view", func() bool { return len(w.inbox.capacityBar.Objects) > 0 }); err != nil {
		return err
	}
	return s.shot("capacity-new-view")
}
