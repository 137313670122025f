package app_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/app/apptest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// A server name nobody answers to is said in one sentence, naming it (in
// Unicode and punycode), whether the link was only looked up or connected.
func TestAnUnknownServerIsNamedInOneSentence(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: -1})
	w.http = apptest.NoSuchHost()
	w.reopen(func(string) error { t.Error("a browser was opened for a server that does not exist"); return nil })
	for _, tt := range []struct{ link, server string }{
		{"https://referals.example.org/fhir", "referals.example.org"},
		{"https://bücher.example/fhir", "bücher.example (xn--bcher-kva.example)"},
		{"https://ehr.example/launch?iss=https%3A%2F%2Freferals.example.org%2Ffhir", "referals.example.org"},
	} {
		_, derr := w.app.Discover(w.ctx, tt.link)
		_, cerr := w.app.Connect(w.ctx, app.ConnectOptions{Link: tt.link})
		want := "No server called " + tt.server + " could be found."
		for what, err := range map[string]error{"Discover": derr, "Connect": cerr} {
			if say := app.Explain(err); !strings.HasPrefix(say, want) || app.KindOf(err) != app.KindOffline {
				t.Errorf("%s %s: %q (kind %v); want the unknown-server sentence %q…, offline", what, tt.link, say, app.KindOf(err), want)
			}
		}
	}
}

// errNoBrowser is a browser that does not start, quoting the address as
// some launchers do.
func errNoBrowser(address string) error {
	return errors.New("xdg-open " + address + ": no method available for opening it")
}

// When the browser does not open, the sign-in waits for the address to be
// opened by hand: the case worker is told (after the wait began) and given
// the address, which the log never holds.
func TestABrowserThatDoesNotOpenLeavesTheSignInWaiting(t *testing.T) {
	var logged bytes.Buffer
	w := newWorld(t, fhirtest.Options{Referrals: -1})
	w.log = slog.New(slog.NewTextHandler(&logged, nil))
	w.reopen(func(address string) error { return errNoBrowser(address) })

	heard := make(chan app.Waiting, 2)
	type result struct {
		src app.Source
		err error
	}
	done := make(chan result, 1)
	go func() {
		src, err := w.app.Connect(w.ctx, app.ConnectOptions{Link: w.server.FHIRBase(), OnWaiting: func(wt app.Waiting) { heard <- wt }})
		done <- result{src, err}
	}()
	first, second := <-heard, <-heard
	if first.NoBrowser || first.Say() != "" || !second.NoBrowser || second.Address != first.Address {
		t.Fatalf("heard %+v then %+v; want the wait, then the same address with the browser not opened", first, second)
	}
	if !strings.HasPrefix(second.Say(), "Your web browser did not open") {
		t.Errorf("the sentence before the address: %q", second.Say())
	}
	// The case worker opens the address in a browser of their own.
	if err := w.server.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)(second.Address); err != nil {
		t.Fatalf("signing in at the address given: %v", err)
	}
	r := <-done
	if r.err != nil || r.src.ID == 0 {
		t.Fatalf("connect after signing in by hand: %v (%s)", r.err, app.Explain(r.err))
	}
	u, _ := url.Parse(second.Address)
	if state := u.Query().Get("state"); state == "" || strings.Contains(logged.String(), state) ||
		!strings.Contains(logged.String(), "no method available") {
		t.Errorf("the log must keep the browser's failure but never the address or its state:\n%s", logged.String())
	}
}

// Without someone to show the address to, a browser that does not open
// ends the sign-in, with a sentence.
func TestABrowserThatDoesNotOpenEndsASignInNobodyWatches(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: -1})
	w.reopen(func(address string) error { return errNoBrowser(address) })
	_, err := w.app.Connect(w.ctx, app.ConnectOptions{Link: w.server.FHIRBase()})
	if err == nil || app.KindOf(err) != app.KindLocal {
		t.Fatalf("connect with no browser and nobody told: %v (kind %v); want it to end, a local problem", err, app.KindOf(err))
	}
}
