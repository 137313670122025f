package ui

import (
	"context"
	"flag"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// today moves the fixed clock to another day (YYYY-MM-DD), to show that no
// golden depends on the date: make test runs the goldens again at days whose
// digits and month names are wider or narrower than the default's.
var today = flag.String("today", "", "run at this date (a Monday, YYYY-MM-DD) instead of 2 November 2026")

// now is the fixed clock of every test (a Monday afternoon by default), shared
// by the platform, the store and the app so times and ages never move.
var now = time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

func TestMain(m *testing.M) {
	flag.Parse()
	if *today != "" {
		d, err := time.Parse(time.DateOnly, *today)
		if err != nil {
			fmt.Fprintf(os.Stderr, "-today %q: want YYYY-MM-DD: %v\n", *today, err)
			os.Exit(2)
		}
		if d.Weekday() != now.Weekday() {
			// Weekday names ("Tue") and business days (Overdue) follow the
			// weekday, so only a day with the default's weekday keeps them.
			fmt.Fprintf(os.Stderr, "-today %s is a %s: choose a %s\n", *today, d.Weekday(), now.Weekday())
			os.Exit(2)
		}
		now = d.Add(15 * time.Hour)
	}
	os.Exit(m.Run())
}

// harness is one referral platform, one Referral Desk over a real SQLite file,
// and its window on Fyne's test driver. Background work and UI updates are
// queued and run on the test goroutine by settle, in order: no goroutines,
// no sleeps, and widgets are only ever touched here.
type harness struct {
	t      *testing.T
	ctx    context.Context
	fa     fyne.App
	server *fhirtest.Server
	app    *app.App
	w      *Window
	work   []func()
	mu     sync.Mutex // guards ui: a camera's capture goroutine queues preview frames
	ui     []func()
	source app.Source
}

func newHarness(t *testing.T, opts fhirtest.Options) *harness {
	t.Helper()
	h := &harness{t: t, ctx: context.Background(), fa: test.NewTempApp(t)}
	opts.Now = clock
	h.server = fhirtest.New(t, opts)
	a, err := app.Open(t.TempDir(), app.Options{OpenBrowser: h.server.Browser(fhirtest.DemoUser, fhirtest.DemoPassword),
		Now: clock, SignInWait: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(time.Second) })
	h.app = a
	return h
}

// connect connects and syncs the platform without the window, as a returning user's data.
func (h *harness) connect() {
	h.t.Helper()
	src, err := h.app.Connect(h.ctx, app.ConnectOptions{Link: h.server.FHIRBase(), Name: fhirtest.PlatformName})
	if err != nil {
		h.t.Fatalf("connect: %s", app.Explain(err))
	}
	h.source = src
}

func (h *harness) sync() {
	h.t.Helper()
	if _, err := h.app.Sync(h.ctx, h.source.ID); err != nil {
		h.t.Fatalf("sync: %s", app.Explain(err))
	}
}

// open builds the window (1280×720) and lets it load.
func (h *harness) open(demo *app.DemoPlatform) *Window {
	h.t.Helper()
	h.w = New(h.fa, Options{App: h.app, Demo: demo, Now: clock, SyncEvery: -1,
		Dispatch:  h.dispatch,
		Go:        func(f func()) { h.work = append(h.work, f) },
		Cameras:   noCameras{},
		Clipboard: &fakeClipboard{}})
	h.t.Cleanup(h.w.cancel)
	h.w.win.Resize(fyne.NewSize(1280, 720))
	h.settle()
	return h.w
}

func (h *harness) dispatch(f func()) {
	h.mu.Lock()
	h.ui = append(h.ui, f)
	h.mu.Unlock()
}

// settle runs queued work and UI updates until nothing is left.
func (h *harness) settle() {
	for len(h.work)+h.queued() > 0 {
		h.runWork()
		h.runUI(-1)
	}
}

func (h *harness) queued() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.ui)
}

func (h *harness) runWork() {
	for len(h.work) > 0 {
		f := h.work[0]
		h.work = h.work[1:]
		f()
	}
}

