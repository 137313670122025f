package ui

import (
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// viewCounts is what the sidebar says of each view, by key.
func viewCounts(t *testing.T, in *inbox) map[string]int {
	t.Helper()
	out := map[string]int{}
	for key, vr := range in.viewRows {
		n, err := strconv.Atoi(vr.count.Text)
		if err != nil {
			t.Fatalf("the %s view shows the count %q", key, vr.count.Text)
		}
		out[key] = n
	}
	return out
}

// checkCounts fails unless each view's count is what the app counts under
// f, and the list shows as many rows as its view's count.
func checkCounts(t *testing.T, h *harness, f app.InboxFilter, why string) map[string]int {
	t.Helper()
	got := viewCounts(t, h.w.inbox)
	for _, v := range views {
		f.Statuses = v.statuses
		want, err := h.app.CountInbox(h.ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if got[v.key] != want {
			t.Errorf("%s: the %s view counts %d, want %d", why, v.label, got[v.key], want)
		}
	}
	if n := h.w.inbox.count; n != got[h.w.inbox.view] {
		t.Errorf("%s: the list shows %d rows, its view counts %d", why, n, got[h.w.inbox.view])
	}
	return got
}

// The sidebar's counts follow the search and the need filter as the list
// does, for a name typed without accents and for a phone number, and come
// back when the search is cleared.
func TestViewCountsFollowTheSearch(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: 25})
	h.connect()
	h.sync()
	w := h.open(nil)
	w.inbox.setView(viewAll)
	h.settle()
	before := checkCounts(t, h, app.InboxFilter{}, "no search")

	all, err := h.app.Inbox(h.ctx, app.InboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var who app.Referral
	for _, r := range all {
		if strings.ContainsAny(r.Person, "áéíóúñ") {
			who = r
			break
		}
	}
	if who.TaskID == "" {
		t.Fatal("no referral is for a person with an accent in their name; the test needs one")
	}
	family := who.Person[strings.LastIndex(who.Person, " ")+1:]
	typed := strings.ToLower(strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ñ", "n").Replace(family))
	test.Type(w.inbox.search, typed)
	h.settle()
	found := checkCounts(t, h, app.InboxFilter{Search: typed}, "search "+typed)
	if found[viewAll] == 0 || found[viewAll] == before[viewAll] {
		t.Fatalf("search %q: All counts %d of %d referrals", typed, found[viewAll], before[viewAll])
	}
	mustContain(t, h.markup(), who.Person)

	w.inbox.categorySel.SetSelectedIndex(categoryIndex(who.Category))
	h.settle()
	checkCounts(t, h, app.InboxFilter{Search: typed, Category: who.Category}, "search and need")
	// The sidebar's views only: the rest of the window is other screens' goldens.
	assertGolden(t, "search-counts", test.RenderObjectToMarkup(w.inbox.viewsBox))

	d, err := h.app.Referral(h.ctx, who.SourceID, who.TaskID)
	if err != nil || len(d.Person.Phones) == 0 {
		t.Fatalf("the referral of %s shows no phone number (%v); the test needs one", who.Person, err)
	}
	phone := d.Person.Phones[0][:strings.LastIndex(d.Person.Phones[0], " (")] // "(503) 555-0147"
	w.inbox.search.SetText(phone[len(phone)-8:])                              // "555-0147"
	h.settle()
	checkCounts(t, h, app.InboxFilter{Search: phone[len(phone)-8:], Category: who.Category}, "search by phone")
	mustContain(t, h.markup(), who.Person)

	w.inbox.categorySel.SetSelectedIndex(0)
	w.inbox.search.SetText("")
	h.settle()
	if after := checkCounts(t, h, app.InboxFilter{}, "search cleared"); after[viewAll] != before[viewAll] {
		t.Errorf("with the search cleared All counts %d, before the search %d", after[viewAll], before[viewAll])
	}
}

// categoryIndex is the need filter's choice for a category code.
func categoryIndex(code string) int {
	for i, c := range app.Categories {
		if c.Code == code {
			return i + 1
		}
	}
	return 0
}

// "Oldest first" lists the view from its oldest referral, and is remembered.
func TestOldestFirstSort(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: 25})
	h.connect()
	h.sync()
	w := h.open(nil)
	w.inbox.sortSel.SetSelected("Oldest first")
	h.settle()
	newest, err := h.app.Inbox(h.ctx, app.InboxFilter{Statuses: app.ViewNew})
	if err != nil || len(newest) < 2 {
		t.Fatalf("the New view has %d referrals (%v); the test needs several", len(newest), err)
	}
	rows := w.inbox.pages[0]
	if len(rows) != len(newest) || rows[0].TaskID != newest[len(newest)-1].TaskID || rows[len(rows)-1].TaskID != newest[0].TaskID {
		t.Errorf("oldest first lists %d rows from %s to %s; want %d from %s to %s", len(rows), rows[0].TaskID,
			rows[len(rows)-1].TaskID, len(newest), newest[len(newest)-1].TaskID, newest[0].TaskID)
	}
	if got := w.prefs.sort(); got != string(app.SortOldest) {
		t.Errorf("the sort remembered is %q, want %q", got, app.SortOldest)
	}
}
