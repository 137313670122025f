package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// Capacity (IG 3.0.0): per platform, the organization says whether it can
// take referrals; while it has none, the New view offers to decline every
// new referral of that platform at capacity.

// capacityLabel is a capacity code's label; "" when none was set.
func capacityLabel(code string) string {
	for _, c := range app.Capacities {
		if c.Code == code {
			return c.Label
		}
	}
	return ""
}

// capacityDialog sets a platform's capacity.
type capacityDialog struct {
	d       *dialog.CustomDialog
	choice  *widget.RadioGroup
	note    *widget.Entry
	problem *widget.Label
	save    *widget.Button
	said    string // what the last save said (shared or kept here), for tests
}

// setCapacity opens the capacity dialog of a platform.
func (w *Window) setCapacity(src app.Source) {
	c := &capacityDialog{}
	var labels []string
	for _, cp := range app.Capacities {
		labels = append(labels, cp.Label)
	}
	c.choice = widget.NewRadioGroup(labels, func(string) { c.update() })
	c.choice.Selected = capacityLabel(src.Capacity)
	c.note = widget.NewMultiLineEntry()
	c.note.Wrapping = fyne.TextWrapWord
	c.note.SetMinRowsVisible(2)
	c.note.SetPlaceHolder("A note for requesters (optional), e.g. “Waitlist about 3 weeks”")
	c.note.SetText(src.CapacityNote)
	c.note.OnChanged = func(string) { w.active() }
	c.problem = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	c.problem.Hide()
	c.save = &widget.Button{Text: "Save", Importance: widget.HighImportance}
	c.save.OnTapped = func() { w.saveCapacity(src, c) }
	content := container.NewVBox(
		wrapLabel("Can your organization take "+src.Name+"'s referrals now? Where the platform allows it, requesters see this before they refer."),
		c.choice, bold("Note"), c.note, c.problem)
	c.d = dialog.NewCustomWithoutButtons("Capacity: "+src.Name, content, w.win)
	c.d.SetButtons([]fyne.CanvasObject{widget.NewButton("Close", c.d.Hide), c.save})
	c.d.Resize(fyne.NewSize(480, 0))
	c.update()
	c.d.Show()
	w.syncs.capacity = c
}

func (c *capacityDialog) code() string {
	for _, cp := range app.Capacities {
		if cp.Label == c.choice.Selected {
			return cp.Code
		}
	}
	return ""
}

func (c *capacityDialog) update() {
	if c.code() == "" {
		c.save.Disable()
	} else {
		c.save.Enable()
	}
}

// saveCapacity records the capacity off the UI goroutine, then says whether
// it was shared with the platform or kept here only.
func (w *Window) saveCapacity(src app.Source, c *capacityDialog) {
	code, note := c.code(), c.note.Text
	c.save.Disable()
	w.background(func(ctx context.Context) func() {
		shared, err := w.a.SetCapacity(ctx, src.ID, code, note)
		return func() {
			w.reloadSources()
			if err != nil {
				c.problem.SetText(w.a.Explain(err))
				c.problem.Show()
				c.save.Enable()
				return
			}
			c.d.Hide()
			c.said = capacitySaved(src.Name, capacityLabel(code), shared)
			dialog.ShowInformation("Capacity saved", c.said, w.win)
		}
	})
}

// capacitySaved says where a capacity went.
func capacitySaved(platform, label string, shared bool) string {
	if shared {
		return fmt.Sprintf("“%s” is shared with %s: requesters there see it.", label, platform)
	}
	return fmt.Sprintf("“%s” is kept on this computer only: %s does not let your organization publish its capacity.", label, platform)
}

// capacityBar is what the New view offers for each platform with no
// capacity: declining all its new referrals at capacity.
func (in *inbox) showCapacityBar() {
	in.capacityBar.Objects = nil
	if in.view == viewNew {
		for _, s := range in.w.sources {
			if s.Capacity != app.CapacityFull {
				continue
			}
			src := s
			b := widget.NewButtonWithIcon("Decline all new…", theme.CancelIcon(), func() { in.askDeclineAll(src) })
			in.capacityBar.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), b,
				&widget.Label{Text: src.Name + " is set to no capacity.", Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}))
		}
	}
	in.capacityBar.Refresh()
}

// declineAll is the open "decline all new at capacity" confirmation, for tests.
type declineAll struct {
	d       *dialog.CustomDialog
	n       int
	confirm *widget.Button
}

// askDeclineAll counts the platform's new referrals, then asks before
// declining them all.
func (in *inbox) askDeclineAll(src app.Source) {
	w := in.w
	w.background(func(ctx context.Context) func() {
		refs, err := w.a.Inbox(ctx, app.InboxFilter{Statuses: []string{"requested"}, SourceID: src.ID})
		n := 0
		for _, r := range refs {
			if !r.Pending { // the ones DeclineAllNewAtCapacity declines
				n++
			}
		}
		return func() {
			switch {
			case err != nil:
				dialog.ShowInformation("Decline all new", w.a.Explain(err), w.win)
			case n == 0:
				dialog.ShowInformation("Decline all new", "There are no new referrals from "+src.Name+" to decline.", w.win)
			default:
				in.confirmDeclineAll(src, n)
			}
		}
	})
}

func (in *inbox) confirmDeclineAll(src app.Source, n int) {
	w := in.w
	what := "the new referral"
	if n > 1 {
		what = fmt.Sprintf("all %d new referrals", n)
	}
	c := &declineAll{n: n}
	c.confirm = &widget.Button{Text: fmt.Sprintf("Decline %d at capacity", n), Importance: widget.DangerImportance}
	note := src.CapacityNote
	c.confirm.OnTapped = func() {
		c.d.Hide()
		w.background(func(ctx context.Context) func() {
			done, err := w.a.DeclineAllNewAtCapacity(ctx, src.ID, note)
			return func() {
				in.reload()
				w.reloadSources()
				w.detail.reload()
				say := fmt.Sprintf("%d declined at capacity. Each requester is told you have no capacity; changes not sent yet go with the next sync.", done)
				if err != nil {
					say = fmt.Sprintf("%d declined at capacity, then: %s", done, w.a.Explain(err))
				}
				dialog.ShowInformation("Decline all new", say, w.win)
			}
		})
	}
	body := wrapLabel(fmt.Sprintf("Decline %s from %s as at capacity? Each requester is told you have no capacity. This cannot be undone here.", what, src.Name))
	c.d = dialog.NewCustomWithoutButtons("Decline all new as at capacity", body, w.win)
	c.d.SetButtons([]fyne.CanvasObject{widget.NewButton("Do not decline", c.d.Hide), c.confirm})
	c.d.Resize(fyne.NewSize(480, 0))
	c.d.Show()
	in.declining = c
}
