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
	// 0 = app.DefaultSyncEvery; negative = no automatic sync (tests).
	SyncEvery time.Duration
	// OverdueDays marks new referrals untouched for more business days; 0 = app.DefaultOverdueDays.
	OverdueDays int
	// Cameras is the camera layer of the scan view; nil = this computer's
	// cameras (package scan). Tests give frames from files.
	Cameras Cameras
	// Clipboard reads a copied image or text for Paste image; nil = the
	// system clipboard. Tests give an image.
	Clipboard Clipboard
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

	prefs    prefs
	lastLook time.Time // when the case worker last looked at the inbox (previous session)

	sources []app.Source
	names   map[int64]string

	inbox   *inbox
	detail  *referralView
	syncs   *syncPanel
	connect *connectScreen
	scan    *scanView         // the camera view while it is open
	main    fyne.CanvasObject // the inbox layout, built once
	sched   *app.Schedule
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
	if o.OverdueDays <= 0 {
		o.OverdueDays = app.DefaultOverdueDays
	}
	if o.Cameras == nil {
		o.Cameras = systemCameras{}
	}
	if o.Clipboard == nil {
		o.Clipboard = &systemClipboard{}
	}
	w := &Window{fa: fa, o: o, a: o.App, names: map[int64]string{}, prefs: prefs{fa.Preferences()}}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	w.lastLook = w.prefs.lastLook()
	w.win = fa.NewWindow("Referral Desk")
	w.win.SetIcon(assets.Icon)
	w.win.Resize(w.prefs.windowSize())
	w.win.SetOnClosed(w.closed)
	w.syncs = newSyncPanel(w)
	w.detail = newReferralView(w)
	w.inbox = newInbox(w)
	w.connect = newConnectScreen(w)
	w.win.SetContent(container.NewCenter()) // filled once the sources are known
	w.keys()
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

// background runs work off the UI goroutine; the function it returns, if
// any, runs on the UI goroutine afterwards. Work must not touch widgets.
func (w *Window) background(work func(ctx context.Context) func()) {
	w.busy.Add(1)
	w.work.Add(1)
	w.o.Go(func() {
		defer w.work.Done()
		defer w.busy.Add(-1)
		if apply := work(w.ctx); apply != nil {
			w.o.Dispatch(apply)
		}
	})
}

// ui runs f on the UI goroutine (from background work).
func (w *Window) ui(f func()) { w.o.Dispatch(f) }

func (w *Window) now() time.Time { return w.o.Now() }

// start reads the sources, then shows the welcome or the inbox and starts
// automatic sync.
func (w *Window) start() {
	w.background(func(ctx context.Context) func() {
		srcs, err := w.a.Sources(ctx)
		return func() {
			if err != nil {
				w.showWelcome(w.a.Explain(err))
				return
			}
			w.setSources(srcs)
			if len(srcs) == 0 {
				w.showWelcome("")
				return
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
	w.win.SetContent(w.main)
	w.inbox.reload()
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

// closed remembers the window size and the moment of this look, and stops background work.
func (w *Window) closed() {
	w.prefs.setWindowSize(w.win.Canvas().Size())
	w.prefs.setLastLook(w.now())
	w.stopScan()
	w.cancel()
}
