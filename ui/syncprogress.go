package ui

import (
	"fmt"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// syncProgress carries how far each running sync has come from the syncs'
// goroutines to the sidebar. A sync stores a page every few milliseconds;
// the sidebar is drawn again at most once per UI turn, with the latest.
type syncProgress struct {
	mu      sync.Mutex
	latest  map[int64]app.SyncProgress
	pending bool // a redraw is queued
}

// watchSyncs shows each sync's progress in the sidebar.
func (w *Window) watchSyncs() {
	p := &syncProgress{latest: map[int64]app.SyncProgress{}}
	w.progress = p
	w.a.WatchSync(func(sp app.SyncProgress) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.latest[sp.Source] = sp
		if !p.pending {
			p.pending = true
			w.ui(func() {
				p.mu.Lock()
				p.pending = false
				p.mu.Unlock()
				w.syncs.render()
			})
		}
	})
}

// of is a sync's latest progress; ok is false before its first page.
func (p *syncProgress) of(source int64) (app.SyncProgress, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sp, ok := p.latest[source]
	return sp, ok
}

// forget drops a sync's progress once it ended.
func (p *syncProgress) forget(source int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.latest, source)
}

// progressObjects are a running sync's count and bar: a bar that fills when
// the platform counted the referrals, else one that only says it works.
// Nothing shows before the first page is stored.
func (p *syncPanel) progressObjects(source int64) []fyne.CanvasObject {
	sp, ok := p.w.progress.of(source)
	if !ok {
		return nil
	}
	if sp.Total > 0 {
		bar := widget.NewProgressBar()
		bar.Max = float64(sp.Total)
		bar.SetValue(float64(min(sp.Stored, sp.Total)))
		bar.TextFormatter = func() string { return "" }
		return []fyne.CanvasObject{captionLabel(fmt.Sprintf("%s of %s referrals", thousands(sp.Stored), thousands(sp.Total))), bar}
	}
	bar := widget.NewProgressBarInfinite()
	return []fyne.CanvasObject{captionLabel(thousands(sp.Stored) + " referrals so far"), bar}
}

// reached notes what a change sent to a platform learnt of it: that it
// could not be reached (the sidebar says so rather than "Synced just now"),
// or that it could again.
func (p *syncPanel) reached(source int64, err error) {
	offline := err != nil && app.KindOf(err) == app.KindOffline
	switch {
	case offline:
		p.lastErr[source] = err
	case err == nil && p.lastErr[source] != nil && app.KindOf(p.lastErr[source]) == app.KindOffline:
		delete(p.lastErr, source)
	default:
		return
	}
	p.render()
}

// moreButton opens what else can be done with a platform (Show QR code,
// Capacity, Remove): a line of its own for each made a platform needing a
// sign-in taller than the sidebar at 150 %.
func (p *syncPanel) moreButton(src app.Source) fyne.CanvasObject {
	var b *widget.Button
	b = &widget.Button{Icon: theme.MoreVerticalIcon(), Importance: widget.LowImportance, OnTapped: func() {
		menu := fyne.NewMenu("",
			fyne.NewMenuItem("Show QR code…", func() { p.w.showQR(src) }),
			fyne.NewMenuItem("Capacity…", func() { p.w.setCapacity(src) }),
			fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem("Remove "+src.Name+"…", func() { p.w.askRemove(src) }))
		p.menu = menu
		c := fyne.CurrentApp().Driver().CanvasForObject(b)
		widget.ShowPopUpMenuAtRelativePosition(menu, c, fyne.NewPos(0, b.Size().Height), b)
	}}
	return b
}

// attentionRank orders the platforms in the sidebar: a sign-in to renew
// first, then a failed sync, then one that cannot be reached, then the rest.
func attentionRank(s app.SyncState) int {
	switch s {
	case app.SyncNeedsSignIn:
		return 0
	case app.SyncError:
		return 1
	case app.SyncOffline:
		return 2
	}
	return 3
}

// syncButton shows on Sync now whether a sync runs: the button cannot
// start a second one, and says it is working.
func (w *Window) syncButton() {
	b := w.inbox.syncBtn
	if w.syncs.requested || len(w.syncs.running) > 0 {
		b.SetText("Syncing…")
		b.Disable()
		return
	}
	b.SetText("Sync now")
	b.Enable()
}

func captionLabel(s string) *widget.Label {
	return &widget.Label{Text: s, SizeName: theme.SizeNameCaptionText, Wrapping: fyne.TextWrapWord}
}

// thousands writes n with thin groups of three: 80 000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + " " + s[i:]
	}
	return s
}
