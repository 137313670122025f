//go:build screenshots

package ui

import (
	"net/url"
	"strings"

	"github.com/referraldesk/referraldesk/app"
)

// connectNoBrowserScreen: the wait of a sign-in whose browser did not open,
// with the sign-in address to copy. The screen is made as the app's report
// makes it, with an address shaped as the demo platform's, and then put
// back: the next step starts the real sign-in.
func (s *shooter) connectNoBrowserScreen() error {
	w, c := s.w, s.w.connect
	base := w.o.Demo.FHIRBase()
	q := url.Values{
		"response_type": {"code"}, "client_id": {"referral-desk-demo"}, "redirect_uri": {"http://127.0.0.1:7771/callback"},
		"scope": {"openid fhirUser offline_access user/Task.rus user/ServiceRequest.rs user/Patient.rs user/Consent.rs"},
		"state": {"Q5XK7M2JH4WRTB6N3YVCDP8EFG"}, "aud": {base},
		"code_challenge": {"hX9qTz3LmW0vB7cYpR2sKdN5aE8uGfJ1iO4bQxVwZy6"}, "code_challenge_method": {"S256"},
	}
	address := strings.TrimSuffix(base, "/fhir") + "/auth/authorize?" + q.Encode()
	s.do(func() {
		c.showWaiting()
		c.showNoBrowser(app.Waiting{Address: address, NoBrowser: true})
	})
	if err := s.expect("connect-no-browser", func() bool {
		return w.content() == c.waitScreen && c.address != nil && c.address.Visible() && c.copyAddress.Visible()
	}); err != nil {
		return err
	}
	if err := s.shot("connect-no-browser"); err != nil {
		return err
	}
	s.do(func() {
		c.endWait()
		c.cont.Enable()
	})
	return nil
}
