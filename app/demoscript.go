package app

import "github.com/referraldesk/referraldesk/fhir/fhirtest"

// ScriptedBrowser signs in to the demo platform as the demo case worker
// without a person at the keyboard: for screenshots, never for real platforms.
func (d *DemoPlatform) ScriptedBrowser() func(url string) error {
	return d.srv.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)
}

// NoteAsRequester changes a referral on the demo platform the way its
// requester would (a note is added, so its version moves on): screenshots
// use it to show what a conflicting change looks like.
func (d *DemoPlatform) NoteAsRequester(taskID, text string) error {
	return d.srv.UpdateAsRequester("Task", taskID, func(m map[string]any) {
		notes, _ := m["note"].([]any)
		m["note"] = append(notes, map[string]any{"text": text})
	})
}
