package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// protectScreen asks for a passphrase to protect the data with: first at
// the first run (or the first run after an upgrade from a release without
// encryption), and after the recovery key opened the data to replace a
// forgotten passphrase.
type protectScreen struct {
	w        *Window
	pass     *newPassphrase
	remember *widget.Check // nil when the screen does not offer it
	button   *widget.Button
	content  fyne.CanvasObject
	label    string
	busy     bool
	act      func(ctx context.Context, pass string, remember bool) (done func(), err error)
}

// showProtect is the first screen of a data folder without a passphrase:
// nothing of the data shows until it is protected.
func (w *Window) showProtect() {
	w.access = accessSettingUp
	w.refreshMenu()
	p := w.passphraseScreen("Protect your referrals",
		"Referral Desk keeps people's names, needs and contact details on this computer. "+
			"Choose a passphrase to encrypt them: Referral Desk asks for it each time it opens.",
		"Protect", true,
		func(ctx context.Context, pass string, remember bool) (func(), error) {
			key, err := w.a.SetUp(ctx, pass, remember)
			return func() {
				w.remembered = remember
				w.showRecoveryKey(key, w.opened)
			}, err
		})
	w.showPassphraseScreen(p)
}

// showNewPassphrase follows an unlock with the recovery key (Forgot your
// passphrase?): the forgotten passphrase is replaced before the data shows.
func (w *Window) showNewPassphrase(recoveryKey string, remember bool) {
	p := w.passphraseScreen("Choose a new passphrase",
		"Your recovery key opened Referral Desk. Choose a new passphrase to use from now on; the old one stops working, and your recovery key keeps working.",
		"Set passphrase", false,
		func(ctx context.Context, pass string, _ bool) (func(), error) {
			err := w.a.ChangePassphrase(ctx, recoveryKey, pass)
			return func() {
				w.remembered = remember
				w.opened()
			}, err
		})
	w.showPassphraseScreen(p)
}

func (w *Window) passphraseScreen(title, say, label string, offerRemember bool, act func(ctx context.Context, pass string, remember bool) (func(), error)) *protectScreen {
	p := &protectScreen{w: w, label: label, act: act}
	p.pass = newNewPassphrase(w, p.submit)
	p.button = widget.NewButtonWithIcon(label, theme.ConfirmIcon(), p.submit)
	p.button.Importance = widget.HighImportance
	objs := []fyne.CanvasObject{
		&widget.Label{Text: title, SizeName: theme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}},
		wrapLabel(say),
		p.pass.box,
	}
	if offerRemember {
		p.remember = widget.NewCheck("Remember on this computer", nil)
		objs = append(objs, p.remember, &widget.Label{Wrapping: fyne.TextWrapWord, SizeName: theme.SizeNameCaptionText,
			Text: "Referral Desk then opens without asking, with its key kept in this computer's keyring. Leave it off on a computer others use."})
	}
	objs = append(objs, container.NewHBox(p.button))
	p.content = column(560, container.NewVBox(objs...))
	return p
}

func (w *Window) showPassphraseScreen(p *protectScreen) {
	w.protect = p
	w.setContent(p.content)
	w.win.Canvas().Focus(p.pass.first)
}

// submit checks the passphrase here, then protects (or changes) off the UI
// goroutine: Argon2id takes about a second on purpose.
func (p *protectScreen) submit() {
	if p.busy {
		return
	}
	pass, ok := p.pass.value()
	if !ok {
		return
	}
	remember := p.remember != nil && p.remember.Checked
	p.busy = true
	p.button.Disable()
	p.button.SetText("Encrypting…")
	p.w.background(func(ctx context.Context) func() {
		done, err := p.act(ctx, pass, remember)
		return func() {
			p.busy = false
			p.button.Enable()
			p.button.SetText(p.label)
			if err != nil {
				p.pass.say(p.w.a.Explain(err))
				return
			}
			p.w.protect = nil
			done()
		}
	})
}
