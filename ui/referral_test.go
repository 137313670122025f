package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

func specRoutine() referralgen.Spec {
	return referralgen.Spec{Priority: "routine", DoNotContact: ptr(false), NoConsent: ptr(false)}
}

// referralWorld is a connected, synced platform with one referral made to order.
func referralWorld(t *testing.T, spec referralgen.Spec) (*harness, string) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	h.connect()
	id := h.addReferral(spec)
	h.sync()
	h.open(nil)
	h.openReferral(id)
	return h, id
}

func detailMarkup(h *harness) string { return test.RenderObjectToMarkup(h.w.detail.root) }

func TestReferralWithConsent(t *testing.T) {
	h, _ := referralWorld(t, specRoutine())
	m := detailMarkup(h)
	mustContain(t, m, "Active: the person agreed", "Accept", "Decline")
	assertGolden(t, "referral-consent", m)
}

func TestReferralWithoutConsent(t *testing.T) {
	spec := specRoutine()
	spec.NoConsent = ptr(true)
	h, _ := referralWorld(t, spec)
	m := detailMarkup(h)
	mustContain(t, m, "None on file")
	assertGolden(t, "referral-no-consent", m)
}

func TestDoNotContactHidesContactDetailsUntilRevealed(t *testing.T) {
	spec := specRoutine()
	spec.DoNotContact = ptr(true)
	h, _ := referralWorld(t, spec)
	d := h.w.detail.d
	contacts := append(append(append([]string{}, d.Person.Phones...), d.Person.Emails...), d.Person.Addresses...)
	if len(contacts) == 0 {
		t.Fatal("the generated person has no contact details to hide")
	}
	m := detailMarkup(h)
	mustContain(t, m, "DO NOT CONTACT THIS PERSON", "Hidden: this person must not be contacted.")
	mustNotContain(t, m, contacts...)
	assertGolden(t, "dnc-hidden", m)

	tapButton(t, h, "Show contact details…")
	mustNotContain(t, detailMarkup(h), contacts...) // one tap is not enough: it asks first
	tapButton(t, h, "Show them, I will not make contact")
	m = detailMarkup(h)
	mustContain(t, m, "DO NOT CONTACT THIS PERSON", "Do not use them to contact this person.")
	mustContain(t, m, contacts...)
	assertGolden(t, "dnc-revealed", m)
}

// tapButton taps the detail's button with this text.
func tapButton(t *testing.T, h *harness, text string) {
	t.Helper()
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
		}
		if c, ok := o.(*fyne.Container); ok {
			for _, k := range c.Objects {
				walk(k)
			}
		}
		if w, ok := o.(fyne.Widget); ok && found == nil {
			if _, isButton := o.(*widget.Button); !isButton {
				for _, k := range test.TempWidgetRenderer(t, w).Objects() {
					walk(k)
				}
			}
		}
	}
	walk(h.w.detail.root)
	if found == nil {
		t.Fatalf("no button %q on the referral", text)
	}
	test.Tap(found)
	h.settle()
}

func TestDeclineWithReasonPendingThenConfirmed(t *testing.T) {
	h, id := referralWorld(t, specRoutine())
	tapButton(t, h, "Decline")
	v := h.w.detail
	if v.act.choosing != "rejected" {
		t.Fatal("Decline should ask why first")
	}
	v.act.choice = reasons["rejected"][0]
	v.act.text = "Try Westside Pantry."
	v.render()
	assertGolden(t, "decline-reason", detailMarkup(h))

	v.sendReasoned("rejected")
	m := detailMarkup(h) // before the platform answers
	mustContain(t, m, "Sending “Decline” to "+fhirtest.PlatformName)
	mustNotContain(t, m, "Accept")
	assertGolden(t, "pending", m)

	h.settle()
	m = detailMarkup(h)
	mustContain(t, m, "Declined", "The platform has it")
	assertGolden(t, "declined", m)
	task := string(mustResource(t, h, id))
	if !strings.Contains(task, `"rejected"`) || !strings.Contains(task, "We are at capacity: Try Westside Pantry.") || !strings.Contains(task, "no-capacity") {
		t.Fatalf("the platform's Task does not carry the decline at capacity and its note: %s", task)
	}
}

