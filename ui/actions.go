package ui

import (
	"cmp"
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// acting is the state of the actions area of the open referral.
type acting struct {
	choosing string  // the status whose reason form is open
	choice   string  // the reason picked from the list
	text     string  // what the case worker added
	sending  string  // the status being sent now
	notice   *notice // what happened to the last change, shown until the referral is left
}

// notice is the outcome of a change, shown where the change was made.
type notice struct {
	imp         widget.Importance
	title, text string
}

// reasons are the plain-words reasons offered for each status that needs
// one (the IG: statusReason for rejected, cancelled, on-hold, failed). The
// requester reads them, so they say what happened, not a code.
var reasons = map[string][]string{
	"rejected":  {atCapacityReason, "Outside our service area", "Does not qualify for our services", "We do not offer this service"},
	"cancelled": {"No longer needed", "The person asked us to stop", "Sent to us by mistake"},
	"on-hold":   {"Waiting to hear from the person", "Waiting for documents", "On our waiting list"},
	"failed":    {"We could not reach the person", "The person declined the service", "Not eligible after assessment"},
}

const otherReason = "Other (say below)"

// statusCancelled is the IG's status for a referral the organization stops (app.ActionName: Cancel referral).
const statusCancelled = "cancelled"

// atCapacityReason declines with the IG's no-capacity code (IG 3.0.0
// capacity.md), not only words: the requester's platform can tell it apart.
const atCapacityReason = "We are at capacity"

// actions is the row of what the case worker may do now: only the moves the
// IG allows from the current status, or what is happening to the last one.
func (v *referralView) actions() fyne.CanvasObject {
	d, st := v.d, &v.act
	v.flow = nil // until actionRow makes one
	var objs []fyne.CanvasObject
	if st.notice != nil {
		objs = append(objs, noticeBox(st.notice))
	}
	if st.sending == "" {
		objs = append(objs, v.conflicts()...)
	}
	switch {
	case st.sending != "":
		objs = append(objs, container.NewBorder(nil, nil, widget.NewIcon(theme.UploadIcon()), nil,
			&widget.Label{Text: "Sending “" + app.ActionName(d.Status, st.sending) + "” to " + d.Source.Name + "… The referral changes once the platform confirms.",
				Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}}))
	case d.Pending && st.notice == nil: // a notice of the change says it already
		objs = append(objs, container.NewBorder(nil, nil, widget.NewIcon(theme.HistoryIcon()), nil,
			wrapLabel("Your change is saved here and waiting to be sent to the platform. It goes with the next sync.")))
	case d.Pending:
	case st.choosing != "":
		objs = append(objs, v.reasonForm(st.choosing))
	case len(d.Next) > 0:
		objs = append(objs, v.actionRow(d))
	case app.Closed(d.Status):
		objs = append(objs, &widget.Label{Text: "This referral is closed; there is nothing more to do here.", TextStyle: fyne.TextStyle{Italic: true}, Wrapping: fyne.TextWrapWord})
	}
	return container.NewVBox(objs...)
}

// actionRow is the buttons of the moves the IG allows now. The work going
// on (accept, start, resume) leads, in the accent colour; declining or
// pausing follows; completing and cancelling stand apart at the end, each
// in its own style, so neither is pressed for the other. The row wraps
// when the pane is narrow (v.flow).
func (v *referralView) actionRow(d *app.Detail) fyne.CanvasObject {
	var lead, end []fyne.CanvasObject
	for _, to := range d.Next {
		switch {
		case to == statusCompleted:
			// Completing tells the requester it is done, and asks first.
			end = append(end, &widget.Button{Text: app.ActionName(d.Status, to) + "…", Icon: theme.ConfirmIcon(),
				Importance: widget.SuccessImportance, OnTapped: func() { v.act.notice = nil; v.openComplete() }})
		case to == statusCancelled:
			end = append([]fyne.CanvasObject{&widget.Button{Text: app.ActionName(d.Status, to) + "…",
				Icon: theme.CancelIcon(), Importance: widget.LowImportance, OnTapped: func() { v.choose(to) }}}, end...)
		default:
			b := widget.NewButton(app.ActionName(d.Status, to), func() { v.choose(to) })
			if !app.NeedsReason(to) {
				b.Importance = widget.HighImportance
			}
			lead = append(lead, b)
		}
	}
	v.flow = &flowLayout{apart: len(end)}
	return container.New(v.flow, append(lead, end...)...)
}

// choose starts a change: at once, or through the reason form when the IG asks for a reason.
func (v *referralView) choose(to string) {
	v.act.notice = nil
	if app.NeedsReason(to) {
		v.act.choosing, v.act.choice, v.act.text = to, "", ""
		v.render()
		return
	}
	v.send(to, "")
}

