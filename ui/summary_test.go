package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

func summaryMarkup(h *harness) string { return test.RenderObjectToMarkup(h.w.detail.summary.object()) }

// Before a referral is opened, the pane says what the day holds, and each
// count leads to its referrals.
func TestSummaryBeforeAReferralIsOpened(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: 25})
	h.connect()
	h.sync()
	w := h.open(nil)
	sum, err := h.app.Summary(h.ctx, w.now(), w.o.OverdueDays)
	if err != nil || sum.New == 0 || sum.Overdue == 0 {
		t.Fatalf("the sample has %d new, %d overdue (%v); want both", sum.New, sum.Overdue, err)
	}
	m := summaryMarkup(h)
	mustContain(t, m, "Today", app.Plural(sum.New, "new referral", "new referrals")+" to answer", "Show new", "Show oldest first")
	mustNotContain(t, m, "waiting to be sent", "need your attention")

	// A change made while the platform is out of reach waits, and says so here.
	r := w.inbox.pages[0][0]
	h.server.Close()
	if _, err := h.app.SetStatus(h.ctx, r.SourceID, r.TaskID, "accepted", ""); err != nil {
		t.Fatalf("accept offline: %v; want it queued", err)
	}
	w.detail.reload()
	h.settle()
	m = summaryMarkup(h)
	mustContain(t, m, "1 change waits to be sent", "Accept: "+r.Person)
	assertGolden(t, "summary", m)

	test.Tap(findButton(t, w, "Show oldest first"))
	h.settle()
	if w.inbox.view != viewNew || w.inbox.sort != app.SortOldest {
		t.Errorf("Show oldest first shows view %q in order %q; want the new ones, oldest first", w.inbox.view, w.inbox.sort)
	}
	test.Tap(findButton(t, w, "Accept: "+r.Person+" · "+fhirtest.PlatformName))
	h.settle()
	if w.detail.task != r.TaskID {
		t.Errorf("the waiting change opened referral %q; want %q", w.detail.task, r.TaskID)
	}
}

// tapPlatformMenu opens the first platform's menu in the sidebar (its ⋮
// button) and chooses an item.
func tapPlatformMenu(t *testing.T, h *harness, item string) {
	t.Helper()
	p := h.w.syncs
	var more *widget.Button
	for _, o := range test.LaidOutObjects(p.box) {
		if b, ok := o.(*widget.Button); ok && b.Icon == theme.MoreVerticalIcon() && more == nil {
			more = b
		}
	}
	if more == nil {
		t.Fatal("no platform in the sidebar has a ⋮ menu")
	}
	test.Tap(more)
	h.settle()
	for _, it := range p.menu.Items {
		if it.Label == item {
			h.w.win.Canvas().Overlays().Top().Hide()
			it.Action()
			h.settle()
			return
		}
	}
	t.Fatalf("the platform's menu has no %q", item)
}
