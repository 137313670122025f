package app

import "github.com/referraldesk/referraldesk/fhir/fhirtest"

// ScriptedBrowser signs in to the demo platform as the demo case worker
// without a person at the keyboard: for screenshots, never for real platforms.
func (d *DemoPlatform) ScriptedBrowser() func(url string) error {
	return d.srv.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)
}

// CancelAsRequester cancels a referral on the demo platform the way its
// requester would, with a reason: screenshots use it to show what a change
// that meets another's looks like (a note alone no longer conflicts: it is
// applied on top).
func (d *DemoPlatform) CancelAsRequester(taskID, reason string) error {
	return d.srv.SetStatusAsRequester(taskID, "cancelled", reason)
}
