package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/assets"
)

// addHelpMenu adds Help › About Referral Desk to the window's menu. It needs
// nothing of the data, so it works while the window is locked.
func (w *Window) addHelpMenu() {
	w.menu.Items = append(w.menu.Items, fyne.NewMenu("Help", fyne.NewMenuItem("About Referral Desk", w.showAbout)))
	w.menu.Refresh()
}

// showAbout says which build this is — version, commit, build date — for
// the case worker to tell support, with a button that copies it.
func (w *Window) showAbout() {
	b := app.Build()
	icon := canvas.NewImageFromResource(assets.Icon)
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSize(64, 64))
	rows := []string{"Version", b.Version, "Commit", orDash(b.Commit), "Built", orDash(b.Date)}
	if b.Go != "" {
		rows = append(rows, "Go", b.Go)
	}
	copyVersion := widget.NewButtonWithIcon("Copy for support", theme.ContentCopyIcon(), func() {
		w.fa.Clipboard().SetContent(b.String())
	})
	content := container.NewVBox(
		container.NewBorder(nil, nil, icon, nil, container.NewVBox(
			&widget.Label{Text: "Referral Desk", SizeName: theme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}},
			wrapLabel("One inbox for the referrals your organization receives from referral platforms."),
		)),
		form(rows...),
		container.NewHBox(copyVersion),
	)
	d := dialog.NewCustom("About Referral Desk", "Close", content, w.win)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
}
