package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// connectScreen connects a referral platform: paste its link, see where it
// leads (name, host in Unicode and punycode, secure or not) before any
// sign-in service is contacted, then sign in through the browser.
type connectScreen struct {
	w *Window

	link                  *widget.Entry
	check                 *widget.Button
	found                 *fyne.Container
	problem               *widget.Label
	clientID, port, owner *widget.Entry
	cont, back            *widget.Button
	waiting               *fyne.Container
	content               fyne.CanvasObject

	checked  app.Link // the link as checked on this computer
	linkOK   bool
	name     string // the platform's own name, once looked up
	looked   bool   // discovery succeeded for checked.FHIRBase
	gen      int
	cancel   context.CancelFunc // the sign-in under way
	signedIn bool
}

func newConnectScreen(w *Window) *connectScreen {
	c := &connectScreen{w: w}
	c.link = widget.NewEntry()
	c.link.SetPlaceHolder("https://platform.example.org/fhir")
	c.link.OnChanged = func(string) { c.checkLocally() }
	c.link.OnSubmitted = func(string) { c.lookUp() }
	c.check = widget.NewButton("Check link", c.lookUp)
	c.found = container.NewVBox()
	c.problem = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	c.problem.Hide()

	c.clientID = widget.NewEntry()
	c.clientID.SetPlaceHolder("Leave empty to register automatically")
	c.port = widget.NewEntry()
	c.port.SetPlaceHolder("Any free port")
	c.owner = widget.NewEntry()
	c.owner.SetPlaceHolder("Worked out from your sign-in, e.g. Organization/123")
	advanced := widget.NewAccordion(widget.NewAccordionItem("Advanced", widget.NewForm(
		widget.NewFormItem("Client id", c.clientID),
		widget.NewFormItem("Redirect port", c.port),
		widget.NewFormItem("Referrals for", c.owner),
	)))

	c.cont = widget.NewButtonWithIcon("Continue in your browser", theme.LoginIcon(), c.signIn)
	c.cont.Importance = widget.HighImportance
	c.cont.Disable()
	c.back = widget.NewButton("Back", c.leave)
	c.waiting = container.NewVBox()
	c.waiting.Hide()

	objs := []fyne.CanvasObject{
		&widget.Label{Text: "Connect a referral platform", SizeName: theme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}},
		wrapLabel("Paste the link your referral platform gave you (its FHIR address). Referral Desk shows where it leads before anything is sent."),
		container.NewBorder(nil, nil, nil, c.check, c.link),
		c.problem,
		c.found,
		advanced,
		container.NewHBox(c.cont, c.back),
		c.waiting,
	}
	if w.o.Demo != nil {
		objs = append(objs, widget.NewSeparator(), c.demoCard())
	}
	c.content = column(680, container.NewVBox(objs...))
	return c
}

// demoCard offers the built-in platform, with its sign-in explained and a
// place kept for its QR code (the scan path comes in a later version).
func (c *connectScreen) demoCard() fyne.CanvasObject {
	demo := c.w.o.Demo
	user, password := demo.SignIn()
	use := widget.NewButton("Use the demo platform's link", func() {
		c.link.SetText(demo.FHIRBase())
		c.lookUp()
	})
	text := container.NewVBox(
		wrapLabel("A sample referral platform is running on this computer, with made-up referrals. Its link:"),
		&widget.Label{Text: demo.FHIRBase(), TextStyle: fyne.TextStyle{Monospace: true}, Selectable: true, Wrapping: fyne.TextWrapBreak},
		wrapLabel(fmt.Sprintf("Its sign-in page opens in your browser: sign in with user name “%s” and password “%s”, then allow Referral Desk.", user, password)),
		container.NewHBox(use),
	)
	return widget.NewCard("Try the demo platform", "", container.NewBorder(nil, nil, nil, qrSpot(), text))
}

// qrSpot keeps the place where the demo link's QR code will be shown.
func qrSpot() fyne.CanvasObject {
	frame := canvas.NewRectangle(nil)
	frame.StrokeColor = theme.Color(theme.ColorNameSeparator)
	frame.StrokeWidth = 2
	frame.CornerRadius = theme.InputRadiusSize()
	frame.SetMinSize(fyne.NewSize(128, 128))
	return container.NewVBox(container.NewStack(frame, container.NewCenter(
		&widget.Label{Text: "QR code\ncoming soon", Alignment: fyne.TextAlignCenter, Importance: widget.LowImportance})))
}

// showConnect opens the connect screen, with a link filled in if given.
func (w *Window) showConnect(link string) {
	c := w.connect
	c.reset()
	if link != "" {
		c.link.SetText(link)
	}
	w.win.SetContent(c.content)
	w.win.Canvas().Focus(c.link)
}

func (c *connectScreen) reset() {
	c.gen++
	if c.cancel != nil {
		c.cancel()
		c.cancel = nil
	}
	c.link.SetText("")
	c.clientID.SetText("")
	c.port.SetText("")
	c.owner.SetText("")
	c.problem.Hide()
	c.found.RemoveAll()
	c.waiting.Hide()
	c.link.Enable()
	c.check.Enable()
	c.back.Enable()
	c.cont.Disable()
}

func (c *connectScreen) leave() {
	if len(c.w.sources) > 0 {
		c.w.showInbox()
		return
	}
	c.w.showWelcome("")
}

