package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
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
	// fromLink remembers what a link put into those fields, and for which
	// platform, so another platform's link never inherits them.
	fromLink     map[*widget.Entry]string
	fromLinkBase string
	cont, back   *widget.Button
	waiting      *fyne.Container // the wait for the sign-in (connectwait.go)
	waitScreen   fyne.CanvasObject
	content      fyne.CanvasObject
	// On the wait screen: Cancel, and the sign-in address with its Copy
	// button once the browser did not open.
	cancelButton, copyAddress *widget.Button
	address                   *widget.Label

	checked  app.Link    // the link as checked on this computer
	scanned  app.Scanned // what the link says (its settings, when it is a connection link)
	via      string      // where the link came from when it was not typed ("a QR code in a picture")
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
	c.link.OnChanged = func(string) { w.active(); c.checkLocally() }
	c.link.OnSubmitted = func(string) { c.lookUp() }
	c.check = widget.NewButton("Check link", c.lookUp)
	camera := widget.NewButtonWithIcon("Scan with camera", theme.MediaPhotoIcon(), w.showScan)
	openImage := widget.NewButtonWithIcon("Open image…", theme.FolderOpenIcon(), w.openImage)
	paste := widget.NewButtonWithIcon("Paste image", theme.ContentPasteIcon(), w.pasteImage)
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
		wrapLabel("Paste the link your referral platform gave you (its FHIR address), or read its QR code. Referral Desk shows where it leads before anything is sent."),
		container.NewBorder(nil, nil, nil, c.check, c.link),
		container.NewHBox(camera, openImage, paste),
		c.problem,
		c.found,
		advanced,
		container.NewHBox(c.cont, c.back),
	}
	if w.o.Demo != nil {
		objs = append(objs, widget.NewSeparator(), c.demoCard())
	}
	c.content = column(680, container.NewVBox(objs...))
	c.waitScreen = column(waitWidth, c.waiting)
	return c
}

// demoCard offers the built-in platform, with its sign-in explained and its
// QR code (its connection link is just its FHIR base) to try the scan paths.
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
		c.w.demoLinkRow(demo.FHIRBase()),
	)
	return widget.NewCard("Try the demo platform", "", container.NewBorder(nil, nil, nil, c.w.qrCode(demo.FHIRBase(), 144), text))
}

// showConnect opens the connect screen, with a link filled in if given.
func (w *Window) showConnect(link string) {
	w.stopScan()
	c := w.connect
	c.reset()
	if link != "" {
		c.link.SetText(link)
	}
	w.setContent(c.content)
	w.win.Canvas().Focus(c.link)
}

func (c *connectScreen) reset() {
	c.gen++
	c.stopSignIn()
	c.link.SetText("")
	c.via = ""
	c.clientID.SetText("")
	c.port.SetText("")
	c.owner.SetText("")
	c.problem.Hide()
	c.found.RemoveAll()
	c.endWait()
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
	c.stopSignIn() // a new link (the demo's, a scan, a paste) replaces a sign-in under way
	c.looked, c.name, c.via = false, "", ""
	c.cont.Disable()
	c.found.RemoveAll()
	if strings.TrimSpace(c.link.Text) == "" {
		c.linkOK = false
		c.say("")
		return
	}
	s, err := app.ParseConnectionText(c.link.Text)
	c.scanned, c.checked, c.linkOK = s, s.Link, err == nil
	if err != nil {
		c.say(c.w.a.Explain(err))
		return
	}
	c.say("")
	c.fillAdvanced(s.Link.FHIRBase, s.Options)
	c.showFound()
}

// fillAdvanced copies what a connection link says into the Advanced
// fields, where the case worker sees (and may change) it before connecting.
func (c *connectScreen) fillAdvanced(base string, o app.ConnectOptions) {
	if base != c.fromLinkBase {
		for e, v := range c.fromLink {
			if e.Text == v { // not changed by the case worker since
				e.SetText("")
			}
		}
		c.fromLink, c.fromLinkBase = map[*widget.Entry]string{}, base
	}
	if c.fromLink == nil {
		c.fromLink = map[*widget.Entry]string{}
	}
	set := func(e *widget.Entry, v string) {
		if v != "" {
			e.SetText(v)
			c.fromLink[e] = v
		}
	}
	set(c.clientID, o.ClientID)
	if o.RedirectPort != 0 {
		set(c.port, strconv.Itoa(o.RedirectPort))
	}
	set(c.owner, o.Owner)
}

// useScanned puts the text read from a QR code through the same check as a
// pasted link; nothing is contacted until the case worker presses Check
// link. Text that is refused never reaches the link field: it may hold
// hidden characters, or a health record's data.
func (w *Window) useScanned(text, via string) {
	w.showConnect("")
	c := w.connect
	if _, err := app.ParseConnectionText(text); err != nil {
		c.say(c.w.a.Explain(err))
		return
	}
	c.link.SetText(strings.TrimSpace(text))
	c.via = via
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
	rows := []string{"Platform", name}
	if n := c.scanned.Options.Name; n != "" {
		rows = append(rows, "Name in the link", n)
	}
	rows = append(rows, "Server", server)
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
	body := container.NewVBox(f, conn)
	if c.via != "" {
		body.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), nil,
			wrapLabel("Read from "+c.via+". Nothing has been contacted yet: check that this is your platform, then press Check link.")))
	}
	c.found.Objects = []fyne.CanvasObject{widget.NewCard("What this link leads to", "", body)}
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
				c.say(c.w.a.Explain(err))
				return
			}
			c.looked, c.name = true, name
			c.showFound()
			c.cont.Enable()
		}
	})
}

// signIn connects: the browser sign-in, with a visible wait and Cancel.
// The Advanced fields go through the rules a connection link's settings
// follow (app.TypedSettings), so what a link filled in and what was typed
// are held to the same.
func (c *connectScreen) signIn() {
	o, err := app.TypedSettings(c.clientID.Text, c.port.Text, c.owner.Text, "")
	if err != nil {
		c.say(c.w.a.Explain(err))
		return
	}
	o.Link, o.Name = c.checked.FHIRBase, c.scanned.Options.Name // what the colleague who shared the link calls it
	if o.Name == "" {
		o.Name = c.name
	}
	c.say("")
	ctx, cancel := context.WithCancel(c.w.ctx)
	c.cancel = cancel
	gen := c.gen
	o.OnWaiting = func(wt app.Waiting) { // from the sign-in's goroutine
		if wt.NoBrowser {
			c.w.ui(func() {
				if gen == c.gen && c.cancel != nil {
					c.showNoBrowser(wt)
				}
			})
		}
	}
	c.showWaiting()
	c.w.background(func(context.Context) func() {
		src, err := c.w.a.Connect(ctx, o)
		return func() {
			cancel()
			if gen != c.gen {
				return
			}
			c.cancel = nil
			c.endWait()
			c.cont.Enable()
			if err != nil {
				if errors.Is(err, context.Canceled) { // the person pressed Cancel
					err = &app.Error{Op: "connect", Kind: app.KindCanceled, Reason: app.ReasonSignInCancelled, Err: err}
				}
				c.say(c.w.a.Explain(err))
				return
			}
			c.w.connected(src)
		}
	})
}

// stopSignIn ends a sign-in under way, if any, and gives the screen back.
func (c *connectScreen) stopSignIn() {
	if c.cancel == nil {
		return
	}
	c.cancel()
	c.cancel = nil
	c.endWait()
}
