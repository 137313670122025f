package ui

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/assets"
)

// Options wires the window to what main (or a test) controls.
type Options struct {
	App *app.App
	// Demo is the built-in platform when running in demo mode: the connect
	// screen offers its link and explains its sign-in. nil = not demo mode.
	Demo *app.DemoPlatform
	// Dispatch runs a UI update on the UI goroutine; nil = fyne.Do. Tests
	// inject a queue they drain, so widgets are only touched by the test.
	Dispatch func(func())
	// Go runs background work; nil = a new goroutine. Tests inject a queue.
	Go func(func())
	// Now is the clock; nil = time.Now.
	Now func() time.Time
	// SyncEvery is the automatic sync cadence (never below app.MinSyncEvery);
	// 0 = the case worker's setting; negative = no automatic sync (tests).
	SyncEvery time.Duration
	// OverdueDays marks new referrals untouched for more business days; 0 = the case worker's setting.
	OverdueDays int
	// Cameras is the camera layer of the scan view; nil = this computer's
	// cameras (package scan). Tests give frames from files.
	Cameras Cameras
	// Clipboard reads a copied image or text for Paste image; nil = the
	// system clipboard. Tests give an image.
	Clipboard Clipboard
	// AfterFunc starts the idle lock's timer; nil = time.AfterFunc. Tests
	// give timers they fire themselves.
	AfterFunc func(d time.Duration, f func()) Timer
	// DemoPassphrase is the passphrase main protected the demo's own data
	// folder with, for the demo to say on screen; "" = not that folder.
	DemoPassphrase string
}

// Timer is the idle lock's timer: what it needs of *time.Timer.
type Timer interface {
	Reset(d time.Duration) bool
	Stop() bool
}

// Window is Referral Desk's main window.
type Window struct {
	fa  fyne.App
	win fyne.Window
	o   Options
	a   *app.App

	ctx    context.Context
	cancel context.CancelFunc
	busy   atomic.Int64   // background work in flight (screenshots wait for none)
	work   sync.WaitGroup // background work and the sync loop, waited for when quitting
	// epoch counts the locks: work started before the last lock shows
	// nothing when it ends (see background).
	epoch atomic.Int64

	access     access            // what the window may show now (lock.go)
	shown      fyne.CanvasObject // the screen in the window, over the activity layer
	sensor     *activity
	locking    chan struct{} // closed once the last lock has dropped the key
	remembered bool          // the keyring holds the key: the unlock screen's Remember starts ticked
	reopen     struct {      // the referral open when the window locked, to open again at unlock
		source int64
		task   string
	}
	idle       idleLock
	menu       *fyne.MainMenu
	menuOpen   []*fyne.MenuItem // the items that need the data open
	idleMenu   *fyne.Menu
	unlock     *unlockScreen  // the unlock screen while it shows
	protect    *protectScreen // the protect (or new passphrase) screen while it shows
	recovery   *recoveryScreen
	passDialog *passDialog // the last passphrase dialog opened
	link       string      // a referraldesk:// link to show once the data is open (openlink.go)
	settings   *settingsDialog

	prefs prefs

	sources []app.Source
	names   map[int64]string

	inbox   *inbox
	detail  *referralView
	syncs   *syncPanel
	connect *connectScreen
	scan    *scanView         // the camera view while it is open
	main    fyne.CanvasObject // the inbox layout, built once per unlock
	sched   *app.Schedule
	// progress is how far each running sync has come (syncprogress.go).
	progress *syncProgress
	// stopSched pauses automatic sync (at lock): it ends the schedule's run.
	stopSched context.CancelFunc
}

