package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// summaryPane is the day at a glance, where the referral shows before one
// is opened: what is new, overdue, waiting to be sent or in conflict, and
// which platforms need attention, each with the way to it.
type summaryPane struct {
	w      *Window
	box    *fyne.Container
	scroll *container.Scroll
	gen    int
}

func newSummaryPane(w *Window) *summaryPane {
	s := &summaryPane{w: w, box: container.NewVBox()}
	s.scroll = container.NewVScroll(container.NewPadded(s.box))
	return s
}

func (s *summaryPane) object() fyne.CanvasObject { return s.scroll }

// reload counts the day's work again, off the UI goroutine.
func (s *summaryPane) reload() {
	if s.w.access != accessOpen {
		return
	}
	s.gen++
	gen, now, days := s.gen, s.w.now(), s.w.o.OverdueDays
	s.w.background(func(ctx context.Context) func() {
		sum, err := s.w.a.Summary(ctx, now, days)
		return func() {
			if gen == s.gen {
				s.render(sum, err)
			}
		}
	})
}

func (s *summaryPane) render(sum app.Summary, err error) {
	objs := []fyne.CanvasObject{
		&widget.Label{Text: "Today", SizeName: theme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}},
		&widget.Label{Text: s.w.now().Format("Monday 2 Jan 2006"), Importance: widget.LowImportance},
	}
	if err != nil {
		s.show(append(objs, wrapLabel(s.w.a.Explain(err))))
		return
	}
	in := s.w.inbox
	if sum.New > 0 {
		objs = append(objs, countLine(app.Plural(sum.New, "new referral", "new referrals")+" to answer",
			widget.MediumImportance, "Show new", func() { in.showView(viewNew, app.SortReceived) }))
	}
	if sum.Overdue > 0 {
		objs = append(objs, countLine(fmt.Sprintf("%s: nobody has answered for more than %s",
			app.Plural(sum.Overdue, "overdue", "overdue"), app.Plural(s.w.o.OverdueDays, "business day", "business days")),
			widget.WarningImportance, "Show oldest first", func() { in.showView(viewNew, app.SortOldest) }))
	}
	if len(sum.Waiting) > 0 {
		objs = append(objs, s.changes(app.Plural(len(sum.Waiting), "change waits", "changes wait")+" to be sent", widget.WarningImportance, sum.Waiting))
	}
	if len(sum.Conflicts) > 0 {
		objs = append(objs, s.changes(app.Plural(len(sum.Conflicts), "change", "changes")+" not sent: someone changed the referral first", widget.DangerImportance, sum.Conflicts))
	}
	if len(sum.Attention) > 0 {
		objs = append(objs, s.attention(sum.Attention))
	}
	if len(objs) == 2 {
		objs = append(objs, &widget.Label{Text: "Nothing waits for you. New referrals appear here after each sync.", Wrapping: fyne.TextWrapWord})
	}
	s.show(append(objs, &widget.Label{Text: "Select a referral in the list to read it.", Importance: widget.LowImportance, Wrapping: fyne.TextWrapWord}))
}

func (s *summaryPane) show(objs []fyne.CanvasObject) {
	s.box.Objects = objs
	s.box.Refresh()
}

// countLine is a count in words with the button that lists those referrals.
func countLine(text string, imp widget.Importance, button string, tapped func()) fyne.CanvasObject {
	return container.NewVBox(widget.NewSeparator(),
		&widget.Label{Text: text, Importance: imp, TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord},
		container.NewHBox(widget.NewButton(button, tapped)))
}

// changes lists unsettled changes, each a button opening its referral.
func (s *summaryPane) changes(title string, imp widget.Importance, list []app.Pending) fyne.CanvasObject {
	box := container.NewVBox(widget.NewSeparator(),
		&widget.Label{Text: title, Importance: imp, TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord})
	for _, p := range list {
		r := p.Referral
		text := app.ActionName(p.Change.FromStatus, p.Change.ToStatus) + ": " + orDash(r.Person) + " · " + p.Platform
		box.Add(&widget.Button{Text: text, Alignment: widget.ButtonAlignLeading, Importance: widget.LowImportance,
			OnTapped: func() { s.w.inbox.show(r.SourceID, r.TaskID) }})
	}
	return box
}

// attention lists the platforms that need the case worker, with the state
// the sidebar shows and, for a sign-in, the way to renew it.
func (s *summaryPane) attention(srcs []app.Source) fyne.CanvasObject {
	box := container.NewVBox(widget.NewSeparator(),
		&widget.Label{Text: app.Plural(len(srcs), "platform needs", "platforms need") + " your attention", Importance: widget.DangerImportance,
			TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord})
	for _, src := range srcs {
		st := app.StatusOf(src, false, nil)
		box.Add(&widget.Label{Text: joinNonEmpty(": ", src.Name, st.Say), Wrapping: fyne.TextWrapWord})
		if st.State == app.SyncNeedsSignIn {
			box.Add(container.NewHBox(widget.NewButtonWithIcon("Sign in again", theme.LoginIcon(), func() { s.w.syncs.signInAgain(src) })))
		}
	}
	return box
}

// showView shows a view of the inbox in an order, as the summary's buttons ask.
func (in *inbox) showView(key string, order app.SortOrder) {
	for i, s := range sorts {
		if s.key == order && in.sort != order {
			in.setChoice(in.sortSel, i)
			in.sort = order
			in.w.prefs.setSort(string(order))
		}
	}
	if in.view == key {
		in.reload()
		return
	}
	in.setView(key)
}
