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
	if dir := os.Getenv(windowMemoryEnv); dir != "" {
		windowMemory(dir)
	}
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
	t       *testing.T
	ctx     context.Context
	fa      fyne.App
	server  *fhirtest.Server
	app     *app.App
	keyring *testKeyring
	w       *Window
	work    []func()
	mu      sync.Mutex // guards ui: a camera's capture goroutine queues preview frames
	ui      []func()
	timers  []*testTimer // the idle lock's timers, in the order armed
	source  app.Source
	// demoPassphrase is Options.DemoPassphrase for open.
	demoPassphrase string
}

// newHarness is a returning case worker's Referral Desk: its data folder
// protected by testPassphrase, and its key remembered in the keyring, so
// the window opens on the data as it does for them.
func newHarness(t *testing.T, opts fhirtest.Options) *harness {
	t.Helper()
	dir := protectedFolder(t)
	h := openHarness(t, opts, dir, &testKeyring{key: protected.key})
	if ok, err := h.app.UnlockFromKeyring(h.ctx); !ok || err != nil {
		t.Fatalf("the keyring's key did not unlock the copy of the protected folder (%v)", err)
	}
	return h
}

// newUnprotectedHarness is a data folder without a passphrase: a first run,
// or one from a release before encryption at rest.
func newUnprotectedHarness(t *testing.T, opts fhirtest.Options) *harness {
	t.Helper()
	return openHarness(t, opts, t.TempDir(), &testKeyring{})
}

func openHarness(t *testing.T, opts fhirtest.Options, dir string, kr *testKeyring) *harness {
	t.Helper()
	h := &harness{t: t, ctx: context.Background(), fa: test.NewTempApp(t), keyring: kr}
	opts.Now = clock
	h.server = fhirtest.New(t, opts)
	a, err := app.Open(dir, app.Options{OpenBrowser: h.server.Browser(fhirtest.DemoUser, fhirtest.DemoPassword),
		Now: clock, SignInWait: 30 * time.Second, Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(time.Second) })
	h.app = a
	return h
}

// lockAway locks the data and forgets its key in the keyring, as a case
// worker who never ticked Remember finds it at the next start.
func (h *harness) lockAway() {
	h.app.Lock()
	h.keyring.Delete("")
}

// testPassphrase protects every harness's data folder.
const testPassphrase = "four plain words protect"

// protected is a data folder protected with testPassphrase, made once per
// run (Argon2id at its real cost takes a second) and copied for each test.
var protected struct {
	once     sync.Once
	files    map[string][]byte // the database's files
	key      []byte
	recovery string
	err      error
}

// protectedFolder is a new copy of the protected folder.
func protectedFolder(t *testing.T) string {
	t.Helper()
	protected.once.Do(func() { protected.err = makeProtected() })
	if protected.err != nil {
		t.Fatalf("protecting the template data folder: %v", protected.err)
	}
	dir := t.TempDir()
	for name, b := range protected.files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func makeProtected() error {
	dir, err := os.MkdirTemp("", "referraldesk-ui-test-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	kr := &testKeyring{}
	a, err := app.Open(dir, app.Options{Now: clock, Keyring: kr})
	if err != nil {
		return err
	}
	protected.recovery, err = a.SetUp(context.Background(), testPassphrase, true)
	if cerr := a.Close(time.Second); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if protected.key = kr.key; protected.key == nil {
		return fmt.Errorf("SetUp with remember did not give the keyring the key")
	}
	protected.files = map[string][]byte{}
	names, err := filepath.Glob(filepath.Join(dir, app.DatabaseName+"*"))
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		protected.files[filepath.Base(name)] = b
	}
	return err
}

// testKeyring stands in for the system keyring: it remembers one key, for
// whichever folder asks (each test's folder is a copy of the same one).
type testKeyring struct {
	mu  sync.Mutex
	key []byte
}

func (k *testKeyring) Get(string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.key == nil {
		return nil, app.ErrNotRemembered
	}
	return k.key, nil
}

func (k *testKeyring) Set(_ string, key []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.key = append([]byte(nil), key...)
	return nil
}

func (k *testKeyring) Delete(string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.key = nil
	return nil
}

func (k *testKeyring) remembers() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.key != nil
}

// testTimer is an idle-lock timer the test fires (fire) instead of waiting.
type testTimer struct {
	d     time.Duration
	f     func()
	armed bool
}

func (t *testTimer) Reset(d time.Duration) bool {
	was := t.armed
	t.d, t.armed = d, true
	return was
}

func (t *testTimer) Stop() bool {
	was := t.armed
	t.armed = false
	return was
}

// idleTimer is the idle lock's timer now armed; nil when none is.
func (h *harness) idleTimer() *testTimer {
	for k := len(h.timers) - 1; k >= 0; k-- {
		if h.timers[k].armed {
			return h.timers[k]
		}
	}
	return nil
}

// fire lets the timer's time pass, as if nobody touched the computer.
func (t *testTimer) fire() {
	if t.armed {
		t.armed = false
		t.f()
	}
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
		Dispatch:       h.dispatch,
		Go:             func(f func()) { h.work = append(h.work, f) },
		Cameras:        noCameras{},
		Clipboard:      &fakeClipboard{},
		DemoPassphrase: h.demoPassphrase,
		AfterFunc: func(d time.Duration, f func()) Timer {
			t := &testTimer{d: d, f: f, armed: true}
			h.timers = append(h.timers, t)
			return t
		}})
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
