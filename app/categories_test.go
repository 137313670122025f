package app_test

import (
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// The need filter names a category as the rows and the referral do,
// whatever the platform's display for it ("Housing Instability").
func TestNeedsNameTheirCategoryAsTheFilterDoes(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 60})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	offered := map[string]bool{}
	for _, c := range app.Categories {
		offered[c.Label] = true
	}
	refs, err := w.app.Inbox(w.ctx, app.InboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range refs {
		label := app.CategoryLabel(r.Category)
		if r.Category == "" || !offered[label] {
			continue
		}
		seen[label] = true
		if r.Need != label && !strings.HasPrefix(r.Need, label+" — ") {
			t.Errorf("%s: the row's need %q does not begin with %q, the filter's name of %s", r.TaskID, r.Need, label, r.Category)
		}
		d, err := w.app.Referral(w.ctx, r.SourceID, r.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Need.Category != label {
			t.Errorf("%s: the referral names its category %q, the filter %q", r.TaskID, d.Need.Category, label)
		}
	}
	if len(seen) < 3 {
		t.Fatalf("the platform's referrals have %d of the filter's categories; the test needs several", len(seen))
	}
	if got := app.CategoryLabel("made-up-category"); got != "Made up category" {
		t.Errorf("CategoryLabel of an unknown code = %q, want it readable", got)
	}
}