func TestDeclineForAnotherReasonIsNotAtCapacity(t *testing.T) {
	h, id := referralWorld(t, specRoutine())
	tapButton(t, h, "Decline")
	v := h.w.detail
	v.act.choice = reasons["rejected"][1]
	v.sendReasoned("rejected")
	h.settle()
	task := string(mustResource(t, h, id))
	if !strings.Contains(task, reasons["rejected"][1]) || strings.Contains(task, "no-capacity") {
		t.Fatalf("a decline for another reason went as at capacity: %s", task)
	}
}

func TestConflictIsShownOnTheReferral(t *testing.T) {
	h, id := referralWorld(t, specRoutine())
	// The requester cancels it before the case worker's Accept arrives:
	// a note alone would be applied on top, not a conflict.
	if err := h.server.SetStatusAsRequester(id, "cancelled", "The person moved out of the area."); err != nil {
		t.Fatal(err)
	}
	tapButton(t, h, "Accept")
	m := detailMarkup(h)
	mustContain(t, m, "Not sent: someone changed this referral first", "Your change (Accept) was not sent.")
	assertGolden(t, "conflict", m)
	if task := string(mustResource(t, h, id)); !strings.Contains(task, `"status":"cancelled"`) && !strings.Contains(task, `"status": "cancelled"`) {
		t.Fatalf("a conflicting change reached the platform: %s", task)
	}
}

func mustResource(t *testing.T, h *harness, id string) []byte {
	t.Helper()
	raw, ok := h.server.Resource("Task", id)
	if !ok {
		t.Fatalf("no Task/%s on the platform", id)
	}
	return raw
}

func TestSentWithTheReferralAtIntake(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1, AdditionalContent: true})
	h.connect()
	spec := specRoutine()
	spec.AdditionalContent = referralgen.ContentAll
	id := h.addReferral(spec)
	h.sync()
	h.open(nil)
	h.openReferral(id)
	v := h.w.detail
	if len(v.d.SentWith) == 0 {
		t.Fatal("a content-rich referral came with nothing sent with it")
	}
	m := detailMarkup(h)
	mustContain(t, m, "Sent with the referral", v.d.SentWith[0].Title)
	mustNotContain(t, m, "Outcomes sent", app.DamagedText)
	assertGolden(t, "referral-sent-with", m)

	// What could not be fetched is named; a damaged referral says so first.
	v.d.SentWith = append(v.d.SentWith, app.Content{Kind: "Lab result", Title: "HbA1c", Missing: true})
	v.d.Damaged = true
	v.render()
	mustContain(t, detailMarkup(h), "HbA1c Could not be fetched from the platform.", app.DamagedText)
}

func TestConflictKeepTheirs(t *testing.T) {
	h, id := referralWorld(t, specRoutine())
	if err := h.server.SetStatusAsRequester(id, "cancelled", "The person moved out of the area."); err != nil {
		t.Fatal(err)
	}
	tapButton(t, h, "Accept")
	mustNotContain(t, detailMarkup(h), "Apply mine on top") // cancelled → accepted: the IG does not allow it
	tapButton(t, h, "Keep theirs")
	m := detailMarkup(h)
	mustContain(t, m, "Kept the platform's version", "not sent, settled after a conflict")
	mustNotContain(t, m, "Keep theirs")
}

func TestConflictApplyMineOnTop(t *testing.T) {
	spec := specRoutine()
	spec.Status = "accepted"
	h, id := referralWorld(t, spec)
	// The platform puts it on hold while the case worker starts it: from
	// on hold, starting (in progress) is still a move the IG allows.
	if err := h.server.SetStatusAsRequester(id, "on-hold", "Waiting for documents."); err != nil {
		t.Fatal(err)
	}
	tapButton(t, h, "Start")
	m := detailMarkup(h)
	mustContain(t, m, "Your change “Start” was not sent", "Keep theirs", "Apply mine on top")
	assertGolden(t, "conflict-choices", m)
	tapButton(t, h, "Apply mine on top")
	mustContain(t, detailMarkup(h), "In progress")
	if task := string(mustResource(t, h, id)); !strings.Contains(task, "in-progress") {
		t.Fatalf("the change was not applied on top: %s", task)
	}
}