// runUI applies up to n queued UI updates (all when n < 0).
func (h *harness) runUI(n int) {
	for n != 0 {
		h.mu.Lock()
		if len(h.ui) == 0 {
			h.mu.Unlock()
			return
		}
		f := h.ui[0]
		h.ui = h.ui[1:]
		h.mu.Unlock()
		f()
		n--
	}
}

// addReferral makes a referral arrive on the platform for the demo organization.
func (h *harness) addReferral(spec referralgen.Spec) string {
	if spec.Status == "" {
		spec.Status = "requested"
	}
	if spec.Owner == "" {
		spec.Owner = referralgen.OwnerOrganization
	}
	return h.server.AddReferral(spec)
}

// openReferral shows a referral in the window.
func (h *harness) openReferral(taskID string) {
	h.t.Helper()
	h.w.detail.open(h.source.ID, taskID)
	h.settle()
	if h.w.detail.d == nil {
		h.t.Fatalf("referral %s did not load: %v", taskID, h.w.detail.err)
	}
}

func (h *harness) markup() string { return test.RenderToMarkup(h.w.win.Canvas()) }

var (
	origin  = regexp.MustCompile(`127\.0\.0\.1(:|\s\(port\s|%3A)\d+`)
	moments = regexp.MustCompile(`\b\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}\b`)
)

// normalize replaces what differs between runs and is not the screen's
// business: the platform's port and the real times the outbox stamps.
func normalize(s string) string {
	s = origin.ReplaceAllString(s, "127.0.0.1${1}PORT")
	return moments.ReplaceAllString(s, "D MON YYYY HH:MM")
}

// assertGolden compares markup with testdata/NAME.xml (like
// test.AssertRendersToMarkup, after normalize); -update rewrites it, a
// mismatch writes testdata/failed/NAME.xml.
func assertGolden(t *testing.T, name, markup string) {
	t.Helper()
	got := normalize(markup)
	path := filepath.Join("testdata", name+".xml")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err == nil && sameScreen(string(want), got) {
		return
	}
	failed := filepath.Join("testdata", "failed", name+".xml")
	os.MkdirAll(filepath.Dir(failed), 0o755)
	os.WriteFile(failed, []byte(got), 0o644)
	if err != nil {
		t.Errorf("no golden %s (%v); wrote %s: run go test -update after checking it", path, err, failed)
		return
	}
	t.Errorf("%s differs from %s; diff them", failed, path)
}

// dates are the calendar dates a screen shows: "2 Nov", "2 Nov 2026",
// "2 Nov 2026 15:00" and FHIR's "2026-11-02".
var dates = regexp.MustCompile(`\b(\d{1,2} [A-Z][a-z]{2}( \d{4})?( \d{2}:\d{2})?|\d{4}-\d{2}-\d{2})\b`)

// sameScreen compares a screen with its golden. At the golden's own date
// (the default clock) the markup must match exactly. At another date (-today)
// the dates on screen are other dates of other widths, which moves the layout
// around them, so what must match is what a person reads there, with each
// date masked: every name, age, relative time ("yesterday", "3 h ago"), mark
// and count, in the same order.
func sameScreen(golden, got string) bool {
	if *today == "" {
		return golden == got
	}
	mask := func(markup string) string { return dates.ReplaceAllString(visible(markup), "DATE") }
	return mask(golden) == mask(got)
}

var textNode = regexp.MustCompile(`<text[^>]*>([^<]*)</text>`)

// visible is the text a person sees in markup, wrapped lines joined by spaces.
func visible(markup string) string {
	var parts []string
	for _, m := range textNode.FindAllStringSubmatch(markup, -1) {
		parts = append(parts, html.UnescapeString(m[1]))
	}
	return strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
}

func mustContain(t *testing.T, markup string, want ...string) {
	t.Helper()
	seen := visible(markup)
	for _, w := range want {
		if !strings.Contains(seen, strings.Join(strings.Fields(w), " ")) {
			t.Errorf("the screen does not show %q", w)
		}
	}
}

func mustNotContain(t *testing.T, markup string, bad ...string) {
	t.Helper()
	seen := visible(markup)
	for _, b := range bad {
		if b != "" && (strings.Contains(seen, strings.Join(strings.Fields(b), " ")) || strings.Contains(markup, b)) {
			t.Errorf("the screen shows %q", b)
		}
	}
}

func ptr[T any](v T) *T { return &v }
