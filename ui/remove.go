package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// Removing a platform: Remove… in the platform's ⋮ menu in the sidebar
// asks first, naming the platform, what leaves this computer and how many
// changes made here were not sent to it yet; then app.RemoveSource ends the
// sign-in on the platform and deletes everything of it here.

// removeDialog is the question asked before a platform is removed.
type removeDialog struct {
	d            *dialog.CustomDialog
	remove, keep *widget.Button
}

// askRemove counts what removing src would lose, then asks. Locked, it
// does nothing.
func (w *Window) askRemove(src app.Source) {
	if w.access != accessOpen {
		return
	}
	w.background(func(ctx context.Context) func() {
		fresh, err := w.a.Source(ctx, src.ID)
		n := 0
		if err == nil {
			n, err = w.a.CountInbox(ctx, app.InboxFilter{SourceID: src.ID})
		}
		return func() {
			if err != nil {
				dialog.ShowInformation("Remove "+src.Name, w.a.Explain(err), w.win)
				return
			}
			w.confirmRemove(fresh, n)
		}
	})
}

// confirmRemove asks whether to remove src, which has referrals here. The
// buttons say what they do: the platform's name on the one that removes it.
func (w *Window) confirmRemove(src app.Source, referrals int) *removeDialog {
	r := &removeDialog{}
	body := wrapLabel(app.RemovalWarning(src.Name, referrals, src.Waiting))
	r.d = dialog.NewCustomWithoutButtons("Remove "+src.Name+"?", body, w.win)
	r.keep = widget.NewButton("Keep it", r.d.Hide)
	r.remove = &widget.Button{Text: "Remove " + src.Name, Importance: widget.DangerImportance, OnTapped: func() {
		r.d.Hide()
		w.remove(src)
	}}
	r.d.SetButtons([]fyne.CanvasObject{r.keep, r.remove})
	r.d.Resize(fyne.NewSize(520, 0))
	r.d.Show()
	return r
}

// remove removes src in the background, then shows the window without it.
func (w *Window) remove(src app.Source) {
	w.background(func(ctx context.Context) func() {
		rm, err := w.a.RemoveSource(ctx, src.ID)
		return func() {
			if err != nil {
				dialog.ShowInformation("Remove "+src.Name, w.a.Explain(err), w.win)
				return
			}
			w.removed(rm)
		}
	})
}

// removed forgets what the window held of a removed platform: its state in
// the sidebar and its referral if one was open. With no platform left, the
// welcome shows again.
func (w *Window) removed(rm app.Removal) {
	id := rm.Source.ID
	delete(w.syncs.lastErr, id)
	delete(w.syncs.running, id)
	if w.detail.source == id {
		w.detail.source, w.detail.task, w.detail.d, w.detail.err = 0, "", nil, nil
		w.detail.showPlaceholder()
	}
	w.background(func(ctx context.Context) func() {
		srcs, err := w.a.Sources(ctx)
		return func() {
			if err == nil {
				w.setSources(srcs)
			}
			if err == nil && len(srcs) == 0 {
				w.showWelcome("")
			} else if w.main != nil {
				w.inbox.reload()
			}
			if say := rm.Message(); say != "" {
				dialog.ShowInformation("Removed "+rm.Source.Name, say, w.win)
			}
		}
	})
}
