package ui

import (
	"cmp"
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// syncPanel shows, per platform, how its sync stands: last sync, syncing
// now, offline, needs sign-in (with Sign in again), or an error.
type syncPanel struct {
	w         *Window
	box       *fyne.Container
	sources   []app.Source
	running   map[int64]bool
	lastErr   map[int64]error
	signIn    map[int64]context.CancelFunc // sign-ins under way, to cancel
	override  []app.SourceStatus           // for screenshots of every state
	requested bool                         // Sync now was pressed; the sync it asked for has not ended
	menu      *fyne.Menu                   // a platform's menu, the last opened (moreButton)
	capacity  *capacityDialog              // the last capacity dialog opened
}

func newSyncPanel(w *Window) *syncPanel {
	return &syncPanel{w: w, box: container.NewVBox(), running: map[int64]bool{}, lastErr: map[int64]error{},
		signIn: map[int64]context.CancelFunc{}}
}

func (p *syncPanel) setSources(srcs []app.Source) {
	p.sources = srcs
	p.render()
}

func (p *syncPanel) statuses() []app.SourceStatus {
	if p.override != nil {
		return p.override
	}
	out := make([]app.SourceStatus, 0, len(p.sources))
	for _, s := range p.sources {
		out = append(out, app.StatusOf(s, p.running[s.ID], p.lastErr[s.ID]))
	}
	// The platforms that need the case worker come first, where they are
	// seen at any scale.
	slices.SortStableFunc(out, func(a, b app.SourceStatus) int { return cmp.Compare(attentionRank(a.State), attentionRank(b.State)) })
	return out
}

func (p *syncPanel) render() {
	var objs []fyne.CanvasObject
	for _, st := range p.statuses() {
		objs = append(objs, p.entry(st))
	}
	if len(objs) == 0 {
		objs = append(objs, &widget.Label{Text: "None connected yet.", Importance: widget.LowImportance})
	}
	p.box.Objects = objs
	p.box.Refresh()
}

// entry is one platform: its name, a one-line state, and what to do about it.
func (p *syncPanel) entry(st app.SourceStatus) fyne.CanvasObject {
	icon, line, imp := theme.ConfirmIcon(), "", widget.MediumImportance
	switch st.State {
	case app.SyncNever:
		icon, line = theme.InfoIcon(), "Not synced yet"
	case app.SyncOK:
		line = "Synced " + app.Ago(st.LastSync, p.w.now())
	case app.SyncRunning:
		icon, line, imp = theme.ViewRefreshIcon(), "Syncing now…", widget.HighImportance
	case app.SyncOffline:
		icon, line, imp = theme.WarningIcon(), "Cannot be reached", widget.WarningImportance
	case app.SyncNeedsSignIn:
		icon, line, imp = theme.AccountIcon(), "Needs sign-in", widget.DangerImportance
	case app.SyncError:
		icon, line, imp = theme.ErrorIcon(), "Sync failed", widget.DangerImportance
	}
	name := &widget.Label{Text: st.Source.Name, TextStyle: fyne.TextStyle{Bold: true}, Truncation: fyne.TextTruncateEllipsis}
	objs := []fyne.CanvasObject{container.NewBorder(nil, nil, nil, p.moreButton(st.Source), name),
		&widget.Label{Text: line, Importance: imp, Wrapping: fyne.TextWrapWord}}
	if st.Say != "" {
		objs = append(objs, &widget.Label{Text: st.Say, Wrapping: fyne.TextWrapWord, SizeName: theme.SizeNameCaptionText})
	}
	if st.State == app.SyncRunning {
		objs = append(objs, p.progressObjects(st.Source.ID)...)
	}
	if n := st.Source.Waiting; n > 0 {
		objs = append(objs, &widget.Label{Text: waitingText(n), Importance: widget.WarningImportance, Wrapping: fyne.TextWrapWord})
	}
	if l := capacityLabel(st.Source.Capacity); l != "" { // one line: the note is in the Capacity dialog
		objs = append(objs, &widget.Label{Text: joinNonEmpty(": ", "Capacity: "+l, st.Source.CapacityNote),
			Truncation: fyne.TextTruncateEllipsis, SizeName: theme.SizeNameCaptionText})
	}
	if (st.State == app.SyncOffline || st.State == app.SyncError) && !st.LastSync.IsZero() {
		objs = append(objs, &widget.Label{Text: "Last synced " + app.Ago(st.LastSync, p.w.now()), SizeName: theme.SizeNameCaptionText})
	}
	var act fyne.CanvasObject
	if st.State == app.SyncNeedsSignIn {
		if _, waiting := p.signIn[st.Source.ID]; waiting {
			objs = append(objs, wrapLabel("Finish signing in in your browser…"))
			act = widget.NewButton("Cancel", func() { p.cancelSignIn(st.Source.ID) })
		} else {
			b := widget.NewButtonWithIcon("Sign in again", theme.LoginIcon(), func() { p.signInAgain(st.Source) })
			b.Importance = widget.HighImportance
			act = b
		}
	}
	body := container.NewVBox(container.New(linesLayout{}, objs...))
	if act != nil {
		body.Add(container.NewHBox(act))
	}
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil, body)
}

