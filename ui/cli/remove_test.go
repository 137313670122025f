package cli_test

import (
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// remove says first what would be lost and changes nothing without --yes;
// with it, the platform's tokens are revoked there and nothing of it stays.
func TestRemoveAsksFirst(t *testing.T) {
	p := fhirtest.New(t, fhirtest.Options{Referrals: 4})
	env := connected(t, p)

	code, out, errOut := run(t, env, "remove", "1")
	checkOneLine(t, "remove 1", code, out, errOut, 1, "Add --yes to remove it.")
	if !strings.Contains(errOut, "will sign out of "+fhirtest.PlatformName) {
		t.Errorf("remove without --yes does not say what it would do: %q", errOut)
	}
	if _, list, _ := run(t, env, "sources"); !strings.Contains(list, fhirtest.PlatformName) || len(p.Revocations()) != 0 {
		t.Fatalf("without --yes the platform was removed or signed out: sources %q, revoked %v", list, p.Revocations())
	}

	code, out, errOut = run(t, env, "remove", strings.ToLower(fhirtest.PlatformName), "--yes")
	if code != 0 || !strings.Contains(out, "Removed 1 "+fhirtest.PlatformName) {
		t.Fatalf("remove --yes: exit %d, out %q, err %q", code, out, errOut)
	}
	if got := p.Revocations(); len(got) != 2 {
		t.Errorf("the platform revoked %+v; want the refresh and the access token", got)
	}
	if _, list, _ := run(t, env, "inbox"); strings.Contains(list, "task-") {
		t.Errorf("referrals of the removed platform are still listed:\n%s", list)
	}
	code, out, errOut = run(t, env, "remove", "1", "--yes")
	checkOneLine(t, "remove of a platform removed already", code, out, errOut, 1, "No platform 1")
}
