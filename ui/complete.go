package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// statusCompleted is the IG's status for a referral done (app.ActionName: Complete).
const statusCompleted = "completed"

// enrollmentCodes are app.Enrollments in the order offered, after "None".
var enrollmentCodes = []string{"enrolled", "not-enrolled", "waitlist"}

const noEnrollment = "None"

// completeDialog asks what was done before a referral is completed: the
// services delivered (the IG's Procedures), when, and the person's program
// enrollment; then asks once more, since the requester is told it is done.
type completeDialog struct {
	v        *referralView
	d        *dialog.CustomDialog
	services []app.Service
	ticked   map[string]bool // by service code
	filter   *widget.Entry
	checks   *fyne.Container
	date     *widget.Entry
	enroll   *widget.RadioGroup
	problem  *widget.Label
	body     *fyne.Container // the form, or the confirmation
	form     fyne.CanvasObject
	next     *widget.Button // Continue…: to the confirmation
	done     *widget.Button // Complete referral: sends it
	back     *widget.Button
	cancel   *widget.Button
}

// openComplete opens the completion dialog for the open referral.
func (v *referralView) openComplete() {
	d := v.d
	c := &completeDialog{v: v, services: app.ServicesFor(d.Need.CategoryCode, d.Need.Requested), ticked: map[string]bool{}}
	if len(c.services) > 0 {
		c.ticked[c.services[0].Code] = true // the one requested (ServicesFor lists it first)
	}
	c.filter = widget.NewEntry()
	c.filter.SetPlaceHolder("Filter services")
	c.filter.OnChanged = func(string) { v.w.active(); c.showChecks() }
	c.checks = container.NewVBox()
	c.showChecks()
	c.date = widget.NewEntry()
	c.date.SetText(v.w.now().Format(time.DateOnly))
	c.date.Validator = c.validDate
	c.date.OnChanged = func(string) { v.w.active(); c.update() }
	opts := []string{noEnrollment}
	for _, code := range enrollmentCodes {
		opts = append(opts, app.Enrollments[code])
	}
	c.enroll = widget.NewRadioGroup(opts, nil)
	c.enroll.Horizontal = true
	c.enroll.Selected = noEnrollment
	c.problem = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	c.problem.Hide()

	services := fyne.CanvasObject(wrapLabel("The service the requester asked for is reported."))
	if len(c.services) > 0 {
		list := container.NewVScroll(c.checks)
		list.SetMinSize(fyne.NewSize(0, 160))
		services = container.NewBorder(c.filter, nil, nil, nil, list)
	}
	c.form = container.NewVBox(
		bold("Services delivered"), services,
		bold("Date performed"), c.date,
		bold("Program enrollment (optional)"), c.enroll,
		c.problem)
	c.body = container.NewStack(c.form)
	c.next = &widget.Button{Text: "Continue…", Importance: widget.HighImportance, OnTapped: c.confirm}
	c.done = &widget.Button{Text: "Complete referral", Icon: theme.ConfirmIcon(), Importance: widget.SuccessImportance, OnTapped: c.send}
	c.back = widget.NewButton("Change something", c.edit)
	c.d = dialog.NewCustomWithoutButtons("Complete: what was done?", c.body, v.w.win)
	c.cancel = widget.NewButton("Not now", c.d.Hide)
	c.d.SetButtons([]fyne.CanvasObject{c.cancel, c.next})
	c.d.Resize(fyne.NewSize(520, 0))
	c.update()
	c.d.Show()
	v.completing = c
}

func bold(s string) *widget.Label {
	return &widget.Label{Text: s, TextStyle: fyne.TextStyle{Bold: true}}
}

// showChecks lists the services the filter matches; ticks survive a filter.
func (c *completeDialog) showChecks() {
	q := strings.ToLower(strings.TrimSpace(c.filter.Text))
	c.checks.Objects = nil
	for _, s := range c.services {
		if q != "" && !strings.Contains(strings.ToLower(s.Display), q) {
			continue
		}
		code := s.Code
		ch := widget.NewCheck(s.Display, func(on bool) {
			c.ticked[code] = on
			c.update()
		})
		ch.Checked = c.ticked[code]
		c.checks.Add(ch)
	}
	if len(c.checks.Objects) == 0 {
		c.checks.Add(&widget.Label{Text: "No service matches “" + c.filter.Text + "”.", Importance: widget.LowImportance})
	}
	c.checks.Refresh()
}

var errDateFormat = errors.New("give the date as YYYY-MM-DD")

// validDate accepts a YYYY-MM-DD date, not after today.
func (c *completeDialog) validDate(s string) error {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != len(time.DateOnly) {
		return errDateFormat
	}
	if d.After(c.v.w.now()) {
		return errors.New("the date is after today")
	}
	return nil
}

// chosen is what the form says, and what is missing from it.
func (c *completeDialog) chosen() (app.Completion, string) {
	var done app.Completion
	for _, s := range c.services {
		if c.ticked[s.Code] {
			done.Services = append(done.Services, s)
		}
	}
	if len(c.services) > 0 && len(done.Services) == 0 {
		return done, "Tick at least one service delivered."
	}
	if err := c.validDate(c.date.Text); err != nil {
		if err == errDateFormat {
			return done, "Give the date performed as YYYY-MM-DD, for example " + c.v.w.now().Format(time.DateOnly) + "."
		}
		return done, "The date performed cannot be after today."
	}
	done.Performed = c.date.Text
	for _, code := range enrollmentCodes {
		if app.Enrollments[code] == c.enroll.Selected {
			done.Enrollment = code
		}
	}
	return done, ""
}

// update shows what is missing and allows Continue only without it.
func (c *completeDialog) update() {
	if _, missing := c.chosen(); missing != "" {
		c.problem.SetText(missing)
		c.problem.Show()
		c.next.Disable()
		return
	}
	c.problem.Hide()
	c.next.Enable()
}

// confirm asks once more, with a summary of what the requester will be sent.
func (c *completeDialog) confirm() {
	done, missing := c.chosen()
	if missing != "" {
		return
	}
	var names []string
	for _, s := range done.Services {
		names = append(names, s.Display)
	}
	if len(names) == 0 {
		names = append(names, orDash(c.v.d.Need.Service))
	}
	enrollment := "Not reported"
	if done.Enrollment != "" {
		enrollment = app.Enrollments[done.Enrollment]
	}
	c.body.Objects = []fyne.CanvasObject{container.NewVBox(
		container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil,
			&widget.Label{Text: "Complete this referral? This tells the requester it is done and cannot be undone here.",
				TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}),
		form("Services", strings.Join(names, "\n"), "Performed", dateText(done.Performed), "Enrollment", enrollment))}
	c.body.Refresh()
	c.d.SetButtons([]fyne.CanvasObject{c.back, c.done})
}

// edit goes back from the confirmation to the form.
func (c *completeDialog) edit() {
	c.body.Objects = []fyne.CanvasObject{c.form}
	c.body.Refresh()
	c.d.SetButtons([]fyne.CanvasObject{c.cancel, c.next})
}

// send closes the dialog and completes the referral off the UI goroutine.
func (c *completeDialog) send() {
	done, missing := c.chosen()
	if missing != "" {
		return
	}
	c.d.Hide()
	c.v.completing = nil
	c.v.sendWith(statusCompleted, func(ctx context.Context, source int64, task string) (app.Outcome, error) {
		return c.v.w.a.Complete(ctx, source, task, done)
	})
}