// signInAgain runs the browser sign-in for a platform that ended its sign-in;
// its data and settings are kept.
func (p *syncPanel) signInAgain(src app.Source) {
	ctx, cancel := context.WithCancel(p.w.ctx)
	p.signIn[src.ID] = cancel
	p.render()
	p.w.background(func(context.Context) func() {
		got, err := p.w.a.Connect(ctx, app.ConnectOptions{Link: src.FHIRBase, ClientID: src.ClientID})
		return func() {
			delete(p.signIn, src.ID)
			cancel()
			if app.NeedsClientID(err) { // the platform forgot Referral Desk and lets no app register
				p.render()
				p.askClientID(src)
				return
			}
			if err != nil {
				p.lastErr[src.ID] = err
				p.render()
				return
			}
			delete(p.lastErr, src.ID)
			p.w.connected(got)
		}
	})
}

func (p *syncPanel) cancelSignIn(id int64) {
	if cancel, ok := p.signIn[id]; ok {
		cancel()
	}
}

// startSync starts automatic sync (once) unless the window was built without it.
func (w *Window) startSync() {
	if w.sched != nil || w.o.SyncEvery < 0 {
		return
	}
	ctx, stop := context.WithCancel(w.ctx)
	sched := app.NewSchedule(w.o.SyncEvery, w.runSync)
	w.sched, w.stopSched = sched, stop
	w.work.Add(1)
	go func() {
		defer w.work.Done()
		sched.Run(ctx)
	}()
}

// pauseSync stops automatic sync, and a sync under way, while the data is
// locked: without the key a sync can neither read the platform's tokens
// nor store what it fetches. Unlocking starts it again.
func (w *Window) pauseSync() {
	if w.stopSched != nil {
		w.stopSched()
	}
	w.sched, w.stopSched = nil, nil
}

// syncNow is the Sync now command (and Ctrl+R): it bypasses the cadence.
func (w *Window) syncNow() {
	if w.access != accessOpen {
		return
	}
	w.syncs.requested = true
	w.syncButton()
	if w.sched != nil {
		w.sched.SyncNow()
		return
	}
	w.background(func(ctx context.Context) func() {
		w.runSync(ctx)
		return nil
	})
}

// runSync syncs every platform off the UI goroutine, showing each one's
// progress, then refreshes what the window shows and tells the case worker
// when new referrals arrived. The notification names no person: it may show
// on a shared screen.
func (w *Window) runSync(ctx context.Context) {
	fresh := 0
	// A sync the lock stopped shows nothing of what it did.
	epoch := w.epoch.Load()
	ui := func(f func()) { w.ui(w.unlessLocked(epoch, f)) }
	err := w.a.SyncEach(ctx,
		func(s app.Source) {
			ui(func() {
				w.syncs.running[s.ID] = true
				w.syncs.render()
				w.syncButton()
			})
		},
		func(rep app.SyncReport) {
			fresh += rep.New
			ui(func() {
				delete(w.syncs.running, rep.Source.ID)
				w.progress.forget(rep.Source.ID)
				w.syncButton()
				if rep.Err != nil {
					w.syncs.lastErr[rep.Source.ID] = rep.Err
				} else {
					delete(w.syncs.lastErr, rep.Source.ID)
				}
				w.syncs.render()
			})
		})
	n := fresh
	ui(func() {
		w.syncs.requested = false
		w.syncButton()
		if err == nil && n > 0 && w.prefs.notify() {
			w.fa.SendNotification(fyne.NewNotification("Referral Desk", newReferralsText(n)))
		}
		w.reloadSources()
		if w.main != nil {
			w.inbox.reload()
			w.detail.reload()
		}
	})
}

func newReferralsText(n int) string {
	return app.Plural(n, "new referral", "new referrals") + " arrived."
}

// waitingText says how many changes made here wait to be sent to a platform.
func waitingText(n int) string { return app.Plural(n, "change", "changes") + " waiting to send" }
