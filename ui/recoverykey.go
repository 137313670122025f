package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	fstorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// recoveryScreen shows a recovery key once, for the case worker to save:
// after the passphrase is set, and after New recovery key…. Continue
// waits until they say they saved it.
type recoveryScreen struct {
	key     string
	saved   *widget.Check
	cont    *widget.Button
	note    *widget.Label // "Copied." or where it was saved
	content fyne.CanvasObject
}

// showRecoveryKey shows key until Continue, which calls done.
func (w *Window) showRecoveryKey(key string, done func()) {
	r := &recoveryScreen{key: key}
	r.cont = widget.NewButtonWithIcon("Continue", theme.NavigateNextIcon(), func() {
		if r.saved.Checked {
			w.recovery = nil
			done()
		}
	})
	r.cont.Importance = widget.HighImportance
	r.cont.Disable()
	r.saved = widget.NewCheck("I have saved my recovery key", func(on bool) {
		if on {
			r.cont.Enable()
		} else {
			r.cont.Disable()
		}
	})
	r.note = &widget.Label{Importance: widget.SuccessImportance, Wrapping: fyne.TextWrapWord}
	r.note.Hide()
	copyKey := widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
		w.fa.Clipboard().SetContent(key)
		r.say(w, "Copied. Paste it where you keep it safe.")
	})
	save := widget.NewButtonWithIcon("Save to file…", theme.DocumentSaveIcon(), func() { w.saveRecoveryKey(r) })
	shown := &widget.Label{Text: keyLines(key), Alignment: fyne.TextAlignCenter, Selectable: true,
		TextStyle: fyne.TextStyle{Monospace: true}, SizeName: theme.SizeNameHeadingText}
	r.content = column(600, container.NewVBox(
		&widget.Label{Text: "Save your recovery key", SizeName: theme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}},
		wrapLabel("If you forget your passphrase, this recovery key opens your referrals instead. "+
			"Without the passphrase or this key, nobody can read the data on this computer: not you, not your organization, not Referral Desk."),
		widget.NewCard("", "", shown),
		container.NewCenter(container.NewHBox(copyKey, save)),
		r.note,
		wrapLabel("Keep it away from this computer: print it, or store it in your organization's password manager. It is not shown again."),
		r.saved,
		container.NewHBox(r.cont),
	))
	w.recovery = r
	w.setContent(r.content)
}

func (r *recoveryScreen) say(w *Window, s string) {
	r.note.SetText(s)
	r.note.Show()
	w.relayout()
}

// keyLines shows a recovery key ("ABCD-EFGH-…", 8 groups) on two lines of
// four groups, large enough to copy by hand without losing one's place
// (the dash between the lines does not matter when it is typed back).
func keyLines(key string) string {
	groups := strings.Split(key, "-")
	if len(groups) != 8 {
		return key
	}
	return strings.Join(groups[:4], "-") + "\n" + strings.Join(groups[4:], "-")
}

// recoveryKeyFile is what Save to file… writes: the key, and what it is for.
func recoveryKeyFile(key string) string {
	return "Referral Desk recovery key\n\n" + key + "\n\n" +
		"If the passphrase of Referral Desk is forgotten, type this key where Referral Desk asks for the passphrase " +
		"(Forgot your passphrase?), then choose a new passphrase.\n"
}

// saveRecoveryKey writes the key to a file the case worker chooses.
func (w *Window) saveRecoveryKey(r *recoveryScreen) {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		name := wc.URI().Name()
		w.background(func(context.Context) func() {
			_, err := wc.Write([]byte(recoveryKeyFile(r.key)))
			if cerr := wc.Close(); err == nil {
				err = cerr
			}
			return func() {
				if err != nil {
					dialog.ShowInformation("Save to file", w.a.Explain(&app.Error{Op: "save the recovery key", Kind: app.KindLocal, Err: err}), w.win)
					return
				}
				r.say(w, "Saved to "+name+".")
			}
		})
	}, w.win)
	d.SetFileName("Referral Desk recovery key.txt")
	d.SetFilter(fstorage.NewExtensionFileFilter([]string{".txt"}))
	d.Resize(fyne.NewSize(820, 560))
	d.Show()
}

// showNewRecoveryKey is the New recovery key… command: with the passphrase,
// a new key replaces the old one, which stops working, and shows like the
// first one did.
func (w *Window) showNewRecoveryKey() {
	if w.access != accessOpen {
		return
	}
	current := widget.NewPasswordEntry()
	current.SetPlaceHolder("Passphrase")
	problem := &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	problem.Hide()
	var d *dialog.CustomDialog
	var makeKey *widget.Button
	busy := false
	submit := func() {
		if busy {
			return
		}
		busy = true
		makeKey.Disable()
		secret := current.Text
		w.background(func(ctx context.Context) func() {
			key, err := w.a.NewRecoveryKey(ctx, secret)
			return func() {
				busy = false
				makeKey.Enable()
				if err != nil {
					problem.SetText(w.a.Explain(err))
					problem.Show()
					w.win.Canvas().Focus(current)
					return
				}
				d.Hide()
				back := w.content()
				w.showRecoveryKey(key, func() { w.setContent(back) })
			}
		})
	}
	current.OnChanged = func(string) { problem.Hide() }
	current.OnSubmitted = func(string) { submit() }
	makeKey = &widget.Button{Text: "Make a new key", Importance: widget.HighImportance, OnTapped: submit}
	content := container.NewVBox(
		wrapLabel("A new recovery key replaces the one you saved, which stops working. Type your passphrase to make it."),
		current, problem,
	)
	d = dialog.NewCustomWithoutButtons("New recovery key", content, w.win)
	d.SetButtons([]fyne.CanvasObject{widget.NewButton("Cancel", d.Hide), makeKey})
	d.Resize(fyne.NewSize(480, 0))
	d.Show()
	w.win.Canvas().Focus(current)
	w.passDialog = &passDialog{current: current, problem: problem, submit: submit}
}
