package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// startedWorld is an in-progress referral, open, on a platform that takes
// Procedures and Observations.
func startedWorld(t *testing.T) (*harness, string) {
	t.Helper()
	h := newHarness(t, fhirtest.Options{Referrals: -1, HealthcareService: true, AdditionalContent: true, CompleteCapabilityStatement: true})
	h.connect()
	spec := specRoutine()
	spec.Status = "in-progress"
	id := h.addReferral(spec)
	h.sync()
	h.open(nil)
	h.openReferral(id)
	return h, id
}

func TestCompleteAsksWhatWasDoneThenConfirms(t *testing.T) {
	h, id := startedWorld(t)
	m := detailMarkup(h)
	mustContain(t, m, "Complete…", "Put on hold")
	tapButton(t, h, "Complete…")
	c := h.w.detail.completing
	if c == nil {
		t.Fatal("Complete should open the completion dialog")
	}
	if len(c.services) < 2 || !c.ticked[c.services[0].Code] {
		t.Fatalf("the requested service should come first, ticked, among the category's: %v", c.services)
	}
	if c.date.Text != now.Format("2006-01-02") {
		t.Fatalf("the date performed should default to today, got %q", c.date.Text)
	}
	assertGolden(t, "complete-dialog", h.markup())

	// The filter narrows the list; a tick hidden by it stays.
	test.Type(c.filter, "zzz")
	if n := len(c.checks.Objects); n != 1 {
		t.Fatalf("a filter nothing matches should leave one line saying so, got %d", n)
	}
	c.filter.SetText("")
	c.ticked[c.services[1].Code] = true
	c.showChecks()

	for _, bad := range []string{"2.11.2026", "2026-13-01", "tomorrow", now.AddDate(0, 0, 1).Format("2006-01-02")} {
		c.date.SetText(bad)
		if !c.next.Disabled() {
			t.Errorf("the date %q was accepted", bad)
		}
	}
	c.date.SetText(now.AddDate(0, 0, -1).Format("2006-01-02"))
	if c.next.Disabled() {
		t.Fatalf("yesterday's date is refused: %s", c.problem.Text)
	}
	c.enroll.SetSelected("Enrolled")
	test.Tap(c.next)
	m = h.markup()
	mustContain(t, m, "Complete this referral? This tells the requester it is done and cannot be undone here.",
		c.services[0].Display, c.services[1].Display, "Enrolled")
	assertGolden(t, "complete-confirm", m)
	if task := string(mustResource(t, h, id)); strings.Contains(task, `"completed"`) {
		t.Fatal("the referral was completed before the confirmation")
	}

	test.Tap(c.done)
	h.settle()
	mustContain(t, detailMarkup(h), "Completed", "Outcomes sent")
	h.sync() // brings the Procedures posted, which name the services
	h.w.detail.reload()
	h.settle()
	m = detailMarkup(h)
	mustContain(t, m, "Completed", "Outcomes sent", c.services[0].Display, c.services[1].Display, "Sent with the referral")
	assertGolden(t, "completed-outcomes", m)
	task := string(mustResource(t, h, id))
	if !strings.Contains(task, "completed") || strings.Count(task, "Procedure/") < 2 || !strings.Contains(task, "Observation/") {
		t.Fatalf("the platform's Task is not completed with two Procedures and the enrollment: %s", task)
	}
}

func TestCompleteNeedsAService(t *testing.T) {
	h, _ := startedWorld(t)
	tapButton(t, h, "Complete…")
	c := h.w.detail.completing
	for _, o := range c.checks.Objects {
		if ch, ok := o.(*widget.Check); ok && ch.Checked {
			test.Tap(ch)
		}
	}
	if !c.next.Disabled() || !strings.Contains(c.problem.Text, "Tick at least one service") {
		t.Fatal("a completion without any service delivered should not go on")
	}
}
