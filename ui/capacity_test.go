package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// capacityWorld is a platform with two new referrals, its window open on New.
func capacityWorld(t *testing.T, opts fhirtest.Options) (*harness, []string) {
	t.Helper()
	opts.Referrals = -1
	h := newHarness(t, opts)
	h.connect()
	ids := []string{h.addReferral(specRoutine()), h.addReferral(specRoutine())}
	h.sync()
	h.open(nil)
	h.w.inbox.setView(viewNew)
	h.settle()
	return h, ids
}

func TestCapacitySharedWhereThePlatformAllows(t *testing.T) {
	h, _ := capacityWorld(t, fhirtest.Options{HealthcareService: true})
	h.w.setCapacity(h.w.sources[0])
	c := h.w.syncs.capacity
	if !c.save.Disabled() {
		t.Fatal("Save should wait for a choice")
	}
	c.choice.SetSelected("Waitlist")
	test.Type(c.note, "About 3 weeks")
	assertGolden(t, "capacity-dialog", h.markup())
	test.Tap(c.save)
	h.settle()
	if !strings.Contains(c.said, "is shared with "+fhirtest.PlatformName) {
		t.Fatalf("after saving it should say the capacity is shared, said %q", c.said)
	}
	mustContain(t, panelMarkup(h), "Capacity: Waitlist: About 3 weeks")
	if len(h.w.inbox.capacityBar.Objects) != 0 {
		t.Fatal("a waitlist is not no capacity: New should not offer to decline all")
	}
}

func TestCapacityKeptHereThenDeclineAllNew(t *testing.T) {
	h, ids := capacityWorld(t, fhirtest.Options{})
	h.w.setCapacity(h.w.sources[0])
	c := h.w.syncs.capacity
	c.choice.SetSelected("No capacity")
	test.Tap(c.save)
	h.settle()
	if !strings.Contains(c.said, "kept on this computer only") {
		t.Fatalf("a platform that takes no capacity should keep it here, said %q", c.said)
	}
	if h.w.sources[0].Capacity != app.CapacityFull || len(h.w.inbox.capacityBar.Objects) != 1 {
		t.Fatal("at no capacity, New should offer to decline all new referrals")
	}
	m := h.markup()
	mustContain(t, m, fhirtest.PlatformName+" is set to no capacity.", "Decline all new…")
	assertGolden(t, "capacity-new-view", m)

	h.w.inbox.askDeclineAll(h.w.sources[0])
	h.settle()
	d := h.w.inbox.declining
	if d == nil || d.n != len(ids) {
		t.Fatalf("the confirmation should count the %d new referrals: %+v", len(ids), d)
	}
	mustContain(t, h.markup(), "Decline all 2 new referrals from "+fhirtest.PlatformName+" as at capacity?")
	for _, id := range ids {
		if strings.Contains(string(mustResource(t, h, id)), "rejected") {
			t.Fatal("a referral was declined before the confirmation")
		}
	}
	test.Tap(d.confirm)
	h.settle()
	for _, id := range ids {
		if task := string(mustResource(t, h, id)); !strings.Contains(task, "no-capacity") {
			t.Fatalf("Task/%s is not declined at capacity: %s", id, task)
		}
	}
	if h.w.inbox.count != 0 {
		t.Fatalf("New still lists %d referrals", h.w.inbox.count)
	}
}
