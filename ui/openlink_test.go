package ui

import (
	"net/url"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// schemeLink is the referraldesk:// link of connectionLink(h).
func schemeLink(h *harness) string {
	link, err := app.SchemeLink(connectionLink(h))
	if err != nil {
		h.t.Fatal(err)
	}
	return link
}

func assertLinkConfirmation(t *testing.T, h *harness) {
	t.Helper()
	w := h.w
	c := w.connect
	if w.content() != c.content {
		t.Fatal("a referraldesk link did not open the connect confirmation")
	}
	noRequests(t, h)
	mustContain(t, h.markup(), "What this link leads to", "Eastside Referrals", "127.0.0.1",
		"Read from "+openedVia+". Nothing has been contacted yet")
	if c.clientID.Text != "rd-4711" || c.port.Text != "53682" || c.owner.Text != "Organization/cbo-42" {
		t.Errorf("Advanced is %q %q %q, want the link's settings", c.clientID.Text, c.port.Text, c.owner.Text)
	}
	if !c.cont.Disabled() {
		t.Error("Continue must wait for Check link")
	}
}

func TestSchemeLinkOpensTheConnectConfirmation(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	w := h.open(nil)
	w.OpenLink(schemeLink(h))
	h.settle()
	assertLinkConfirmation(t, h)

	// From there it is the pasted link's way: Check link asks the platform.
	test.Tap(w.connect.check)
	h.settle()
	if len(h.server.Requests()) == 0 || w.connect.cont.Disabled() {
		t.Fatal("Check link did not look the platform up")
	}
}

// A link that comes while the data is locked waits: the unlock screen shows
// nothing of it, and the confirmation shows once the data is open.
func TestSchemeLinkWaitsForTheUnlock(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	h.lockAway()
	w := h.open(nil)
	link := schemeLink(h)
	w.OpenLink(link)
	h.settle()
	if w.access != accessLocked || w.unlock == nil {
		t.Fatal("a link opened the data without the passphrase")
	}
	mustNotContain(t, h.markup(), "127.0.0.1", "Eastside Referrals")
	w.unlock.secret.SetText(testPassphrase)
	w.unlock.submit()
	h.settle()
	assertLinkConfirmation(t, h)
	if w.link != "" {
		t.Errorf("the link stays pending after it was shown: %q", w.link)
	}
}

func TestRefusedSchemeLinkSaysWhy(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	w := h.open(nil)
	for link, say := range map[string]string{
		"referraldesk://connect?iss=http%3A%2F%2Freferrals.example.org%2Ffhir": "not secure",
		"referraldesk://connect?iss=https%3A%2F%2Fp%D0%B0ypal.example%2Ffhir":  "mixes alphabets",
		"referraldesk://disconnect?iss=https%3A%2F%2Freferrals.example.org":    "not a valid web link",
	} {
		w.OpenLink(link)
		h.settle()
		c := w.connect
		if w.content() != c.content || c.link.Text != "" || !c.cont.Disabled() {
			t.Fatalf("%s: want the connect screen, the link left out of the field", link)
		}
		mustContain(t, h.markup(), say)
		noRequests(t, h)
	}
}

func TestShowQROffersTheAppLink(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: 3})
	h.connect()
	h.open(nil)
	tapPlatformMenu(t, h, "Show QR code…")
	h.settle()
	link, err := app.ConnectionLink(h.source)
	if err != nil {
		t.Fatal(err)
	}
	assertCopiesAppLink(t, h, link)
}

func TestDemoOffersItsAppLink(t *testing.T) {
	demo, err := app.StartDemoPlatform("127.0.0.1:0", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(demo.Close)
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	w := h.open(demo)
	w.showConnect("")
	h.settle()
	want, err := app.SchemeLink(demo.FHIRBase() + "?iss=" + url.QueryEscape(demo.FHIRBase()))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ReplaceAll(visible(h.markup()), " ", ""), want) {
		t.Errorf("the demo does not show its app link %s", want)
	}
	assertCopiesAppLink(t, h, demo.FHIRBase()+"?iss="+url.QueryEscape(demo.FHIRBase()))
}

// assertCopiesAppLink checks Copy app link copies the referraldesk:// link
// of the connection link, and that it opens the same confirmation.
func assertCopiesAppLink(t *testing.T, h *harness, connectionLink string) {
	t.Helper()
	want, err := app.SchemeLink(connectionLink)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, h.markup(), "Copy app link copies a referraldesk:// link")
	test.Tap(findButton(t, h.w, "Copy app link"))
	if got := h.fa.Clipboard().Content(); got != want {
		t.Fatalf("Copy app link copied %q, want %q", got, want)
	}
}

func TestAboutSaysWhichBuild(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	h.lockAway()
	w := h.open(nil)
	help := w.win.MainMenu().Items[len(w.win.MainMenu().Items)-1]
	if help.Label != "Help" || len(help.Items) != 1 || help.Items[0].Disabled {
		t.Fatalf("want a Help menu with About, usable while locked; got %q", help.Label)
	}
	help.Items[0].Action()
	b := app.Build()
	mustContain(t, h.markup(), "About Referral Desk", "Version", b.Version, "Commit", "Built")
	test.Tap(findButton(t, w, "Copy for support"))
	if got := h.fa.Clipboard().Content(); got != b.String() {
		t.Fatalf("Copy for support copied %q, want %q", got, b.String())
	}
}
