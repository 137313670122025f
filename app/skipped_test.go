package app_test

import (
	"regexp"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// A sync that leaves out an entry it cannot read keeps the watermark where
// it was: the next sync asks for that referral again, instead of passing
// it by until it changes on the platform.
func TestASkippedEntryIsFetchedAgainOnTheNextSync(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 10})
	src := w.connect(app.ConnectOptions{})
	w.server.SetFaults(fhirtest.Faults{Seed: 7, MalformedRate: 0.3})
	rep := w.sync(src.ID)
	var skipped []string
	for _, s := range rep.Skipped {
		if m := regexp.MustCompile(`\(Task/([^)]+)\)`).FindStringSubmatch(s); m != nil {
			skipped = append(skipped, m[1])
		}
	}
	if len(skipped) == 0 {
		t.Fatalf("no referral was left out (%q); the test proves nothing", rep.Skipped)
	}
	w.server.SetFaults(fhirtest.Faults{})
	w.sync(src.ID)
	for _, id := range skipped {
		if _, err := w.app.Referral(w.ctx, src.ID, id); err != nil {
			t.Errorf("referral %s, left out of a sync, is still missing after the next one: %v", id, err)
		}
	}
}