// New builds the main window. Call ShowAndRun (or Show) on Window().
func New(fa fyne.App, o Options) *Window {
	if o.Dispatch == nil {
		o.Dispatch = fyne.Do
	}
	if o.Go == nil {
		o.Go = func(f func()) { go f() }
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o = withSettings(o, prefs{fa.Preferences()})
	useTheme(fa, prefs{fa.Preferences()}.theme())
	if o.Cameras == nil {
		o.Cameras = systemCameras{}
	}
	if o.Clipboard == nil {
		o.Clipboard = &systemClipboard{}
	}
	if o.AfterFunc == nil {
		o.AfterFunc = func(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
	}
	w := &Window{fa: fa, o: o, a: o.App, names: map[int64]string{}, prefs: prefs{fa.Preferences()}}
	w.locking = make(chan struct{})
	close(w.locking) // not locked by the window yet
	w.ctx, w.cancel = context.WithCancel(context.Background())
	w.win = fa.NewWindow("Referral Desk")
	w.win.SetIcon(assets.Icon)
	w.win.Resize(w.prefs.windowSize())
	w.win.SetOnClosed(w.closed)
	w.sensor = newActivity(w.active)
	w.makeViews()
	w.watchSyncs()
	w.setContent(container.NewCenter()) // filled once the protection is known
	w.keys()
	w.makeMenu()
	w.addHelpMenu()
	w.start()
	return w
}

// Run builds the main window and runs the app until it is closed.
func Run(fa fyne.App, o Options) {
	New(fa, o).win.ShowAndRun()
}

// Wait waits, at most d, for background work to end after the window has
// closed, so that what it was saving (a sign-in's tokens, a sync page) is
// saved before main closes the store.
func (w *Window) Wait(d time.Duration) {
	done := make(chan struct{})
	go func() {
		w.work.Wait()
		close(done)
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
	}
}

// Window is the Fyne window, for main and for tests.
func (w *Window) Window() fyne.Window { return w.win }

// makeViews makes the screens that show the data, empty: at start, and
// again at each lock so no name stays in a widget out of sight.
func (w *Window) makeViews() {
	w.syncs = newSyncPanel(w)
	w.detail = newReferralView(w)
	w.inbox = newInbox(w)
	w.connect = newConnectScreen(w)
}

// setContent shows a screen, over the layer that notes the mouse for the idle lock.
func (w *Window) setContent(o fyne.CanvasObject) {
	w.shown = o
	w.win.SetContent(container.NewStack(w.sensor, o))
}

// content is the screen the window shows.
func (w *Window) content() fyne.CanvasObject { return w.shown }

// background runs work off the UI goroutine; the function it returns, if
// any, runs on the UI goroutine afterwards, unless the window was locked
// in between (what it read must not reach the screen then). Work must not
// touch widgets.
func (w *Window) background(work func(ctx context.Context) func()) {
	w.busy.Add(1)
	w.work.Add(1)
	epoch := w.epoch.Load()
	w.o.Go(func() {
		defer w.work.Done()
		defer w.busy.Add(-1)
		if apply := work(w.ctx); apply != nil {
			w.o.Dispatch(w.unlessLocked(epoch, apply))
		}
	})
}

// unlessLocked is f, doing nothing when the window was locked since epoch.
func (w *Window) unlessLocked(epoch int64, f func()) func() {
	return func() {
		if w.epoch.Load() == epoch {
			f()
		}
	}
}

// ui runs f on the UI goroutine (from background work).
func (w *Window) ui(f func()) { w.o.Dispatch(f) }

func (w *Window) now() time.Time { return w.o.Now() }

// opened shows the data once it is open (unlocked): reads the sources,
// then shows the welcome or the inbox, and starts automatic sync and the
// idle lock.
func (w *Window) opened() {
	w.access = accessOpen
	w.refreshMenu()
	w.armIdle()
	w.background(func(ctx context.Context) func() {
		srcs, err := w.a.Sources(ctx)
		return func() {
			if err != nil {
				w.showWelcome(w.a.Explain(err))
				return
			}
			w.setSources(srcs)
			defer w.showPendingLink() // over the welcome or the inbox
			if len(srcs) == 0 {
				w.showWelcome("")
				return
			}
			if r := w.reopen; r.task != "" { // the referral open when the window locked
				w.reopen.source, w.reopen.task = 0, ""
				w.detail.open(r.source, r.task)
			}
			w.showInbox()
			w.startSync()
			w.prepareSearch()
		}
	})
}

// prepareSearch loads the search index in the background once the inbox is
// up, so the first keystroke does not wait for it.
func (w *Window) prepareSearch() {
	w.background(func(ctx context.Context) func() {
		w.a.PrepareSearch(ctx) // a failure here only means the first search loads it
		return nil
	})
}

// setSources keeps the connected platforms and their names for the rows.
func (w *Window) setSources(srcs []app.Source) {
	w.sources = srcs
	for _, s := range srcs {
		w.names[s.ID] = s.Name
	}
	w.syncs.setSources(srcs)
	w.inbox.setSources(srcs)
	w.inbox.showCapacityBar()
}

// reloadSources re-reads the platforms after a sync or a sign-in.
func (w *Window) reloadSources() {
	w.background(func(ctx context.Context) func() {
		srcs, err := w.a.Sources(ctx)
		if err != nil {
			return nil
		}
		return func() { w.setSources(srcs) }
	})
}

// showInbox shows the inbox layout (built once).
func (w *Window) showInbox() {
	w.stopScan()
	if w.main == nil {
		w.main = w.buildMain()
	}
	w.setContent(w.main)
	w.inbox.reload()
	w.detail.reload() // the open referral, or the day's summary
}

// connected is called when a platform was connected or signed in again.
func (w *Window) connected(src app.Source) {
	w.names[src.ID] = src.Name
	w.showInbox()
	w.reloadSources()
	had := w.sched != nil
	w.startSync()
	if had || w.sched == nil { // a schedule started just now runs at once by itself
		w.syncNow()
	}
}

// closed remembers the window size and stops background work.
func (w *Window) closed() {
	w.prefs.setWindowSize(w.win.Canvas().Size())
	w.stopScan()
	w.disarmIdle()
	w.cancel()
}
