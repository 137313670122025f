package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// newPassphrase is a passphrase being chosen: typed twice, with the rule
// and a hint of its strength as it is typed.
type newPassphrase struct {
	w            *Window
	first, again *widget.Entry
	strength     *widget.Label
	problem      *widget.Label
	box          fyne.CanvasObject
}

// newNewPassphrase makes the fields; Enter in the second one calls submit.
func newNewPassphrase(w *Window, submit func()) *newPassphrase {
	p := &newPassphrase{w: w, first: widget.NewPasswordEntry(), again: widget.NewPasswordEntry()}
	p.strength = &widget.Label{SizeName: theme.SizeNameCaptionText}
	p.problem = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	p.problem.Hide()
	p.first.OnChanged = func(s string) { p.showStrength(s); p.say("") }
	p.first.OnSubmitted = func(string) { w.win.Canvas().Focus(p.again) }
	p.again.OnChanged = func(string) { p.say("") }
	p.again.OnSubmitted = func(string) { submit() }
	// The rule in the case worker's words is CheckPassphrase's own refusal
	// of an empty passphrase, so it cannot drift from what is checked.
	rule := &widget.Label{Text: app.Explain(app.CheckPassphrase("")), Wrapping: fyne.TextWrapWord, SizeName: theme.SizeNameCaptionText}
	p.box = container.NewVBox(
		container.New(layout.NewFormLayout(),
			&widget.Label{Text: "Passphrase", TextStyle: fyne.TextStyle{Bold: true}},
			container.NewVBox(p.first, container.New(linesLayout{}, rule, p.strength)),
			&widget.Label{Text: "Type it again", TextStyle: fyne.TextStyle{Bold: true}},
			p.again),
		p.problem,
	)
	return p
}

// showStrength is the hint under the field: how hard the passphrase is to guess.
func (p *newPassphrase) showStrength(s string) {
	if s == "" {
		p.strength.SetText("")
		return
	}
	hint := app.PassphraseStrength(s)
	p.strength.Importance = widget.SuccessImportance
	if hint == "too short" || hint == "fair" {
		p.strength.Importance = widget.WarningImportance
	}
	p.strength.SetText("Strength: " + hint)
}

func (p *newPassphrase) say(problem string) {
	if problem == p.problem.Text {
		return // each keystroke clears it: most of the time there is nothing to do
	}
	p.problem.SetText(problem)
	setVisible(p.problem, problem != "")
	p.w.relayout() // the protect screen; a dialog lays itself out again
}

// value is the passphrase when it follows the rule and was typed the same
// twice; otherwise it says why not, under the fields.
func (p *newPassphrase) value() (string, bool) {
	pass := p.first.Text
	if err := app.CheckPassphrase(pass); err != nil {
		p.say(p.w.a.Explain(err))
		p.w.win.Canvas().Focus(p.first)
		return "", false
	}
	if pass != p.again.Text {
		p.say("The two passphrases are not the same. Type the same one twice.")
		p.w.win.Canvas().Focus(p.again)
		return "", false
	}
	p.say("")
	return pass, true
}

// showChangePassphrase is the Change passphrase… command: the current
// passphrase (or the recovery key), the new one twice. The data is not
// encrypted again, and the recovery key stays the same.
func (w *Window) showChangePassphrase() {
	if w.access != accessOpen {
		return
	}
	current := widget.NewPasswordEntry()
	current.SetPlaceHolder("Current passphrase or recovery key")
	problem := &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	problem.Hide()
	var d *dialog.CustomDialog
	var change *widget.Button
	busy := false
	submit := func() {}
	next := newNewPassphrase(w, func() { submit() })
	submit = func() {
		if busy {
			return
		}
		pass, ok := next.value()
		if !ok {
			return
		}
		busy = true
		change.Disable()
		old := current.Text
		w.background(func(ctx context.Context) func() {
			err := w.a.ChangePassphrase(ctx, old, pass)
			return func() {
				busy = false
				change.Enable()
				if err != nil {
					problem.SetText(w.a.Explain(err))
					problem.Show()
					w.win.Canvas().Focus(current)
					return
				}
				d.Hide()
				dialog.ShowInformation("Passphrase changed", "Referral Desk asks for the new passphrase from now on. Your recovery key has not changed.", w.win)
			}
		})
	}
	current.OnChanged = func(string) { problem.Hide() }
	current.OnSubmitted = func(string) { w.win.Canvas().Focus(next.first) }
	change = &widget.Button{Text: "Change passphrase", Importance: widget.HighImportance, OnTapped: submit}
	content := container.NewVBox(
		&widget.Label{Text: "Current passphrase", TextStyle: fyne.TextStyle{Bold: true}},
		current, problem,
		widget.NewSeparator(),
		&widget.Label{Text: "New passphrase", TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameSubHeadingText},
		next.box,
	)
	d = dialog.NewCustomWithoutButtons("Change passphrase", content, w.win)
	d.SetButtons([]fyne.CanvasObject{widget.NewButton("Cancel", d.Hide), change})
	d.Resize(fyne.NewSize(480, 0))
	d.Show()
	w.win.Canvas().Focus(current)
	w.passDialog = &passDialog{current: current, next: next, problem: problem, submit: submit}
}

// passDialog is the open passphrase dialog's parts, for tests.
type passDialog struct {
	current *widget.Entry
	next    *newPassphrase
	problem *widget.Label
	submit  func()
}
