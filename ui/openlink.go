package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// openedVia says where a referraldesk:// link came from, on the connect
// confirmation ("Read from …").
const openedVia = "a Referral Desk link opened on this computer"

// OpenLink brings the window forward and, given a referraldesk:// link,
// shows the connect confirmation with the link filled in and checked on
// this computer: nothing is contacted until the case worker presses Check
// link, as for a pasted link. While the data is locked (or not set up yet)
// the link waits and shows once it is open. main calls it with the link
// the app was started with and each one a later launch hands over; it is
// safe from any goroutine. "" only brings the window forward.
func (w *Window) OpenLink(link string) {
	if w.ctx.Err() != nil { // the window has closed
		return
	}
	w.ui(func() {
		if w.ctx.Err() != nil {
			return
		}
		w.win.Show()
		w.win.RequestFocus()
		if link != "" {
			w.link = link
			w.showPendingLink()
		}
	})
}

// showPendingLink shows the connect confirmation for the link OpenLink
// kept, once the data is open.
func (w *Window) showPendingLink() {
	if w.link == "" || w.access != accessOpen {
		return
	}
	link := w.link
	w.link = ""
	text, err := w.a.OpenSchemeLink(link)
	if err != nil {
		w.showConnect("")
		w.connect.say(w.a.Explain(err))
		return
	}
	w.useScanned(text, openedVia)
}

// schemeLinkRow offers a connection link as a referraldesk:// link to copy,
// for a web page or an e-mail to open Referral Desk with, written out one
// parameter to a line when shown; nothing when the link cannot be one.
func (w *Window) schemeLinkRow(connectionLink string, shown bool) fyne.CanvasObject {
	link, err := app.SchemeLink(connectionLink)
	if err != nil {
		return container.NewVBox()
	}
	copyLink := widget.NewButtonWithIcon("Copy app link", theme.ContentCopyIcon(), func() { w.fa.Clipboard().SetContent(link) })
	row := container.NewVBox(wrapLabel("Copy app link copies a referraldesk:// link: in a web page or an e-mail, it opens Referral Desk at this same step."))
	if shown {
		row.Add(&widget.Label{Text: linkLines(link), TextStyle: fyne.TextStyle{Monospace: true}, Selectable: true, Wrapping: fyne.TextWrapBreak})
	}
	row.Add(container.NewHBox(copyLink))
	return row
}

// demoLinkRow offers the demo platform's referraldesk:// link to copy, to
// try opening Referral Desk from a web page or an e-mail.
func (w *Window) demoLinkRow(fhirBase string) fyne.CanvasObject {
	link, err := app.ConnectionLink(app.Source{FHIRBase: fhirBase})
	if err != nil {
		return container.NewVBox()
	}
	return w.schemeLinkRow(link, true)
}
