package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// conflicts are the case worker's choices after a real conflict: the
// platform's version moved while their change waited. Keep theirs drops
// the change; Apply mine on top sends it again from the platform's status,
// offered only when the IG allows that move (app.CanMove).
func (v *referralView) conflicts() []fyne.CanvasObject {
	d := v.d
	var objs []fyne.CanvasObject
	for _, c := range d.Changes {
		if c.State != app.ChangeConflict {
			continue
		}
		c := c
		keep := widget.NewButton("Keep theirs", func() { v.keepTheirs(c) })
		acts := container.NewHBox(keep)
		say := "The platform's version is now " + app.StatusLabel(d.Status) + ". Keep it, or apply your change on top of it."
		if app.CanMove(d.Status, c.ToStatus) {
			acts.Add(widget.NewButton("Apply mine on top", func() { v.applyMine(c) }))
		} else {
			say = "The platform's version is now " + app.StatusLabel(d.Status) + ": your change cannot be applied on top of it."
		}
		objs = append(objs, widget.NewCard("", "", container.NewVBox(
			container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil,
				&widget.Label{Text: "Your change “" + app.ActionName(c.FromStatus, c.ToStatus) + "” was not sent", TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}),
			wrapLabel(say), acts)))
	}
	return objs
}

// keepTheirs settles a conflict in the platform's favour, off the UI goroutine.
func (v *referralView) keepTheirs(c app.Change) {
	v.act.notice = nil
	source, task := v.source, v.task
	v.w.background(func(ctx context.Context) func() {
		err := v.w.a.KeepTheirs(ctx, c.ID)
		return func() {
			if v.source != source || v.task != task {
				return
			}
			if err != nil {
				v.act.notice = &notice{widget.DangerImportance, "Could not keep their version", v.w.a.Explain(err)}
			} else {
				v.act.notice = &notice{widget.SuccessImportance, "Kept the platform's version", "Your change “" + app.ActionName(c.FromStatus, c.ToStatus) + "” will not be sent."}
			}
			v.reload()
			v.w.reloadSources()
		}
	})
}

// applyMine sends the conflicting change again on top of the platform's version.
func (v *referralView) applyMine(c app.Change) {
	v.sendWith(c.ToStatus, func(ctx context.Context, _ int64, _ string) (app.Outcome, error) {
		return v.w.a.ApplyMine(ctx, c.ID)
	})
}