// reasonForm asks why, in plain words, with room for more.
func (v *referralView) reasonForm(to string) fyne.CanvasObject {
	d, st := v.d, &v.act
	name := app.ActionName(d.Status, to)
	confirm := widget.NewButton(app.ActionConfirm(to), nil)
	confirm.Importance = widget.DangerImportance
	valid := func() bool {
		if st.choice == otherReason || st.choice == "" {
			return st.choice != "" && strings.TrimSpace(st.text) != ""
		}
		return true
	}
	update := func() {
		if valid() {
			confirm.Enable()
		} else {
			confirm.Disable()
		}
	}
	radio := widget.NewRadioGroup(append(append([]string{}, reasons[to]...), otherReason), func(s string) {
		st.choice = s
		update()
	})
	radio.Selected = st.choice
	more := widget.NewMultiLineEntry()
	more.Wrapping = fyne.TextWrapWord
	more.SetMinRowsVisible(2)
	more.SetPlaceHolder("Anything the requester should know (optional unless you chose Other)")
	more.SetText(st.text)
	more.OnChanged = func(s string) {
		v.w.active()
		st.text = s
		update()
	}
	confirm.OnTapped = func() {
		if valid() {
			v.sendReasoned(to)
		}
	}
	update()
	back := widget.NewButton("Keep it", func() {
		st.choosing = ""
		v.render()
	})
	// The question wraps (a card's subtitle would not) in a narrow pane.
	return widget.NewCard(strings.TrimSuffix(name, "…"), "",
		container.NewVBox(wrapLabel("Why? The requester will see your reason."), radio, more, container.NewHBox(back, confirm)))
}

// sendReasoned sends the change the reason form describes; a decline at
// capacity goes as one (DeclineAtCapacity), its note the case worker's words.
func (v *referralView) sendReasoned(to string) {
	reason := reasonText(v.act.choice, v.act.text)
	if to == "rejected" && v.act.choice == atCapacityReason {
		v.sendWith(to, func(ctx context.Context, source int64, task string) (app.Outcome, error) {
			return v.w.a.DeclineAtCapacity(ctx, source, task, reason)
		})
		return
	}
	v.send(to, reason)
}

// reasonText is the statusReason sent: the chosen reason, then the case worker's words.
func reasonText(choice, text string) string {
	text = strings.TrimSpace(text)
	if choice == otherReason {
		return text
	}
	if text == "" {
		return choice
	}
	return choice + ": " + text
}

// send runs the change off the UI goroutine, showing it as pending until the
// platform answers; the referral is then read again to show what is true.
func (v *referralView) send(to, reason string) {
	v.sendWith(to, func(ctx context.Context, source int64, task string) (app.Outcome, error) {
		return v.w.a.SetStatus(ctx, source, task, to, reason)
	})
}

// sendWith is send with the app call that makes the change (SetStatus,
// Complete, DeclineAtCapacity…).
func (v *referralView) sendWith(to string, change func(ctx context.Context, source int64, task string) (app.Outcome, error)) {
	d := v.d
	v.act = acting{sending: to}
	v.render()
	gen := v.gen
	source, task, from := d.SourceID, d.TaskID, d.Status
	v.w.background(func(ctx context.Context) func() {
		o, err := change(ctx, source, task)
		fresh, ferr := v.w.a.Referral(ctx, source, task)
		return func() {
			v.w.syncs.reached(source, cmp.Or(err, o.Why))
			v.w.inbox.reload()
			v.w.reloadSources() // how many changes wait for the platform
			if v.source != source || v.task != task {
				return // the case worker moved on; the inbox row shows the result
			}
			v.act = acting{notice: noticeFor(from, to, o, err, v.w.a.Explain)}
			if ferr == nil && gen == v.gen {
				v.d = fresh
			}
			v.render()
		}
	})
}

// noticeFor says what happened to a change, with the platform's explanation.
func noticeFor(from, to string, o app.Outcome, err error, explain func(error) string) *notice {
	action := "“" + app.ActionName(from, to) + "”"
	switch {
	case err != nil && o.Change.ID != 0:
		return &notice{widget.WarningImportance, action + " waits to be sent", explain(err)}
	case err != nil:
		return &notice{widget.DangerImportance, action + " was not done", explain(err)}
	case o.Sent:
		return &notice{widget.SuccessImportance, app.ActionDone(from, to), o.Message()}
	case o.Change.State == app.ChangeConflict:
		return &notice{widget.DangerImportance, "Not sent: someone changed this referral first", o.Message()}
	case o.Change.State == app.ChangeRefused:
		return &notice{widget.DangerImportance, "The platform refused " + action, o.Message()}
	}
	return &notice{widget.WarningImportance, action + " waits to be sent", o.Message()}
}

func noticeBox(n *notice) fyne.CanvasObject {
	icon := theme.InfoIcon()
	switch n.imp {
	case widget.SuccessImportance:
		icon = theme.ConfirmIcon()
	case widget.DangerImportance:
		icon = theme.ErrorIcon()
	case widget.WarningImportance:
		icon = theme.WarningIcon()
	}
	return container.NewBorder(nil, nil, widget.NewIcon(icon), nil, container.NewVBox(
		&widget.Label{Text: n.title, TextStyle: fyne.TextStyle{Bold: true}, Importance: n.imp, Wrapping: fyne.TextWrapWord},
		wrapLabel(n.text)))
}
