package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// waitWidth is the wait screen's column: wide enough that the sign-in
// address (some 600 characters) takes few lines, and narrow enough for a
// 1366×768 window at 150 % (910 points wide).
const waitWidth = 860

// showWaiting shows the wait for the sign-in on a screen of its own, short
// enough that what it says, the sign-in address (when the browser did not
// open) and Cancel are all in view without scrolling at 150 % in a
// 1366×768 window.
func (c *connectScreen) showWaiting() {
	c.link.Disable()
	c.check.Disable()
	c.cont.Disable()
	c.back.Disable()
	c.fillWaiting(nil)
	c.w.setContent(c.waitScreen)
}

// showNoBrowser says that the browser did not open and shows the sign-in
// address, selectable and with Copy, while the sign-in keeps waiting for it.
func (c *connectScreen) showNoBrowser(wt app.Waiting) {
	c.fillWaiting(&wt)
	c.w.relayout()
}

// fillWaiting makes what the wait screen shows; noBrowser is the address
// to open by hand, nil while the browser is taken to have opened.
func (c *connectScreen) fillWaiting(noBrowser *app.Waiting) {
	name := c.name
	if name == "" {
		name = c.checked.Host
	}
	objs := []fyne.CanvasObject{
		container.NewBorder(nil, nil, widget.NewIcon(theme.LoginIcon()), nil,
			&widget.Label{Text: "Waiting for you to sign in to " + name + " in your browser…", TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}),
	}
	if noBrowser == nil {
		objs = append(objs, wrapLabel("A sign-in page has opened in your browser. Sign in there with the account the platform gave you and allow Referral Desk; this window continues by itself."))
	} else {
		objs = append(objs, wrapLabel(noBrowser.Say()), c.addressToCopy(noBrowser.Address))
	}
	if c.w.o.Demo != nil {
		user, password := c.w.o.Demo.SignIn()
		objs = append(objs, wrapLabel(fmt.Sprintf("Demo sign-in: user name “%s”, password “%s”.", user, password)))
	}
	c.cancelButton = widget.NewButton("Cancel", func() {
		if c.cancel != nil {
			c.cancel()
		}
	})
	objs = append(objs, container.NewHBox(c.cancelButton))
	c.waiting.Objects = objs
	c.waiting.Show()
	c.waiting.Refresh()
}

// addressToCopy is the sign-in address, selectable, with a button that
// copies it to the clipboard and says so.
func (c *connectScreen) addressToCopy(address string) fyne.CanvasObject {
	copied := &widget.Label{Importance: widget.SuccessImportance}
	copied.Hide()
	c.copyAddress = widget.NewButtonWithIcon("Copy address", theme.ContentCopyIcon(), func() {
		c.w.fa.Clipboard().SetContent(address)
		copied.SetText("Copied. Paste it into your web browser's address bar.")
		copied.Show()
		c.w.relayout()
	})
	c.address = &widget.Label{Text: address, TextStyle: fyne.TextStyle{Monospace: true}, Selectable: true, Wrapping: fyne.TextWrapBreak}
	return container.NewVBox(c.address, container.NewHBox(c.copyAddress, copied))
}

// endWait leaves the wait: the form again, its fields usable.
func (c *connectScreen) endWait() {
	c.waiting.Hide()
	c.link.Enable()
	c.check.Enable()
	c.back.Enable()
	if c.w.content() == c.waitScreen {
		c.w.setContent(c.content)
	}
}
