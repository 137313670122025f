package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/referraldesk/referraldesk/app"
)

// runConnect connects a platform as the window's connect screen does: the
// link read by app.ParseConnectionText (any of the three formats, and a
// health record explained), the flags held to the rules of a connection
// link's settings (app.TypedSettings), and only then the sign-in. What it
// says on stderr comes in the order things happen: where the link leads,
// then (once the platform was found) the wait for the sign-in.
func runConnect(ctx context.Context, c *cmdline, args []string) error {
	fs := flag.NewFlagSet("connect", flag.ContinueOnError)
	clientID := fs.String("client-id", "", "")
	port := fs.String("redirect-port", "", "")
	owner := fs.String("owner", "", "")
	name := fs.String("name", "", "")
	qrImage := fs.String("qr-image", "", "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	want := 1
	if *qrImage != "" {
		want = 0
	}
	if err := needArgs(pos, want, commands["connect"].usage); err != nil {
		return err
	}
	typed, err := app.TypedSettings(*clientID, *port, *owner, *name)
	if err != nil {
		return err
	}
	var fromLink app.ConnectOptions
	if *qrImage != "" {
		fromLink, err = c.optionsFromQR(*qrImage)
	} else {
		fromLink, err = c.optionsFromText(pos[0], "link")
	}
	if err != nil {
		return err
	}
	o := withLink(typed, fromLink)
	o.OnWaiting = c.sayWaiting
	src, err := c.app.Connect(ctx, o)
	if err != nil {
		return err
	}
	c.printf("%d\n", src.ID)
	fmt.Fprintf(c.env.Stderr, "Connected to %s: receiving referrals for %s.\n", src.Name, src.Owner)
	if src.StateDetail != "" {
		fmt.Fprintln(c.env.Stderr, "Note: "+src.StateDetail)
	}
	return nil
}

// sayWaiting says on stderr that connect waits for the sign-in, which it
// hears only once the link was checked and the platform found; when the
// browser did not open, it gives the address to open by hand, as the
// window does. It runs on the sign-in's goroutine while runConnect waits.
func (c *cmdline) sayWaiting(w app.Waiting) {
	if !w.NoBrowser {
		fmt.Fprintln(c.env.Stderr, "Waiting for you to sign in to the platform in your browser…")
		return
	}
	fmt.Fprintf(c.env.Stderr, "%s\n  %s\n", w.Say(), w.Address)
}

// optionsFromText reads a link with app.ParseConnectionText (the one check
// the window's paste and scan paths use too) and says on stderr where it
// leads, in Unicode and punycode; from names where it came from.
func (c *cmdline) optionsFromText(text, from string) (app.ConnectOptions, error) {
	s, err := app.ParseConnectionText(text)
	if err != nil {
		return app.ConnectOptions{}, err
	}
	secure := "secure (https)"
	if !s.Link.Secure {
		secure = "not secure: http on this computer only"
	}
	fmt.Fprintf(c.env.Stderr, "The %s leads to %s, %s.\n", from, s.Link.Server(), secure)
	return s.Options, nil
}

// withLink fills what the command line's flags left empty from the link
// (typed or read from a QR code): flags win over the link's settings.
func withLink(typed, fromLink app.ConnectOptions) app.ConnectOptions {
	o := fromLink
	if typed.ClientID != "" {
		o.ClientID = typed.ClientID
	}
	if typed.RedirectPort != 0 {
		o.RedirectPort = typed.RedirectPort
	}
	if typed.Owner != "" {
		o.Owner = typed.Owner
	}
	if typed.Name != "" {
		o.Name = typed.Name
	}
	return o
}
