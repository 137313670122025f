package cli_test

import (
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

// Capacity is shared with a platform that lets the organization publish
// it on its HealthcareService, and kept here only elsewhere; either way
// the capacity listing shows it.
func TestCapacityIsSharedWhereThePlatformTakesIt(t *testing.T) {
	for _, tt := range []struct {
		name       string
		publishes  bool
		say, never string
	}{
		{"a platform with the organization's HealthcareService", true, "No capacity, shared with the platform", "kept here only"},
		{"a platform without", false, "No capacity, kept here only", "shared"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := fhirtest.New(t, fhirtest.Options{Referrals: 3, HealthcareService: tt.publishes})
			env := connected(t, p)
			const note = "Call back in March"
			code, out, errOut := run(t, env, "capacity", "full", "--note", note)
			if code != 0 || !strings.Contains(out, tt.say) || strings.Contains(out, tt.never) {
				t.Fatalf("capacity full: exit %d, out %q, err %q; want it to say %q", code, out, errOut, tt.say)
			}
			if tt.publishes {
				hs := platformCopy(t, p, "HealthcareService", strings.TrimPrefix(referralgen.OwnerService, "HealthcareService/"))
				if ext := fmtJSON(hs["extension"]); !strings.Contains(ext, `"no-capacity"`) || !strings.Contains(ext, note) {
					t.Errorf("said shared, but the platform's HealthcareService has %s", ext)
				}
			}
			if code, out, _ := run(t, env, "capacity"); code != 0 || !strings.Contains(out, "No capacity") || !strings.Contains(out, note) {
				t.Errorf("capacity with no state: exit %d; want the platform's capacity and note listed:\n%s", code, out)
			}
		})
	}
}

// Declining every new referral asks for --yes first, changing nothing
// until it is given; then each new referral is declined at capacity.
func TestCapacityDeclineNewAsksFirst(t *testing.T) {
	p := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	id := p.AddReferral(referralgen.Spec{Owner: referralgen.OwnerOrganization, Status: "requested"})
	env := connected(t, p)

	code, out, errOut := run(t, env, "capacity", "full", "--decline-new")
	checkOneLine(t, "capacity full --decline-new", code, out, errOut, 1, "add --yes")
	if task := platformCopy(t, p, "Task", id); task["status"] != "requested" {
		t.Fatalf("without --yes the new referral became %v on the platform", task["status"])
	}
	if code, out, errOut = run(t, env, "capacity", "full", "--decline-new", "--yes"); code != 0 || !strings.Contains(out, "Declined 1 new referral at capacity") {
		t.Fatalf("capacity full --decline-new --yes: exit %d, out %q, err %q", code, out, errOut)
	}
	task := platformCopy(t, p, "Task", id)
	if reason := fmtJSON(task["statusReason"]); task["status"] != "rejected" || !strings.Contains(reason, `"no-capacity"`) {
		t.Errorf("the platform's Task is %v, statusReason %s; want declined at capacity", task["status"], reason)
	}
}
