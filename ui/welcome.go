package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/assets"
)

// showWelcome is the first screen when no platform is connected: what
// Referral Desk does, in one sentence, and the one thing to do next.
func (w *Window) showWelcome(problem string) {
	icon := canvas.NewImageFromResource(assets.Icon)
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSize(96, 96))
	title := &widget.Label{Text: "Welcome to Referral Desk", SizeName: theme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}, Alignment: fyne.TextAlignCenter}
	say := &widget.Label{Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord,
		Text: "Referral Desk brings the referrals that health systems and referral platforms send your organization into one inbox on this computer, where you can accept, work and close them."}
	connect := widget.NewButtonWithIcon("Connect a referral platform", theme.ContentAddIcon(), func() { w.showConnect("") })
	connect.Importance = widget.HighImportance
	objs := []fyne.CanvasObject{icon, title, say, container.NewCenter(connect)}
	if w.o.Demo != nil {
		say := "Demo mode: a sample referral platform is running on this computer. Nothing in it is real, so try anything."
		if p := w.o.DemoPassphrase; p != "" {
			say += fmt.Sprintf(" The demo data is protected like real data, with the passphrase “%s”: try Lock in the Referral Desk menu.", p)
		}
		objs = append(objs, &widget.Label{Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}, Text: say})
	}
	if problem != "" {
		objs = append(objs, &widget.Label{Text: problem, Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance})
	}
	w.setContent(column(560, container.NewVBox(objs...)))
}

// relayout lays the screen out again after part of it appeared, went away
// or grew (Show, Hide and SetText do not move what is around it).
func (w *Window) relayout() {
	if w.shown != nil {
		w.shown.Refresh()
	}
}

// column centres content at a readable width, vertically in the middle.
func column(width float32, content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVScroll(container.New(columnLayout{width}, content))
}

// columnLayout places one object at most width wide, centred, and in the
// middle vertically when there is room.
type columnLayout struct{ width float32 }

func (c columnLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(0, 0)
	for _, o := range objs {
		m := o.MinSize()
		s = s.Max(fyne.NewSize(min(m.Width, c.width), m.Height))
	}
	return s.Add(fyne.NewSize(2*theme.Padding(), 4*theme.Padding()))
}

func (c columnLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		w := min(size.Width-2*theme.Padding(), c.width)
		o.Resize(fyne.NewSize(w, o.MinSize().Height))
		h := o.MinSize().Height
		o.Resize(fyne.NewSize(w, h))
		y := max(2*theme.Padding(), (size.Height-h)/2)
		o.Move(fyne.NewPos((size.Width-w)/2, y))
	}
}
