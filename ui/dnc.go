package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// dncBanner is the do-not-contact warning: the IG's
// contacting-subject-prohibited (often the person's safety, e.g. domestic
// violence). It is the same strong red in every theme and sits in the
// referral's lead, above the actions. The person's contact details stay
// hidden until the case worker reveals them in two deliberate steps, in
// the Person section (revealControls).
func dncBanner() fyne.CanvasObject {
	title := &widget.Label{Text: "DO NOT CONTACT THIS PERSON", TextStyle: fyne.TextStyle{Bold: true},
		SizeName: theme.SizeNameSubHeadingText, Wrapping: fyne.TextWrapWord}
	text := &widget.Label{Wrapping: fyne.TextWrapWord,
		Text: "The requester says this person must not be contacted, for example for their safety. Do not call, text, write or visit. Work through the requester instead."}
	return redBox(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, title), text)
}

// revealControls show or hide a do-not-contact person's contact details,
// asking first.
func (v *referralView) revealControls() fyne.CanvasObject {
	switch {
	case v.revealed:
		return redBox(
			&widget.Label{Text: "Contact details are shown above. Do not use them to contact this person.", TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord},
			container.NewHBox(widget.NewButtonWithIcon("Hide contact details", theme.VisibilityOffIcon(), func() {
				v.revealed = false
				v.render()
			})))
	case v.asking:
		return redBox(
			&widget.Label{Text: "Only show them if you need them for something other than contacting the person, such as checking who they are.", Wrapping: fyne.TextWrapWord},
			container.NewHBox(
				widget.NewButton("Show them, I will not make contact", func() {
					v.revealed, v.asking = true, false
					v.render()
				}),
				widget.NewButton("Keep hidden", func() {
					v.asking = false
					v.render()
				})))
	}
	return container.NewHBox(widget.NewButtonWithIcon("Show contact details…", theme.VisibilityIcon(), func() {
		v.asking = true
		v.render()
	}))
}

// redBox is the do-not-contact red behind objs, in every theme.
func redBox(objs ...fyne.CanvasObject) fyne.CanvasObject {
	body := container.NewThemeOverride(container.NewPadded(container.NewVBox(objs...)), bannerTheme{theme.Current()})
	bg := canvas.NewRectangle(dncRed)
	bg.CornerRadius = theme.InputRadiusSize()
	return container.NewStack(bg, body)
}
