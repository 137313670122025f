package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/assets"
)

// unlockScreen asks for the passphrase (or the recovery key). It shows
// nothing of the data: no name, no count, no platform, since anyone may
// be looking at a locked laptop.
type unlockScreen struct {
	w         *Window
	secret    *widget.Entry
	remember  *widget.Check
	button    *widget.Button
	problem   *widget.Label
	forgot    *widget.Button
	help      *widget.Label
	forgotten bool // the case worker follows Forgot your passphrase?
	busy      bool
}

// showUnlock replaces the whole window with the unlock screen.
func (w *Window) showUnlock() {
	w.access = accessLocked
	w.refreshMenu()
	u := &unlockScreen{w: w, secret: widget.NewPasswordEntry()}
	u.secret.SetPlaceHolder("Passphrase")
	u.secret.OnSubmitted = func(string) { u.submit() }
	u.remember = widget.NewCheck("Remember on this computer", nil)
	u.remember.Checked = w.remembered // unticking it forgets the key kept before
	u.button = widget.NewButtonWithIcon("Unlock", theme.LoginIcon(), u.submit)
	u.button.Importance = widget.HighImportance
	u.problem = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	u.problem.Hide()
	u.forgot = &widget.Button{Text: "Forgot your passphrase?", Importance: widget.LowImportance, OnTapped: u.showForgot}
	u.help = wrapLabel("Type your recovery key in the field above instead: the 32 letters and digits you saved when you protected " +
		"Referral Desk (dashes, spaces and capitals do not matter). Referral Desk then asks you for a new passphrase.")
	u.help.Hide()

	icon := canvas.NewImageFromResource(assets.Icon)
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSize(72, 72))
	objs := []fyne.CanvasObject{
		icon,
		&widget.Label{Text: "Referral Desk is locked", SizeName: theme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}, Alignment: fyne.TextAlignCenter},
		&widget.Label{Text: "Type your passphrase to open your referrals.", Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord},
		u.secret,
		u.problem,
		u.remember,
		container.NewBorder(nil, nil, nil, u.button, container.NewHBox(u.forgot)),
		u.help,
	}
	if p := w.o.DemoPassphrase; p != "" {
		objs = append(objs, &widget.Label{Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true},
			Text: fmt.Sprintf("Demo: the demo data is protected with the passphrase “%s”.", p)})
	}
	w.unlock = u
	w.setContent(column(440, container.NewVBox(objs...)))
	w.win.Canvas().Focus(u.secret)
}

// showForgot explains that the recovery key opens the data too, typed in
// the same field; a new passphrase is asked next.
func (u *unlockScreen) showForgot() {
	u.forgotten = true
	u.forgot.Hide()
	u.help.Show()
	u.secret.SetPlaceHolder("Recovery key")
	u.w.relayout()
	u.w.win.Canvas().Focus(u.secret)
}

// submit unlocks off the UI goroutine (Argon2id takes about a second on
// purpose). A wrong passphrase only says so under the field, which keeps
// the focus.
func (u *unlockScreen) submit() {
	w := u.w
	if u.busy {
		return
	}
	secret := u.secret.Text
	if secret == "" {
		w.win.Canvas().Focus(u.secret)
		return
	}
	remember := u.remember.Checked
	u.busy = true
	u.button.Disable()
	locking := w.locking
	w.background(func(ctx context.Context) func() {
		<-locking // the lock has dropped the key: an unlock must come after it
		err := w.a.Unlock(ctx, secret, remember)
		return func() {
			u.busy = false
			u.button.Enable()
			if err != nil {
				u.problem.SetText(w.a.Explain(err))
				u.problem.Show()
				w.relayout()
				w.win.Canvas().Focus(u.secret)
				return
			}
			w.unlock = nil
			if u.forgotten {
				w.showNewPassphrase(secret, remember)
				return
			}
			w.remembered = remember
			w.opened()
		}
	})
}
