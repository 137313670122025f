package app_test

import (
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// Every referral offers its own requested service first when completing,
// then others of its category, each once.
func TestServicesForOffersTheRequestedOneFirst(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 30})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	refs, _ := w.app.Inbox(w.ctx, app.InboxFilter{})
	for _, r := range refs {
		d, err := w.app.Referral(w.ctx, r.SourceID, r.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		list := app.ServicesFor(d.Need.CategoryCode, d.Need.Requested)
		if len(list) == 0 || list[0] != d.Need.Requested || d.Need.Requested.Code == "" {
			t.Fatalf("%s (%s): %v; want its requested service %v first", r.TaskID, d.Need.CategoryCode, list, d.Need.Requested)
		}
		seen := map[string]bool{}
		for _, s := range list {
			if seen[s.Code] {
				t.Errorf("%s: %s offered twice", r.TaskID, s.Code)
			}
			seen[s.Code] = true
		}
		if len(list) < 2 {
			t.Errorf("%s (%s): only the requested service to choose from", r.TaskID, d.Need.CategoryCode)
		}
	}
}
