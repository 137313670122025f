//go:build screenshots

package main

import (
	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/ui"
)

func init() { newScreenshooter = newHeldShooter }

// heldShooter signs in through the demo platform's scripted browser, held
// until the driver has captured the waiting screen.
type heldShooter struct{ browser *ui.HeldBrowser }

func newHeldShooter(p *app.DemoPlatform) screenshooter {
	return heldShooter{ui.NewHeldBrowser(p.ScriptedBrowser())}
}

func (s heldShooter) OpenBrowser(url string) error       { return s.browser.Open(url) }
func (s heldShooter) Run(w *ui.Window, dir string) error { return w.Screenshots(dir, s.browser) }
