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
// violence). It is the same strong red in every theme, sits above
// everything else on the referral, and the person's contact details stay
// hidden until the case worker reveals them in two deliberate steps.
func (v *referralView) dncBanner() fyne.CanvasObject {
	title := &widget.Label{Text: "DO NOT CONTACT THIS PERSON", TextStyle: fyne.TextStyle{Bold: true},
		SizeName: theme.SizeNameSubHeadingText, Wrapping: fyne.TextWrapWord}
	text := &widget.Label{Wrapping: fyne.TextWrapWord,
		Text: "The requester says this person must not be contacted, for example for their safety. Do not call, text, write or visit. Work through the requester instead."}
	objs := []fyne.CanvasObject{
		container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, title),
		text,
	}
	switch {
	case v.revealed:
		objs = append(objs,
			&widget.Label{Text: "Contact details are shown below. Do not use them to contact this person.", TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord},
			container.NewHBox(widget.NewButtonWithIcon("Hide contact details", theme.VisibilityOffIcon(), func() {
				v.revealed = false
				v.render()
			})))
	case v.asking:
		objs = append(objs,
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
	default:
		objs = append(objs, container.NewHBox(widget.NewButtonWithIcon("Show contact details…", theme.VisibilityIcon(), func() {
			v.asking = true
			v.render()
		})))
	}
	body := container.NewThemeOverride(container.NewPadded(container.NewVBox(objs...)), bannerTheme{theme.Current()})
	bg := canvas.NewRectangle(dncRed)
	bg.CornerRadius = theme.InputRadiusSize()
	return container.NewStack(bg, body)
}
