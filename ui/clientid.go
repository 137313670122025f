package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// clientIDDialog asks for the client id of a platform that no longer knows
// Referral Desk and lets no app register itself (app.NeedsClientID): the
// case worker gets a new one from the platform, and Sign in again uses it.
type clientIDDialog struct {
	d       *dialog.CustomDialog
	entry   *widget.Entry
	problem *widget.Label
	signIn  *widget.Button
}

// askClientID opens the client id dialog for src.
func (p *syncPanel) askClientID(src app.Source) *clientIDDialog {
	c := &clientIDDialog{entry: widget.NewEntry()}
	c.entry.SetPlaceHolder("The client id the platform gave you")
	c.problem = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	c.problem.Hide()
	c.signIn = &widget.Button{Text: "Sign in", Importance: widget.HighImportance, OnTapped: func() {
		o, err := app.TypedSettings(c.entry.Text, "", "", "")
		if err != nil || o.ClientID == "" {
			c.problem.SetText(app.Explain(err))
			if o.ClientID == "" && err == nil {
				c.problem.SetText("Enter the client id first.")
			}
			c.problem.Show()
			return
		}
		c.d.Hide()
		src.ClientID = o.ClientID
		p.signInAgain(src)
	}}
	c.entry.OnSubmitted = func(string) { c.signIn.OnTapped() }
	body := container.NewVBox(
		wrapLabel(src.Name+" no longer recognises Referral Desk, and does not let it register itself. "+
			"Ask the platform for a client id for Referral Desk, enter it here, then sign in."),
		c.entry, c.problem)
	c.d = dialog.NewCustomWithoutButtons("Client id for "+src.Name, body, p.w.win)
	c.d.SetButtons([]fyne.CanvasObject{widget.NewButton("Not now", c.d.Hide), c.signIn})
	c.d.Resize(fyne.NewSize(480, 0))
	c.d.Show()
	p.w.win.Canvas().Focus(c.entry)
	return c
}
