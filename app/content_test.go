package app_test

import (
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// What a requester attaches to a referral (IG 3.0.0) is fetched with it by
// the sync and listed in its view, each thing saying what it is.
func TestContentSentWithAReferralIsShown(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 20, AdditionalContent: true})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	refs, err := w.app.Inbox(w.ctx, app.InboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, r := range refs {
		d, err := w.app.Referral(w.ctx, r.SourceID, r.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range d.SentWith {
			seen++
			if c.Missing || c.Kind == "" || c.Title == "" {
				t.Errorf("%s: sent with it %+v; want it fetched and described", r.TaskID, c)
			}
			// The requester's words for it often name the answer already
			// ("Housing status: I do not have housing"): said once.
			if c.Detail != "" && strings.Contains(c.Title, c.Detail) {
				t.Errorf("%s: %q says its detail %q twice", r.TaskID, c.Title, c.Detail)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no referral came with content: the test proves nothing")
	}
}
