package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// A decline for lack of capacity carries the IG's no-capacity code with
// the case worker's words.
func TestDeclineAtCapacityCodesTheReason(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 20})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	r := w.firstWithStatus("requested")
	out, err := w.app.DeclineAtCapacity(w.ctx, src.ID, r.TaskID, "")
	if err != nil || !out.Sent {
		t.Fatalf("DeclineAtCapacity: %+v, %v", out, err)
	}
	m := w.platformTask(r.TaskID)
	reason := fmtJSON(m["statusReason"])
	if m["status"] != "rejected" || !strings.Contains(reason, `"no-capacity"`) || !strings.Contains(reason, "At capacity") {
		t.Errorf("the platform's Task: %v, statusReason %s", m["status"], reason)
	}
}

// Capacity is published on the organization's HealthcareService where the
// platform allows it, and kept here only where it does not; every new
// referral can then be declined at once.
func TestCapacityIsPublishedWhereAllowed(t *testing.T) {
	for _, publishes := range []bool{true, false} {
		w := newWorld(t, fhirtest.Options{Referrals: 20, HealthcareService: publishes})
		src := w.connect(app.ConnectOptions{})
		w.sync(src.ID)
		shared, err := w.app.SetCapacity(w.ctx, src.ID, "no-capacity-has-waitlist", "Call back in March")
		if err != nil || shared != publishes {
			t.Fatalf("platform publishes %v: SetCapacity shared %v, %v", publishes, shared, err)
		}
		srcs, _ := w.app.Sources(w.ctx)
		if srcs[0].Capacity != app.CapacityWaitlist || srcs[0].CapacityNote != "Call back in March" {
			t.Errorf("kept here: %q, %q; want waitlist (the old code read as the new) and the note", srcs[0].Capacity, srcs[0].CapacityNote)
		}
		if publishes {
			raw, ok := w.server.Resource("HealthcareService", "cbo-eastside-food-pantry")
			var hs map[string]any
			json.Unmarshal(raw, &hs)
			if ext := fmtJSON(hs["extension"]); !ok || !strings.Contains(ext, `"waitlist"`) || !strings.Contains(ext, "Call back in March") {
				t.Errorf("the platform's HealthcareService: %s", ext)
			}
		}
		n, err := w.app.DeclineAllNewAtCapacity(w.ctx, src.ID, "")
		left, _ := w.app.Inbox(w.ctx, app.InboxFilter{Statuses: []string{"requested"}})
		if err != nil || n == 0 || len(left) != 0 {
			t.Errorf("declining all new: %d declined, %v, %d still new", n, err, len(left))
		}
	}
}
