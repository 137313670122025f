package ui

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/app/apptest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// newHarnessWith is newHarness with the app's browser and HTTP client
// given: a computer where no browser opens, or no server name is known.
func newHarnessWith(t *testing.T, browser func(string) error, hc *http.Client) *harness {
	t.Helper()
	dir := protectedFolder(t) // first: it makes protected.key
	kr := &testKeyring{key: protected.key}
	h := &harness{t: t, ctx: context.Background(), fa: test.NewTempApp(t), keyring: kr}
	h.server = fhirtest.New(t, fhirtest.Options{Referrals: 3, Now: clock})
	a, err := app.Open(dir, app.Options{OpenBrowser: browser, HTTP: hc, Now: clock, SignInWait: 30 * time.Second, Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(time.Second) })
	h.app = a
	if ok, err := a.UnlockFromKeyring(h.ctx); !ok || err != nil {
		t.Fatalf("the keyring's key did not unlock the copy of the protected folder (%v)", err)
	}
	return h
}

// oneTimeValues are the parts of a sign-in address that differ each run.
var oneTimeValues = regexp.MustCompile(`((?:client_id|code_challenge|state)=)([^&]+)`)

// sameEachRun masks address's one-time values with as many x's, so it
// wraps where the real one does.
func sameEachRun(address string) string {
	return oneTimeValues.ReplaceAllStringFunc(address, func(kv string) string {
		k, v, _ := strings.Cut(kv, "=")
		return k + "=" + strings.Repeat("x", len(v))
	})
}

// at150 sizes the window as a 1366×768 screen at 150 % shows it.
func at150(w *Window) { w.win.Resize(fyne.NewSize(1366/1.5, 768/1.5)) }

// inView fails unless each object lies wholly inside the window, so it is
// seen without scrolling.
func inView(t *testing.T, h *harness, what map[string]fyne.CanvasObject) {
	t.Helper()
	canvas := h.w.win.Canvas().Size()
	for name, o := range what {
		pos := h.fa.Driver().AbsolutePositionForObject(o)
		if !o.Visible() || o.Size().Height == 0 || pos.Y < 0 || pos.Y+o.Size().Height > canvas.Height || pos.X+o.Size().Width > canvas.Width {
			t.Errorf("%s is at %v, %v in a %v window: not all in view without scrolling", name, pos, o.Size(), canvas)
		}
	}
}

// When no browser opens, the wait shows the sign-in address, selectable,
// with Copy (the window's clipboard), and keeps waiting: the case worker
// signs in at the copied address and the platform is connected. At 150 %
// in a 1366×768 window, the wait's words, the address and Cancel are in
// view without scrolling.
func TestConnectGivesTheAddressToCopyWhenNoBrowserOpens(t *testing.T) {
	h := newHarnessWith(t, func(string) error { return errors.New("xdg-open: no method available") }, nil)
	w := h.open(nil)
	at150(w)
	w.showConnect(h.server.FHIRBase())
	test.Tap(w.connect.check)
	h.settle()
	heard := make(chan struct{}, 1)
	w.o.Dispatch = func(f func()) {
		h.dispatch(f)
		select {
		case heard <- struct{}{}:
		default: // heard already
		}
	}

	test.Tap(w.connect.cont)
	jobs := h.work // the sign-in: run apart, as it waits for the browser while the test looks at the window
	h.work = nil
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, f := range jobs {
			f()
		}
	}()
	<-heard // the browser did not open
	h.runUI(-1)
	c := w.connect
	if w.content() != c.waitScreen || c.address == nil || !c.address.Selectable || c.cancel == nil {
		t.Fatal("the wait does not show the sign-in address, selectable, while the sign-in goes on")
	}
	test.Tap(c.copyAddress)
	address := h.fa.Clipboard().Content()
	if address != c.address.Text || address == "" {
		t.Fatalf("Copy address put %q on the clipboard; want the address shown, %q", address, c.address.Text)
	}
	c.address.SetText(sameEachRun(address)) // for the golden only: the layout is the real address's
	m := h.markup()
	c.address.SetText(address)
	mustContain(t, m, "Your web browser did not open by itself.", "Copy address", "Copied.", "Cancel")
	assertGolden(t, "connect-no-browser", m)
	inView(t, h, map[string]fyne.CanvasObject{"the address": c.address, "Copy address": c.copyAddress, "Cancel": c.cancelButton})
	if s := c.waitScreen.(*container.Scroll); s.Content.MinSize().Height > s.Size().Height {
		t.Errorf("the wait is %v high in a %v window: it needs scrolling at 150 %%", s.Content.MinSize().Height, s.Size().Height)
	}

	if err := h.server.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)(address); err != nil {
		t.Fatalf("signing in at the copied address: %v", err)
	}
	<-done
	h.settle()
	if srcs, _ := h.app.Sources(h.ctx); len(srcs) != 1 || w.content() != w.main {
		t.Fatalf("after signing in at the copied address: %d platforms, inbox shown %v; want it connected", len(srcs), w.content() == w.main)
	}
}

// The wait of an ordinary sign-in is in view at 150 % too.
func TestConnectWaitIsInViewAt150(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	w := h.open(nil)
	at150(w)
	w.showConnect(h.server.FHIRBase())
	test.Tap(w.connect.check)
	h.settle()
	test.Tap(w.connect.cont)
	c := w.connect
	inView(t, h, map[string]fyne.CanvasObject{"the wait": c.waiting.Objects[0], "Cancel": c.cancelButton})
	w.connect.cancel()
	h.settle()
}

// An unknown server is said in the app's one sentence, whether the link was
// typed or pasted, or read from a QR code, when Check link looks it up.
func TestConnectSaysAnUnknownServerInTheAppsWords(t *testing.T) {
	h := newHarnessWith(t, func(string) error { t.Error("a browser was opened for an unknown server"); return nil },
		apptest.NoSuchHost())
	w := h.open(nil)
	const link = "https://referals.example.org/fhir"
	_, err := app.New(app.Options{HTTP: apptest.NoSuchHost()}).Discover(h.ctx, link)
	want := app.Explain(err)
	for via, show := range map[string]func(){
		"typed":     func() { w.showConnect(link) },
		"a QR code": func() { w.useScanned(link, "a QR code in a picture") },
	} {
		show()
		test.Tap(w.connect.check)
		h.settle()
		if got := w.connect.problem.Text; got != want || !w.connect.problem.Visible() {
			t.Errorf("a link %s to an unknown server: the screen says %q; want the app's %q", via, got, want)
		}
	}
}