func (c *connectScreen) say(problem string) {
	c.problem.SetText(problem)
	setVisible(c.problem, problem != "")
}

// checkLocally reads the link on this computer, as it is typed: nothing is contacted.
func (c *connectScreen) checkLocally() {
	c.gen++
	c.looked, c.name = false, ""
	c.cont.Disable()
	c.found.RemoveAll()
	if strings.TrimSpace(c.link.Text) == "" {
		c.linkOK = false
		c.say("")
		return
	}
	l, err := app.CheckLink(c.link.Text)
	c.checked, c.linkOK = l, err == nil
	if err != nil {
		c.say(app.Explain(err))
		return
	}
	c.say("")
	c.showFound()
}

// showFound shows where the link leads, and the platform's name once known.
func (c *connectScreen) showFound() {
	l := c.checked
	name := "Not looked up yet: press Check link."
	if c.looked {
		name = orDash(c.name)
		if c.name == "" {
			name = "The platform does not say its name."
		}
	}
	server := l.Host
	if l.Port != "" {
		server += " (port " + l.Port + ")"
	}
	rows := []string{"Platform", name, "Server", server}
	if l.IDN() {
		rows = append(rows, "Spelled for computers", l.ASCIIHost)
	}
	secure := "Secure (https): the connection is encrypted."
	imp := widget.SuccessImportance
	if !l.Secure {
		secure = "Not encrypted (http). Allowed only because this platform runs on this computer."
		imp = widget.WarningImportance
	}
	rows = append(rows, "Address", l.FHIRBase)
	f := form(rows...)
	conn := container.NewBorder(nil, nil, widget.NewIcon(map[bool]fyne.Resource{true: theme.ConfirmIcon(), false: theme.WarningIcon()}[l.Secure]), nil,
		&widget.Label{Text: secure, Importance: imp, Wrapping: fyne.TextWrapWord})
	c.found.Objects = []fyne.CanvasObject{widget.NewCard("What this link leads to", "", container.NewVBox(f, conn))}
	c.found.Refresh()
}

// lookUp asks the platform for its SMART configuration and name. This
// contacts the platform's FHIR server only; its sign-in service is
// contacted when the case worker chooses Continue.
func (c *connectScreen) lookUp() {
	c.checkLocally()
	if !c.linkOK {
		return
	}
	gen, base := c.gen, c.checked.FHIRBase
	c.check.Disable()
	c.w.background(func(ctx context.Context) func() {
		_, err := c.w.a.Discover(ctx, base)
		name := ""
		if err == nil {
			name = c.w.a.PlatformName(ctx, base)
		}
		return func() {
			c.check.Enable()
			if gen != c.gen {
				return
			}
			if err != nil {
				c.say(app.Explain(err))
				return
			}
			c.looked, c.name = true, name
			c.showFound()
			c.cont.Enable()
		}
	})
}

// signIn connects: the browser sign-in, with a visible wait and Cancel.
func (c *connectScreen) signIn() {
	o := app.ConnectOptions{Link: c.checked.FHIRBase, Name: c.name,
		ClientID: strings.TrimSpace(c.clientID.Text), Owner: strings.TrimSpace(c.owner.Text)}
	if p := strings.TrimSpace(c.port.Text); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1024 || n > 65535 {
			c.say("The redirect port must be a number from 1024 to 65535, as the platform registered it.")
			return
		}
		o.RedirectPort = n
	}
	c.say("")
	ctx, cancel := context.WithCancel(c.w.ctx)
	c.cancel = cancel
	gen := c.gen
	c.showWaiting()
	c.w.background(func(context.Context) func() {
		src, err := c.w.a.Connect(ctx, o)
		return func() {
			cancel()
			if gen != c.gen {
				return
			}
			c.cancel = nil
			c.waiting.Hide()
			c.link.Enable()
			c.check.Enable()
			c.back.Enable()
			c.cont.Enable()
			if err != nil {
				if errors.Is(err, context.Canceled) {
					c.say("Sign-in cancelled. Nothing was saved; you can try again.")
				} else {
					c.say(app.Explain(err))
				}
				return
			}
			c.w.connected(src)
		}
	})
}

func (c *connectScreen) showWaiting() {
	c.link.Disable()
	c.check.Disable()
	c.cont.Disable()
	c.back.Disable()
	name := c.name
	if name == "" {
		name = c.checked.Host
	}
	objs := []fyne.CanvasObject{
		container.NewBorder(nil, nil, widget.NewIcon(theme.LoginIcon()), nil,
			&widget.Label{Text: "Waiting for you to sign in to " + name + " in your browser…", TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}),
		wrapLabel("A sign-in page has opened in your browser. Sign in there with the account the platform gave you and allow Referral Desk; this window continues by itself."),
	}
	if c.w.o.Demo != nil {
		user, password := c.w.o.Demo.SignIn()
		objs = append(objs, wrapLabel(fmt.Sprintf("Demo sign-in: user name “%s”, password “%s”.", user, password)))
	}
	objs = append(objs, container.NewHBox(widget.NewButton("Cancel", func() {
		if c.cancel != nil {
			c.cancel()
		}
	})))
	c.waiting.Objects = objs
	c.waiting.Show()
	c.waiting.Refresh()
}
