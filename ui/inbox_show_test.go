package ui

import (
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// selection follows the inbox list's selection (widget.List does not say
// which row is selected): -1 when none.
func selection(w *Window) *int {
	sel := -1
	onSelected := w.inbox.list.OnSelected
	w.inbox.list.OnSelected = func(id widget.ListItemID) { sel = id; onSelected(id) }
	w.inbox.list.OnUnselected = func(widget.ListItemID) { sel = -1 }
	return &sel
}

func TestReferralOpenedFromCodeIsTheHighlightedRow(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: 25})
	h.connect()
	h.sync()
	w := h.open(nil)
	sel := selection(w)
	rows := w.inbox.pages[0]
	if len(rows) < 3 {
		t.Fatalf("New shows %d rows, want at least 3", len(rows))
	}

	for _, i := range []int{2, 0} {
		r := rows[i]
		w.inbox.show(r.SourceID, r.TaskID)
		h.settle()
		if w.detail.task != r.TaskID {
			t.Fatalf("the detail shows %q, want %q", w.detail.task, r.TaskID)
		}
		if *sel != i {
			t.Fatalf("row %d is highlighted, want row %d (%s)", *sel, i, r.TaskID)
		}
		if w.inbox.pages[0][i].SeenAt.IsZero() {
			t.Errorf("row %d is still marked new after it was opened", i)
		}
	}

	// A referral the view does not list opens with no row highlighted.
	closed, err := h.app.Inbox(h.ctx, app.InboxFilter{Statuses: app.ViewClosed, Limit: 1})
	if err != nil || len(closed) == 0 {
		t.Fatalf("no closed referral to open: %v", err)
	}
	w.inbox.show(closed[0].SourceID, closed[0].TaskID)
	h.settle()
	if w.detail.task != closed[0].TaskID {
		t.Fatalf("the detail shows %q, want %q", w.detail.task, closed[0].TaskID)
	}
	if *sel != -1 {
		t.Fatalf("row %d is highlighted while a referral outside the view is open", *sel)
	}
}
